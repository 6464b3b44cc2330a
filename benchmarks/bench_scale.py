"""Data growth: build databases at 1x, 10x and 100x the demo and time what matters at each size.

For each scale K (EVERYTHING SYNTHETIC, pswbench/synthetic/scale.py): the build (generate, validate in GX
batches, load file by file), the database size on disk, the indicators over every quarter (trust,
region, national) and one trust's positions (quartiles, percentile ranks) among every trust in the
latest quarter, as the Trust benchmark page works them out (median of --runs), and the page
render times (benchmarks/bench_pages.py in a fresh process, median of --page-runs warm runs, and
the first page after a cold start).

    .venv/bin/python -m benchmarks.bench_scale                      # 1,10,100 in a temp dir
    .venv/bin/python -m benchmarks.bench_scale --scales 1,10 --dir /tmp/scale --keep
    .venv/bin/python -m benchmarks.bench_scale --scales 1,10 --dir /tmp/scale --reuse   # time again

A build that runs past --max-build-minutes is stopped; its figures so far are reported with an
extrapolation of the whole build (marked as such), and that scale is measured on the part loaded.
Timings depend on the machine and its load: rerun on a quiet machine for figures to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pswbench.paths import ROOT

PY = sys.executable


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


# ---- build (in a child process, so it can be stopped) ----------------------------------------


def _child_build(scale: int, db: str, seed: int, progress_file: str) -> None:
    from pswbench.synthetic import scale as scaled

    t_start = time.perf_counter()
    with open(progress_file, "a", encoding="utf-8") as fh:

        def progress(info: dict) -> None:
            fh.write(json.dumps({**info, "elapsed_s": time.perf_counter() - t_start}) + "\n")
            fh.flush()

        b = scaled.build_scaled(db, scale, seed, progress=progress)
        fh.write(
            json.dumps(
                {
                    "done": True,
                    "files": b.files,
                    "rows": b.rows,
                    "synthetic_trusts": b.synthetic_trusts,
                    "periods": b.periods,
                    "counts": b.counts,
                    "warnings": b.warnings,
                    "seconds": b.seconds,
                    "total_s": time.perf_counter() - t_start,
                    "rejected": b.rejected[:10],
                }
            )
            + "\n"
        )


def build(scale: int, db: Path, seed: int, max_minutes: float) -> dict:
    """Build in a child process; stop it after max_minutes and extrapolate from its progress."""
    progress_file = db.with_suffix(".progress.jsonl")
    progress_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "benchmarks.bench_scale", "--_build", str(scale), str(db), str(seed), str(progress_file)],
        cwd=ROOT,
        start_new_session=True,
    )
    stopped = False
    try:
        proc.wait(timeout=max_minutes * 60)
    except subprocess.TimeoutExpired:
        stopped = True
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    wall = time.perf_counter() - t0
    lines = (
        [json.loads(x) for x in progress_file.read_text().splitlines() if x.strip()] if progress_file.exists() else []
    )
    done = next((x for x in lines if x.get("done")), None)
    batches = [x for x in lines if "files_done" in x]
    gen = next((x for x in lines if "generated_files" in x), {})
    info = {
        "scale": scale,
        "db": str(db),
        "wall_s": wall,
        "complete": done is not None,
        "stopped": stopped,
        "generated_files": gen.get("generated_files"),
        "generate_s": gen.get("generate_s"),
        "batches": [
            {
                "files_done": b["files_done"],
                "ms_per_file_load": 1000 * b["load_s"] / b["batch_files"],
                "ms_per_file_validate": 1000 * b["validate_s"] / b["batch_files"],
            }
            for b in batches
        ],
    }
    if done:
        info.update(done)
    elif batches:
        # Extrapolate: the files left at the rate of the last five batches (a lower bound when the
        # per-file cost keeps growing), and with the per-file cost growing linearly as measured.
        last = batches[-5:]
        files_done, total = batches[-1]["files_done"], batches[-1]["files_total"]
        rate = sum(b["load_s"] + b["validate_s"] for b in last) / sum(b["batch_files"] for b in last)
        first = batches[:5]
        rate0 = sum(b["load_s"] + b["validate_s"] for b in first) / sum(b["batch_files"] for b in first)
        mid0 = first[-1]["files_done"] / 2
        mid1 = (last[0]["files_done"] - last[0]["batch_files"] + files_done) / 2
        slope = (rate - rate0) / max(1.0, mid1 - mid0)  # seconds per file, per file loaded
        left = total - files_done
        info.update(
            files=files_done,
            files_total=total,
            extrapolated_total_s_flat=batches[-1]["elapsed_s"] + left * rate,
            extrapolated_total_s_growing=batches[-1]["elapsed_s"] + left * rate + slope * left * left / 2,
        )
    return info


# ---- measurements ------------------------------------------------------------------------------


def db_bytes(db: Path) -> int:
    return sum(p.stat().st_size for p in (db, db.with_name(db.name + ".wal")) if p.exists())


def positions(frame) -> dict:
    """The first trust's position on every indicator among all trusts: pswbench.access.scope.position_of,
    the one place quartiles and percentile ranks are worked out (the Trust benchmark page, the snapshot)."""
    from pswbench.access.scope import position_of
    from pswbench.reports.definitions import INDICATORS

    return {s.name: position_of(s.name, frame[s.name][0], frame[s.name]) for s in INDICATORS}


def indicator_times(db: Path, runs: int) -> dict[str, float]:
    from pswbench.reports import indicators
    from pswbench.store import database

    con = database.connect(db, read_only=True)
    try:
        period = con.execute("SELECT max(period_end) FROM return_version").fetchall()[0][0]
        rows = con.execute("SELECT count(*) FROM return_row").fetchall()[0][0]
        out = {
            "trust (all quarters)": median_ms(lambda: indicators.trust_indicators(con, None), runs),
            "region (all quarters)": median_ms(lambda: indicators.region_indicators(con, None), runs),
            "national (all quarters)": median_ms(lambda: indicators.national_indicators(con, None), runs),
            "positions (one quarter)": median_ms(lambda: positions(indicators.trust_indicators(con, period)), runs),
        }
        out["all four"] = sum(out.values())
        return {"ms": out, "return_rows": rows}
    finally:
        con.close()


def ensure_accounts(db: Path) -> None:
    """A stopped build has no demo accounts yet: add them, so the pages can be measured on the part loaded."""
    from pswbench.access import auth
    from pswbench.store import database
    from pswbench.synthetic.demo import DEMO_ACCOUNTS

    con = database.connect(db)
    try:
        have = {e for (e,) in con.execute("SELECT email FROM app_user").fetchall()}
        for email, role, trust, password in DEMO_ACCOUNTS:
            if email not in have:
                auth.add_user(con, email, role, trust, password, actor="scale:synthetic")
        con.execute("INSERT OR REPLACE INTO app_setting VALUES ('synthetic_demo', 'true')")
    finally:
        con.close()


def page_times(db: Path, runs: int, cold_runs: int) -> dict:
    cmd = [
        PY,
        str(ROOT / "benchmarks" / "bench_pages.py"),
        "--db",
        str(db),
        "--runs",
        str(runs),
        "--cold-runs",
        str(cold_runs),
        "--no-gx-check",
        "--json",
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout)[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def fmt_s(x: float | None) -> str:
    return "-" if x is None else f"{x:,.1f} s"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--dir", default=None, help="where the databases go (default: a temp dir, removed)")
    ap.add_argument("--keep", action="store_true", help="keep the databases (with --dir)")
    ap.add_argument("--reuse", action="store_true", help="reuse databases already built in --dir")
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--runs", type=int, default=5, help="indicator runs (median)")
    ap.add_argument("--page-runs", type=int, default=3, help="warm page runs (median)")
    ap.add_argument("--cold-runs", type=int, default=3, help="cold starts (median); 0 to skip")
    ap.add_argument("--no-pages", action="store_true")
    ap.add_argument("--max-build-minutes", type=float, default=60.0)
    ap.add_argument("--json-out", default=None, help="also write every figure to this JSON file")
    ap.add_argument("--_build", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._build:
        scale, db, seed, progress_file = args._build
        _child_build(int(scale), db, int(seed), progress_file)
        return

    scales = [int(s) for s in args.scales.split(",")]
    workdir = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="pswbench-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for k in scales:
            db = workdir / f"scale{k}.duckdb"
            meta = workdir / f"scale{k}.build.json"
            if args.reuse and db.exists() and meta.exists():
                info = json.loads(meta.read_text())
            else:
                for p in (db, db.with_name(db.name + ".wal")):
                    p.unlink(missing_ok=True)
                print(f"building {k}x ...", file=sys.stderr, flush=True)
                info = build(k, db, args.seed, args.max_build_minutes)
                meta.write_text(json.dumps(info, indent=1, default=str))
            print(
                f"{k}x build: {fmt_s(info.get('total_s') or info['wall_s'])} complete={info['complete']}",
                file=sys.stderr,
                flush=True,
            )
            info["bytes"] = db_bytes(db)
            if db.exists():
                info["indicators"] = indicator_times(db, args.runs)
                if not args.no_pages:
                    if not info["complete"]:
                        ensure_accounts(db)
                    print(f"{k}x pages ...", file=sys.stderr, flush=True)
                    info["pages"] = page_times(db, args.page_runs, args.cold_runs)
            results.append(info)
            if args.json_out:
                Path(args.json_out).write_text(json.dumps(results, indent=1, default=str))
    finally:
        if not (args.dir and (args.keep or args.reuse)):
            shutil.rmtree(workdir, ignore_errors=True)
    print_tables(results)


def print_tables(results: list[dict]) -> None:
    base = results[0] if results else None
    print("\n### Build and size\n")
    print(
        "| scale | files | return rows | synthetic trusts | quarters | build (generate / validate / load) "
        "| load ms/file (median of first 5 batches → last 5) | DB size |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        sec = r.get("seconds") or {}
        if r["complete"]:
            total = fmt_s(r.get("total_s"))
            parts = (
                f"{total} ({sec.get('generate', 0):.0f} / {sec.get('validate', 0):.0f} / {sec.get('load', 0):.0f} s)"
            )
        else:
            parts = (
                f"stopped after {fmt_s(r['wall_s'])} at {r.get('files', 0):,} of {r.get('files_total', 0):,} "
                f"files; whole build extrapolated {fmt_s(r.get('extrapolated_total_s_flat'))} (flat rate) to "
                f"{fmt_s(r.get('extrapolated_total_s_growing'))} (growing rate)"
            )
        b = r.get("batches") or []
        per_file = (
            (
                f"{statistics.median(x['ms_per_file_load'] for x in b[:5]):.0f} → "
                f"{statistics.median(x['ms_per_file_load'] for x in b[-5:]):.0f}"
            )
            if b
            else "-"
        )
        rows = r.get("indicators", {}).get("return_rows", r.get("rows"))
        print(
            f"| {r['scale']}x | {r.get('files', 0):,} | {rows or 0:,} | {r.get('synthetic_trusts', '-')} | "
            f"{r.get('periods', '-')} | {parts} | {per_file} | {r['bytes'] / 1e6:,.1f} MB |"
        )

    print("\n### Indicators (median ms)\n")
    names = list((base or {}).get("indicators", {}).get("ms", {}))
    print("| scale | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for r in results:
        ms = r.get("indicators", {}).get("ms", {})
        print(f"| {r['scale']}x | " + " | ".join(f"{ms.get(n, float('nan')):,.0f}" for n in names) + " |")

    if any("pages" in r for r in results):
        print("\n### Pages as the analyst (warm median ms; target ≤ 1,000 ms; cold first page ≤ 5 s)\n")
        pages = []
        for r in results:
            for p in r.get("pages", {}).get("pages", []):
                if p["page"] not in pages:
                    pages.append(p["page"])
        print("| page | " + " | ".join(f"{r['scale']}x warm | {r['scale']}x first visit" for r in results) + " |")
        print("|---|" + "---|---|" * len(results))
        for page in pages:
            cells = []
            for r in results:
                p = next((p for p in r.get("pages", {}).get("pages", []) if p["page"] == page), None)
                cells += [f"{p['warm_ms']:,.0f}", f"{p['first_ms']:,.0f}"] if p else ["-", "-"]
            print(f"| {page} | " + " | ".join(cells) + " |")
        cold = []
        for r in results:
            c = r.get("pages", {}).get("cold")
            cold.append(
                f"{c['first_page_after_sign_in_s']:.1f} s (process start to sign-in screen "
                f"{c['start_to_sign_in_s']:.1f} s)"
                if c
                else "-"
            )
            if "error" in r.get("pages", {}):
                print(f"\n{r['scale']}x pages failed: {r['pages']['error']}")
        print("| cold: first page after sign-in | " + " | ".join(f"{c} | -" for c in cold) + " |")


if __name__ == "__main__":
    main()
