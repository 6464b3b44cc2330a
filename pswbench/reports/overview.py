"""The Overview page's data: England's figures for a quarter with their change on the quarter and the year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pswbench.reports.definitions import BY_NAME
from pswbench.returns.contract import quarter_ends


@dataclass(frozen=True)
class Change:
    value: float | None
    value_text: str
    quarter_text: str | None  # change on the previous quarter, in units
    year_text: str  # change on the same quarter a year before
    delta_colour: str  # for st.metric: "normal", "inverse" or "off"
    unchanged: bool  # the change rounds to nothing: no arrow


def _shift(period: dt.date, quarters: int) -> dt.date | None:
    ends = quarter_ends(dt.date(period.year - 3, 1, 1), period)
    return ends[-1 - quarters] if len(ends) > quarters else None


def national_changes(series: pl.DataFrame, period: dt.date, names) -> dict[str, Change]:
    """Each indicator's value for the quarter with its change on the previous quarter and a year before."""
    by_period = {r["period_end"]: r for r in series.iter_rows(named=True)}
    now = by_period.get(period, {})
    prev = by_period.get(_shift(period, 1), {})
    year = by_period.get(_shift(period, 4), {})
    out = {}
    for name in names:
        spec = BY_NAME[name]
        q_diff = spec.format_change(_minus(now.get(name), prev.get(name)))
        y_diff = spec.format_change(_minus(now.get(name), year.get(name)))
        out[name] = Change(
            now.get(name),
            spec.format(now.get(name)),
            q_diff,
            f"{y_diff} on the same quarter a year before" if y_diff else "no figure for the same quarter a year before",
            spec.delta_colour,
            spec.is_zero_change(_minus(now.get(name), prev.get(name))),
        )
    return out


def _minus(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before
