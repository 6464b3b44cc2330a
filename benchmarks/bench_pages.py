"""Page speed: every page rendered as the analyst with Streamlit's AppTest (in-process, no browser).

    .venv/bin/python -m benchmarks.bench_pages                 # builds the synthetic demo in a temp dir
    .venv/bin/python -m benchmarks.bench_pages --db PATH --runs 5

Measures, on a database nobody else has open (DuckDB allows one writer process):
- cold: a fresh process's start-up to the sign-in screen, and its first page (the analyst's landing
  page, overview) after pressing "Sign in": median of --cold-runs processes;
- great_expectations: a fresh process that renders every page except upload must not import it;
- warm: one signed-in session visits each page once (the first visit fills the query cache), then
  renders it --runs more times (switch_page + run); the median of those is the warm figure.
Targets (issue "Scale"): each page ≤ 1 s warm; first page after a cold start ≤ 5 s.
AppTest runs the script without a browser, so these figures leave out the websocket and the
browser's drawing; they are the server-side cost of a page. Timings depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pswbench.paths import ROOT

T_START = time.perf_counter()

ROLE = "analyst"
TARGET_MS = 1000
COLD_TARGET_S = 5.0
CHILD_TIMEOUT = 600


def _route_through_router() -> None:
    """As tests/conftest.py: AppTest resets PagesManager.uses_pages_directory every run; keep it off,
    so every run goes through app.py (the router) as on the live server."""
    from pswbench.app import streamlit_internals

    streamlit_internals.keep_pages_directory_mode_off()


def _use_db(db: Path) -> None:
    os.environ["PSWBENCH_DB"] = str(db)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what}: {[e.value for e in at.exception]}")


def sign_in(role: str = ROLE):
    """A signed-in AppTest on the role's landing page."""
    from tests.helpers.apptest_helpers import ACCOUNTS, signed_in

    return signed_in(*ACCOUNTS[role])


def page_keys() -> list[str]:
    from pswbench.access import permissions
    from pswbench.access.auth import User
    from tests.helpers.apptest_helpers import PAGE_KEYS

    allowed = permissions.pages_for(User("x", ROLE, None))
    return [k for k in PAGE_KEYS if k in allowed]


def render(at, key: str) -> float:
    """Switch the session to a page and run it; seconds taken."""
    from tests.helpers.apptest_helpers import page_file

    at.switch_page(page_file(key))
    t0 = time.perf_counter()
    at.run()
    took = time.perf_counter() - t0
    _check(at, f"page {key}")
    if at.error:
        raise RuntimeError(f"page {key} showed errors: {[e.value for e in at.error]}")
    return took


def warm_pages(db: Path, runs: int) -> list[dict]:
    """In this process: sign in once, then each page: a first visit, then runs timed renders."""
    _use_db(db)
    _route_through_router()
    at = sign_in()
    out = []
    for key in page_keys():
        first = render(at, key)
        times = [render(at, key) for _ in range(runs)]
        out.append(
            {
                "page": key,
                "first_ms": first * 1000,
                "warm_ms": statistics.median(times) * 1000,
                "warm_runs_ms": [t * 1000 for t in times],
            }
        )
    return out


# ---- child processes ---------------------------------------------------------------------------


def _child_cold(db: Path) -> None:
    _use_db(db)
    _route_through_router()
    from tests.helpers.apptest_helpers import ACCOUNTS, SIGN_IN_TITLE, new_app, submit_sign_in

    at = new_app().run()
    _check(at, "sign-in screen")
    assert [t.value for t in at.title] == [SIGN_IN_TITLE], "not the sign-in screen"
    shown = time.perf_counter()
    t0 = time.perf_counter()
    submit_sign_in(at, *ACCOUNTS[ROLE])
    first_page = time.perf_counter() - t0
    _check(at, "first page")
    print(
        json.dumps(
            {
                "start_to_sign_in_s": shown - T_START,
                "first_page_after_sign_in_s": first_page,
                "great_expectations_imported": "great_expectations" in sys.modules,
            }
        )
    )


def _child_gx(db: Path) -> None:
    _use_db(db)
    _route_through_router()
    at = sign_in()
    imported_by = None
    for key in page_keys():
        if key == "upload":
            continue
        render(at, key)
        if imported_by is None and "great_expectations" in sys.modules:
            imported_by = key
    print(
        json.dumps(
            {"great_expectations_imported": "great_expectations" in sys.modules, "first_imported_by": imported_by}
        )
    )


def _run_child(flag: str, db: Path) -> tuple[dict, float]:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_pages", flag, "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{flag} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def cold_start(db: Path, runs: int) -> dict:
    """Median over fresh processes: process start to sign-in screen, and the first page after sign-in."""
    got = []
    for _ in range(runs):
        info, wall = _run_child("--_cold", db)
        got.append({**info, "process_wall_s": wall})
    return {
        k: statistics.median(g[k] for g in got)
        for k in ("start_to_sign_in_s", "first_page_after_sign_in_s", "process_wall_s")
    } | {"runs": got}


def gx_check(db: Path) -> dict:
    return _run_child("--_gx", db)[0]


def build_demo(tmp: Path) -> Path:
    db = tmp / "demo.duckdb"
    subprocess.run(
        [sys.executable, "-m", "pswbench", "demo", "--db", str(db)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return db


def measure(db: Path, runs: int, cold_runs: int, gx: bool) -> dict:
    """Everything, children first (each opens the database itself, so this process must not yet)."""
    out: dict = {"db": str(db)}
    if cold_runs:
        out["cold"] = cold_start(db, cold_runs)
    if gx:
        out["gx"] = gx_check(db)
    out["pages"] = warm_pages(db, runs)
    return out


def print_table(res: dict, runs: int) -> None:
    print(
        f"\nPages as the {ROLE}, {Path(res['db']).name}: AppTest, warm = median of {runs} renders after a first "
        "visit (server-side time, no browser)\n"
    )
    print("| page | median warm ms | first visit ms | target | ok |")
    print("|---|---|---|---|---|")
    for p in res["pages"]:
        ok = "yes" if p["warm_ms"] <= TARGET_MS else "NO"
        print(f"| {p['page']} | {p['warm_ms']:,.0f} | {p['first_ms']:,.0f} | ≤ {TARGET_MS:,} ms | {ok} |")
    if "cold" in res:
        c = res["cold"]
        ok = "yes" if c["first_page_after_sign_in_s"] <= COLD_TARGET_S else "NO"
        print(
            f"| cold: first page after sign-in (fresh process, median of {len(c['runs'])}) | "
            f"{c['first_page_after_sign_in_s'] * 1000:,.0f} | - | ≤ {COLD_TARGET_S * 1000:,.0f} ms | {ok} |"
        )
        print(f"| cold: process start to sign-in screen (median) | {c['start_to_sign_in_s'] * 1000:,.0f} | - | - | - |")
    if "gx" in res:
        g = res["gx"]
        verdict = (
            "not imported"
            if not g["great_expectations_imported"]
            else f"IMPORTED (first after page {g['first_imported_by']})"
        )
        print(f"\ngreat_expectations in a fresh process rendering every page but upload: {verdict}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", default=None, help="database to use (default: build the synthetic demo in a temp dir)")
    ap.add_argument("--runs", type=int, default=5, help="warm renders per page (median)")
    ap.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold figure; 0 to skip")
    ap.add_argument("--no-gx-check", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON line at the end")
    ap.add_argument("--_cold", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--_gx", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._cold:
        _child_cold(Path(args.db))
        return 0
    if args._gx:
        _child_gx(Path(args.db))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else build_demo(Path(tmp))
        res = measure(db, args.runs, args.cold_runs, not args.no_gx_check)
    if args.json:
        print(json.dumps(res, default=str))
    else:
        print_table(res, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
