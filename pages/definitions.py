"""Definitions: what every figure means, where it comes from, the return specification and the small-number rule."""

import polars as pl
import streamlit as st

from pswbench.access import disclosure
from pswbench.app import ui
from pswbench.paths import ROOT
from pswbench.reports.definitions import (
    ACTIVITY_SOURCE,
    CONDITIONS_SOURCE,
    DEMOGRAPHIC_INDICATORS,
    DEMOGRAPHICS_SOURCE,
    ETHNICITY_REFERENCE_SOURCE,
    INDICATORS,
    POPULATION_SOURCE,
    SOURCE,
    indicators_by_theme,
)

user, _data = ui.page("definitions")
st.title("Definitions")

st.subheader("Indicators")
st.markdown("#### Workforce")
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

# ---- demographics (issue 12) ----
st.markdown("#### Workforce demographics (30 September)")
st.write(f"**Source:** {DEMOGRAPHICS_SOURCE}")
st.write(f"**Population of England by ethnic group:** {ETHNICITY_REFERENCE_SOURCE}")
st.table(pl.DataFrame([{"Indicator": i.label, "Formula": i.formula, "Unit": i.unit} for i in DEMOGRAPHIC_INDICATORS]))
st.write(
    "Demographics are about a handful of people, so trust leads see other trusts' demographics only pooled "
    "by region and for England, never trust by trust; a pooled category of 1 to 4 people is "
    f'"{disclosure.SUPPRESSED_TEXT}", and so is a second one beside it, so that it cannot be worked out from '
    "the total. Board members see their own trust as shares, with categories of fewer than 5 people combined. "
    'The rules are in docs/disclosure.md ("Demographics").'
)
# ---- demographics: end ----

# ---- organisational conditions and activity (issue 12): the other themes, each under its own heading
THEME_HEADINGS = {
    "organisation": ("Conditions for peer work", CONDITIONS_SOURCE),
    "activity": ("Activity", ACTIVITY_SOURCE),
}
for theme, specs in indicators_by_theme().items():
    if theme not in THEME_HEADINGS:
        continue
    heading, source = THEME_HEADINGS[theme]
    st.markdown(f"#### {heading}")
    st.write(f"**Source:** {source}")
    st.table(
        pl.DataFrame(
            [
                {
                    "Indicator": i.label,
                    "Formula": i.formula,
                    "Unit": i.unit,
                    "Direction of good": i.direction_words,
                    "Why it matters": i.reason
                    or "How much direct work with people using services the PSW "
                    "workforce does, where trusts record it.",
                    "Small-number rule": "hidden for another trust with fewer than 5 PSWs"
                    + (" recording contacts" if theme == "activity" else ""),
                }
                for i in specs
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

st.subheader("Statistical methods")
st.markdown(
    "**Funnel plots** (Trust benchmark, for each rate). Each trust's rate is plotted against its denominator "
    "(FTE days for sickness, establishment WTE for vacancies, average headcount for leavers, WTE worked for "
    "temporary staffing) with 95% and 99.8% limits around the pooled rate of the trusts shown, on the arcsine "
    "square-root scale (Spiegelhalter 2005, as NHS indicators such as SHMI and the NHS-R FunnelPlotR package "
    "do). Trusts differ for real reasons and days lost come in episodes, so rates vary more than chance alone "
    "predicts (overdispersion). The overdispersion factor is the mean squared z-score after Winsorising at "
    "10% and 90%; when the trusts vary significantly more than chance (the chi-squared test at 5%), the limits "
    "are widened by a between-trust variance (additive random effects, DerSimonian and Laird). The chart says "
    "the factor and whether the limits were widened; the table says whether each trust is above, within or "
    "below the limits. `python -m pswbench outliers` prints the same figures."
)
st.markdown(
    "**Statistical process control** (Overview, Regional comparison, Trust benchmark, Board snapshot), as in "
    "NHS England's Making Data Count: an XmR chart with the mean as centre line and process limits at the mean "
    "± 2.66 × the mean moving range. A point is special cause when it is outside the limits, one of 7 or more "
    "in a row on one side of the mean, one of 7 or more in a row rising or falling, or one of 2 in 3 points "
    "beyond two thirds of the way to a limit on the same side. The latest point's variation is read by the "
    "indicator's direction of good: an improvement (blue), a concern (orange), neither (purple) or normal "
    "variation (grey), always said in words too. Fewer than 12 quarters give trial limits; fewer than 6, none. "
    "`python -m pswbench spc` prints every point."
)
st.markdown(
    "**Progress to the national ambition** (Overview, Regional comparison). The ambitions (data/reference/"
    "ambition.csv) are from a secondary source with low confidence. Growth is over the last four quarters; the "
    "year the trend reaches the target assumes that growth carries on, and its range uses the slowest and the "
    "fastest of those quarters. A region's fair share is England's figure times its share of England's "
    "population (Census 2021). `python -m pswbench ambition` prints the same figures."
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
