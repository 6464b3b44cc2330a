"""Data shaping for the trust benchmark page: one trust against a chosen group of peers.

Streamlit-free. Everything shown comes through pswbench.views, so anonymising and small-number
suppression are already applied for the user; this module only filters, reshapes and words it.
"""
from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from . import charts, views
from .access import SUPPRESSED_TEXT
from .auth import User
from .definitions import BY_NAME, INDICATORS, Indicator

PERCENTILE = "Percentile rank (0 lowest, 100 highest)"
FUNNEL_MEANING = ("The dashed lines (95%) and dotted lines (99.8%) show how far a trust of that size could "
                  "sit from the England rate by chance alone: a trust outside the 99.8% limits is unlikely "
                  "to differ only by chance, while small trusts spread widely without meaning anything.")


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


def with_suppressed_flags(values: pl.DataFrame, table: pl.DataFrame) -> pl.DataFrame:
    """views.trust_values plus, per indicator, a boolean column suppressed_<name>: whether
    views.trust_table shows it as suppressed (both come from the same rows in the same order)."""
    flags = [(table[i.name] == SUPPRESSED_TEXT if table[i.name].dtype == pl.String
              else pl.repeat(False, table.height, eager=True)).alias(suppressed(i.name)) for i in INDICATORS]
    return values.with_columns(flags)


def suppressed(name: str) -> str:
    return f"suppressed_{name}"


def requested_trust(picked: str, session_value: str | None) -> str:
    """The trust this session is asking about. Session state is what a widget or a tampered
    client sets, so it wins over the picker and then has to pass views.require_trust."""
    return session_value or picked


def comparison_values(q, user: User, period: dt.date, codes: set[str]) -> pl.DataFrame:
    """views.trust_values for the peer group only, as this user may see them, with suppressed flags."""
    shown = with_suppressed_flags(views.trust_values(q, user, period), views.trust_table(q, user, period))
    # Peer codes are real codes, but a trust lead's copy carries peer labels instead; present()
    # keeps row order, so the group is picked by position in the unlabelled rows.
    in_group = q.trust_indicators(period)["trust_code"].is_in(list(codes))
    return shown.filter(in_group)


def trust_level_indicators(values: pl.DataFrame) -> list[str]:
    """Indicators with at least one trust figure (WTE per 100,000 population has none)."""
    return [i.name for i in INDICATORS if i.name in values.columns and values[i.name].drop_nulls().len()]


def chart_rows(values: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the ranked bar chart, lowest first (the chart's order), then the trusts whose
    figure is suppressed for this user, said so in a Note rather than left out unexplained."""
    hidden = pl.col(suppressed(indicator))
    return (values.filter(pl.col(indicator).is_not_null() | hidden)
            .sort([hidden, indicator])
            .select(pl.col("label").alias("Trust"), pl.col("region_name").alias("Region"),
                    display_column(BY_NAME[indicator]),
                    pl.when(hidden).then(pl.lit(SUPPRESSED_TEXT)).otherwise(pl.lit("")).alias("Note")))


def funnel_data(values: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """Rate and denominator per trust, for the chart. A denominator is kept only where the rate itself
    may be shown, since for a small trust it would give away the headcount that suppression hides."""
    denominator = BY_NAME[indicator].denominator
    return (values.filter(pl.col(indicator).is_not_null())
            .select("trust_code", "label", "is_own", indicator, denominator))


def funnel_rows(values: pl.DataFrame, indicator: str, national_rate: float) -> pl.DataFrame:
    """The rows behind the funnel plot, in display units, with each trust's place against the limits."""
    spec = BY_NAME[indicator]
    d = funnel_data(values, indicator).filter(pl.col(spec.denominator) > 0)
    outside = charts.outside_limits(d, indicator, spec.denominator, national_rate)
    return (d.with_columns(outside)
            .sort(spec.denominator)
            .select(pl.col("label").alias("Trust"), display_column(spec),
                    pl.col(spec.denominator).round(1).alias(charts.denominator_label(spec)),
                    pl.when("outside").then(pl.lit("outside 99.8% limits")).otherwise(pl.lit("within 99.8% limits"))
                    .alias("Against the limits")))


def ranked_chart(values: pl.DataFrame, indicator: str, trust: str, stats: dict, title: str) -> go.Figure:
    return charts.ranked_bar(values, indicator, trust, stats, title=title)


def funnel_chart(values: pl.DataFrame, indicator: str, national_rate: float, trust: str, title: str) -> go.Figure:
    return charts.funnel(values, indicator, national_rate, trust, title=title)


def trend_data(q, trust_code: str, trust_label: str, region_codes: set[str], region_name: str,
               indicator: str) -> pl.DataFrame:
    """The trust's own series first, then England's and its region's median of trusts."""
    scopes = {trust_label: {trust_code}, "England median of trusts": None,
              f"{region_name} median of trusts": region_codes}
    df = views.peer_medians_over_time(q, scopes, indicator)
    order = {name: i for i, name in enumerate(scopes)}
    return (df.with_columns(pl.col("series").replace_strict(order, return_dtype=pl.Int32).alias("_order"))
            .sort(["_order", "period_end"]).drop("_order"))


def trend_chart(df: pl.DataFrame, indicator: str, title: str) -> go.Figure:
    return charts.trend(df, indicator, title=title)


def trend_rows(df: pl.DataFrame, indicator: str) -> pl.DataFrame:
    """The rows behind the trend chart: one column per series, in display units."""
    spec = BY_NAME[indicator]
    wide = df.with_columns(display_column(spec, "value").alias("value")).pivot("series", index="period_end",
                                                                               values="value")
    return wide.rename({"period_end": "Quarter ending"})


def percentile_text(rank: float | None) -> str:
    if rank is None:
        return "no position"
    pct = round(rank * 100)
    suffix = "th" if 10 <= pct % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(pct % 10, "th")
    return f"{pct}{suffix} percentile"


def quartile_text(p: views.Position) -> str:
    if p.value is None:
        return "no figure for this trust"
    if p.quartile is None:
        return "no position (no other trust has a figure)"
    return p.quartile_words()


def position_table(positions: dict[str, views.Position]) -> pl.DataFrame:
    """The trust against its peer group on every indicator, in display units."""
    rows = []
    for spec in INDICATORS:
        p = positions[spec.name]
        rows.append({
            "Indicator": spec.label, "Unit": spec.unit,
            "Trust value": display_value(spec, p.value),
            "Peer median": display_value(spec, p.median),
            PERCENTILE: None if p.percentile_rank is None else round(p.percentile_rank * 100),
            "Quartile": quartile_text(p),
            "Peer lower quartile": display_value(spec, p.q1),
            "Peer upper quartile": display_value(spec, p.q3),
            "Trusts with a figure": p.n,
        })
    return pl.DataFrame(rows, infer_schema_length=None)
