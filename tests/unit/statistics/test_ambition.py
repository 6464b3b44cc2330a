"""Progress to the national ambition on hand-made series: growth over four quarters, the growth needed,
the year the trend reaches the target and its range, past targets, and regions' fair shares."""

import datetime as dt
import math

import polars as pl
import pytest

from pswbench.returns.contract import quarter_ends
from pswbench.statistics.ambition import Ambition, fair_shares, progress

TARGET = Ambition("t", "headcount", 2000, dt.date(2031, 3, 31), "2030/31", "a source", "secondary", "low", None)
QUARTERS = quarter_ends(dt.date(2025, 3, 31), dt.date(2026, 3, 31))  # five quarters


def national(values, wte=None):
    return pl.DataFrame(
        {"period_end": QUARTERS[: len(values)], "headcount": values, "wte_in_post": wte or [v * 0.8 for v in values]}
    )


def test_growth_needed_and_the_year_the_trend_reaches_the_target():
    p = progress(TARGET, national([1000, 1020, 1050, 1080, 1100]))
    assert p.period == dt.date(2026, 3, 31) and p.value == 1100
    assert p.annual_growth == pytest.approx(0.10)  # 1100 / 1000 - 1
    years_left = (dt.date(2031, 3, 31) - dt.date(2026, 3, 31)).days / 365.25
    assert p.growth_needed == pytest.approx((2000 / 1100) ** (1 / years_left) - 1)
    # log(2000 / 1100) / log(1.1) = 6.27 years after March 2026: mid 2032, after the target date
    assert p.reach_date.year == 2032
    assert any("late" in s for s in p.sentences())
    assert p.share_of_target == pytest.approx(0.55)
    assert p.wte_needed == pytest.approx(2000 * 0.8)


def test_the_range_comes_from_the_slowest_and_fastest_quarters():
    p = progress(TARGET, national([1000, 1000, 1050, 1080, 1100]))
    # quarter on quarter: 0%, +5%, +2.86%, +1.85%; as yearly rates 0% is the slowest
    assert min(p.quarterly_growth) == pytest.approx(0) and max(p.quarterly_growth) == pytest.approx(1.05**4 - 1)
    assert p.reach_latest is None  # no growth never gets there
    assert p.reach_earliest.year == 2029  # log(2000/1100)/log(1.2155) = 3.1 years
    assert "never be reached" in p.uncertainty_words()


def test_a_target_already_met_or_whose_date_has_passed():
    met = progress(TARGET, national([1900, 1950, 1980, 2000, 2050]))
    assert met.reach_date == met.period and met.share_of_target > 1
    past = Ambition("p", "headcount", 1500, dt.date(2025, 9, 30), "2025/26", "s", "secondary", "low", None)
    p = progress(past, national([1000, 1020, 1050, 1080, 1100]))
    assert p.is_past and p.value_at_target_date == 1050
    assert "has passed" in " ".join(p.sentences()) and "70%" in " ".join(p.sentences())
    assert p.projection() == []


def test_fewer_than_five_quarters_give_no_growth():
    p = progress(TARGET, national([1000, 1020, 1050]))
    assert p.annual_growth is None and p.reach_date is None
    assert "Fewer than five quarters" in " ".join(p.sentences())


def test_the_projection_runs_from_now_along_the_trend_inside_the_range():
    p = progress(TARGET, national([1000, 1020, 1050, 1080, 1100]))
    proj = p.projection()
    assert proj[0] == (p.period, pytest.approx(1100), pytest.approx(1100), pytest.approx(1100))
    assert proj[-1][0] == max(p.ambition.target_date, p.reach_date)
    for _, trend, slow, fast in proj[1:]:
        assert slow < trend < fast
    years = (proj[-1][0] - p.period).days / 365.25
    assert proj[-1][1] == pytest.approx(1100 * 1.1**years)
    assert not math.isnan(proj[-1][1])


def test_fair_shares_follow_population():
    regions = pl.DataFrame({"region_code": ["A", "B"], "region_name": ["Ay", "Bee"], "population": [750, 250]})
    pooled = pl.DataFrame({"region_code": ["A", "B"], "headcount": [600, 400]})
    out = fair_shares(TARGET, regions, pooled, 1000).sort("region_code")
    assert out["fair_share_now"].to_list() == [750, 250]
    assert out["above_fair_share_now"].to_list() == [-150, 150]
    assert out["fair_share_of_ambition"].to_list() == [1500, 500]
    assert out["share_of_ambition"].to_list() == pytest.approx([0.4, 0.8])
