"""The Workforce profile page's tables, charts and sentences, from frames a Scope has already disclosed
(pswbench.access.scope.Scope.demographics). Streamlit-free; the page only lays them out.

Charts follow pswbench.reports.charts: the house template, NHS Blue for the place chosen, a second
colour and a hatch pattern for the comparison (never colour alone), units on the axes. Tables follow
pswbench.reports.tables: headings end in their unit, and a hidden cell reads "suppressed (<5)".
"""

from __future__ import annotations

import csv
from functools import cache

import plotly.graph_objects as go
import polars as pl

from pswbench.access.demographic_disclosure import COMBINED, COMBINED_LABEL
from pswbench.access.disclosure import SUPPRESSED_COL, SUPPRESSED_TEXT
from pswbench.paths import REFERENCE_DIR
from pswbench.reports.charts import DARK, GREY, NHS_BLUE, PALETTE, figure
from pswbench.reports.definitions import ETHNICITY_REFERENCE_SOURCE
from pswbench.returns.contract import DEMOGRAPHIC_DIMENSIONS, NOT_STATED

SHARE_UNIT = "% of PSWs whose category is stated"
PEOPLE = "People (people)"
SHARE = f"Share of PSWs whose category is stated ({SHARE_UNIT})"
SHARE_OF_ALL = "Share of all PSWs (% of PSWs)"
ENGLAND_SHARE = "England population, Census 2021 (% of usual residents)"
REFERENCE_FILE = REFERENCE_DIR / "census2021_ethnic_group_england.csv"
ETHNIC = "ethnic_group"
NO_REGIONAL_REFERENCE = (
    "Regional population figures by ethnic group are not available in this service, so every place is "
    "set against England's population."
)
SUPPRESSION_NOTE = (
    f'"{SUPPRESSED_TEXT}" marks a category of 1 to 4 people, and also a larger one hidden with it so that '
    "the small one cannot be worked out from the total."
)


@cache
def england_ethnic_mix() -> dict[str, float]:
    """England's usual residents by high-level ethnic group (Census 2021), category -> share (0 to 1)."""
    with open(REFERENCE_FILE, encoding="utf-8", newline="") as fh:
        return {row["category"]: float(row["share_of_england"]) for row in csv.DictReader(fh)}


def dimension_label(dimension: str) -> str:
    return DEMOGRAPHIC_DIMENSIONS.get(dimension, (dimension, ()))[0]


def _rows(df: pl.DataFrame, dimension: str) -> pl.DataFrame:
    return df.filter(pl.col("dimension") == dimension)


def _label(category: str, label: str) -> str:
    return COMBINED_LABEL if category == COMBINED else label


def place_words(level: str, name: str) -> str:
    return "England" if level == "national" else name


def place_option(place: tuple[str, str, str]) -> str:
    """A (level, code, name) of Scope.demographic_places as the place picker words it."""
    level, _code, name = place
    return {"national": "England", "region": f"Region: {name}"}.get(level, f"Trust: {name}")


def dimension_table(df: pl.DataFrame, dimension: str) -> pl.DataFrame:
    """Category, people and share of stated, one row per category in the return's order; a cell hidden
    by disclosure control is named in the row's `suppressed` list (tables.py writes the marker). A
    frame with no counts (a board member's own trust) has no people column."""
    part = _rows(df, dimension)
    with_people = part["headcount"].is_not_null().any()
    rows = []
    for r in part.iter_rows(named=True):
        hidden = [PEOPLE, SHARE] if r["suppressed"] else []
        if not r["suppressed"] and r["share_of_stated"] is None and r["category"] != NOT_STATED:
            hidden.append(SHARE)  # withheld with the not-stated count (docs/disclosure.md)
        combined = r["category"] == COMBINED
        share = None if r["share_of_stated"] is None else r["share_of_stated"] * 100
        row = {"Category": _label(r["category"], r["category_label"])}
        if with_people:
            row[PEOPLE] = r["headcount"]
        row[SHARE] = None if combined else share
        row[SHARE_OF_ALL] = share if combined else None
        row[SUPPRESSED_COL] = [h for h in hidden if h in row]
        row["missing"] = "not applicable"  # a share of stated for not stated, a share of all for the rest
        rows.append(row)
    out = pl.DataFrame(
        rows,
        schema={
            "Category": pl.String,
            **({PEOPLE: pl.Int64} if with_people else {}),
            SHARE: pl.Float64,
            SHARE_OF_ALL: pl.Float64,
            SUPPRESSED_COL: pl.List(pl.String),
            "missing": pl.String,
        },
    )
    if out[SHARE_OF_ALL].is_null().all():
        out = out.drop(SHARE_OF_ALL)
    return out


def not_stated_words(df: pl.DataFrame, dimension: str) -> str:
    """The not-stated share as a data quality measure, in a sentence."""
    part = _rows(df, dimension)
    if part.height == 0:
        return "No figures."
    share, total = part["not_stated_share"][0], part["total_headcount"][0]
    of = f" of {total:,} PSWs" if total is not None else ""
    if share is None:
        return f"Not stated: {SUPPRESSED_TEXT}{of}."
    return f"Not stated: {share:.1%}{of} (a data quality measure: lower is better)."


def _chart_rows(part: pl.DataFrame) -> tuple[list[str], list[float | None]]:
    shown = part.filter(~pl.col("category").is_in([NOT_STATED, COMBINED]))
    labels, values = [], []
    for r in shown.iter_rows(named=True):
        hidden = r["share_of_stated"] is None
        labels.append(f"{r['category_label']} ({SUPPRESSED_TEXT})" if hidden else r["category_label"])
        values.append(r["share_of_stated"])
    return labels, values


def shares_chart(
    df: pl.DataFrame, dimension: str, name: str, compare: pl.DataFrame | None = None, compare_name: str = "England"
) -> go.Figure:
    """Horizontal bars of each category's share of the PSWs whose category is stated; the place in NHS
    Blue, a comparison (England, for a trust's own figures) hatched in a second colour beside it."""
    labels, values = _chart_rows(_rows(df, dimension))
    traces = [_bar(labels, values, name, NHS_BLUE, "")]
    if compare is not None and compare.height:
        by_label = dict(zip(*_chart_rows(_rows(compare, dimension))))
        # Match on the plain category label: the comparison may hide a category the place shows.
        plain = [label.removesuffix(f" ({SUPPRESSED_TEXT})") for label in labels]
        others = {k.removesuffix(f" ({SUPPRESSED_TEXT})"): v for k, v in by_label.items()}
        traces.append(_bar(labels, [others.get(p) for p in plain], compare_name, PALETTE[1], "/"))
    return _layout(figure(*traces), f"{dimension_label(dimension)}<br>{name}", SHARE_UNIT, len(labels))


def ethnic_chart(df: pl.DataFrame, name: str) -> go.Figure:
    """The ethnic mix of the place's PSWs (share of stated) beside England's population (Census 2021)."""
    part = _rows(df, ETHNIC).filter(~pl.col("category").is_in([NOT_STATED, COMBINED]))
    labels, values = _chart_rows(part)
    mix = england_ethnic_mix()
    england = [mix.get(c) for c in part["category"]]
    fig = figure(
        _bar(labels, values, f"PSWs: {name} ({SHARE_UNIT})", NHS_BLUE, ""),
        _bar(labels, england, "England population, Census 2021 (% of usual residents)", GREY, "x"),
    )
    return _layout(fig, f"Ethnic group of PSWs, {name},<br>against England's population", "% of people", len(labels))


def ethnic_table(df: pl.DataFrame) -> pl.DataFrame:
    """The data behind ethnic_chart: each group's share of PSWs (of stated) and of England's population."""
    part = _rows(df, ETHNIC).filter(~pl.col("category").is_in([NOT_STATED, COMBINED]))
    mix = england_ethnic_mix()
    rows = []
    for r in part.iter_rows(named=True):
        share = r["share_of_stated"]
        rows.append(
            {
                "Ethnic group": r["category_label"],
                SHARE: None if share is None else share * 100,
                ENGLAND_SHARE: None if r["category"] not in mix else mix[r["category"]] * 100,
                SUPPRESSED_COL: [SHARE] if share is None else [],
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "Ethnic group": pl.String,
            SHARE: pl.Float64,
            ENGLAND_SHARE: pl.Float64,
            SUPPRESSED_COL: pl.List(pl.String),
        },
    )


def reference_source() -> str:
    return f"England's population: {ETHNICITY_REFERENCE_SOURCE}. {NO_REGIONAL_REFERENCE}"


def _bar(labels: list[str], values: list[float | None], name: str, colour: str, pattern: str) -> go.Bar:
    return go.Bar(
        y=labels,
        x=values,
        name=name,
        orientation="h",
        marker=dict(color=colour, pattern=dict(shape=pattern), line=dict(color=DARK, width=1)),
        text=["" if v is None else f"{v:.1%}" for v in values],
        textposition="outside",
        outsidetextfont=dict(color=DARK),
        cliponaxis=False,
        hovertemplate="%{y}: %{x:.1%}<extra>" + name + "</extra>",
    )


def _layout(fig: go.Figure, title: str, x_title: str, n: int) -> go.Figure:
    # The legend sits at the foot of the figure (in pixels below the axis title, not a share of a plot
    # whose height changes with the categories, which let it cover the axis title on a short chart).
    legend_px = 30 * len(fig.data) if len(fig.data) > 1 else 0
    # Each bar at least as tall as its 14 px label, with a gap between a category's bars, so a label drawn
    # past the end of its bar never sits over the hatched bar beside it (SVG text contrast).
    per_category = 45 if len(fig.data) == 1 else 64
    fig.update_layout(
        title=title,
        barmode="group",
        bargroupgap=0.1,
        height=140 + per_category * max(n, 1) + legend_px,
        font=dict(family="Arial, sans-serif", size=14, color=DARK),
        margin=dict(l=60, r=40, t=80, b=60 + legend_px),  # a two-line title: the dimension, then the place
        legend=dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
    )
    fig.update_xaxes(title=x_title, tickformat=".0%", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", title=None)  # the return's order, top to bottom
    return fig
