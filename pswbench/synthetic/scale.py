"""Scaled databases for benchmarks: K times the demo's data, through the real validate-and-load path.

EVERYTHING HERE IS SYNTHETIC. ``build_scaled(db, scale, seed)`` writes the scaled synthetic returns
(pswbench.synthetic.trust_returns.generate_scaled), inserts the synthetic trusts (Z0001..., open and close dates null)
into the database's trust table, validates the returns in batches (one Great Expectations run per
batch) against that database's own trust list, and loads each file in its own transaction with the
headcount-change check, oldest quarter first. It adds the demo accounts and marks the database as
the synthetic demo, so the app and its page benchmarks can sign in to it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pswbench.access import auth
from pswbench.returns.contract import quarter_ends
from pswbench.returns.validate import validate_many
from pswbench.store import database
from pswbench.store.database import sql
from pswbench.store.loader import LoadOutcome, load_result
from pswbench.synthetic.demo import DEMO_ACCOUNTS
from pswbench.synthetic.trust_returns import (
    FIRST_PERIOD,
    LAST_PERIOD,
    ScaledReturns,
    SyntheticTrust,
    generate,
    generate_scaled,
)

BATCH_FILES = 200
USER = "scale:synthetic"
# The loader publishes a copy of the whole database after each accepted load unless told not to:
# per file that would make the build quadratic, so the build publishes once at the end instead.


@dataclass
class ScaledBuild:
    db: Path
    scale: int
    files: int
    rows: int
    synthetic_trusts: int
    periods: int
    counts: dict[str, int]  # accepted / rejected / duplicate
    warnings: int
    seconds: dict[str, float] = field(default_factory=dict)  # generate, validate, load, accounts
    rejected: list[str] = field(default_factory=list)  # "file: first error" for each rejected


def db_trust_reference(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, dt.date | None, dt.date | None]]:
    """The database's own trust list, in the shape checks.trust_known_and_open takes."""
    return {
        code: (name, opened, closed)
        for code, name, opened, closed in con.execute(sql("queries/trust_names_and_dates")).fetchall()
    }


def insert_synthetic_trusts(con: duckdb.DuckDBPyConnection, trusts: list[SyntheticTrust]) -> None:
    """Add the synthetic trusts to the trust table in one transaction (skipping any already there)."""
    real = {c for (c,) in con.execute(sql("queries/trust_codes")).fetchall()}
    new = [
        {
            "trust_code": t.trust_code,
            "trust_name": t.trust_name,
            "region_code": t.region_code,
            "icb_code": None,
            "open_date": None,
            "close_date": None,
        }
        for t in trusts
        if t.trust_code not in real
    ]
    if not new:
        return
    with database.transaction(con):
        con.executemany(sql("queries/insert_trust"), new)


def load_scaled(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    batch: int = BATCH_FILES,
    user: str = USER,
    timings: dict[str, float] | None = None,
    progress: Callable[[dict], None] | None = None,
) -> list[LoadOutcome]:
    """Validate (a GX run per batch, against the database's trusts) and load each file, oldest first.

    progress, when given, is called after each batch with its figures (files done, seconds taken)."""
    timings = timings if timings is not None else {}
    reference = db_trust_reference(con)
    paths = sorted(paths, key=lambda p: (p.stem.split("_")[-1], p.stem))
    outcomes: list[LoadOutcome] = []
    for start in range(0, len(paths), batch):
        files = [(p.name, p.read_bytes()) for p in paths[start : start + batch]]
        t0 = time.perf_counter()
        # The headcount-change warning needs the earlier quarters loaded: checked at load time.
        results = validate_many(files, None, None, trust_reference=reference)
        t1 = time.perf_counter()
        outcomes += [load_result(con, r, user, check_headcount_change=True, publish=False) for r in results]
        t2 = time.perf_counter()
        timings["validate"] = timings.get("validate", 0.0) + t1 - t0
        timings["load"] = timings.get("load", 0.0) + t2 - t1
        if progress:
            progress(
                {
                    "files_done": len(outcomes),
                    "files_total": len(paths),
                    "batch_files": len(files),
                    "validate_s": t1 - t0,
                    "load_s": t2 - t1,
                }
            )
    return outcomes


def build_scaled(
    db: str | Path,
    scale: int = 10,
    seed: int = 2019,
    batch: int = BATCH_FILES,
    accounts: bool = True,
    progress: Callable[[dict], None] | None = None,
) -> ScaledBuild:
    """Build a new database at db holding scale x the demo's rows (see the module notes)."""
    db = Path(db)
    if db.exists():
        raise FileExistsError(f"{db} already exists; choose another path or remove it first")
    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        if scale == 1:
            paths = generate(Path(tmp), seed)
            made = ScaledReturns(paths, [], 0, 0, quarter_ends(FIRST_PERIOD, LAST_PERIOD))
        else:
            made = generate_scaled(Path(tmp), seed, scale)
        seconds["generate"] = time.perf_counter() - t0
        con = database.connect(db)
        try:
            insert_synthetic_trusts(con, made.synthetic_trusts)
            if progress:
                progress({"generated_files": len(made.paths), "generate_s": seconds["generate"]})
            outcomes = load_scaled(con, made.paths, batch, timings=seconds, progress=progress)
            t0 = time.perf_counter()
            if accounts:
                for email, role, trust, password in DEMO_ACCOUNTS:
                    auth.add_user(con, email, role, trust, password, actor=USER)
            con.execute(sql("queries/set_setting"), {"key": "synthetic_demo", "value": "true"})
            con.execute("CHECKPOINT")
            seconds["accounts"] = time.perf_counter() - t0
            from pswbench.store import publish

            t0 = time.perf_counter()
            publish.publish(con)  # the read-only snapshot, once; its time is one upload's extra cost
            seconds["publish"] = time.perf_counter() - t0
        finally:
            con.close()
    counts = {s: sum(o.status == s for o in outcomes) for s in ("accepted", "rejected", "duplicate")}
    rows = sum(o.result.rows for o in outcomes)
    rejected = [f"{o.file_name}: {o.result.errors[0].message}" for o in outcomes if o.status == "rejected"]
    return ScaledBuild(
        db,
        scale,
        len(outcomes),
        rows,
        len(made.synthetic_trusts),
        len(made.periods),
        counts,
        sum(o.warnings for o in outcomes),
        seconds,
        rejected,
    )
