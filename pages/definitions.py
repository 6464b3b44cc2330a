"""Definitions: what every figure means, where it comes from, the return specification and the small-number rule."""

import polars as pl
import streamlit as st

from pswbench.access import disclosure
from pswbench.app import ui
from pswbench.paths import ROOT
from pswbench.reports.definitions import INDICATORS, POPULATION_SOURCE, SOURCE

user, _data = ui.page("definitions")
st.title("Definitions")

st.subheader("Indicators")
st.write(f"**Source:** {SOURCE}")
st.write(f"**Population:** {POPULATION_SOURCE}")
PEOPLE_BEHIND = {
    "headcount": "headcount",
    "leaver_basis": "headcount and leavers",
    "leaver_basis_12m": "headcount and leavers over 12 months",
}
st.table(
    pl.DataFrame(
        [
            {
                "Indicator": i.label,
                "Formula": i.formula,
                "Unit": i.unit,
                "Direction of good": i.direction_words,
                "Source": "Trust returns" + (" and Census 2021 population" if "population" in i.name else ""),
                "People behind it (small-number rule)": PEOPLE_BEHIND.get(i.basis, i.basis),
            }
            for i in INDICATORS
        ]
    )
)

st.subheader("Small numbers")
st.write(
    f"A figure for another trust that is built on fewer than {disclosure.SMALL_NUMBER_THRESHOLD} people "
    "(its headcount, "
    f'or for leaver figures the number of leavers as well) is shown as "{disclosure.SUPPRESSED_TEXT}" on screen and in '
    "every download, so no one can work out a figure about a handful of people. Region and England figures, "
    "medians and positions shown to trust leads and board members are worked out only from the figures they "
    "can see, so a hidden figure cannot be recovered from them by subtraction; they say how many trusts were "
    "left out. Your own trust's figures are always shown in full. Other trusts appear as anonymised labels "
    '("Peer 01", "Peer 02", ...) that are drawn afresh every quarter and are the same on every page within '
    "a quarter. HEE analysts see every trust by name and in full. The full method is in docs/disclosure.md."
)
st.write(
    f'In every table and download a missing value says why it is missing: "{disclosure.SUPPRESSED_TEXT}" '
    'where the small-number rule hid it, otherwise "no data", "not recorded" or "not applicable" (or a '
    "more exact phrase). Downloads keep numbers as numbers, rounded as on screen; only a missing cell holds "
    "text."
)

st.subheader("What is synthetic in the demo")
if ui.is_synthetic():
    st.write(
        "This is the **synthetic demo**. Every return in it, and so every trust, regional and England "
        "figure, is made up by a generator for demonstration: no real trust's workforce is shown. What is "
        "real: the list of NHS mental health trusts and their ODS codes, the NHS regions, and the Census 2021 "
        "populations used for WTE per 100,000 population. The demo accounts are for trying the app only."
    )
else:
    st.write(
        "This database holds returns submitted by trusts; nothing in it is synthetic. (The synthetic "
        "demo, when it is used, is labelled on every page.)"
    )

st.subheader("The quarterly return")
with st.expander("Read the return specification (columns, rules, warnings and indicator formulas)"):
    # Our own file, written for trust leads, so it is rendered as Markdown.
    st.markdown((ROOT / "docs" / "return-spec.md").read_text(encoding="utf-8"))
