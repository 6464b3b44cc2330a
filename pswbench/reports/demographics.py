"""Workforce demographics per trust, region and England for each 30 September, from sql/marts/demographics_*.sql.

All arithmetic lives in the SQL; this module loads those queries, binds the period and puts the rows in
the return's order of dimensions and categories (pswbench.returns.contract.DEMOGRAPHIC_DIMENSIONS), never
by value. Pooled figures are sums of people over sums, never means of trust shares. Nothing here knows who
is asking: pswbench.access.scope applies pswbench.access.demographic_disclosure.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pswbench.returns import contract
from pswbench.returns.contract import as_period
from pswbench.store.database import sql

LEVELS = ("trust", "region", "national")
_KEYS = {"trust": ["trust_code"], "region": ["region_code"], "national": []}

# (dimension, category) -> its place in the return, and its labels.
ORDER = pl.DataFrame(
    [
        (dim, label, code, cat_label, d * 100 + c)
        for d, (dim, (label, cats)) in enumerate(contract.DEMOGRAPHIC_DIMENSIONS.items())
        for c, (code, cat_label) in enumerate(cats)
    ],
    schema={
        "dimension": pl.String,
        "dimension_label": pl.String,
        "category": pl.String,
        "category_label": pl.String,
        "_order": pl.Int64,
    },
    orient="row",
)


def in_return_order(df: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Labels added and rows sorted by quarter, keys, then the return's order of categories. A category
    the return does not know sorts last, under its own code (never dropped)."""
    out = df.drop([c for c in ("dimension_label", "category_label") if c in df.columns]).join(
        ORDER, on=["dimension", "category"], how="left"
    )
    out = out.with_columns(
        pl.col("dimension_label").fill_null(pl.col("dimension")),
        pl.col("category_label").fill_null(pl.col("category")),
        pl.col("_order").fill_null(10**6),
    )
    return out.sort(["period_end", *keys, "_order", "category"]).drop("_order")


def _run(con: duckdb.DuckDBPyConnection, level: str, period: dt.date | None) -> pl.DataFrame:
    df = con.sql(sql(f"marts/demographics_{level}"), params={"period": as_period(period)}).pl()
    return in_return_order(df, _KEYS[level])


def demographics(
    con: duckdb.DuckDBPyConnection, level: str = "national", period: dt.date | None = None
) -> pl.DataFrame:
    """One row per quarter, place (trust, region or England) and category with a current demographics section."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return _run(con, level, period)


def periods(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The 30 September quarters with at least one current demographics section, latest first."""
    return [r[0] for r in con.sql(sql("queries/demographic_periods")).fetchall()]
