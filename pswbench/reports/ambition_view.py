"""The ambition section as pages show it: the table behind the chart and the regions' fair shares,
from pswbench.statistics.ambition via the user's Scope."""

from __future__ import annotations

import polars as pl

from pswbench.statistics.ambition import Ambition, Progress


def _pct(x: float | None) -> float | None:
    return None if x is None else round(x * 100, 1)


def _year(p: Progress, date) -> str | None:
    return None if date is None or p.is_past else str(date.year)


def progress_table(progress: list[Progress]) -> pl.DataFrame:
    rows = []
    for p in progress:
        a = p.ambition
        rows.append(
            {
                # The latest quarter is the row's one date: every figure in the row is of that quarter.
                "Latest quarter": p.period,
                "Ambition": f"{a.target:,.0f} PSWs by {a.target_label} ({a.target_date:%d %B %Y})",
                "Source": f"{a.source} ({a.source_kind} source)",
                "Confidence": a.confidence,
                "PSW headcount now (people)": p.value,
                "PSW WTE in post now (WTE)": p.wte,
                "Share of the ambition (%)": _pct(p.share_of_target),
                "Growth over the last four quarters (% a year)": _pct(p.annual_growth),
                "Growth needed to reach it on time (% a year)": None if p.is_past else _pct(p.growth_needed),
                # Years as text: a year is a name, not a number to add up (2035, not 2,035).
                "Year the trend reaches it": _year(p, p.reach_date),
                "Earliest year (fastest recent quarter)": _year(p, p.reach_earliest),
                "Latest year (slowest recent quarter)": _year(p, p.reach_latest),
                "missing": "target date passed" if p.is_past else "no figure",
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None)


def fair_share_table(target: Ambition, shares: pl.DataFrame) -> pl.DataFrame:
    return shares.select(
        pl.col("period_end").alias("Quarter ending"),  # the latest quarter, whatever quarter the page shows
        pl.col("region_name").alias("Region"),
        pl.col("population").alias("Population, Census 2021 (people)"),
        (pl.col("population_share") * 100).round(1).alias("Share of England's population (%)"),
        pl.col("value").alias("PSW headcount now (people)"),
        pl.col("fair_share_now").round(0).alias("Population share of England's headcount (people)"),
        pl.col("above_fair_share_now").round(0).alias("Above (+) or below (-) that share (change in people)"),
        pl.col("fair_share_of_ambition")
        .round(0)
        .alias(f"Population share of the {target.target_label} ambition (people)"),
        (pl.col("share_of_ambition") * 100).round(1).alias("Progress to that share (%)"),
    )
