"""The synthetic demo build as a user runs it: `python -m pswbench demo --db PATH` in a fresh process.

Prints the median of RUNS builds (wall and CPU time, user + system of the child process), the returns
loaded and the quarters. Run as `python -m benchmarks.bench_demo`. CPU time is the steadier figure on a shared machine.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pswbench.paths import ROOT

RUNS = 3
TARGET_S = 20


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_once(db: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `pswbench demo` in a fresh process."""
    cpu0, t0 = _children_cpu(), time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", "demo", "--db", str(db)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    wall, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if done.returncode != 0:
        raise RuntimeError(f"demo build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, cpu


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runs = [build_once(Path(tmp) / f"demo{i}.duckdb") for i in range(RUNS)]
        con = duckdb.connect(str(Path(tmp) / "demo0.duckdb"), read_only=True)
        returns, quarters = con.execute(
            "SELECT count(*), count(DISTINCT period_end) FROM submission WHERE status = 'accepted'"
        ).fetchone()
        con.close()
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    print("| step | median | target |")
    print("|---|---|---|")
    print(
        f"| build the whole demo database ({returns:,} returns, {quarters} quarters; "
        f"`pswbench demo`, {RUNS} runs) | {wall:.1f} s wall, {cpu:.1f} s CPU | ≤ {TARGET_S} s |"
    )
    print("each run (wall / CPU s): " + ", ".join(f"{w:.1f} / {c:.1f}" for w, c in runs))


if __name__ == "__main__":
    main()
