"""SPC (Making Data Count) charts as the pages show them: the chart, the table behind it and the
sentence under it, from a pswbench.statistics.spc.Chart that the user's Scope computed."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from pswbench.reports import charts
from pswbench.reports.benchmark import display_value
from pswbench.reports.definitions import BY_NAME
from pswbench.statistics import spc

POINT_WORDS = {
    "common_cause": "normal variation",
    "improvement": "special cause: improvement",
    "concern": "special cause: concern",
    "neither": "special cause (neither better nor worse)",
}


def chart(c: spc.Chart, indicator: str, where: str) -> go.Figure:
    spec = BY_NAME[indicator]
    return charts.spc(c, spec, title=f"{spec.label}, {where}: process control (XmR) chart")


def table(c: spc.Chart, indicator: str) -> pl.DataFrame:
    """Every point with the mean, the process limits and what the point shows, in display units."""
    spec = BY_NAME[indicator]
    unit = f" ({spec.unit})"
    return pl.DataFrame(
        [
            {
                "Quarter ending": p.period_end,
                spec.label + unit: display_value(spec, p.value),
                "Mean" + unit: display_value(spec, c.mean),
                "Lower process limit" + unit: display_value(spec, c.lower),
                "Upper process limit" + unit: display_value(spec, c.upper),
                "What it shows": POINT_WORDS[c.point_type(p)],
                "Special-cause rules": "; ".join(spc.RULE_WORDS[r] for r in p.rules) or "none",
            }
            for p in c.points
        ],
        infer_schema_length=None,
    )


RULES_SENTENCE = (
    "Process limits are the mean ± 2.66 × the mean moving range. A point is special cause when it is "
    "outside the limits, one of 7 in a row on one side of the mean or rising or falling, or one of 2 in 3 "
    "beyond two thirds of the way to a limit on the same side; fewer than 12 quarters give trial limits "
    "and fewer than 6 none."
)


def panel_rows(charts_by_place: dict[str, spc.Chart], indicator: str) -> pl.DataFrame:
    """The rows behind small multiples: every place's table, with the place first."""
    return pl.concat(
        [table(c, indicator).select(pl.lit(place).alias("Where"), pl.all()) for place, c in charts_by_place.items()],
        how="diagonal_relaxed",
    )


def sentence(c: spc.Chart, indicator: str, where: str) -> str:
    """What the chart says, for under it: the latest point's variation in words, and how sure."""
    spec = BY_NAME[indicator]
    if c.limits_kind == "none":
        return f"{spec.label}, {where}: {c.summary()}"
    return (
        f"{spec.label}, {where}: {c.summary()} Mean {spec.format(c.mean)}; process limits "
        f"{spec.format(c.lower)} to {spec.format(c.upper)}. {RULES_SENTENCE}"
    )


def latest_table(charts_by_place: dict[str, spc.Chart], indicator: str) -> pl.DataFrame:
    """One row per place (England, a region): the latest quarter, its value and what it shows."""
    spec = BY_NAME[indicator]
    rows = []
    for place, c in charts_by_place.items():
        latest = c.points[-1] if c.points else None
        rows.append(
            {
                "Where": place,
                "Latest quarter": None if latest is None else latest.period_end,
                f"{spec.label} ({spec.unit})": None if latest is None else display_value(spec, latest.value),
                "Quarters": len(c.points),
                "Latest quarter shows": c.icon_words,
                "Limits": {"none": "none (fewer than 6 quarters)", "trial": "trial (fewer than 12 quarters)"}.get(
                    c.limits_kind, "settled (12 or more quarters)"
                ),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)
