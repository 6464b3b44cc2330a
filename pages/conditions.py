"""Conditions for peer work: a trust's organisational conditions against its region and England, and activity."""

import streamlit as st

from pswbench.access import permissions
from pswbench.app import ui
from pswbench.reports import conditions_view as view

user, data = ui.page("conditions")
st.title("Conditions for peer work")
st.write(
    "The research on peer support in mental health services found that what the organisation around peer "
    "workers does decides whether peer work keeps its value: supervision and training for peer work, a clear "
    "role, secure contracts, working alongside other peers, and a voice at senior level."
)

years = data.condition_periods()
trust = None
if not years:
    st.info(view.NO_SECTION)
else:
    left, right = st.columns(2)
    with left:
        period = st.selectbox("Year (30 September)", years, format_func=lambda d: d.strftime("%d %B %Y"))
    if user.role == "analyst":
        rows = data.conditions(period, "trust").sort("trust_name")
        names = dict(rows.select("trust_code", "trust_name").iter_rows())
        with right:
            trust = st.selectbox("Trust", list(names), format_func=lambda c: f"{names[c]} ({c})")
    else:
        trust = user.trust_code
    try:
        mine = data.conditions(period, "trust", trust)
    except permissions.NotPermitted as exc:
        ui.refuse(user, f"conditions:{str(trust)[:12]}", exc)
    if not mine.height:
        st.info("Your trust has no organisation section for this year, so there is nothing to compare.")
    else:
        name = mine["trust_name"][0]
        st.subheader(f"{name} against {mine['region_name'][0]} and England")
        table = view.comparison(data, period, trust)
        ui.chart(view.comparison_chart(table, name), table, f"Conditions for peer work, {trust}, {period}", user)
        st.caption(
            "Region and England are pooled over the trusts whose figures you may see (sums over sums); "
            "another trust with fewer than 5 peer support workers is left out."
        )
        st.markdown("**Why each condition matters**")
        st.markdown("\n".join(f"- **{spec.label}.** {spec.reason}" for spec in view.CONDITION_INDICATORS))
        st.markdown(f"**Senior peer leadership post.** {view.leadership_text(data, period, trust)}")
        if user.role == "analyst":
            st.subheader("Every trust")
            ui.table(view.all_trusts(data, period), f"Conditions for peer work, every trust, {period}", user)

st.header("Activity")
quarters = data.periods()
england = data.activity(None, "national")
if not quarters or england.filter(england["n_trusts_recording"] > 0).height == 0:
    st.info(view.NO_CONTACTS)
else:
    over_time = view.activity_over_time(data, trust)
    latest = england.sort("period_end")[-1].row(0, named=True)
    st.write(
        f"Contacts per PSW WTE, in the quarter ending {latest['period_end']:%d %B %Y} "
        f"{view.coverage_text(latest, not data.is_analyst)}. Only the rows that record contacts count, in the "
        "contacts and the WTE."
    )
    ui.chart(view.activity_chart(over_time), over_time, "Contacts per PSW WTE over quarters", user)
    quarter = st.selectbox(
        "Quarter ending (by service setting)", quarters, format_func=lambda d: d.strftime("%d %B %Y")
    )
    ui.table(view.by_setting(data, quarter, trust), f"Contacts per PSW WTE by service setting, {quarter}", user)
