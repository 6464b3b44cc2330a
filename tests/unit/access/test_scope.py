"""pswbench.access.scope on the synthetic demo: aggregates are built only from what the user may see."""

from __future__ import annotations

import polars as pl
import pytest

from pswbench.access.auth import User
from pswbench.reports.definitions import LEAVER_COMPONENTS, suppression_rules

ANALYST = User("a@nhs.uk", "analyst", None)
LEAD = User("l@nhs.uk", "trust_lead", "RX4")

pytestmark = pytest.mark.usefixtures("demo_app")


def visible(raw: pl.DataFrame, basis: str = "headcount") -> pl.DataFrame:
    """The rows a lead of RX4 may see for a figure with this basis, by hand."""
    return raw.filter((pl.col("trust_code") == "RX4") | (pl.col(basis) >= 5))


def test_pooling_every_trust_through_the_scopes_macro_equals_the_marts(q, scope_for):
    rows = scope_for(ANALYST).trust_rows(None)
    mine = q.pooled_over(rows).filter(pl.col("scope") != "national").sort("period_end", "scope")
    marts = q.region_indicators(None).sort("period_end", "region_code")
    for col in (
        "n_trusts",
        "headcount",
        "wte_in_post",
        "vacancy_rate",
        "sickness_rate",
        "leaver_rate_12m",
        "temporary_staffing_share",
        "wte_per_100k_population",
    ):
        assert mine[col].is_null().to_list() == marts[col].is_null().to_list(), col
        assert mine[col].drop_nulls().to_list() == pytest.approx(marts[col].drop_nulls().to_list(), rel=1e-12), col


def test_a_leads_pooled_figures_are_sums_over_the_trusts_they_may_see(q, period, scope_for):
    raw = q.trust_indicators(period)
    national = scope_for(LEAD).pooled("national", period).row(0, named=True)
    seen = visible(raw)
    assert national["headcount"] == seen["headcount"].sum() < raw["headcount"].sum()
    assert national["n_trusts"] == seen.height and national["n_left_out"] == raw.height - seen.height
    assert national["sickness_rate"] == pytest.approx(
        seen["sickness_fte_days_lost"].sum() / seen["fte_days_available"].sum()
    )
    leavers = visible(raw, "leaver_basis")
    assert national["leaver_rate_quarter"] == pytest.approx(
        leavers["leavers"].sum() / leavers["average_headcount"].sum()
    )
    regions = scope_for(LEAD).pooled("region", period)
    by_hand = dict(seen.group_by("region_code").agg(pl.col("wte_in_post").sum()).iter_rows())
    assert dict(regions.select("region_code", "wte_in_post").iter_rows()) == pytest.approx(by_hand)


def test_leaver_components_share_the_leavers_basis(q, period, scope_for):
    """start = end - joiners + leavers: with the headcount shown, joiners and the start headcount would
    give a hidden number of leavers back."""
    assert {suppression_rules()[c] for c in LEAVER_COMPONENTS} == {"leaver_basis"}
    rows = scope_for(LEAD).trust_rows(period).filter(~pl.col("is_own"))
    shown_headcount_hidden_leavers = rows.filter(pl.col("headcount").is_not_null() & pl.col("leavers").is_null())
    assert shown_headcount_hidden_leavers.height > 0
    for col in ("joiners", "start_headcount", "average_headcount", "leaver_rate_quarter"):
        assert shown_headcount_hidden_leavers[col].null_count() == shown_headcount_hidden_leavers.height, col


def test_medians_over_time_leave_out_hidden_figures(q, scope_for):
    medians = scope_for(LEAD).medians_over_time("headcount", {"England": None})
    raw = q.trust_indicators(None)
    by_hand = dict(visible(raw).group_by("period_end").agg(pl.col("headcount").median()).iter_rows())
    assert dict(medians.select("period_end", "value").iter_rows()) == pytest.approx(by_hand)


def test_a_lead_receives_no_other_trusts_code_or_name(q, scope_for):
    scope = scope_for(LEAD)
    others = q.trusts().filter(pl.col("trust_code") != "RX4")
    secret = set(others["trust_code"]) | set(others["trust_name"])
    for frame in (scope.trust_rows(None), scope.trusts(), scope.pooled("region", None)):
        cells = {str(v) for col in frame.columns for v in frame[col].to_list()}
        assert not cells & secret
