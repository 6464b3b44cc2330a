"""The funnel and SPC figures on the analyst's pages equal what `outliers` and `spc` print.

The pages run under AppTest on the shared demo database; the commands run as a user would run them
(a subprocess) on a second demo database built by the same deterministic CLI, so the figures are the
same data read by two routes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import polars as pl
import pytest

from pswbench.paths import ROOT
from pswbench.reports.definitions import BY_NAME, RATES
from pswbench.statistics import funnel
from tests.helpers import app_server, demo_data
from tests.helpers.apptest_helpers import on_page

pytestmark = pytest.mark.usefixtures("demo_app")
OWN = "RX4"


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    return app_server.copy_db(demo_data.shared_demo_db(), tmp_path_factory.mktemp("cli") / "demo.duckdb")


def command(db, *args) -> dict | list:
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", *args, "--db", str(db), "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def frame_with(at, column: str):
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no table with a {column!r} column"
    return frames[0]


@pytest.mark.parametrize("indicator", RATES)
def test_the_benchmark_funnel_is_what_outliers_prints(indicator, cli_db, period):
    at = on_page("analyst", "benchmark")
    at.selectbox(key="benchmark_indicator").set_value(indicator).run()
    assert not at.exception
    table = frame_with(at, "Against the limits")
    printed = command(cli_db, "outliers", "--indicator", indicator, "--period", period.isoformat())
    assert printed and {r["period_end"] for r in printed} == {period.isoformat()}
    by_name = {r["trust_name"]: r for r in printed}
    assert sorted(table["Trust"]) == sorted(by_name)
    for row in table.to_dict("records"):
        p = by_name[row["Trust"]]
        assert row["z-score adjusted for overdispersion (standard deviations)"] == pytest.approx(
            round(p["z_adjusted"], 2)
        )
        assert row["Against the limits"] == funnel.against_limits_words(p["position_95"], p["position_99_8"])
    words = " ".join(m.value for m in at.markdown)
    assert f"Overdispersion factor {printed[0]['overdispersion_factor']:.1f}" in words


@pytest.mark.parametrize("indicator", ["headcount", "sickness_rate", "leaver_rate_12m"])
def test_the_overview_spc_chart_is_what_spc_prints(indicator, cli_db):
    at = on_page("analyst", "overview")
    at.selectbox(key="overview_indicator").set_value(indicator).run()
    printed = command(cli_db, "spc", "--indicator", indicator, "--level", "national")
    spec = BY_NAME[indicator]
    table = frame_with(at, "What it shows")
    scale = 100 if spec.is_rate else 1
    assert [d.date() if hasattr(d, "date") else d for d in table["Quarter ending"]] == [
        dt.date.fromisoformat(p["period_end"]) for p in printed["points"]
    ]
    value_col = f"{spec.label} ({spec.unit})"
    decimals = 1 if spec.is_rate else 2
    assert table[value_col].tolist() == pytest.approx(
        [round(p["value"] * scale, decimals) for p in printed["points"]], abs=0.06
    )
    flagged_page = [r != "none" for r in table["Special-cause rules"]]
    assert flagged_page == [p["rules"] != "" for p in printed["points"]]
    words = " ".join(m.value for m in at.markdown)
    assert printed["latest_icon_words"] in words


def test_every_region_panel_is_what_spc_prints(cli_db, q):
    indicator = "vacancy_rate"
    at = on_page("analyst", "regions")
    at.selectbox(key="regions_indicator").set_value(indicator).run()
    rows = frame_with(at, "Special-cause rules")
    latest = frame_with(at, "Latest quarter shows").set_index("Where")
    for code, name in q.regions().select("region_code", "region_name").iter_rows():
        printed = command(cli_db, "spc", "--indicator", indicator, "--level", "region", "--code", code)
        mine = rows[rows["Where"] == name]
        assert [r != "none" for r in mine["Special-cause rules"]] == [p["rules"] != "" for p in printed["points"]]
        assert mine["Mean (% of establishment)"].iloc[0] == pytest.approx(round(printed["points"][0]["mean"] * 100, 1))
        assert latest.loc[name, "Latest quarter shows"] == printed["latest_icon_words"]


def test_the_board_cards_read_the_variation_spc_prints(cli_db):
    at = on_page("analyst", "snapshot")
    at.selectbox(key="trust").set_value(OWN).run()
    words = " ".join(m.value for m in at.markdown)
    from pswbench.reports.board_snapshot import BOARD_WORDS

    for indicator in ("headcount", "sickness_rate"):
        printed = command(cli_db, "spc", "--indicator", indicator, "--level", "trust", "--code", OWN)
        n = len(printed["points"])
        assert f"Over {n} quarters, this quarter is {BOARD_WORDS[printed['latest_icon']]}" in words


def test_outliers_prints_one_row_per_trust_with_a_figure(cli_db, q, period):
    printed = command(cli_db, "outliers", "--indicator", "sickness_rate")
    expected = q.trust_indicators(period).filter(pl.col("sickness_rate").is_not_null())
    assert sorted(r["trust_code"] for r in printed) == sorted(expected["trust_code"])
    assert {r["period_end"] for r in printed} == {period.isoformat()}  # the latest quarter by default


def test_the_overview_ambition_table_is_what_ambition_prints(cli_db):
    at = on_page("analyst", "overview")
    table = frame_with(at, "Growth needed to reach it on time (% a year)")
    printed = command(cli_db, "ambition", "--level", "national")
    assert len(table) == len(printed) == 2
    for row, p in zip(table.to_dict("records"), printed):
        assert row["PSW headcount now (people)"] == p["value"]
        assert float(str(row["Growth over the last four quarters (% a year)"]).rstrip("%")) == pytest.approx(
            round(p["annual_growth"] * 100, 1)
        )
        if p["reach_date"] is not None:
            assert int(row["Year the trend reaches it"]) == dt.date.fromisoformat(p["reach_date"]).year
            assert float(str(row["Growth needed to reach it on time (% a year)"]).rstrip("%")) == pytest.approx(
                round(p["growth_needed"] * 100, 1)
            )
    words = " ".join(m.value for m in at.markdown)
    assert "low confidence" in words and "secondary source" in words


def test_the_regions_fair_shares_are_what_ambition_prints(cli_db):
    at = on_page("analyst", "regions")
    table = frame_with(at, "Progress to that share (%)").set_index("Region")
    printed = [r for r in command(cli_db, "ambition", "--level", "region") if r["ambition_id"] == "psw_2036_37"]
    assert len(printed) == len(table) == 7
    for r in printed:
        row = table.loc[r["region_name"]]
        assert float(str(row["Progress to that share (%)"]).rstrip("%")) == pytest.approx(
            round(r["share_of_ambition"] * 100, 1)
        )
        shown = float(str(row["Population share of England's headcount (people)"]).replace(",", ""))
        assert shown == pytest.approx(round(r["fair_share_now"]))
