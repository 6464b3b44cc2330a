"""Raw query results for the pages, before any access rule is applied.

Nothing here knows who is asking: pswbench.access.scope applies the access rules, and is the only module
the pages reach data through. The app wraps these
methods in a cache keyed by the data version, so a newly loaded return shows at once.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl

from pswbench.reports import conditions, demographics, indicators
from pswbench.returns.contract import as_period
from pswbench.store import database
from pswbench.store.database import sql


def _with_derived(df: pl.DataFrame) -> pl.DataFrame:
    """Columns the pages need beside the marts' own: funnel denominators and small-number bases."""
    if "headcount" not in df.columns:
        return df
    extra = [(pl.col("wte_in_post") + pl.col("vacancy_wte")).alias("establishment_wte")]
    if "leavers" in df.columns:
        # A leaver rate can reveal the number of leavers, so both counts must reach the threshold.
        extra += [
            pl.min_horizontal("headcount", "leavers").alias("leaver_basis"),
            pl.min_horizontal("headcount", "leavers_12m").alias("leaver_basis_12m"),
        ]
    return df.with_columns(extra)


class Queries:
    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con

    def _cur(self) -> duckdb.DuckDBPyConnection:
        # A cursor per call: DuckDB connections must not be shared between threads (sessions).
        return self._con.cursor()

    def data_version(self) -> int:
        with self._cur() as cur:
            return database.data_version(cur)

    def salt(self) -> str:
        with self._cur() as cur:
            return database.setting(cur, "peer_salt")

    def periods(self) -> list[dt.date]:
        with self._cur() as cur:
            return [r[0] for r in cur.execute(sql("queries/periods_loaded")).fetchall()]

    def trusts(self) -> pl.DataFrame:
        with self._cur() as cur:
            return cur.sql(sql("queries/trust_reference")).pl()

    def regions(self) -> pl.DataFrame:
        with self._cur() as cur:
            return cur.sql(sql("queries/regions")).pl()

    def ambitions(self) -> pl.DataFrame:
        with self._cur() as cur:
            return cur.sql(sql("queries/ambitions")).pl()

    def trust_indicators(self, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return _with_derived(indicators.trust_indicators(cur, period))

    def region_indicators(self, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return _with_derived(indicators.region_indicators(cur, period))

    def national_indicators(self, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return _with_derived(indicators.national_indicators(cur, period))

    def pooled_over(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Region and England figures pooled over the given trust rows (shaped like trust_indicators),
        by the same macro that pools every trust (sql/macros/pool_trusts.sql)."""
        source = rows.select(c for c, t in rows.schema.items() if not isinstance(t, pl.List))
        with self._cur() as cur:
            cur.register("scope_trust_rows", source)
            return _with_derived(cur.sql(sql("queries/pool_scope_trust_rows")).pl())

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of this connection, for the access-checked functions that take one."""
        return self._cur()

    def coverage(self, period: dt.date) -> pl.DataFrame:
        with self._cur() as cur:
            return cur.sql(sql("marts/submission_coverage"), params={"period": as_period(period)}).pl()

    # ---- organisational conditions and activity (issue 12) ---------------------------------------

    def condition_periods(self) -> list[dt.date]:
        with self._cur() as cur:
            return conditions.condition_periods(cur)

    def conditions(self, level: str, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return conditions.conditions(cur, level, period)

    def activity(self, level: str, period: dt.date | None = None, by_setting: bool = False) -> pl.DataFrame:
        with self._cur() as cur:
            return conditions.activity(cur, level, period, by_setting)

    def activity_cells(self, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return conditions.activity_cells(cur, period)

    def conditions_pooled_over(self, rows: pl.DataFrame) -> pl.DataFrame:
        with self._cur() as cur:
            return conditions.pooled_conditions_over(cur, rows)

    def activity_pooled_over(self, cells: pl.DataFrame) -> pl.DataFrame:
        with self._cur() as cur:
            return conditions.pooled_activity_over(cur, cells)

    # ---- demographics (issue 12): the annual demographics section's marts -----------------------

    def demographic_periods(self) -> list[dt.date]:
        with self._cur() as cur:
            return demographics.periods(cur)

    def demographics(self, level: str, period: dt.date | None = None) -> pl.DataFrame:
        with self._cur() as cur:
            return demographics.demographics(cur, level, period)
