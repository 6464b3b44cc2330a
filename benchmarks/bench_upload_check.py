"""Upload check speed: a valid file against rejected ones, median of several warm runs each.

A rejected file should cost no more than a valid one: the suite runs once whether or not a row fails
(pswbench/returns/gx_rules.py). Run as `python -m benchmarks.bench_upload_check`.
"""

from __future__ import annotations

import statistics
import time

from pswbench.paths import DATA_DIR
from pswbench.returns import validate

RUNS = 7
EXAMPLE = (DATA_DIR / "example_return.csv").read_bytes()
VARIANTS = {
    "valid (the filled example)": EXAMPLE,
    "rejected: one negative headcount": EXAMPLE.replace(b"adult_community,3,12,", b"adult_community,3,-12,", 1),
    "rejected: period_end 2025-09-31 on every line": EXAMPLE.replace(b"2025-09-30", b"2025-09-31"),
    "rejected: wte above headcount and a bad band": EXAMPLE.replace(b",3,12,9.60,", b",9,12,19.60,", 1),
}


def medians(runs: int = RUNS) -> dict[str, float]:
    """Seconds per file, median of `runs`; the files take turns, so a busy moment slows all alike."""
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(runs):
        for name, data in VARIANTS.items():
            start = time.perf_counter()
            validate.validate_bytes("return.csv", data)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    validate.validate_bytes("warm.csv", EXAMPLE)  # GX imported and the suite built once, as in the app
    valid = "valid (the filled example)"
    result = medians()
    print(f"| file | errors | median of {RUNS} warm runs | against the valid file |")
    print("|---|---|---|---|")
    for name, data in VARIANTS.items():
        errors = len(validate.validate_bytes("return.csv", data).errors)
        print(f"| {name} | {errors} | {result[name] * 1000:.0f} ms | {result[name] / result[valid]:.2f}x |")


if __name__ == "__main__":
    main()
