"""The indicators of each theme of the return, for the CLI's `indicators --theme`: one place mapping a
theme (pswbench.reports.definitions.THEMES) to the function that gives its figures (con, level, period) ->
frame, over every trust (the CLI is an analyst's tool, as the marts are)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import polars as pl

from pswbench.reports import conditions, demographics, indicators

Figures = Callable[[duckdb.DuckDBPyConnection, str, dt.date | None], pl.DataFrame]

THEME_INDICATORS: dict[str, Figures] = {
    "workforce": indicators.indicators,
    "demographics": demographics.demographics,
    "organisation": conditions.conditions,
    "activity": lambda con, level, period: conditions.activity(con, level, period),
}
