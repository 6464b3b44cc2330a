"""Trust benchmark: where does one trust sit among its peers, and how has it moved?"""
import polars as pl
import streamlit as st

from pswbench import access, benchmarking, ui, views
from pswbench.definitions import BY_NAME, RATES

user, q = ui.page("benchmark")
st.title("How does a trust's peer support workforce compare with its peers?")
period = ui.period_picker(q, key="benchmark_period")
picked = ui.trust_picker(user, q, period)
trust = benchmarking.requested_trust(picked, st.session_state.get("trust"))
try:
    views.require_trust(user, trust)
except access.NotPermitted as exc:
    ui.refuse(user, f"trust:{trust}", exc)

reference = q.trusts().filter(pl.col("trust_code") == trust)
if reference.is_empty():
    st.error("That trust is not in the reference list of mental health trusts.")
    st.stop()
me = reference.row(0, named=True)
trust_label = f"{me['trust_name']} ({trust})"
group = ui.peer_group_picker(key="benchmark_peer_group")
codes = views.peer_codes(q, period, trust, group)
values = benchmarking.comparison_values(q, user, period, codes)
has_return = trust in q.trust_indicators(period)["trust_code"].to_list()

options = benchmarking.trust_level_indicators(values) or list(BY_NAME)
indicator = st.selectbox("Indicator", options, format_func=lambda n: BY_NAME[n].label, key="benchmark_indicator")
spec = BY_NAME[indicator]
st.markdown(f"**{trust_label}**, compared with peer group **{views.PEER_GROUPS[group]}** ({len(codes)} trusts including "
            f"this one), quarter ending {period:%d %B %Y}.")
if not has_return:
    st.warning(f"{trust_label} has no accepted return for this quarter, so it has no position among its peers. "
               "Its trend over the quarters it did return is below.")

if has_return:
    positions = views.positions(q, period, trust, codes)
    pos = positions[indicator]
    st.subheader(f"{spec.label}: trusts ranked")
    st.markdown(f"{spec.label}: **{spec.format(pos.value)}** against a peer median of "
                f"**{spec.format(pos.median)}**; {benchmarking.percentile_text(pos.percentile_rank)}, "
                f"{benchmarking.quartile_text(pos)}.")
    stats = {"q1": pos.q1, "median": pos.median, "q3": pos.q3}
    ui.chart(benchmarking.ranked_chart(values, indicator, trust, stats, f"{spec.label}, {trust_label} highlighted"),
             benchmarking.chart_rows(values, indicator), f"{spec.label} by trust in the peer group", user,
             key="benchmark-ranked")
    st.caption("The shaded band holds the middle half of the peer group (lower to upper quartile) and the "
               "dashed line is its median, both over every trust in the group"
               + ("." if user.role == "analyst" else ", including any whose figure is suppressed for you."))

    if indicator in RATES:
        national = q.national_indicators(period)
        rate = national[indicator][0] if national.height else None
        if rate is not None:
            st.subheader(f"{spec.label}: funnel plot")
            ui.chart(benchmarking.funnel_chart(values, indicator, rate, trust, f"{spec.label} by size of trust"),
                     benchmarking.funnel_rows(values, indicator, rate),
                     f"{spec.label} and its denominator by trust", user, key="benchmark-funnel")
            st.caption(f"Centre line: England pooled rate, {spec.format(rate)}. {benchmarking.FUNNEL_MEANING}")

st.subheader(f"{spec.label} over time")
region_codes = set(q.trusts().filter(pl.col("region_code") == me["region_code"])["trust_code"].to_list())
trend = benchmarking.trend_data(q, trust, trust_label, region_codes, me["region_name"], indicator)
ui.chart(benchmarking.trend_chart(trend, indicator, f"{spec.label}: {trust_label} against medians of trusts"),
         benchmarking.trend_rows(trend, indicator), f"{spec.label} for {trust} by quarter", user,
         key="benchmark-trend")

if has_return:
    st.subheader("Every indicator against the peer group")
    ui.table(benchmarking.position_table(positions), f"{trust} against {views.PEER_GROUPS[group]}", user,
             key="benchmark-positions")
