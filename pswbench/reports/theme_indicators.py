"""The indicators of each theme of the return, for the CLI's `indicators --theme`: one place mapping a
theme to the function that gives its figures (con, level, period) -> frame, so a theme added later is one
entry here. Themes not yet built are absent, and the CLI says they are not available yet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import duckdb
import polars as pl

from pswbench.reports import demographics, indicators

THEMES = ("workforce", "demographics", "organisation", "activity")

Figures = Callable[[duckdb.DuckDBPyConnection, str, dt.date | None], pl.DataFrame]

THEME_INDICATORS: dict[str, Figures] = {
    "workforce": indicators.indicators,
    "demographics": demographics.demographics,
}
