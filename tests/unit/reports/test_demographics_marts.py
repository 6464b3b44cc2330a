"""Demographics marts against a hand-worked fixture (tests/helpers/sections_data.FIXTURE)."""

from __future__ import annotations

import polars as pl
import pytest

from pswbench.reports import demographics
from pswbench.returns import contract
from tests.helpers.sections_data import SEPT, build_fixture, insert_demographics


@pytest.fixture
def con(tmp_path):
    c = build_fixture(tmp_path / "d.duckdb")
    yield c
    c.close()


def ethnic(df: pl.DataFrame) -> dict[str, tuple]:
    part = df.filter(pl.col("dimension") == "ethnic_group")
    return {r["category"]: r for r in part.iter_rows(named=True)}


def test_region_cells_shares_and_not_stated_share_by_hand(con):
    y63 = ethnic(demographics.demographics(con, "region", SEPT).filter(pl.col("region_code") == "Y63"))
    # RX4 30,2,3,1,0,4 + RX3 24,1,2,1,0,2 + RGD 3,0,0,0,0,0 + RV9 8,0,2,0,1,1
    assert {k: v["headcount"] for k, v in y63.items()} == {
        "white": 65,
        "mixed": 3,
        "asian": 7,
        "black": 2,
        "other": 1,
        "not_stated": 7,
    }
    white = y63["white"]
    assert white["total_headcount"] == 85 and white["stated_headcount"] == 78
    assert white["share_of_stated"] == pytest.approx(65 / 78)  # not stated left out of the denominator
    assert white["not_stated_share"] == pytest.approx(7 / 85)
    assert y63["not_stated"]["share_of_stated"] is None
    assert white["n_trusts"] == 4


def test_england_is_sums_over_sums_not_a_mean_of_trust_shares(con):
    eng = ethnic(demographics.demographics(con, "national", SEPT))
    assert eng["white"]["headcount"] == 65 + 14 + 10 + 18 + 6
    stated = 155 - (4 + 2 + 0 + 1 + 0 + 1 + 0 + 1)  # everyone (40+30+3+12+20+15+25+10) less the not stated
    assert eng["white"]["total_headcount"] == 155
    assert eng["white"]["share_of_stated"] == pytest.approx(113 / stated)
    trust = demographics.demographics(con, "trust", SEPT).filter(pl.col("dimension") == "ethnic_group")
    mean_of_shares = trust.filter(pl.col("category") == "white")["share_of_stated"].mean()
    assert eng["white"]["share_of_stated"] != pytest.approx(mean_of_shares)
    assert eng["white"]["n_trusts"] == 8


def test_only_the_current_version_counts(con):
    insert_demographics(con, "RT1", {d: {"not_stated": 20} for d in contract.DEMOGRAPHIC_DIMENSIONS})
    y61 = ethnic(demographics.demographics(con, "region", SEPT).filter(pl.col("region_code") == "Y61"))
    assert y61["white"]["headcount"] == 10  # RMY only: RT1's new version has everyone not stated
    assert y61["not_stated"]["headcount"] == 21
    assert y61["white"]["n_trusts"] == 2


def test_rows_follow_the_returns_order_of_categories_not_values(con):
    df = demographics.demographics(con, "trust", SEPT).filter(pl.col("trust_code") == "RX4")
    expected = [c for _d, (_l, cats) in contract.DEMOGRAPHIC_DIMENSIONS.items() for c, _ in cats]
    assert df["category"].to_list() == expected
    assert df.filter(pl.col("category") == "white")["category_label"][0] == "White"


def test_periods_are_the_quarters_with_demographics(con):
    assert demographics.periods(con) == [SEPT]
