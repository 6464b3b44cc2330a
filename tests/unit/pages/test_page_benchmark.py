"""Trust benchmark page (AppTest, synthetic demo) and pswbench.reports.benchmark on the same data."""

from __future__ import annotations

import json

import polars as pl
import pytest

from pswbench.access.auth import User
from pswbench.access.disclosure import SUPPRESSED_TEXT
from pswbench.access.scope import PEER_GROUPS
from pswbench.reports import benchmark, charts
from pswbench.reports.definitions import BY_NAME, RATES
from tests.helpers.apptest_helpers import ACCOUNTS, audit_count, errors, on_page, page_file, signed_in

OWN = "RX4"
OTHER = "RW1"
ANALYST = User("a@nhs.uk", "analyst", None)
LEAD = User("l@nhs.uk", "trust_lead", OWN)


pytestmark = pytest.mark.usefixtures("demo_app")  # q and period: tests/unit/conftest.py


def num(text) -> float:
    """A number as the table shows it ("1,701", "10.8%", "+0.4") back as a number."""
    return float(str(text).replace(",", "").rstrip("%"))


def frame_with(at, column: str):
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, f"no dataframe with a {column!r} column"
    return frames[0]


def chart_specs(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


# ---- the page -------------------------------------------------------------------------------


def test_analyst_benchmarks_the_trust_they_pick(q, period):
    at = on_page("analyst", "benchmark")
    at.selectbox(key="trust").set_value(OTHER).run()
    assert not at.exception and not errors(at)
    assert "trust" not in at.query_params  # this page reads no ?trust= link, so writes none
    name = q.trusts().filter(pl.col("trust_code") == OTHER)["trust_name"][0]
    raw = q.trust_indicators(period)
    mine = raw.filter(pl.col("trust_code") == OTHER).row(0, named=True)

    ranked = chart_specs(at)[0]["data"][0]
    blue = [x for x, c in zip(ranked["x"], ranked["marker"]["color"]) if c == charts.NHS_BLUE]
    assert blue == [name]  # only the chosen trust is highlighted

    table = frame_with(at, "Trust value").set_index("Indicator")
    assert num(table.loc["PSW headcount", "Trust value"]) == mine["headcount"]
    below = (raw["headcount"] < mine["headcount"]).sum()
    assert num(table.loc["PSW headcount", benchmark.PERCENTILE]) == round(100 * below / (raw.height - 1))

    # The median on the chart and in the table is the median of the peer values behind the chart.
    behind = frame_with(at, "PSW headcount (people)")
    assert abs(num(table.loc["PSW headcount", "Peer median"]) - behind["PSW headcount (people)"].median()) <= 0.5


def test_peer_group_picker_narrows_the_comparison(q, period, scope_for):
    at = on_page("analyst", "benchmark")
    at.selectbox(key="trust").set_value(OTHER).run()
    at.radio(key="benchmark_peer_group").set_value("region").run()
    assert not at.exception
    region = q.trust_indicators(period).filter(pl.col("trust_code") == OTHER)["region_name"][0]
    behind = frame_with(at, "PSW headcount (people)")
    assert set(behind["Region"]) == {region}
    assert (
        frame_with(at, "Trust value").set_index("Indicator").loc["PSW headcount", "Trusts with a figure (number)"]
        == scope_for(ANALYST).peer_rows(period, OTHER, "region").height
    )


def test_trust_lead_sees_own_trust_named_and_every_peer_anonymised(q, period):
    at = on_page("trust_lead", "benchmark")
    assert not errors(at)
    own_name = q.trusts().filter(pl.col("trust_code") == OWN)["trust_name"][0]
    others = set(q.trusts().filter(pl.col("trust_code") != OWN)["trust_name"]) | set(
        q.trusts().filter(pl.col("trust_code") != OWN)["trust_code"]
    )
    cells = {str(v) for d in at.dataframe for col in d.value.columns for v in [col, *d.value[col].tolist()]}
    assert not cells & others
    behind = frame_with(at, "PSW headcount (people)")
    assert own_name in set(behind["Trust"])
    assert all(t == own_name or t.startswith("Peer ") for t in behind["Trust"])
    small = q.trust_indicators(period).filter(pl.col("headcount") < 5).height
    assert small and (behind["PSW headcount (people)"] == SUPPRESSED_TEXT).sum() == small
    assert "Note" not in behind.columns and behind["PSW headcount (people)"].notna().all()


def test_trust_lead_asking_for_another_trust_is_refused_and_recorded():
    at = on_page("trust_lead", "benchmark")
    before = audit_count("not_permitted", ACCOUNTS["trust_lead"][0], f"%trust:{OTHER}%")
    at.session_state["trust"] = OTHER
    at.run()
    assert any(e.startswith("Not permitted") for e in errors(at))
    assert len(at.dataframe) == 0 and len(at.get("plotly_chart")) == 0
    assert audit_count("not_permitted", ACCOUNTS["trust_lead"][0], f"%trust:{OTHER}%") == before + 1


def test_board_member_is_refused():
    at = signed_in(*ACCOUNTS["board"])
    at.switch_page(page_file("benchmark")).run()
    assert any(e.startswith("Not permitted") for e in errors(at))
    assert len(at.dataframe) == 0


# ---- pswbench.reports.benchmark ------------------------------------------------------------------


def test_position_table_matches_a_hand_count(q, period, scope_for):
    raw = q.trust_indicators(period)
    table = benchmark.position_table(scope_for(ANALYST).positions(period, OWN, "england"))
    row = table.filter(pl.col("Indicator") == "Vacancy rate").row(0, named=True)
    mine = raw.filter(pl.col("trust_code") == OWN)["vacancy_rate"][0]
    values = raw["vacancy_rate"].drop_nulls()
    assert row["Trust value"] == round(mine * 100, 1)
    assert row["Peer median"] == round(values.median() * 100, 1)
    assert row[benchmark.PERCENTILE] == round(100 * (values < mine).sum() / (values.len() - 1))
    assert "(lower is better)" in row["Quartile"]


def test_nearest_group_for_a_trust_lead_is_chosen_among_the_figures_they_may_see(q, period, scope_for):
    values = scope_for(LEAD).peer_rows(period, OWN, "nearest")
    assert values.height == 11
    assert values.filter(pl.col("is_own"))["trust_code"].to_list() == [OWN]
    # The ten visible trusts nearest in WTE: the labels hide the codes, not the figures, and a trust
    # whose WTE is hidden is never a member (membership would bound its hidden WTE).
    raw = q.trust_indicators(period)
    me = raw.filter(pl.col("trust_code") == OWN)["wte_in_post"][0]
    visible = raw.filter((pl.col("headcount") >= 5) & (pl.col("trust_code") != OWN))
    nearest = visible.with_columns((pl.col("wte_in_post") - me).abs().alias("gap")).sort("gap").head(10)
    assert sorted(values["wte_in_post"].drop_nulls()) == sorted([me, *nearest["wte_in_post"]])
    assert values["wte_in_post"].null_count() == 0


def test_the_sickness_funnel_is_widened_for_overdispersion_so_few_trusts_are_flagged(q, period, scope_for):
    fit, rows = scope_for(ANALYST).funnel(period, "sickness_rate")
    table = benchmark.funnel_rows(rows, "sickness_rate")
    raw = q.trust_indicators(period)
    rate = raw["sickness_fte_days_lost"].sum() / raw["fte_days_available"].sum()
    half = 3.090232 * (rate * (1 - rate) / raw["fte_days_available"]).sqrt()  # binomial, z for 99.8%
    binomial_flags = int(((raw["sickness_rate"] - rate).abs() > half).sum())
    widened_flags = int(table["Against the limits"].str.contains("99.8% limit").sum())
    assert fit.overdispersed and fit.phi > 3
    assert binomial_flags >= 10 and widened_flags <= 3
    assert "widened" in benchmark.funnel_caption(fit, True)


def test_a_leads_funnel_is_fitted_over_the_figures_they_may_see(q, period, scope_for):
    fit, rows = scope_for(LEAD).funnel(period, "vacancy_rate")
    raw = q.trust_indicators(period)
    visible = raw.filter(pl.col("headcount") >= 5)
    small = raw.height - visible.height
    assert small and rows.height == visible.height == fit.trusts
    assert fit.target == pytest.approx(visible["vacancy_wte"].sum() / visible["establishment_wte"].sum())
    assert fit.target != pytest.approx(raw["vacancy_wte"].sum() / raw["establishment_wte"].sum())


@pytest.mark.parametrize(
    "indicator", ["vacancy_rate", "sickness_rate", "leaver_rate_quarter", "leaver_rate_12m", "temporary_staffing_share"]
)
def test_trust_lead_gets_the_funnel_for_every_rate_indicator(indicator):
    # Suppression used to turn a numeric denominator into text, and the funnel crashed comparing it with 0.
    at = on_page("trust_lead", "benchmark")
    at.selectbox(key="benchmark_indicator").set_value(indicator).run()
    assert not at.exception and not errors(at)
    assert any(s["layout"]["title"]["text"].endswith("by size of trust") for s in chart_specs(at))


def test_trend_chart_puts_the_trust_first_in_nhs_blue(q, scope_for):
    df = benchmark.trend_data(scope_for(LEAD), OWN, "My trust", "Y63", "North East and Yorkshire", "headcount")
    fig = benchmark.trend_chart(df, "headcount", "t")
    assert fig.data[0].name == "My trust" and fig.data[0].line.color == charts.NHS_BLUE
    assert [t.marker.symbol for t in fig.data] == ["circle", "square", "diamond"]  # never colour alone
    mine = q.trust_indicators(None).filter(pl.col("trust_code") == OWN).sort("period_end")
    assert list(fig.data[0].y) == mine["headcount"].to_list()


def test_reference_lines_are_drawn():
    df = pl.DataFrame({"trust_code": ["A", "B", "C"], "label": ["a", "b", "c"], "vacancy_rate": [0.05, 0.07, 0.1]})
    fig = benchmark.ranked_chart(df, "vacancy_rate", "B", {"q1": 0.06, "median": 0.07, "q3": 0.09}, "t")
    median = [s for s in fig.layout.shapes if s.type == "line"][0]
    assert median.y0 == 0.07 and median.line.width > 0 and median.opacity == 1


def test_session_value_wins_over_the_picker_so_it_gets_checked():
    assert benchmark.requested_trust(OWN, OTHER) == OTHER
    assert benchmark.requested_trust(OWN, None) == OWN


def test_trust_lead_benchmark_runs_for_every_rate_indicator_peer_group_and_period(q):
    """The reported crash: a trust lead choosing a rate indicator. Every rate under every peer group
    for the latest quarter, then every quarter for every rate under England."""
    at = on_page("trust_lead", "benchmark")
    seen = 0
    for group in PEER_GROUPS:
        at.radio(key="benchmark_peer_group").set_value(group).run()
        for rate in RATES:
            at.selectbox(key="benchmark_indicator").set_value(rate).run()
            assert not at.exception and not errors(at), (group, rate, [e.value for e in at.exception])
            assert any(s.value.startswith(BY_NAME[rate].label) for s in at.subheader)
            seen += 1
    at.radio(key="benchmark_peer_group").set_value("england").run()
    for period in q.periods():
        at.selectbox(key="benchmark_period").set_value(period).run()
        offered = at.selectbox(key="benchmark_indicator").options  # rates with a trust figure that quarter
        for rate in [r for r in RATES if BY_NAME[r].label in offered]:
            at.selectbox(key="benchmark_indicator").set_value(rate).run()
            assert not at.exception and not errors(at), (period, rate, [e.value for e in at.exception])
            seen += 1
    assert seen > len(RATES) * (len(PEER_GROUPS) + len(q.periods()) // 2)
