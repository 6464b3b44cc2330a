"""`make run` serves on 8501 unless PORT says otherwise (README, "Two commands")."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from pswbench.paths import ROOT


def run_line(*make_args: str) -> str:
    out = subprocess.run(
        ["make", "-n", "run", *make_args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    ).stdout
    (line,) = [s for s in out.splitlines() if "pswbench.app.server run app.py" in s]
    return line


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_port():
    assert run_line().endswith("run app.py --server.port 8501")
    assert run_line("PORT=8502").endswith("run app.py --server.port 8502")
