"""Trust benchmark: where does one trust sit among its peers, and how has it moved?"""

import streamlit as st

from pswbench.access import permissions
from pswbench.access.scope import PEER_GROUPS
from pswbench.app import ui
from pswbench.reports import benchmark, process_control
from pswbench.reports.definitions import BY_NAME, RATES

user, data = ui.page("benchmark")
st.title("How does a trust's peer support workforce compare with its peers?")
period = ui.period_picker(data, key="benchmark_period")
picked = ui.trust_picker(user, data, period)
trust = benchmark.requested_trust(picked, st.session_state.get("trust"))
try:
    me = data.trust(trust)
except permissions.NotPermitted as exc:
    ui.refuse(user, f"trust:{trust}", exc)
if me is None:
    st.error("That trust is not in the reference list of mental health trusts.")
    st.stop()

trust_label = f"{me['trust_name']} ({trust})"
group = ui.peer_group_picker(key="benchmark_peer_group")
values = data.peer_rows(period, trust, group)
has_return = data.has_return(period, trust)

options = benchmark.trust_level_indicators(values) or list(BY_NAME)
indicator = st.selectbox("Indicator", options, format_func=lambda n: BY_NAME[n].label, key="benchmark_indicator")
spec = BY_NAME[indicator]
st.markdown(
    f"**{trust_label}**, compared with peer group **{PEER_GROUPS[group]}** ({values.height} trusts "
    f"including this one), quarter ending {period:%d %B %Y}."
)
if not has_return:
    st.warning(
        f"{trust_label} has no accepted return for this quarter, so it has no position among its peers. "
        "Its trend over the quarters it did return is below."
    )

if has_return:
    positions = data.positions(period, trust, group)
    pos = positions[indicator]
    st.subheader(f"{spec.label}: trusts ranked")
    st.markdown(
        f"{spec.label}: **{spec.format(pos.value)}** against a peer median of "
        f"**{spec.format(pos.median)}**; {benchmark.percentile_text(pos.percentile_rank)}, "
        f"{benchmark.quartile_text(pos)}."
    )
    stats = {"q1": pos.q1, "median": pos.median, "q3": pos.q3}
    ui.chart(
        benchmark.ranked_chart(values, indicator, trust, stats, f"{spec.label}, {trust} highlighted"),
        benchmark.chart_rows(values, indicator),
        f"{spec.label} by trust in the peer group",
        user,
        key="benchmark-ranked",
    )
    st.caption(
        "The shaded band holds the middle half of the peer group (lower to upper quartile) and the "
        "dashed line is its median"
        + (
            ", both over every trust in the group."
            if user.role == "analyst"
            else ", both over the trusts whose figure you can see: suppressed figures are left out."
        )
    )

    if indicator in RATES:
        fit, funnel_rows = data.funnel(period, indicator)
        if fit is not None:
            st.subheader(f"{spec.label}: funnel plot of every trust in England")
            ui.chart(
                benchmark.funnel_chart(fit, funnel_rows, indicator, trust, f"{spec.label} by size of trust"),
                benchmark.funnel_rows(funnel_rows, indicator),
                f"{spec.label} and its denominator by trust",
                user,
                key="benchmark-funnel",
            )
            st.markdown(benchmark.funnel_caption(fit, user.role == "analyst"))

st.subheader(f"{spec.label} over time")
trend = benchmark.trend_data(data, trust, trust_label, me["region_code"], me["region_name"], indicator)
ui.chart(
    benchmark.trend_chart(trend, indicator, f"{spec.label}: {trust} against medians of trusts"),
    benchmark.trend_rows(trend, indicator),
    f"{spec.label} for {trust} by quarter",
    user,
    key="benchmark-trend",
)

own_spc = data.spc(indicator, "trust", trust, until=period)
st.subheader(f"{spec.label}: real change or normal variation at {trust}?")
if own_spc.limits_kind == "none":
    st.markdown(process_control.sentence(own_spc, indicator, trust_label))
else:
    ui.chart(
        process_control.chart(own_spc, indicator, trust),
        process_control.table(own_spc, indicator),
        f"{spec.label} for {trust} by quarter, with process limits",
        user,
        key="benchmark-spc",
    )
    st.markdown(process_control.sentence(own_spc, indicator, trust_label))

if has_return:
    st.subheader("Every indicator against the peer group")
    ui.table(
        benchmark.position_table(positions), f"{trust} against {PEER_GROUPS[group]}", user, key="benchmark-positions"
    )
