"""Where the disclosure suite writes what it found: every finding of a check, one per line, and the
crawl's and sweep's sizes, under artifacts/disclosure/ (a plain module, so test modules need not
import a conftest)."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "disclosure"


def write_findings(name: str, role: str, lines: list[str]) -> Path:
    """Every finding of a check, one per line, in artifacts/disclosure/<name>-<role>.txt."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}-{role}.txt"
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    return path
