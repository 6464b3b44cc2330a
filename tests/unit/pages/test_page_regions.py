"""Regional comparison page (AppTest, synthetic demo) and pswbench.reports.regions on the same data."""

from __future__ import annotations

import json
import statistics

import polars as pl
import pytest

from pswbench.access.auth import User
from pswbench.access.disclosure import SUPPRESSED_TEXT
from pswbench.reports import regions
from pswbench.reports.definitions import POPULATION_SOURCE
from tests.helpers.apptest_helpers import ACCOUNTS, errors, on_page, page_file, signed_in

ANALYST = User("a@nhs.uk", "analyst", None)
LEAD = User("l@nhs.uk", "trust_lead", "RX4")


pytestmark = pytest.mark.usefixtures("demo_app")  # q and period: tests/unit/conftest.py


def hand_medians(q, period, visible_only=False) -> dict[str, float]:
    """Median headcount of each region's trusts, from the raw rows, the long way round (visible_only:
    over the trusts a trust lead of RX4 may see, i.e. RX4 and those with headcount 5 or more)."""
    out = {}
    for row in q.trust_indicators(period).iter_rows(named=True):
        if not visible_only or row["trust_code"] == "RX4" or row["headcount"] >= 5:
            out.setdefault(row["region_name"], []).append(row["headcount"])
    return {name: statistics.median(v) for name, v in out.items()}


def num(text) -> float:
    """A number as the table shows it ("1,701", "10.8%", "+0.4") back as a number."""
    return float(str(text).replace(",", "").rstrip("%"))


def comparison(at):
    return at.dataframe[0].value.set_index(["Indicator", "Measure"])


# ---- the page -------------------------------------------------------------------------------


def test_analyst_sees_seven_regions_pooled_and_median(q, period):
    at = on_page("analyst", "regions")
    assert not errors(at)
    assert "regions compare" in at.title[0].value
    table = comparison(at)
    names = sorted(q.regions()["region_name"])
    assert [c for c in table.columns if c != "Unit"] == [*names, "England"]
    pooled = q.region_indicators(period)
    for row in pooled.iter_rows(named=True):
        assert num(table.loc[("Vacancy rate", "Region pooled"), row["region_name"]]) == round(
            row["vacancy_rate"] * 100, 1
        )
    for name, median in hand_medians(q, period).items():
        assert abs(num(table.loc[("PSW headcount", "Median of trusts"), name]) - median) <= 0.5  # whole people
    # Pooled bars, the spread of trusts and the regions' SPC charts; WTE per 100,000 population with its
    # source and caveat.
    assert len(at.get("plotly_chart")) == 3
    assert POPULATION_SOURCE in " ".join(c.value for c in at.caption)
    assert "approximate" in " ".join(c.value for c in at.caption)


def test_indicator_picker_drives_the_charts(q, period):
    at = on_page("analyst", "regions")
    at.selectbox(key="regions_indicator").set_value("sickness_rate").run()
    bars, spread, _spc = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    pooled = dict(q.region_indicators(period).select("region_name", "sickness_rate").iter_rows())
    assert dict(zip(bars["data"][0]["x"], bars["data"][0]["y"])) == pytest.approx(pooled)
    assert spread["data"][1]["name"] == "Region pooled figure"
    assert len(spread["data"][0]["y"]) == q.trust_indicators(period).height


def test_trust_lead_sees_peers_anonymised_and_small_numbers_suppressed(q, period):
    at = on_page("trust_lead", "regions")
    assert not errors(at)
    others = q.trusts().filter(pl.col("trust_code") != "RX4")
    hidden = set(others["trust_name"]) | set(others["trust_code"])
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in [col, *d.value[col].tolist()]}
    assert not cells & hidden
    spread = [d.value for d in at.dataframe if {"Trust", "Region"} <= set(d.value.columns)][0]
    small = q.trust_indicators(period).filter(pl.col("headcount") < 5)
    assert small.height and (spread["PSW headcount (people)"] == SUPPRESSED_TEXT).sum() == small.height
    # Medians and pooled totals are over the trusts the lead may see: subtracting them gives nothing back.
    table = comparison(at)
    for name, median in hand_medians(q, period, visible_only=True).items():
        assert abs(num(table.loc[("PSW headcount", "Median of trusts"), name]) - median) <= 0.5  # whole people
    raw = q.trust_indicators(period)
    visible = raw.filter((pl.col("headcount") >= 5) | (pl.col("trust_code") == "RX4"))
    for name, total in visible.group_by("region_name").agg(pl.col("headcount").sum()).iter_rows():
        assert num(table.loc[("PSW headcount", "Region pooled"), name]) == total
    region_small = small["region_name"][0]
    full = raw.filter(pl.col("region_name") == region_small)["headcount"].sum()
    assert num(table.loc[("PSW headcount", "Region pooled"), region_small]) != full
    left_out = table.loc[("Trusts left out (fewer than 5 PSWs: figures not shown to you)", "count")]
    assert num(left_out["England"]) == small.height


def test_board_member_is_refused():
    at = signed_in(*ACCOUNTS["board"])
    at.switch_page(page_file("regions")).run()
    assert any(e.startswith("Not permitted") for e in errors(at))
    assert len(at.dataframe) == 0


# ---- pswbench.reports.regions ----------------------------------------------------------------------


def test_region_medians_equal_a_hand_computation(q, period, scope_for):
    medians = regions.region_medians(scope_for(ANALYST).trust_rows(period))
    names = dict(q.regions().select("region_code", "region_name").iter_rows())
    got = {names[c]: m for c, m in medians.select("region_code", "headcount").iter_rows()}
    assert got == hand_medians(q, period)


def test_region_medians_leave_out_suppressed_figures(q, period, scope_for):
    medians = regions.region_medians(scope_for(LEAD).trust_rows(period))
    names = dict(q.regions().select("region_code", "region_name").iter_rows())
    got = {names[c]: m for c, m in medians.select("region_code", "headcount").iter_rows()}
    assert got == hand_medians(q, period, visible_only=True) != hand_medians(q, period)
    raw = q.trust_indicators(period)
    visible = raw.filter((pl.col("headcount") >= 5) | (pl.col("trust_code") == "RX4"))
    assert regions.england_medians(scope_for(LEAD).trust_rows(period))["headcount"] == visible["headcount"].median()
    assert regions.england_medians(scope_for(ANALYST).trust_rows(period))["headcount"] == raw["headcount"].median()


def test_population_table_adds_england(q, period):
    table = regions.population_table(q.regions(), q.region_indicators(period), q.national_indicators(period))
    england = table.filter(pl.col("Region") == "England").row(0, named=True)
    assert table.height == 8
    assert england["Population (people)"] == q.regions()["population"].sum()
    assert england["WTE per 100,000 population"] == round(
        q.national_indicators(period)["wte_per_100k_population"][0], 1
    )


def test_spread_chart_marks_pooled_rates_but_not_pooled_totals(q, period, scope_for):
    values = scope_for(ANALYST).trust_rows(period)
    for indicator, traces in (("headcount", 1), ("vacancy_rate", 2)):
        bars = regions.pooled_for_chart(q.regions(), q.region_indicators(period), indicator)
        assert len(regions.spread_chart(values, indicator, bars, "t").data) == traces
