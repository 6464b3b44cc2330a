"""Workforce profile: who are the PSWs, by age, gender, ethnic group, disability and lived experience?"""

import streamlit as st

from pswbench.access import permissions
from pswbench.app import ui
from pswbench.reports import demographics_view as view

user, data = ui.page("workforce_profile")
st.title("Workforce profile")
st.caption(
    "From the annual demographics section of the return (PSWs in post at 30 September). Shares are of the "
    "PSWs whose category is stated; how many were not stated is shown beside each chart."
)

periods = data.demographic_periods()
if not periods:
    st.info(
        "No demographics have been loaded yet: trusts send them with the return for the quarter ending 30 September."
    )
    st.stop()
period = st.selectbox(
    "Quarter ending (30 September)", periods, key="profile_period", format_func=lambda d: d.strftime("%d %B %Y")
)
places = data.demographic_places(period).rows()
if not places:
    st.info(f"No demographics you can see for the quarter ending {period:%d %B %Y}.")
    st.stop()
# A trust lead opens on their own trust, against England.
own = next((i for i, (lvl, c, _n) in enumerate(places) if lvl == "trust" and c == user.trust_code), 0)
level, code, name = st.selectbox("Place", places, index=own, key="profile_place", format_func=view.place_option)
try:
    df = data.demographics(period, level, code)
except permissions.NotPermitted as exc:
    ui.refuse(user, "workforce_profile", exc)
withheld = data.demographic_withheld(period)
if withheld:
    st.caption(
        f"{len(withheld)} region(s) are not shown on their own: they hold fewer than 2 trusts besides yours, so "
        "a region figure would be one trust's. They are still in England's figures. Other trusts' demographics "
        "are shown only pooled, never trust by trust, and only over trusts with at least 5 PSWs."
    )
if df.height == 0:
    st.info(f"No demographics for {view.place_words(level, name)} for the quarter ending {period:%d %B %Y}.")
    st.stop()
compare = data.demographics(period, "national") if level == "trust" and user.role == "trust_lead" else None
if df["suppressed"].any():
    st.caption(view.SUPPRESSION_NOTE)

place = view.place_words(level, name)
for dimension in dict.fromkeys(df["dimension"]):
    label = view.dimension_label(dimension)
    st.subheader(label)
    chart_col, side = st.columns([3, 1])
    with chart_col:
        ui.chart(
            view.shares_chart(df, dimension, place, compare),
            view.dimension_table(df, dimension),
            f"{label}, {place}, {period:%d %B %Y}",
            user,
            key=f"profile-{dimension}",
        )
    side.write(view.not_stated_words(df, dimension))
    if compare is not None:
        side.write(f"England: {view.not_stated_words(compare, dimension)}")

st.subheader("Ethnic group against the population of England")
ui.chart(
    view.ethnic_chart(df, place),
    view.ethnic_table(df),
    f"Ethnic group of PSWs against England's population, {place}, {period:%d %B %Y}",
    user,
    key="profile-ethnic-england",
)
st.caption(view.reference_source())
