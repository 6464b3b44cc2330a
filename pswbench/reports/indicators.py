"""Benchmarking indicators per trust, region and England.

All arithmetic lives in sql/marts/*.sql over the current version of each return; this
module only loads those queries and binds the period. Pooled (region, national) figures are
sums of numerators over sums of denominators, never means of trust rates. A zero
denominator or missing data gives null, not zero. Quartiles, medians and percentile ranks are
worked out in one place, pswbench.access.scope (position_of), over the figures a user may see.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pswbench.reports import definitions
from pswbench.returns.contract import as_period
from pswbench.store.database import sql

# The indicator columns of every level, in the registry's order (pswbench.reports.definitions).
INDICATORS: tuple[str, ...] = tuple(i.name for i in definitions.INDICATORS)

LEVELS = ("trust", "region", "national")


def _run(con: duckdb.DuckDBPyConnection, name: str, period: dt.date | None) -> pl.DataFrame:
    return con.sql(sql(f"marts/{name}"), params={"period": as_period(period)}).pl()


def trust_indicators(con: duckdb.DuckDBPyConnection, period: dt.date | None = None) -> pl.DataFrame:
    """One row per trust and quarter with a current return; sorted by period_end, trust_code."""
    return _run(con, "trust_indicators", period)


def region_indicators(con: duckdb.DuckDBPyConnection, period: dt.date | None = None) -> pl.DataFrame:
    """One row per region and quarter with at least one current return; sorted by period_end, region_code."""
    return _run(con, "region_indicators", period)


def national_indicators(con: duckdb.DuckDBPyConnection, period: dt.date | None = None) -> pl.DataFrame:
    """One row per quarter with at least one current return; sorted by period_end."""
    return _run(con, "national_indicators", period)


def indicators(con: duckdb.DuckDBPyConnection, level: str = "trust", period: dt.date | None = None) -> pl.DataFrame:
    """trust_indicators, region_indicators or national_indicators by level."""
    if level == "trust":
        return trust_indicators(con, period)
    if level == "region":
        return region_indicators(con, period)
    if level == "national":
        return national_indicators(con, period)
    raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
