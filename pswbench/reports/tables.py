"""How every table is shown and downloaded: headings in words with their unit, one number format per
unit, and a missing value said in words.

Streamlit-free. pswbench.app.ui.table passes every frame through `screen` (what st.dataframe shows)
and `export_rows` (what the CSV and XLSX downloads hold), so no page formats a table itself.

* Headings: an indicator column is named from the registry (reports.definitions: "label (unit)"), any
  other known field from HEADINGS, and a heading that already ends in "(unit)" is kept.
* Numbers, one rule per unit (FORMATS): people and other counts as whole numbers with thousands
  separators; WTE (and WTE per 100,000 people) with 1 decimal; WTE per head with 2; rates as
  percentages with 1 decimal; changes in percentage points with 1 decimal and a sign. A table with a
  "Unit" column (one indicator per row) formats each row by its unit.
* Missing values: a value hidden by disclosure control (the row's `suppressed` list names its column,
  by field name or heading) reads SUPPRESSED_TEXT; any other missing value reads the row's `missing`
  text if the frame has one, else its column's (HEADINGS), else NO_DATA.
* On screen, a column with one unit and no missing value stays a number (sortable), formatted by
  st.column_config; any other is shown as text formatted by the same rule. In downloads a number is
  always a number (rounded to its unit's decimals, an integer as an integer) and only a missing cell
  holds text: the marker. docs/disclosure.md says so for users.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from pswbench.access.disclosure import SUPPRESSED_COL, SUPPRESSED_TEXT
from pswbench.reports.definitions import BY_NAME

NO_DATA = "no data"
MISSING_COL = "missing"  # optional: per row, what a missing value in that row means
UNIT_COL = "Unit"  # a table with one indicator per row names each row's unit here
INTERNAL = (SUPPRESSED_COL, MISSING_COL, "is_own", "_hidden")


@dataclass(frozen=True)
class Format:
    decimals: int
    percent: bool = False  # the value is in percent and shown with a % sign
    signed: bool = False  # a change: "+1.2"
    grouped: bool = True  # thousands separators
    scale: float = 1  # a rate held as a fraction (0.084) is shown as 8.4%

    def text(self, value: float) -> str:
        value = value * self.scale
        body = f"{value:{'+' if self.signed else ''}{',' if self.grouped else ''}.{self.decimals}f}"
        return body + ("%" if self.percent else "")

    def number(self, value: float) -> int | float:
        value = round(value * self.scale, self.decimals)
        return int(value) if self.decimals == 0 else value

    def column_config(self) -> tuple[str, float]:
        """(format, step) for st.column_config.NumberColumn: the same text in the browser."""
        if self.percent or self.signed or not self.grouped:
            return f"%{'+' if self.signed else ''}.{self.decimals}f{'%%' if self.percent else ''}", 10**-self.decimals
        return "localized", 10**-self.decimals


WHOLE = Format(0)
PLAIN = Format(0, grouped=False)  # identifiers and version numbers: 1234, not 1,234
FORMATS = {
    "people": WHOLE,
    "people, averaged": Format(1),  # an average of two headcounts is often a half: 39.5, not 40
    "number": WHOLE,
    "trusts": WHOLE,
    "days": Format(1),
    "WTE": Format(1),
    "WTE per 100,000 people": Format(1),
    "WTE per head": Format(2),
    "percentage points": Format(1, signed=True),
    "percentile": WHOLE,
    "standard deviations": Format(2),  # z-scores
}


def unit_format(unit: str | None) -> Format | None:
    """The format of a unit: '% of ...' is a percentage (in percent units), the rest from FORMATS."""
    if unit is None:
        return None
    if unit.startswith("%"):
        return Format(1, percent=True)
    if unit.startswith("change in "):
        inner = unit_format(unit.removeprefix("change in "))
        return inner and Format(inner.decimals, inner.percent, signed=True, grouped=inner.grouped)
    return FORMATS.get(unit) or next((f for u, f in FORMATS.items() if unit.endswith(f"({u})")), None)


# Field name -> (heading, format, what a missing value means). Indicators come from the registry.
HEADINGS: dict[str, tuple[str, Format | None, str]] = {
    "period_end": ("Quarter ending", None, NO_DATA),
    "n_trusts": ("Trusts in the figures (number)", WHOLE, NO_DATA),
    "n_left_out": ("Trusts left out, fewer than 5 PSWs (number)", WHOLE, NO_DATA),
    "trust_code": ("Trust code", None, NO_DATA),
    "trust_name": ("Trust", None, NO_DATA),
    "label": ("Trust", None, NO_DATA),
    "region_code": ("Region code", None, NO_DATA),
    "region_name": ("Region", None, NO_DATA),
    "submitted_at": ("Submitted at", None, "not recorded"),
    "submitted_by": ("Submitted by", None, "not recorded"),
    "file_name": ("File", None, "not recorded"),
    "status": ("Status", None, "not recorded"),
    "version": ("Version (accepted returns only)", PLAIN, "none (not accepted)"),
    "current_version": ("Current version", PLAIN, "none accepted"),
    "accepted_at": ("Accepted at", None, "none accepted"),
    "accepted_by": ("Accepted by", None, "none accepted"),
    "attempts": ("Uploads (number)", WHOLE, "0"),
    "rejected_attempts": ("Uploads rejected (number)", WHOLE, "0"),
    "last_attempt_at": ("Last upload at", None, "no upload"),
    "error_count": ("Errors (number)", WHOLE, "not recorded"),
    "warning_count": ("Warnings (number)", WHOLE, "not recorded"),
    "submission_id": ("Submission", PLAIN, NO_DATA),
    "row_count": ("Data rows (number)", WHOLE, "not recorded"),
    "rule": ("Rule", None, NO_DATA),
    "severity": ("Severity", None, NO_DATA),
    "findings": ("Findings (number)", WHOLE, NO_DATA),
    "submissions": ("Uploads with the finding (number)", WHOLE, NO_DATA),
    "example_message": ("Most recent message", None, NO_DATA),
    "service_setting": ("Service setting", None, NO_DATA),
    "afc_band": ("AfC band", None, NO_DATA),
    "column": ("Column", None, NO_DATA),
    "old": ("Before", None, "(blank)"),
    "new": ("After", None, "(blank)"),
    "sickness_fte_days_lost": ("FTE days lost to sickness (days)", Format(1), "not recorded"),
    "fte_days_available": ("FTE days available (days)", Format(1), "not recorded"),
    "leavers_headcount": ("Leavers (people)", WHOLE, "not recorded"),
    "joiners_headcount": ("Joiners (people)", WHOLE, "not recorded"),
    "bank_wte": ("Bank WTE (WTE)", Format(1), "not recorded"),
    "agency_wte": ("Agency WTE (WTE)", Format(1), "not recorded"),
    "notes": ("Notes", None, ""),
}
_BY_HEADING = {f"{i.label} ({i.unit})": i for i in BY_NAME.values()}


@dataclass(frozen=True)
class Column:
    name: str  # as in the frame
    heading: str
    format: Format | None  # None: text, a date, or per row by the Unit column
    missing: str


def column(name: str, dtype: pl.DataType) -> Column:
    """How one column is headed, formatted and its missing values worded."""
    spec = BY_NAME.get(name)
    if spec is not None:
        fmt = unit_format(spec.unit)
        scaled = Format(fmt.decimals, fmt.percent, scale=100) if spec.is_rate else fmt
        return Column(name, f"{spec.label} ({spec.unit})", scaled, NO_DATA)
    if name in HEADINGS:
        heading, fmt, missing = HEADINGS[name]
        return Column(name, heading, fmt if dtype.is_numeric() else None, missing)
    unit = re.search(r"\(([^()]*)\)$", name)
    fmt = unit_format(unit.group(1)) if unit else None
    if fmt is None and dtype.is_integer():
        fmt = WHOLE
    heading = name if " " in name or not name.islower() else name.replace("_", " ").capitalize()
    return Column(name, heading, fmt if dtype.is_numeric() else None, NO_DATA)


def _columns(df: pl.DataFrame) -> list[Column]:
    return [column(n, t) for n, t in df.schema.items() if n not in INTERNAL]


def _row_missing(row: dict, col: Column) -> str:
    hidden = row.get(SUPPRESSED_COL) or ()
    if col.name in hidden or col.heading in hidden:
        return SUPPRESSED_TEXT
    if row.get(MISSING_COL):
        return row[MISSING_COL]
    return col.missing


def _cell_format(row: dict, col: Column, dtype: pl.DataType) -> Format | None:
    if col.format is not None or not dtype.is_numeric():
        return col.format
    if UNIT_COL in row:  # one indicator per row: its unit
        return unit_format(row[UNIT_COL]) or Format(2)
    return Format(2) if dtype.is_float() else WHOLE


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _as_text(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_text_on_screen(df: pl.DataFrame, col: Column) -> bool:
    """A column shown as text: it has a missing value, or its unit changes from row to row."""
    series = df[col.name]
    missing = series.null_count() > 0 or (series.dtype.is_float() and series.is_nan().any())
    return missing or (col.format is None and series.dtype.is_numeric())


def screen(df: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, dict]]:
    """The frame st.dataframe shows, and its column_config as keyword arguments per column: headings
    in words, numbers per unit, missing values in words. Column names stay unique."""
    cols = _columns(df)
    rows = df.to_dicts() if any(_is_text_on_screen(df, c) for c in cols) else []
    out, config = {}, {}
    for c in cols:
        series = df[c.name]
        if _is_text_on_screen(df, c):
            texts = []
            for row in rows:
                v = row[c.name]
                if _is_missing(v):
                    texts.append(_row_missing(row, c))
                else:
                    fmt = _cell_format(row, c, series.dtype)
                    texts.append(fmt.text(v) if fmt else _as_text(v))
            out[c.name] = pl.Series(c.name, texts, dtype=pl.String)
            right = series.dtype.is_numeric()
            config[c.name] = {"kind": "text", "label": c.heading, "alignment": "right" if right else None}
        elif c.format is not None:
            fmt, step = c.format.column_config()
            scaled = series * c.format.scale if c.format.scale != 1 else series
            out[c.name] = scaled.round(c.format.decimals) if scaled.dtype.is_float() else scaled
            config[c.name] = {"kind": "number", "label": c.heading, "format": fmt, "step": step}
        elif series.dtype == pl.Date:
            out[c.name] = series
            config[c.name] = {"kind": "date", "label": c.heading}
        else:
            out[c.name] = series
            config[c.name] = {"kind": "text", "label": c.heading, "alignment": None}
    return pl.DataFrame(out) if out else pl.DataFrame(), config


def export_rows(df: pl.DataFrame) -> tuple[list[str], Iterator[list[Any]]]:
    """The headings and rows a download holds: numbers as numbers at their unit's precision (an
    integer as an integer, a rate in percent as its heading says), a missing value as its marker."""
    cols = _columns(df)
    dtypes = df.schema

    def rows() -> Iterator[list[Any]]:
        for row in df.iter_rows(named=True):
            out = []
            for c in cols:
                v = row[c.name]
                if _is_missing(v):
                    out.append(_row_missing(row, c))
                    continue
                fmt = _cell_format(row, c, dtypes[c.name])
                out.append(fmt.number(v) if fmt is not None and isinstance(v, (int, float)) else v)
            yield out

    return [c.heading for c in cols], rows()
