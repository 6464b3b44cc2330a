"""Making Data Count XmR rules on hand-made series: one series per rule, series that trigger none, the
icon by direction of good, and the trial / no-limits thresholds. Expected means and limits are worked
out by hand in the comments, not by the code under test."""

import datetime as dt

import pytest

from pswbench.returns.contract import quarter_ends
from pswbench.statistics import spc

QUARTERS = quarter_ends(dt.date(2019, 9, 30), dt.date(2026, 9, 30))


def chart(values, better="higher"):
    return spc.xmr(list(zip(QUARTERS, values)), better)


def flagged(c):
    return {i: p.rules for i, p in enumerate(c.points) if p.rules}


def test_a_steady_series_triggers_no_rule_and_has_the_hand_worked_limits():
    c = chart([10, 12] * 6)
    # mean 11; every moving range is 2; limits 11 ± 2.66 × 2; 2 sigma 11 ± 1.7733 × 2
    assert c.mean == pytest.approx(11)
    assert c.mean_moving_range == pytest.approx(2)
    assert (c.lower, c.upper) == (pytest.approx(5.68), pytest.approx(16.32))
    assert (c.lower_2s, c.upper_2s) == (pytest.approx(7.4533, abs=1e-4), pytest.approx(14.5467, abs=1e-4))
    assert flagged(c) == {}
    assert c.icon == "common_cause" and c.limits_kind == "full"
    assert "within normal variation" in c.summary()


def test_a_point_outside_the_limits():
    values = [9, 13] * 6 + [25]
    # mean 157 / 13 = 12.077; moving ranges 11 × 4 + 12 = 56 over 12 = 4.667; upper limit 24.49 < 25
    c = chart(values)
    assert c.upper == pytest.approx(12.0769 + 2.66 * 4.6667, abs=1e-3)
    assert flagged(c) == {12: ("outside_limits",)}


def test_seven_points_in_a_row_on_one_side_of_the_mean():
    values = [9, 13, 9, 13, 9, 13, 11.6, 11.8, 11.6, 11.8, 11.6, 11.8, 11.6, 9, 13, 9, 13, 9, 13]
    # mean 213.8 / 19 = 11.253: the 13 at index 5 and the seven 11.6/11.8 points are 8 in a row above it
    c = chart(values)
    assert c.mean == pytest.approx(11.2526, abs=1e-4)
    assert flagged(c) == {i: ("shift",) for i in range(5, 13)}


def test_six_points_in_a_row_on_one_side_are_not_a_shift():
    values = [9, 13, 9, 13, 9, 13, 11.6, 11.8, 11.6, 11.8, 11.6, 9, 13, 9, 13, 9, 13, 9]
    # index 5 (13) and indices 6-10: six points above the mean (about 11.1), then 9 breaks the run
    assert flagged(chart(values)) == {}


def test_seven_points_in_a_row_rising():
    values = [9, 13, 9, 13, 9.5, 10, 10.5, 11, 11.5, 12, 12.5, 13, 9, 13, 9]
    # 9.5 .. 13 (indices 4-11) rise at every step: eight points, all part of the trend
    assert flagged(chart(values)) == {i: ("trend",) for i in range(4, 12)}


def test_a_tie_breaks_a_trend():
    values = [9, 13, 9, 13, 9.5, 10, 10.5, 11, 11, 12, 12.5, 13, 9, 13, 9]
    assert all("trend" not in rules for rules in flagged(chart(values)).values())


def test_seven_points_in_a_row_falling_is_concern_where_higher_is_better():
    values = [9, 13, 9, 13, 9, 13, 12.5, 12, 11.5, 11, 10.5, 10, 9.5]
    c = chart(values, "higher")
    assert set(flagged(c)) >= set(range(6, 13)) and all("trend" in flagged(c)[i] for i in range(6, 13))
    assert c.icon == "concern"
    assert chart(values, "lower").icon == "improvement"


def test_two_of_three_points_beyond_two_sigma_on_the_same_side():
    values = [10, 12] * 4 + [16.5, 12, 16.5] + [12, 10] * 4 + [12]
    # mean 233 / 20 = 11.65; mean moving range 48 / 19 = 2.526; 2 sigma above: 16.13 < 16.5 < 18.37
    c = chart(values)
    assert c.upper_2s == pytest.approx(16.130, abs=1e-3) and c.upper == pytest.approx(18.37, abs=1e-2)
    assert flagged(c) == {8: ("two_of_three",), 10: ("two_of_three",)}


def test_two_points_beyond_two_sigma_on_opposite_sides_are_not_the_rule():
    values = [10, 12] * 4 + [16.5, 12, 6.5] + [12, 10] * 4 + [12]
    assert all("two_of_three" not in rules for rules in flagged(chart(values)).values())


@pytest.mark.parametrize("better, expected", [("higher", "improvement"), ("lower", "concern"), ("neither", "neither")])
def test_the_icon_reads_the_latest_point_by_direction_of_good(better, expected):
    c = chart([9, 13] * 6 + [25], better)
    assert c.icon == expected
    assert c.point_type(c.points[-1]) == expected
    assert spc.ICON_WORDS[expected] in c.summary()


def test_a_special_cause_earlier_on_leaves_the_latest_point_common_cause():
    # mean 164 / 13 = 12.615; moving ranges 4 + 19 + 23 + 9 × 4 = 82 over 12; upper limit 30.8 < 32
    c = chart([9, 13, 32] + [9, 13] * 5)
    assert c.points[2].rules == ("outside_limits",)
    assert c.icon == "common_cause"


def test_fewer_than_twelve_points_give_trial_limits_and_fewer_than_six_none():
    trial = chart([10, 12, 10, 12, 10, 12])
    assert trial.limits_kind == "trial" and trial.upper is not None and "Trial limits" in trial.summary()
    assert chart([10, 12] * 6).limits_kind == "full"
    few = chart([10, 12, 10, 12, 30])
    assert few.limits_kind == "none" and few.upper is None and few.lower is None
    assert few.icon == "none" and flagged(few) == {}
    assert "too few" in few.summary()


def test_quarters_with_no_figure_are_left_out_in_date_order():
    series = list(zip(QUARTERS, [10, None, 12, 10, 12, 10, 12]))
    c = spc.xmr(list(reversed(series)), "higher")
    assert [p.period_end for p in c.points] == [d for d, v in series if v is not None]
    assert c.mean == pytest.approx(11)


def test_rows_give_every_point_with_its_mean_limits_and_rules():
    c = chart([9, 13] * 6 + [25], "lower")
    out = spc.rows(c)
    assert len(out) == 13
    assert out[-1]["rules"] == "outside_limits" and out[-1]["point_type"] == "concern"
    assert out[0]["rules"] == "" and out[0]["point_type"] == "common_cause"
    assert {r["upper_limit"] for r in out} == {c.upper}
