"""Overview: how is the national PSW workforce changing?"""

import polars as pl
import streamlit as st

from pswbench.app import ui
from pswbench.reports import ambition_view, charts, overview, process_control
from pswbench.reports.definitions import BY_NAME

user, data = ui.page("overview")
st.title("How is the peer support workforce in England changing?")
period = ui.period_picker(data)

national = data.pooled("national", None).sort("period_end")
submitted, open_trusts = data.coverage_counts(period)
now = national.filter(pl.col("period_end") == period)
left_out = int(now["n_left_out"][0]) if now.height else 0
st.markdown(
    f"**Submission coverage:** {submitted} of {open_trusts} open mental health trusts have an accepted "
    f"return for the quarter ending {period:%d %B %Y}. National figures pool those trusts"
    + (f", except {left_out} with fewer than 5 PSWs, whose figures are not shown to you." if left_out else ".")
)

st.caption(
    "Arrows show the change on the previous quarter; the line under each card compares with the "
    "same quarter a year before."
)
HEADLINES = ("headcount", "wte_in_post", "vacancy_rate", "sickness_rate", "leaver_rate_12m", "temporary_staffing_share")
changes = overview.national_changes(national, period, HEADLINES)
for row_start in range(0, len(HEADLINES), 3):
    for col, name in zip(st.columns(3), HEADLINES[row_start : row_start + 3]):
        c = changes[name]
        col.metric(
            BY_NAME[name].label,
            c.value_text,
            c.quarter_text,
            delta_color=c.delta_colour,
            delta_arrow="off" if c.unchanged else "auto",
            help=f"{c.year_text}. {BY_NAME[name].formula}.",
            border=True,
        )
        col.caption(c.year_text)

st.subheader("Real change or normal variation? Every loaded quarter")
choice = st.selectbox(
    "Indicator", [i for i in BY_NAME], format_func=lambda n: BY_NAME[n].label, key="overview_indicator"
)
england = data.spc(choice, "national")
ui.chart(
    process_control.chart(england, choice, "England (pooled)"),
    process_control.table(england, choice),
    f"England {BY_NAME[choice].label} by quarter, with process limits",
    user,
)
st.markdown(process_control.sentence(england, choice, "England"))

st.subheader("Progress to the national ambition")
progress = data.ambition_progress()
if progress:
    ui.chart(
        charts.ambition(national, progress, "PSW headcount in England against the national ambition"),
        ambition_view.progress_table(progress),
        "Progress to the national ambition",
        user,
        key="overview-ambition",
    )
    for p in progress:
        st.markdown(" ".join(p.sentences()))
    st.markdown(
        "Regions' population shares of the ambition are on the Regional comparison page. The ambitions come from a "
        "secondary source and are low confidence: treat the distance to them as a guide, not a measure."
    )

st.subheader("National figures by quarter")
ui.table(
    national.select("period_end", "n_trusts", *(["n_left_out"] if user.role != "analyst" else []), *BY_NAME),
    "National indicators by quarter",
    user,
)
