"""Regional comparison: how do the seven NHS England regions compare, pooled and trust by trust?"""

import streamlit as st

from pswbench.app import ui
from pswbench.reports import ambition_view, charts, process_control, regions
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

st.subheader(f"{spec.label}: real change or normal variation, region by region")
region_names = dict(zip(region_rows["region_code"], region_rows["region_name"]))
by_place = {"England": data.spc(indicator, "national")} | {
    name: data.spc(indicator, "region", code) for code, name in sorted(region_names.items(), key=lambda kv: kv[1])
}
ui.table(
    process_control.latest_table(by_place, indicator),
    f"{spec.label}: latest quarter by region, statistical process control",
    user,
    key="regions-spc-latest",
)
ui.chart(
    charts.spc_panels(by_place, spec, f"{spec.label}: statistical process control (XmR) charts by region"),
    process_control.panel_rows(by_place, indicator),
    f"{spec.label} by region and quarter, with process limits",
    user,
    key="regions-spc",
)
st.markdown(process_control.RULES_SENTENCE)

ahead = [a for a in data.ambitions() if a.target_date > max(data.periods())]
if ahead:
    target = ahead[-1]
    st.subheader(f"A fair share of the national ambition ({target.target:,.0f} PSWs by {target.target_label})")
    ui.table(
        ambition_view.fair_share_table(target, data.fair_shares(target)),
        f"Regions' population shares of England's PSW headcount and of the {target.target_label} ambition",
        user,
        key="regions-fair-share",
    )
    st.markdown(
        "A region's fair share is England's figure times the region's share of England's population (Census 2021; "
        f"NHS region boundaries differ a little from ONS regions). The ambition is from a {target.source_kind} "
        f"source with {target.confidence} confidence: {target.source}."
    )

st.subheader("PSW WTE per 100,000 population")
ui.table(
    regions.population_table(region_rows, pooled, national),
    "PSW WTE per 100,000 population by region",
    user,
    key="regions-population",
)
st.caption(f"Population source: {regions.POPULATION_CAVEAT}")
