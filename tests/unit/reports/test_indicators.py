"""Benchmarking indicators: hand-computed values on a tiny database, plus properties."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pswbench.access.scope import position_of
from pswbench.reports import definitions
from pswbench.reports import indicators as ind
from pswbench.returns.cross_checks import return_rates
from pswbench.store import database

Q1, Q2, Q3, Q4, Q5 = (
    dt.date(2024, 3, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 9, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 3, 31),
)
A, B = "R1L", "RMY"  # East of England (Y61)
C, D = "RV5", "RWK"  # London (Y56)
ENGLAND_POPULATION = 8799800 + 9278400 + 5701400 + 6334600 + 7417400 + 10831200 + 8120000  # 56,482,800
Y61_POPULATION = 6334600

_ids = itertools.count(1)


def add_return(con, trust, period, rows, *, version=1, is_current=True):
    """Insert one accepted submission with its rows and its return_version entry."""
    sid = next(_ids)
    con.execute(
        "INSERT INTO submission (submission_id, trust_code, period_end, file_name, sha256, size_bytes,"
        " row_count, submitted_by, submitted_at, status, version, error_count, warning_count)"
        " VALUES (?, ?, ?, 'f.csv', ?, 1, ?, 'test', TIMESTAMP '2025-01-01', 'accepted', ?, 0, 0)",
        [sid, trust, period, f"sha{sid}", len(rows), version],
    )
    settings_bands = itertools.product(
        ("adult_community", "crisis", "forensic", "perinatal", "other"), ("2", "3", "4", "5", "6", "7", "8a")
    )
    for line, (row, (setting, band)) in enumerate(zip(rows, settings_bands), start=2):
        r = dict(headcount=0, wte=0.0, vac=0.0, lost=0.0, avail=0.0, L=0, J=0, bank=None, agency=None)
        r.update(row)
        con.execute(
            "INSERT INTO return_row (submission_id, line, trust_code, period_end, service_setting, afc_band, headcount,"
            " wte_in_post, vacancy_wte, sickness_fte_days_lost, fte_days_available, leavers_headcount,"
            " joiners_headcount, bank_wte, agency_wte, notes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            [
                sid,
                line,
                trust,
                period,
                setting,
                band,
                r["headcount"],
                r["wte"],
                r["vac"],
                r["lost"],
                r["avail"],
                r["L"],
                r["J"],
                r["bank"],
                r["agency"],
            ],
        )
    con.execute("INSERT INTO return_version VALUES (?, ?, ?, ?, ?)", [trust, period, version, sid, is_current])


def row(h, wte, vac, lost, avail, L, J, bank=None, agency=None):
    return dict(headcount=h, wte=wte, vac=vac, lost=lost, avail=avail, L=L, J=J, bank=bank, agency=agency)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    con = database.connect(tmp_path_factory.mktemp("ind") / "t.duckdb")
    # Trust A (Y61): every quarter Q1..Q5; Q4 has two rows and a superseded version.
    add_return(con, A, Q1, [row(10, 8, 2, 10, 500, L=1, J=1, bank=1, agency=0)])  # S = 10-1+1 = 10
    add_return(con, A, Q2, [row(10, 8, 2, 10, 500, L=2, J=2, bank=1, agency=0)])  # S = 10-2+2 = 10
    add_return(con, A, Q3, [row(10, 8, 2, 10, 500, L=1, J=1, bank=1, agency=0)])
    add_return(
        con, A, Q4, [row(100, 90, 50, 1, 10, L=50, J=0, bank=40, agency=40)], version=1, is_current=False
    )  # must be ignored
    add_return(
        con,
        A,
        Q4,
        [
            row(8, 6, 1, 20, 400, L=2, J=1, bank=1.0, agency=None),
            row(4, 3, 1, 10, 200, L=1, J=0, bank=None, agency=0.5),
        ],
        version=2,
    )
    add_return(con, A, Q5, [row(12, 9, 2, 30, 600, L=0, J=0, bank=1, agency=0)])
    # Trust B (Y61): no Q2 return; every bank/agency cell blank in Q4.
    add_return(con, B, Q1, [row(20, 18, 0, 5, 1000, L=0, J=0, bank=2, agency=1)])
    add_return(con, B, Q3, [row(20, 18, 0, 5, 1000, L=2, J=2, bank=2, agency=1)])
    add_return(con, B, Q4, [row(20, 16, 4, 100, 1000, L=4, J=0)])
    # Trust C (Y56): Q1..Q4.
    add_return(con, C, Q1, [row(30, 27, 3, 30, 1500, L=3, J=0, bank=0, agency=0)])  # S = 30-0+3 = 33
    add_return(con, C, Q2, [row(30, 27, 3, 30, 1500, L=0, J=3, bank=0, agency=0)])
    add_return(con, C, Q3, [row(30, 27, 3, 30, 1500, L=1, J=1, bank=0, agency=0)])
    add_return(con, C, Q4, [row(30, 24, 6, 60, 1500, L=2, J=2, bank=3, agency=3)])
    # Trust D (Y56): Q4 only, everything zero.
    add_return(con, D, Q4, [row(0, 0, 0, 0, 0, L=0, J=0, bank=0, agency=0)])
    yield con
    con.close()


def one(df, **keys):
    for k, v in keys.items():
        df = df.filter(df[k] == v)
    assert df.height == 1, keys
    return df.row(0, named=True)


def approx(x):
    return pytest.approx(x, rel=1e-12, abs=1e-15)


# ---------------------------------------------------------------- trust level


def test_trust_q4_hand_computed(con):
    df = ind.trust_indicators(con, Q4)
    assert df["trust_code"].to_list() == [A, B, C, D]
    assert df["period_end"].unique().to_list() == [Q4]

    a = one(df, trust_code=A)
    assert a["trust_name"] == "Essex Partnership University NHS Foundation Trust"
    assert (a["region_code"], a["region_name"]) == ("Y61", "East of England")
    # current version only: H = 8+4, wte = 6+3, vac = 1+1, lost = 20+10, avail = 400+200, L = 3, J = 1
    assert (a["headcount"], a["wte_in_post"], a["vacancy_wte"]) == (12, 9, 2)
    assert a["vacancy_rate"] == approx(2 / 11)  # 2 / (9 + 2)
    assert a["sickness_rate"] == approx(0.05)  # 30 / 600
    assert a["start_headcount"] == 14  # 12 - 1 + 3
    assert a["leaver_rate_quarter"] == approx(3 / 13)  # 3 / ((12 + 14) / 2)
    assert a["leaver_rate_12m"] == approx(7 / 11)  # (1+2+1+3) / ((12 + S_Q1 10) / 2)
    assert (a["leavers_12m"], a["average_headcount_12m"]) == (7, 11)
    # blanks left out: bank 1.0 + agency 0.5 over 9 + 1.5
    assert a["temporary_staffing_share"] == approx(1.5 / 10.5)
    assert a["wte_per_100k_population"] is None  # trust.population is null
    assert a["mean_wte_per_head"] == approx(0.75)  # 9 / 12

    b = one(df, trust_code=B)
    assert b["vacancy_rate"] == approx(0.2)  # 4 / (16 + 4)
    assert b["sickness_rate"] == approx(0.1)  # 100 / 1000
    assert b["leaver_rate_quarter"] == approx(4 / 22)  # S = 20 - 0 + 4 = 24; avg 22
    assert b["quarters_in_12m"] == 3  # Q2 missing
    assert b["leaver_rate_12m"] is None
    assert b["temporary_staffing_share"] is None  # every bank/agency cell blank
    assert b["mean_wte_per_head"] == approx(0.8)

    c = one(df, trust_code=C)
    assert c["leaver_rate_quarter"] == approx(2 / 30)  # S = 30 - 2 + 2 = 30
    assert c["leaver_rate_12m"] == approx(6 / 31.5)  # (3+0+1+2) / ((30 + 33) / 2)
    assert c["temporary_staffing_share"] == approx(0.2)  # 6 / (24 + 6)

    d = one(df, trust_code=D)  # zero headcount and zero days
    for name in (
        "vacancy_rate",
        "sickness_rate",
        "leaver_rate_quarter",
        "leaver_rate_12m",
        "temporary_staffing_share",
        "mean_wte_per_head",
    ):
        assert d[name] is None, name
    assert d["headcount"] == 0 and d["wte_in_post"] == 0


def test_trailing_year_slides_and_survives_period_filter(con):
    a5 = one(ind.trust_indicators(con, Q5), trust_code=A)
    # Q2..Q5 leavers 2+1+3+0 = 6; S at Q2 = 10 - 2 + 2 = 10; (12 + 10) / 2 = 11
    assert a5["leaver_rate_12m"] == approx(6 / 11)
    assert one(ind.trust_indicators(con, Q3), trust_code=A)["leaver_rate_12m"] is None  # no Q4 2023
    everything = ind.trust_indicators(con)
    assert everything.height == 5 + 3 + 4 + 1
    assert everything.sort("period_end", "trust_code").equals(everything)
    assert everything.filter(everything["period_end"] == Q4).equals(ind.trust_indicators(con, Q4))


def test_no_rows_for_unloaded_period(con):
    assert ind.trust_indicators(con, dt.date(2023, 12, 31)).height == 0
    assert ind.national_indicators(con, dt.date(2023, 12, 31)).height == 0


# ---------------------------------------------------------------- pooled levels


def test_region_q4_pooled(con):
    df = ind.region_indicators(con, Q4)
    assert df["region_code"].to_list() == ["Y56", "Y61"]
    e = one(df, region_code="Y61")
    assert (e["region_name"], e["n_trusts"]) == ("East of England", 2)
    assert (e["headcount"], e["wte_in_post"], e["vacancy_wte"]) == (32, 25, 6)
    assert e["vacancy_rate"] == approx(6 / 31)  # (2+4) / (25 + 6)
    assert e["sickness_rate"] == approx(130 / 1600)  # (30+100) / (600+1000)
    assert e["leaver_rate_quarter"] == approx(7 / 35)  # (3+4) / (13+22)
    assert e["leaver_rate_12m"] == approx(7 / 11)  # A only: B lacks Q2
    assert e["n_trusts_12m"] == 1
    assert e["temporary_staffing_share"] == approx(1.5 / 10.5)  # A only, wte term from A only
    assert e["n_trusts_temp_staffing"] == 1
    assert e["wte_per_100k_population"] == approx(25 / Y61_POPULATION * 100_000)
    assert e["mean_wte_per_head"] == approx(25 / 32)
    assert (e["leavers"], e["start_headcount"], e["fte_days_available"]) == (7, 38, 1600)

    # pooled is not the mean of trust rates
    t = ind.trust_indicators(con, Q4).filter(region_code="Y61")
    for name in ("vacancy_rate", "sickness_rate", "leaver_rate_quarter", "mean_wte_per_head"):
        assert e[name] != approx(t[name].mean()), name

    lon = one(df, region_code="Y56")
    assert lon["n_trusts"] == 2
    assert lon["vacancy_rate"] == approx(0.2)  # (6+0) / (24+6+0)
    assert lon["leaver_rate_12m"] == approx(6 / 31.5)  # C only
    assert lon["temporary_staffing_share"] == approx(0.2)  # (6+0) / (30+0); D counted, adds 0
    assert lon["n_trusts_temp_staffing"] == 2


def test_region_with_no_complete_year_is_null(con):
    e = one(ind.region_indicators(con, Q3), region_code="Y61")
    assert e["leaver_rate_12m"] is None and e["n_trusts_12m"] == 0


def test_national_q4_pooled(con):
    n = one(ind.national_indicators(con, Q4), period_end=Q4)
    assert n["n_trusts"] == 4
    assert (n["headcount"], n["wte_in_post"], n["vacancy_wte"]) == (62, 49, 12)
    assert n["vacancy_rate"] == approx(12 / 61)
    assert n["sickness_rate"] == approx(190 / 3100)
    assert n["leaver_rate_quarter"] == approx(9 / 65)  # (3+4+2+0) / (13+22+30+0)
    assert n["leaver_rate_12m"] == approx(13 / 42.5)  # A and C: (7+6) / (11+31.5)
    assert n["temporary_staffing_share"] == approx(7.5 / 40.5)  # A, C, D: (1.5+6+0) / (10.5+30+0)
    assert n["population"] == ENGLAND_POPULATION
    assert n["wte_per_100k_population"] == approx(49 / ENGLAND_POPULATION * 100_000)
    assert n["mean_wte_per_head"] == approx(49 / 62)
    assert ind.national_indicators(con)["period_end"].to_list() == [Q1, Q2, Q3, Q4, Q5]


def test_dispatch(con):
    assert ind.indicators(con, "trust", Q4).equals(ind.trust_indicators(con, Q4))
    assert ind.indicators(con, "region", Q4).equals(ind.region_indicators(con, Q4))
    assert ind.indicators(con, "national").equals(ind.national_indicators(con))
    with pytest.raises(ValueError):
        ind.indicators(con, "icb")
    with pytest.raises(TypeError):
        ind.trust_indicators(con, "2024-12-31")
    for df in (ind.trust_indicators(con), ind.region_indicators(con), ind.national_indicators(con)):
        assert set(ind.INDICATORS) <= set(df.columns)


# ---------------------------------------------------------------- spread and ranks
# Quartiles and percentile ranks are worked out in one place, scope.position_of, over the frame of
# figures a user may see (here every trust, as an analyst sees them).


def positions_q4(con, indicator, trusts=None):
    frame = ind.trust_indicators(con, Q4)
    if trusts is not None:
        frame = frame.filter(frame["trust_code"].is_in(trusts))
    return {
        r["trust_code"]: position_of(indicator, r[indicator], frame[indicator]) for r in frame.iter_rows(named=True)
    }


def test_quartiles_q4(con):
    # sickness, national: [0.04 (C), 0.05 (A), 0.1 (B)], D null and not counted
    s = positions_q4(con, "sickness_rate")[A]
    assert s.n == 3
    assert [s.q1, s.median, s.q3] == [approx(0.045), approx(0.05), approx(0.075)]
    # headcount, national: [0, 12, 20, 30]; q1 at 0.75 -> 9, median at 1.5 -> 16, q3 at 2.25 -> 22.5
    h = positions_q4(con, "headcount")[A]
    assert [h.n, h.q1, h.median, h.q3] == [4, 9, 16, 22.5]
    # sickness, East of England (A, B): [0.05, 0.1]
    e = positions_q4(con, "sickness_rate", trusts=[A, B])[A]
    assert [e.n, e.q1, e.median, e.q3] == [2, approx(0.0625), approx(0.075), approx(0.0875)]
    # nobody has a population: n = 0 and every statistic null
    p = positions_q4(con, "wte_per_100k_population")[A]
    assert p.n == 0 and p.median is None and p.percentile_rank is None


def test_percentile_ranks_q4(con):
    rank = {(t, name): p.percentile_rank for name in ind.INDICATORS for t, p in positions_q4(con, name).items()}
    # sickness: C 0.04 < A 0.05 < B 0.1; D null and not counted
    assert (rank[C, "sickness_rate"], rank[A, "sickness_rate"], rank[B, "sickness_rate"]) == (0, 0.5, 1)
    assert rank[D, "sickness_rate"] is None
    # headcount: D 0 < A 12 < B 20 < C 30
    assert [rank[t, "headcount"] for t in (D, A, B, C)] == approx([0, 1 / 3, 2 / 3, 1])
    # vacancy: A 2/11 < B 0.2 = C 0.2 -> ties share a rank: trusts below / (n - 1) = 1/2
    assert [rank[t, "vacancy_rate"] for t in (A, B, C)] == [0, 0.5, 0.5]
    assert len(rank) == 4 * len(ind.INDICATORS)


TRUSTS = (A, B, C, D)
PERIODS = (Q1, Q2, Q3, Q4, Q5)


@st.composite
def valid_row(draw):
    h = draw(st.integers(0, 40))
    half = lambda hi: draw(st.integers(0, hi)) / 2  # noqa: E731 - exact binary fractions
    avail = half(4000)
    return row(
        h,
        wte=half(2 * h),
        vac=half(20),
        lost=draw(st.integers(0, int(avail * 2))) / 2,
        avail=avail,
        L=draw(st.integers(0, 10)),
        J=draw(st.integers(0, h)),
        bank=draw(st.none() | st.integers(0, 20).map(lambda x: x / 2)),
        agency=draw(st.none() | st.integers(0, 20).map(lambda x: x / 2)),
    )


returns = st.dictionaries(
    st.tuples(st.sampled_from(TRUSTS), st.sampled_from(PERIODS)),
    st.lists(valid_row(), min_size=1, max_size=3),
    min_size=1,
    max_size=20,
)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    con = database.connect(tmp_path_factory.mktemp("prop") / "p.duckdb")
    yield con
    con.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=returns)
def test_rates_in_range_at_every_level(scratch, data):
    for table in ("return_version", "return_row", "submission"):
        scratch.execute(f"DELETE FROM {table}")
    for (trust, period), rows in data.items():
        add_return(scratch, trust, period, rows)
    frames = [ind.trust_indicators(scratch), ind.region_indicators(scratch), ind.national_indicators(scratch)]
    for df in frames:
        for name in ("vacancy_rate", "sickness_rate", "temporary_staffing_share"):
            values = df[name].drop_nulls().to_list()
            assert all(0 <= v <= 1 for v in values), (name, values)
        for name in ("leaver_rate_quarter", "leaver_rate_12m"):
            values = df[name].drop_nulls().to_list()
            assert all(v >= 0 and math.isfinite(v) for v in values), (name, values)
    trust, national = frames[0], frames[2]
    assert national["headcount"].sum() == trust["headcount"].sum()
    assert national["n_trusts"].sum() == trust.height == len(data)
    for _, quarter in trust.group_by("period_end"):
        for name in ind.INDICATORS:
            values = quarter[name]
            p = position_of(name, values.drop_nulls().min(), values)
            if p.median is not None:
                assert values.min() <= p.q1 <= p.median <= p.q3 <= values.max()


def test_the_upload_warnings_use_the_formulas_of_the_trust_figures(con):
    """cross_checks.return_rates (the warnings on an upload) and int_trust_indicators are the same macros."""
    for r in ind.trust_indicators(con).iter_rows(named=True):
        totals = dict(
            h=r["headcount"],
            w=r["wte_in_post"],
            v=r["vacancy_wte"],
            lost=r["sickness_fte_days_lost"],
            avail=r["fte_days_available"],
            l=r["leavers"],
            j=r["joiners"],
        )
        rates = return_rates(totals)
        assert (rates["sickness_rate"], rates["vacancy_rate"], rates["leaver_rate_quarter"]) == (
            r["sickness_rate"],
            r["vacancy_rate"],
            r["leaver_rate_quarter"],
        )
        assert rates["average_headcount"] == r["average_headcount"]


# ---------------------------------------------------------------- one registry (reports.definitions)


def test_the_models_compute_each_indicator_with_the_registry_sql(con):
    """Each registry entry's SQL, evaluated over a model's own sums, gives that model's column exactly,
    for every trust (int_trust_indicators) and every pooled region and England (int_trust_pooled)."""
    for model in ("int_trust_indicators", "int_trust_pooled"):
        assert con.execute(f"SELECT count(*) FROM {model}").fetchall()[0][0] > 0
        for spec in definitions.INDICATORS:
            differ = con.execute(
                f"SELECT count(*) FROM {model} WHERE ({spec.sql}) IS DISTINCT FROM {spec.name}"
            ).fetchall()[0][0]
            assert differ == 0, (model, spec.name, spec.sql)


def test_every_rate_the_models_compute_is_in_the_registry():
    macros = set(re.findall(r"CREATE OR REPLACE MACRO (\w+)", database.sql("macros/rates")))
    macros -= {"start_headcount", "average_headcount"}  # components, not indicators
    for model in ("intermediate/int_trust_indicators", "macros/pool_trusts"):
        computed = {
            name for fn, name in re.findall(r"\b(\w+)\([^()]*\)\s+AS\s+(\w+)", database.sql(model)) if fn in macros
        }
        assert computed == {i.name for i in definitions.INDICATORS if i.sql.split("(")[0] in macros}, model


def test_the_cli_prints_the_registry_indicators_in_its_order(con):
    assert ind.INDICATORS == tuple(i.name for i in definitions.INDICATORS)
    for level in ind.LEVELS:
        columns = [c for c in ind.indicators(con, level).columns if c in ind.INDICATORS]
        assert columns == list(ind.INDICATORS), level
