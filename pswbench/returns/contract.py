"""The quarterly return's data contract: columns, allowed values and limits.

docs/return-spec.md is the human-readable version of this module; keep them in step.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from functools import cache

EARLIEST_PERIOD = dt.date(2019, 9, 30)
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 10_000
MAX_NOTES_CHARS = 500
# What is read of any file, whatever it declares, so that every upload costs bounded work.
MAX_ROWS_READ = 100_000  # rows looked at, blank ones included (Excel keeps formatted empty rows)
MAX_COLUMNS = 100  # a value further right than this is refused; blank cells there are ignored
MAX_CELL_CHARS = 32_767  # the most an Excel cell can hold; no cell of a return needs more than notes

SERVICE_SETTINGS = (
    "adult_community",
    "adult_inpatient",
    "crisis",
    "early_intervention",
    "older_adults",
    "children_young_people",
    "perinatal",
    "forensic",
    "other",
)
AFC_BANDS = ("2", "3", "4", "5", "6", "7", "8a")

INTEGER_COLUMNS = ("headcount", "leavers_headcount", "joiners_headcount")
REQUIRED_DECIMAL_COLUMNS = (
    "wte_in_post",
    "vacancy_wte",
    "sickness_fte_days_lost",
    "fte_days_available",
)
OPTIONAL_DECIMAL_COLUMNS = ("bank_wte", "agency_wte")
NUMERIC_COLUMNS = INTEGER_COLUMNS + REQUIRED_DECIMAL_COLUMNS + OPTIONAL_DECIMAL_COLUMNS

# File order of the template.
COLUMNS = (
    "trust_code",
    "period_end",
    "service_setting",
    "afc_band",
    "headcount",
    "wte_in_post",
    "vacancy_wte",
    "sickness_fte_days_lost",
    "fte_days_available",
    "leavers_headcount",
    "joiners_headcount",
    "bank_wte",
    "agency_wte",
    "notes",
)
OPTIONAL_COLUMNS = ("notes",)
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)

_BAND = re.compile(r"^\s*(?:band\s*)?([2-7]|8a)\s*$", re.IGNORECASE)

# Numbers and dates are written with the ASCII digits 0-9 and nothing else. These patterns are the one
# definition: the suite (validation/return_rows_suite.json names them $NUMBER, $WHOLE_NUMBER, $DATE),
# the cast in gx_rules.prepare and parse_period all use them. Never \d: in Python, polars and pandas it
# also matches Arabic-Indic, full-width and other digits, which then pass the rules and cast to null.
NUMBER_TEXT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$"
WHOLE_NUMBER_TEXT = r"^[+-]?[0-9]+(?:\.0*)?$"
DATE_TEXT = (
    r"^(?:[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0?[1-9]|[12][0-9]|3[01])/(?:0?[1-9]|1[0-2])/[0-9]{4})$"
)
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
UK_DATE = re.compile(r"^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$")


def _is_numeral(ch: str) -> bool:
    return not "0" <= ch <= "9" and unicodedata.numeric(ch, None) is not None


@cache
def non_ascii_numeral_class() -> str:
    """A regex character class of every character Unicode gives a numeric value, except 0-9.

    Digits of other scripts (Arabic-Indic ١, Devanagari ४), full-width ３, superscripts ², fractions ½,
    Roman numerals Ⅻ, circled ⑤ and the like. Written as literal ranges, so Python's re, polars and
    pandas read it alike (Python's re has no \\p{N}).
    """
    points = [cp for cp in range(0x110000) if _is_numeral(chr(cp))]
    ranges, start, prev = [], points[0], points[0]
    for cp in points[1:] + [-1]:
        if cp == prev + 1:
            prev = cp
            continue
        ranges.append(chr(start) if start == prev else f"{chr(start)}-{chr(prev)}")
        start = prev = cp
    return "[" + "".join(ranges) + "]"


def non_ascii_numerals(text: str) -> list[str]:
    """The distinct characters of text that stand for a number but are not 0-9, in order."""
    return list(dict.fromkeys(ch for ch in text if _is_numeral(ch)))


def in_ascii_digits(text: str) -> str | None:
    """text with every other script's decimal digit written as 0-9 (١٢ -> 12, ３ -> 3); None when a
    numeral in it is not a plain decimal digit (², ½, Ⅻ), so there is no single right way to type it."""
    out = []
    for ch in text:
        if _is_numeral(ch):
            value = unicodedata.decimal(ch, None)
            if value is None:
                return None
            ch = str(value)
        out.append(ch)
    return "".join(out)


def normalise_band(raw: str | None) -> str | None:
    """'Band 4' -> '4', '8A' -> '8a'; None when it is not a band we know."""
    if raw is None:
        return None
    m = _BAND.match(raw)
    return m.group(1).lower() if m else None


def parse_period(raw: str | None) -> dt.date | None:
    """ISO 2025-09-30 or UK 30/09/2025; None for anything else."""
    if raw is None:
        return None
    text = raw.strip()
    try:
        if ISO_DATE.match(text):
            return dt.date.fromisoformat(text)
        if UK_DATE.match(text):
            d, m, y = (int(p) for p in text.split("/"))
            return dt.date(y, m, d)
    except ValueError:
        return None
    return None


def date_problem(raw: str) -> str:
    """Why a date-shaped text (it matches DATE_TEXT) is no real day, in words: 'September 2025 has 30 days'."""
    text = raw.strip()
    if ISO_DATE.match(text):
        y, m, d = (int(p) for p in text.split("-"))
    else:
        d, m, y = (int(p) for p in text.split("/"))
    if not 1 <= m <= 12:
        return f"there is no month {m}"
    days = calendar.monthrange(y, m)[1]
    return f"{calendar.month_name[m]} {y} has {days} days, so there is no day {d}"


def is_quarter_end(d: dt.date) -> bool:
    return d.month in (3, 6, 9, 12) and d.day == calendar.monthrange(d.year, d.month)[1]


def quarter_start(period_end: dt.date) -> dt.date:
    month = period_end.month - 2
    return dt.date(period_end.year, month, 1)


def days_in_quarter(period_end: dt.date) -> int:
    return (period_end - quarter_start(period_end)).days + 1


def quarter_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every quarter end from first to last inclusive."""
    out, y, q = [], first.year, (first.month - 1) // 3
    while True:
        month = 3 * (q + 1)
        d = dt.date(y, month, calendar.monthrange(y, month)[1])
        if d > last:
            return out
        if d >= first:
            out.append(d)
        q += 1
        if q == 4:
            y, q = y + 1, 0


def as_period(value) -> dt.date | None:
    """A period parameter as a date, or None; anything else is a programming error, said plainly."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise TypeError(f"period must be a datetime.date or None, not {type(value).__name__}")
