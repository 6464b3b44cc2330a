"""Scaled synthetic data (pswbench/synthetic/trust_returns.py generate_scaled,
pswbench/synthetic/scale.py build_scaled).

K=2 only, to stay quick: about twice the demo's rows, every file valid and loaded through the real
validate path, synthetic trust codes that can never be real ODS codes, and the demo itself unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

import pytest

from pswbench.paths import REFERENCE_DIR
from pswbench.reports import indicators
from pswbench.returns import contract
from pswbench.store import database
from pswbench.synthetic import scale, trust_returns
from tests.unit.synthetic.test_trust_returns import row_problems, totals

SCALE = 2


def _real_codes() -> set[str]:
    with open(REFERENCE_DIR / "mental_health_trusts.csv", newline="", encoding="utf-8") as fh:
        return {r["trust_code"] for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return trust_returns.generate_scaled(tmp_path_factory.mktemp("scaled"), seed=2019, scale=SCALE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return scale.build_scaled(tmp_path_factory.mktemp("scaled_db") / "scaled.duckdb", SCALE, seed=2019)


def test_rows_are_about_k_times_the_demo(made):
    written = sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in made.paths)
    assert written == made.rows
    assert abs(made.rows / made.demo_rows - SCALE) < 0.05 * SCALE
    assert made.periods == contract.quarter_ends(
        trust_returns.FIRST_PERIOD, trust_returns.LAST_PERIOD
    )  # the demo's 29 quarters


def test_demo_files_are_unchanged_inside_the_scaled_set(made, tmp_path):
    demo = trust_returns.generate(tmp_path / "demo", seed=2019)
    scaled = {p.name: p for p in made.paths}
    assert all(p.read_bytes() == scaled[p.name].read_bytes() for p in demo)


def test_synthetic_codes_never_collide_with_real_codes(made):
    real = _real_codes()
    codes = [t.trust_code for t in made.synthetic_trusts]
    assert codes and len(codes) == len(set(codes))
    assert not set(codes) & real
    assert all(trust_returns.is_synthetic_code(c) for c in codes) and not any(
        trust_returns.is_synthetic_code(c) for c in real
    )
    regions = {r["region_code"] for r in csv.DictReader(open(REFERENCE_DIR / "nhs_regions.csv", encoding="utf-8"))}
    assert {t.region_code for t in made.synthetic_trusts} <= regions
    assert all(t.trust_name == f"Synthetic trust {t.trust_code}" for t in made.synthetic_trusts)


def test_every_synthetic_trust_every_quarter_and_row_rules(made):
    by_trust = defaultdict(set)
    for p in made.paths:
        code, period = p.stem.split("_")
        by_trust[code].add(dt.date.fromisoformat(period))
    for t in made.synthetic_trusts:
        assert by_trust[t.trust_code] == set(made.periods)
    synthetic = [p for p in made.paths if trust_returns.is_synthetic_code(p.stem.split("_")[0])]
    problems = {p.name: row_problems(p) for p in synthetic}
    assert {k: v for k, v in problems.items() if v} == {}


def test_synthetic_trusts_are_realistic(made):
    every = []
    for p in made.paths:
        if trust_returns.is_synthetic_code(p.stem.split("_")[0]):
            with open(p, newline="", encoding="utf-8") as fh:
                every.append(totals(list(csv.DictReader(fh))))
    sick = sorted(t["lost"] / t["avail"] for t in every if t["avail"])
    vac = sorted(t["vac"] / (t["wte"] + t["vac"]) for t in every if t["wte"] + t["vac"])
    assert 0.03 <= sick[len(sick) // 2] <= 0.09
    assert 0.05 <= vac[len(vac) // 2] <= 0.25
    heads = [t["H"] for t in every]
    assert 5 <= sorted(heads)[len(heads) // 2] <= 40


def test_build_loads_every_file_through_the_validate_path(built, made):
    assert built.counts == {"accepted": len(made.paths), "rejected": 0, "duplicate": 0}, built.rejected[:5]
    assert built.rows == made.rows and built.synthetic_trusts == len(made.synthetic_trusts)
    con = database.connect(built.db, read_only=True)
    try:
        trusts = dict(con.execute("SELECT trust_code, trust_name FROM trust").fetchall())
        assert {t.trust_code for t in made.synthetic_trusts} <= set(trusts)
        assert con.execute("SELECT count(*) FROM return_row").fetchall()[0][0] == made.rows
        assert (
            con.execute(
                "SELECT count(*) FROM trust WHERE trust_code LIKE 'Z%' AND "
                "(open_date IS NOT NULL OR close_date IS NOT NULL)"
            ).fetchall()[0][0]
            == 0
        )
        unknown = con.execute("SELECT count(*) FROM finding WHERE rule = 'unknown_trust_code'").fetchall()[0][0]
        assert unknown == 0
        national = indicators.national_indicators(con, None)
        assert national.height == len(made.periods)
        assert database.setting(con, "synthetic_demo") == "true"
    finally:
        con.close()


def test_the_override_is_needed_and_only_adds(made):
    """Without the database's trust list the synthetic trusts are unknown; real ones are unaffected."""
    from pswbench.returns import cross_checks

    code = made.synthetic_trusts[0].trust_code
    period = made.periods[0]
    assert [f.rule for f in cross_checks.trust_known_and_open(code, period, 2)] == ["unknown_trust_code"]
    ref = dict(cross_checks.trust_reference()) | {code: ("Synthetic", None, None)}
    assert cross_checks.trust_known_and_open(code, period, 2, ref) == []
    assert [f.rule for f in cross_checks.trust_known_and_open("RRP", dt.date(2025, 3, 31), 2, ref)] == [
        "trust_not_open"
    ]
