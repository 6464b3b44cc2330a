"""Pipeline speed: prints the median of several runs for each step (issue 2's targets in brackets)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import duckdb

from pswbench.paths import DATA_DIR
from pswbench.returns import validate
from pswbench.store import database, loader
from pswbench.synthetic import demo

RUNS = 5


def median_seconds(fn, runs=RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def big_file(path: Path, rows: int = 10_000) -> bytes:
    lines = (DATA_DIR / "example_return.csv").read_text().splitlines()
    body = [lines[1 + i % (len(lines) - 1)] for i in range(rows)]
    data = "\n".join([lines[0], *body]).encode()
    path.write_bytes(data)
    return data


def main() -> None:
    example = (DATA_DIR / "example_return.csv").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        con = database.connect(tmp / "one.duckdb")
        loader.load_files(con, [("warm.csv", example)], "bench")  # warm: GX imported, suite built
        variants = iter(example.replace(b"Two posts", f"Run {i} posts".encode()) for i in range(100))
        one = median_seconds(lambda: loader.load_files(con, [("r.csv", next(variants))], "bench"))
        con.close()

        counter = iter(range(100))
        whole_demo = median_seconds(lambda: demo.build_demo(tmp / f"demo{next(counter)}.duckdb"), runs=3)

        data = big_file(tmp / "big.csv")
        ten_k = median_seconds(lambda: validate.validate_bytes("big.csv", data))
        floor = median_seconds(lambda: duckdb.sql(f"SELECT * FROM read_csv('{tmp / 'big.csv'}')").fetchall())

    print("| step | median | target |")
    print("|---|---|---|")
    print(f"| validate and load one typical return (warm process, {RUNS} runs) | {one * 1000:.0f} ms | ≤ 300 ms |")
    print(f"| build the whole demo database (29 quarters, 3 runs; see bench_demo) | {whole_demo:.1f} s | ≤ 20 s |")
    print(f"| validate a 10,000-row file ({RUNS} runs) | {ten_k:.2f} s | ≤ 2 s |")
    print(f"| floor: DuckDB read_csv of the same file ({RUNS} runs) | {floor * 1000:.0f} ms | - |")


if __name__ == "__main__":
    main()
