"""One shape for every finding, whichever check produced it."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Finding:
    severity: str          # "error" blocks a load; "warning" is shown and recorded
    line: int | None       # 1-based line in the file (header = 1); None for file-level
    column: str | None
    rule: str              # stable id, documented in docs/return-spec.md
    value: str | None
    message: str           # a sentence a trust lead understands, saying what to do

    def as_json(self) -> dict:
        d = asdict(self)
        d.pop("severity")
        return d


def error(rule: str, message: str, line: int | None = None, column: str | None = None,
          value: object = None) -> Finding:
    return Finding("error", line, column, rule, None if value is None else str(value), message)


def warning(rule: str, message: str, line: int | None = None, column: str | None = None,
            value: object = None) -> Finding:
    return Finding("warning", line, column, rule, None if value is None else str(value), message)


def sort_key(f: Finding) -> tuple:
    return (f.severity != "error", f.line is not None, f.line or 0, f.column or "", f.rule)
