"""Data shaping for the regional comparison page: the seven NHS England regions side by side.

Streamlit-free. Pooled figures and trust rows come from the user's pswbench.access.scope.Scope, so both are
built only from the trust figures this user may see; the medians here are taken over those rows, so no
hidden figure can be read back out of a median or a pooled total.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from pswbench.reports import charts
from pswbench.reports.benchmark import chart_rows, display_column, display_value
from pswbench.reports.definitions import BY_NAME, INDICATORS, POPULATION_SOURCE

ENGLAND = "England"
POPULATION_CAVEAT = (
    POPULATION_SOURCE + " Treat WTE per 100,000 population as approximate: it divides by "
    "everyone living in the region, not by the catchments of mental health services."
)


def _median(name: str) -> pl.Expr:
    # Suppressed figures are nulls in the scope's rows: the median is of the figures this user may see.
    return pl.col(name).median().alias(name)


def region_medians(rows: pl.DataFrame) -> pl.DataFrame:
    """Median of trust values per region and indicator, over the figures this user may see."""
    return rows.group_by("region_code").agg(_median(i.name) for i in INDICATORS)


def england_medians(rows: pl.DataFrame) -> dict[str, float | None]:
    return rows.select(_median(i.name) for i in INDICATORS).row(0, named=True)


YEAR_CHANGE = "Change on the same quarter a year before (pooled)"
NO_YEAR_FIGURE = "no figure a year before"


def year_before(period: dt.date) -> dt.date:
    """The same quarter end a year before (quarter ends fall on the same day every year)."""
    return period.replace(year=period.year - 1)


def comparison_table(
    regions: pl.DataFrame,
    pooled: pl.DataFrame,
    national: pl.DataFrame,
    rows: pl.DataFrame,
    pooled_year_before: pl.DataFrame | None = None,
    national_year_before: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per indicator and measure (pooled, its change on the same quarter a year before, and
    the median of trusts), one column per region and England, in the units the Unit column states
    (a change in percentage points for a rate). Every region is a column even with no return; a
    change with no pooled figure a year before says so (the row's `missing` text)."""
    order = regions.sort("region_name")
    codes, names = order["region_code"].to_list(), order["region_name"].to_list()
    pooled_by = {r["region_code"]: r for r in pooled.iter_rows(named=True)}
    median_by = {r["region_code"]: r for r in region_medians(rows).iter_rows(named=True)}
    nat = national.row(0, named=True) if national.height else {}
    nat_median = england_medians(rows)
    then_by = {
        r["region_code"]: r
        for r in (pooled_year_before if pooled_year_before is not None else pl.DataFrame()).iter_rows(named=True)
    }
    nat_then = (
        national_year_before.row(0, named=True)
        if national_year_before is not None and national_year_before.height
        else {}
    )
    counts = [("Trusts in the pooled figures", "n_trusts")]
    if any(r.get("n_left_out") for r in [nat, *pooled_by.values()]):
        counts.append(("Trusts left out (fewer than 5 PSWs: figures not shown to you)", "n_left_out"))
    rows = [
        {
            "Indicator": label,
            "Unit": "trusts",
            "Measure": "count",
            **{n: float(pooled_by.get(c, {}).get(col) or 0) for c, n in zip(codes, names)},
            ENGLAND: float(nat.get(col) or 0),
            "missing": None,
        }
        for label, col in counts
    ]
    for spec in INDICATORS:
        for measure, by_region, england in (
            ("Region pooled", pooled_by, nat),
            ("Median of trusts", median_by, nat_median),
        ):
            cells = {n: display_value(spec, by_region.get(c, {}).get(spec.name)) for c, n in zip(codes, names)}
            cells[ENGLAND] = display_value(spec, england.get(spec.name))
            if any(v is not None for v in cells.values()):
                rows.append({"Indicator": spec.label, "Unit": spec.unit, "Measure": measure, **cells, "missing": None})
            if measure == "Region pooled" and any(v is not None for v in cells.values()):
                change = {
                    n: _change(spec, pooled_by.get(c, {}).get(spec.name), then_by.get(c, {}).get(spec.name))
                    for c, n in zip(codes, names)
                }
                change[ENGLAND] = _change(spec, nat.get(spec.name), nat_then.get(spec.name))
                unit = "percentage points" if spec.is_rate else f"change in {spec.unit}"
                rows.append(
                    {"Indicator": spec.label, "Unit": unit, "Measure": YEAR_CHANGE, **change, "missing": NO_YEAR_FIGURE}
                )
    return pl.DataFrame(
        rows,
        schema={
            "Indicator": pl.String,
            "Unit": pl.String,
            "Measure": pl.String,
            **{n: pl.Float64 for n in [*names, ENGLAND]},
            "missing": pl.String,
        },
    )


def _change(spec, now: float | None, before: float | None) -> float | None:
    """now - before in display units (percentage points for a rate), None when either is missing."""
    return None if now is None or before is None else display_value(spec, now - before)


def pooled_for_chart(regions: pl.DataFrame, pooled: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """Region pooled values for one indicator, every region listed (null where none returned)."""
    return (
        regions.select("region_code", "region_name")
        .join(pooled.select("region_code", indicator), on="region_code", how="left")
        .sort("region_name")
    )


def bar_rows(bars: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the region bar chart, in display units."""
    return bars.select(pl.col("region_name").alias("Region"), display_column(BY_NAME[indicator]))


def is_total(indicator: str) -> bool:
    """A region's pooled figure for a head or WTE count is the sum over its trusts, not a rate."""
    spec = BY_NAME[indicator]
    return spec.kind == "count" and spec.unit in ("people", "WTE")


def spread_chart(values: pl.DataFrame, indicator: str, bars: pl.DataFrame, title: str) -> go.Figure:
    """charts.region_spread, without the pooled marker for totals: a region's total beside single
    trusts' counts would squash every box to the bottom of the axis."""
    # Regions in the bar chart's order (charts.region_bars: by pooled value, regions without one last).
    order = bars.sort(indicator, nulls_last=True)["region_name"].to_list()
    fig = charts.region_spread(values, indicator, bars, title=title, order=order)
    if is_total(indicator):
        fig.data = fig.data[:1]
    return fig


def spread_data(rows: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """Trust rows behind the spread chart, region by region, suppressed figures said so."""
    return chart_rows(rows, indicator).sort("Region", maintain_order=True)


def population_table(regions: pl.DataFrame, pooled: pl.DataFrame, national: pl.DataFrame) -> pl.DataFrame:
    """WTE in post, population and WTE per 100,000 population per region and for England."""
    wte, per_100k = BY_NAME["wte_in_post"], BY_NAME["wte_per_100k_population"]
    pooled_by = {r["region_code"]: r for r in pooled.iter_rows(named=True)}
    places = [
        (r["region_name"], r["population"], pooled_by.get(r["region_code"], {}))
        for r in regions.sort("region_name").iter_rows(named=True)
    ]
    if national.height:
        nat = national.row(0, named=True)
        places.append((ENGLAND, nat["population"], nat))
    return pl.DataFrame(
        [
            {
                "Region": name,
                "PSW WTE in post (WTE)": display_value(wte, figures.get("wte_in_post")),
                "Population (people)": population,
                per_100k.label: display_value(per_100k, figures.get("wte_per_100k_population")),
            }
            for name, population, figures in places
        ],
        schema={
            "Region": pl.String,
            "PSW WTE in post (WTE)": pl.Float64,
            "Population (people)": pl.Int64,
            per_100k.label: pl.Float64,
        },
    )
