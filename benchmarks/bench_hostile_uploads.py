"""Hostile uploads: how long reading and checking takes (the median of several runs) for files that
declare, or expand to, far more than they hold. The target (issue 9): at most 2 s for any file of 5 MB
or less. tests/hostile/test_hostile_uploads.py asserts the verdicts and the bounded work; this times it.

    .venv/bin/python -m benchmarks.bench_hostile_uploads [--runs 5] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pswbench.access import auth
from pswbench.paths import DATA_DIR
from pswbench.returns import contract, uploads
from pswbench.returns.validate import validate_bytes
from pswbench.store import database
from tests.helpers.returns_kit import TODAY, csv_bytes, valid_rows
from tests.helpers.workbook_kit import valid_workbook
from tests.hostile import hostile_workbooks

TARGET_SECONDS = 2.0


def csv_cases() -> dict[str, tuple[str, bytes]]:
    head = csv_bytes(valid_rows())
    room = contract.MAX_FILE_BYTES - len(head)
    row = valid_rows(1)[0]
    wrong = {c: "x" for c in contract.COLUMNS} | {"trust_code": "RX4", "period_end": "2025-09-30"}
    return {
        "typical return (csv, 8 rows)": ("r.csv", (DATA_DIR / "example_return.csv").read_bytes()),
        "10,000 rows of good figures (csv; the cells repeat)": (
            "r.csv",
            csv_bytes([dict(row, notes=str(i)) for i in range(10_000)]),
        ),
        "10,000 rows, every cell wrong (csv)": ("r.csv", csv_bytes([dict(wrong, notes=str(i)) for i in range(10_000)])),
        "5 MB of blank lines (csv)": ("r.csv", head + b"\n" * room),
        "5 MB of empty fields in one row (csv)": ("r.csv", head + b"," * (room - 3) + b"x\n"),
        "a header of 2.6 million columns (csv)": ("r.csv", b"a," * (contract.MAX_FILE_BYTES // 2 - 1)),
    }


def workbook_cases() -> dict[str, tuple[str, bytes]]:
    row = valid_rows(1)[0]
    cases = {
        "typical return (xlsx, 3 rows)": ("r.xlsx", valid_workbook()),
        "10,000 rows of good figures (xlsx; the cells repeat)": (
            "r.xlsx",
            valid_workbook([dict(row, notes=str(i)) for i in range(10_000)]),
        ),
    }
    cases.update({f"{name} (xlsx)": ("r.xlsx", build()) for name, build in hostile_workbooks.HOSTILE.items()})
    return cases


def median_seconds(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="run the cases whose name contains any of these")
    args = parser.parse_args()

    print("building the files...", file=sys.stderr)
    cases = {**csv_cases(), **workbook_cases()}
    if args.only:
        cases = {k: v for k, v in cases.items() if any(o in k for o in args.only)}
    validate_bytes("warm.csv", csv_bytes(valid_rows()), today=TODAY)  # GX imported, suite built
    validate_bytes("warm.csv", csv_bytes(valid_rows()).replace(b",12,", b",x,"), today=TODAY)

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; median of {args.runs} runs")
    print("| file | size | read and checked: median | max | verdict |")
    print("|---|---|---|---|---|")
    slowest = 0.0
    for label, (name, data) in cases.items():
        result = validate_bytes(name, data, today=TODAY)
        median, worst = median_seconds(lambda name=name, data=data: validate_bytes(name, data, today=TODAY), args.runs)
        slowest = max(slowest, median)
        verdict = "valid" if result.valid else ", ".join(sorted({f.rule for f in result.errors}))
        print(
            f"| {label} | {len(data) / 1024:,.0f} KB | {median * 1000:,.0f} ms | {worst * 1000:,.0f} ms | {verdict} |"
        )

    # Recording: what the Upload page does with a rejected file (findings written to the database).
    with tempfile.TemporaryDirectory() as tmp:
        con = database.connect(Path(tmp) / "bench.duckdb")
        lead = auth.add_user(con, "lead@rx4.nhs.uk", "trust_lead", "RX4", None)
        name, data = csv_cases()["10,000 rows, every cell wrong (csv)"]
        median, worst = median_seconds(lambda: uploads.check(con, lead, "RX4", name, data, TODAY), args.runs)
        con.close()
    print(
        f"| 10,000 rows, every cell wrong, checked and recorded (uploads.check) | {len(data) / 1024:,.0f} KB "
        f"| {median * 1000:,.0f} ms | {worst * 1000:,.0f} ms | rejected |"
    )
    slowest = max(slowest, median)
    print(f"\nslowest median {slowest:.2f} s (target ≤ {TARGET_SECONDS:.0f} s)")


if __name__ == "__main__":
    main()
