"""Regional comparison: how do the seven NHS England regions compare, pooled and trust by trust?"""

import streamlit as st

from pswbench.app import ui
from pswbench.reports import charts, regions
from pswbench.reports.definitions import BY_NAME

user, data = ui.page("regions")
st.title("How do the NHS England regions compare on the peer support workforce?")
period = ui.period_picker(data, key="regions_period")

region_rows = data.regions()
pooled = data.pooled("region", period)
national = data.pooled("national", period)
rows = data.trust_rows(period)
st.caption(
    f"Quarter ending {period:%d %B %Y}. A region's **pooled** figure adds up its trusts' returns "
    "before dividing, so large trusts weigh more; the **median of trusts** is the middle trust, "
    "each trust counting once."
)

st.subheader("Every indicator, region by region")
if user.role != "analyst":
    st.caption(
        "Pooled figures and medians are over the trusts whose figures you can see: a trust's figure "
        "built on fewer than 5 people is left out of both, so it cannot be worked out from them."
    )
ui.table(
    regions.comparison_table(
        region_rows,
        pooled,
        national,
        rows,
        data.pooled("region", regions.year_before(period)),
        data.pooled("national", regions.year_before(period)),
    ),
    f"Regions compared, quarter ending {period:%d %B %Y}",
    user,
    key="regions-table",
)

st.subheader("One indicator across the regions")
indicator = st.selectbox("Indicator", list(BY_NAME), format_func=lambda n: BY_NAME[n].label, key="regions_indicator")
spec = BY_NAME[indicator]
bars = regions.pooled_for_chart(region_rows, pooled, indicator)
ui.chart(
    charts.region_bars(bars, indicator, title=f"{spec.label} by region (pooled)"),
    regions.bar_rows(bars, indicator),
    f"{spec.label} by region, pooled",
    user,
    key="regions-bars",
)

if rows[indicator].drop_nulls().len():
    ui.chart(
        regions.spread_chart(rows, indicator, bars, f"{spec.label}: spread of trusts within each region"),
        regions.spread_data(rows, indicator),
        f"{spec.label} by trust and region",
        user,
        key="regions-spread",
    )
    st.caption(
        "Each dot is a trust; the box holds the middle half of a region's trusts with a line at the "
        "median"
        + ("." if regions.is_total(indicator) else "; the diamond marks the region's pooled figure.")
        + ("" if user.role == "analyst" else " Suppressed figures are not drawn.")
    )
else:
    st.info(f"{spec.label} has no trust-level figure, so there is no spread of trusts to show.")

st.subheader("PSW WTE per 100,000 population")
ui.table(
    regions.population_table(region_rows, pooled, national),
    "PSW WTE per 100,000 population by region",
    user,
    key="regions-population",
)
st.caption(f"Population source: {regions.POPULATION_CAVEAT}")
