"""The organisational conditions of peer work (30 September) and contacts per PSW WTE (every quarter),
per trust, region and England.

All arithmetic lives in sql/marts/*_conditions.sql and *_activity.sql (formulas in
sql/macros/pool_conditions.sql and pool_activity.sql); this module loads those queries and binds the
period. Pooled figures are sums over sums. No access rule is applied here: pswbench.access.scope does that.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pswbench.returns.contract import as_period
from pswbench.store.database import sql

LEVELS = ("trust", "region", "national")


def _level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    return level


def conditions(con: duckdb.DuckDBPyConnection, level: str = "trust", period: dt.date | None = None) -> pl.DataFrame:
    """Each condition as a share with its numerator and denominator, per trust, region or England."""
    return con.sql(sql(f"marts/{_level(level)}_conditions"), params={"period": as_period(period)}).pl()


def activity(
    con: duckdb.DuckDBPyConnection, level: str = "trust", period: dt.date | None = None, by_setting: bool = False
) -> pl.DataFrame:
    """Contacts per PSW WTE with its coverage, per trust, region or England (code), over all settings
    (service_setting 'all') or per setting."""
    params = {"period": as_period(period), "by_setting": by_setting}
    return con.sql(sql(f"marts/{_level(level)}_activity"), params=params).pl()


def condition_periods(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    """The 30 Septembers with an organisation section loaded, newest first."""
    return [r[0] for r in con.execute(sql("queries/condition_periods")).fetchall()]


def pooled_conditions_over(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """Region and England conditions pooled over the given trust rows (shaped like trust_conditions)."""
    con.register("scope_condition_rows", rows.select(c for c, t in rows.schema.items() if not isinstance(t, pl.List)))
    return con.sql(sql("queries/pool_scope_conditions")).pl()


def pooled_activity_over(con: duckdb.DuckDBPyConnection, cells: pl.DataFrame) -> pl.DataFrame:
    """Trust, region and England activity pooled over the given trust-by-setting cells."""
    con.register("scope_activity_cells", cells.select(c for c, t in cells.schema.items() if not isinstance(t, pl.List)))
    return con.sql(sql("queries/pool_scope_activity")).pl()


def activity_cells(con: duckdb.DuckDBPyConnection, period: dt.date | None = None) -> pl.DataFrame:
    """Every trust's activity per service setting (the cells disclosure works on), as int_trust_activity."""
    return con.sql(sql("queries/activity_cells"), params={"period": as_period(period)}).pl()
