"""Data shaping for the trust benchmark page: one trust against a chosen group of peers.

Streamlit-free. Everything shown comes through the user's pswbench.access.scope.Scope, so anonymising,
suppression and the peer statistics are already done for the user; this module only reshapes and words it.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from pswbench.access.disclosure import SUPPRESSED_COL, hidden
from pswbench.access.scope import Position, Scope
from pswbench.reports import charts
from pswbench.reports.definitions import BY_NAME, TRUST_LEVEL, Indicator
from pswbench.statistics import funnel

PERCENTILE = "Percentile rank (0 lowest, 100 highest)"


def _scale_and_decimals(spec: Indicator) -> tuple[int, int]:
    return (100, 1) if spec.is_rate else (1, 2 if spec.unit == "WTE per head" else 1)


def display_value(spec: Indicator, value: float | None) -> float | None:
    """A value in the units its column header states: rates as percentages, counts as they are."""
    scale, decimals = _scale_and_decimals(spec)
    return None if value is None else round(value * scale, decimals)


def display_column(spec: Indicator, column: str | None = None) -> pl.Expr:
    """A column of values in display units, named with its unit (e.g. 'Vacancy rate (% of establishment)')."""
    scale, decimals = _scale_and_decimals(spec)
    return (pl.col(column or spec.name) * scale).round(decimals).alias(f"{spec.label} ({spec.unit})")


def requested_trust(picked: str, session_value: str | None) -> str:
    """The trust this session is asking about. Session state is what a widget or a tampered
    client sets, so it wins over the picker and then has to pass the scope's require_trust."""
    return session_value or picked


def trust_level_indicators(values: pl.DataFrame) -> list[str]:
    """Indicators a trust can have a figure for (the registry's TRUST_LEVEL: not WTE per 100,000
    population) with at least one trust figure in values."""
    return [i.name for i in TRUST_LEVEL if i.name in values.columns and values[i.name].drop_nulls().len()]


def chart_rows(values: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the ranked bar chart, lowest first (the chart's order, ties by label), then the
    trusts whose figure is suppressed for this user, listed in the row's `suppressed` column so that the
    table says "suppressed (<5)" rather than leaving them out unexplained."""
    is_hidden = hidden(indicator)
    value = display_column(BY_NAME[indicator])
    return (
        values.filter(pl.col(indicator).is_not_null() | is_hidden)
        .with_columns(is_hidden.alias("_hidden"))
        .sort("_hidden", indicator, "label", nulls_last=True)
        .select(
            pl.col("label").alias("Trust"),
            pl.col("region_name").alias("Region"),
            value,
            # reports.tables writes SUPPRESSED_TEXT in the value cell of a row that lists its column here.
            pl.when("_hidden")
            .then(pl.lit([value.meta.output_name()], dtype=pl.List(pl.String)))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            .alias(SUPPRESSED_COL),
        )
    )


def funnel_rows(rows: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the funnel plot (Scope.funnel's), in display units, with each trust's z-score
    and whether it lies above, within or below the limits."""
    spec = BY_NAME[indicator]
    return rows.sort(spec.denominator, "label").select(
        pl.col("label").alias("Trust"),
        pl.col("region_name").alias("Region"),
        display_column(spec),
        pl.col(spec.denominator).round(1).alias(charts.denominator_label(spec)),
        pl.col("z_adjusted").round(2).alias("z-score adjusted for overdispersion (standard deviations)"),
        pl.struct("position_95", "position_99_8")
        .map_elements(lambda r: funnel.against_limits_words(r["position_95"], r["position_99_8"]), pl.String)
        .alias("Against the limits"),
    )


def ranked_chart(values: pl.DataFrame, indicator: str, trust: str, stats: dict, title: str) -> go.Figure:
    return charts.ranked_bar(values, indicator, trust, stats, title=title)


def funnel_chart(fit: funnel.Fit | None, rows: pl.DataFrame, indicator: str, trust: str, title: str) -> go.Figure:
    return charts.funnel(fit, rows, indicator, trust, title=title)


def funnel_caption(fit: funnel.Fit, is_analyst: bool) -> str:
    who = "every trust in England with a figure" if is_analyst else "the trusts in England whose figure you can see"
    return (
        f"Each point is a trust; the chart shows {who}. The dashed lines (95%) and dotted lines (99.8%) show "
        "how far a trust of that size could sit from the pooled rate without being unusual: small trusts "
        f"spread widely without meaning anything. {fit.method_words()}"
    )


def trend_data(
    scope: Scope, trust_code: str, trust_label: str, region_code: str, region_name: str, indicator: str
) -> pl.DataFrame:
    """The trust's own series first, then England's and its region's median of the trust figures
    this user may see."""
    own = (
        scope.own_rows(trust_code)
        .select("period_end", pl.col(indicator).cast(pl.Float64).alias("value"))
        .with_columns(pl.lit(trust_label).alias("series"))
    )
    medians = scope.medians_over_time(
        indicator, {"England median of trusts": None, f"{region_name} median of trusts": region_code}
    )
    order = {"England median of trusts": 1, f"{region_name} median of trusts": 2}
    medians = (
        medians.with_columns(pl.col("series").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
        .sort("_order", "period_end")
        .drop("_order")
    )
    return pl.concat([own.sort("period_end"), medians.select(own.columns)])


def trend_chart(df: pl.DataFrame, indicator: str, title: str) -> go.Figure:
    return charts.trend(df, indicator, title=title)


def trend_rows(df: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the trend chart: one column per series, in display units."""
    spec = BY_NAME[indicator]
    wide = df.with_columns(display_column(spec, "value").alias("value")).pivot(
        "series", index="period_end", values="value"
    )
    return wide.rename({"period_end": "Quarter ending"})


def percentile_text(rank: float | None) -> str:
    if rank is None:
        return "no position"
    pct = round(rank * 100)
    suffix = "th" if 10 <= pct % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(pct % 10, "th")
    return f"{pct}{suffix} percentile"


def quartile_text(p: Position) -> str:
    if p.value is None:
        return "no figure for this trust"
    if p.quartile is None:
        return "no position (no other trust has a figure)"
    return p.quartile_words()


def position_table(positions: dict[str, Position]) -> pl.DataFrame:
    """The trust against its peer group on every indicator, in display units."""
    rows = []
    for spec in TRUST_LEVEL:
        p = positions[spec.name]
        rows.append(
            {
                "Indicator": spec.label,
                "Unit": spec.unit,
                "Trust value": display_value(spec, p.value),
                "Peer median": display_value(spec, p.median),
                PERCENTILE: None if p.percentile_rank is None else round(p.percentile_rank * 100),
                "Quartile": quartile_text(p),
                "Peer lower quartile": display_value(spec, p.q1),
                "Peer upper quartile": display_value(spec, p.q3),
                "Trusts with a figure (number)": p.n,
                "missing": "no position" if p.value is None else "no data",
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)
