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
# A header below title rows is looked for in this many rows that hold a value (blank rows are not counted).
HEADER_SEARCH_ROWS = 20

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
# How a setting is named on screen; the return itself holds the codes above.
SERVICE_SETTING_LABELS = {
    "adult_community": "Adult community",
    "adult_inpatient": "Adult inpatient",
    "crisis": "Crisis",
    "early_intervention": "Early intervention",
    "older_adults": "Older adults",
    "children_young_people": "Children and young people",
    "perinatal": "Perinatal",
    "forensic": "Forensic",
    "other": "Other",
}
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


# --- Version 2 of the return: up to three sections (docs/return-spec.md, "The return, version 2") ---
# A version 1 file is the workforce section alone; it stays valid for every quarter.
WORKFORCE, DEMOGRAPHICS, ORGANISATION = "workforce", "demographics", "organisation"
SECTIONS = (WORKFORCE, DEMOGRAPHICS, ORGANISATION)
# A workbook's sheet for each section; matched ignoring case, surrounding spaces and invisible characters.
SHEET_NAMES = {WORKFORCE: "Workforce", DEMOGRAPHICS: "Demographics", ORGANISATION: "Organisation"}
SECTION_LABELS = {WORKFORCE: "workforce", DEMOGRAPHICS: "demographics", ORGANISATION: "organisational conditions"}

# Demographics and organisation are annual: for the quarter ending 30 September only (the stocktake's
# snapshot date).
ANNUAL_MONTH, ANNUAL_DAY = 9, 30

# Workforce: today's columns plus `contacts` (optional column; blank = not recorded).
WORKFORCE_OPTIONAL_INTEGER_COLUMNS = ("contacts",)
WORKFORCE_COLUMNS = COLUMNS[:-1] + ("contacts", "notes")
WORKFORCE_OPTIONAL_COLUMNS = ("contacts", "notes")

DEMOGRAPHIC_COLUMNS = ("trust_code", "period_end", "dimension", "category", "headcount")
# dimension -> (its label, ((category code, the template's label), ...)) in template order.
DEMOGRAPHIC_DIMENSIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "age_band": (
        "Age band",
        (
            ("under_25", "Under 25"),
            ("25_34", "25 to 34"),
            ("35_44", "35 to 44"),
            ("45_54", "45 to 54"),
            ("55_64", "55 to 64"),
            ("65_and_over", "65 and over"),
            ("not_stated", "Not stated"),
        ),
    ),
    "gender": (
        "Gender",
        (("female", "Female"), ("male", "Male"), ("another_term", "Uses another term"), ("not_stated", "Not stated")),
    ),
    # The Census 2021 high-level ethnic groups.
    "ethnic_group": (
        "Ethnic group",
        (
            ("white", "White"),
            ("mixed", "Mixed or Multiple ethnic groups"),
            ("asian", "Asian or Asian British"),
            ("black", "Black, Black British, Caribbean or African"),
            ("other", "Other ethnic group"),
            ("not_stated", "Not stated"),
        ),
    ),
    "disability": ("Disability", (("yes", "Yes"), ("no", "No"), ("not_stated", "Not stated"))),
    "lived_experience": (
        "Kind of lived experience",
        (
            ("own", "Own experience of mental ill health"),
            ("carer", "As a family member or carer"),
            ("both", "Both"),
            ("not_stated", "Not stated"),
        ),
    ),
}
NOT_STATED = "not_stated"

ORGANISATION_COUNT_COLUMNS = (
    "teams_with_psw",
    "teams_with_single_psw",
    "psw_with_peer_supervision",
    "psw_with_accredited_training",
    "psw_with_peer_job_description",
    "bank_only_psw_headcount",
)
# Counts of PSWs in post that can be no more than the trust's total PSW headcount.
ORGANISATION_AT_MOST_HEADCOUNT = (
    "teams_with_psw",
    "psw_with_peer_supervision",
    "psw_with_accredited_training",
    "psw_with_peer_job_description",
)
ORGANISATION_COLUMNS = ("trust_code", "period_end") + ORGANISATION_COUNT_COLUMNS + ("peer_leadership_post", "notes")
ORGANISATION_OPTIONAL_COLUMNS = ("notes",)
YES_NO = ("yes", "no")

# The columns that tell a section apart (an unnamed sheet, or a CSV file, is identified by them).
SECTION_COLUMNS = {
    WORKFORCE: WORKFORCE_COLUMNS,
    DEMOGRAPHICS: DEMOGRAPHIC_COLUMNS,
    ORGANISATION: ORGANISATION_COLUMNS,
}
SECTION_OPTIONAL_COLUMNS = {
    WORKFORCE: WORKFORCE_OPTIONAL_COLUMNS,
    DEMOGRAPHICS: (),
    ORGANISATION: ORGANISATION_OPTIONAL_COLUMNS,
}


def section_required_columns(section: str) -> tuple[str, ...]:
    return tuple(c for c in SECTION_COLUMNS[section] if c not in SECTION_OPTIONAL_COLUMNS[section])


def is_annual_period(d: dt.date) -> bool:
    """The quarter the annual sections (demographics, organisation) are for: ending 30 September."""
    return (d.month, d.day) == (ANNUAL_MONTH, ANNUAL_DAY)


# Characters that cannot be seen: format characters (zero-width space and joiners, the byte-order
# mark, soft hyphen, word joiner, bidirectional marks) and the no-break and other odd spaces that
# paste in from web pages and PDFs. Codes, labels, headers, sheet names and yes/no are matched without them.
_ODD_SPACES = {"\u00a0", "\u2007", "\u202f", "\u3000"}


def is_invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ch in _ODD_SPACES


def strip_invisible(text: str) -> str:
    """text without invisible characters (see is_invisible), then without surrounding spaces."""
    return "".join(ch for ch in text if not is_invisible(ch)).strip()


def invisible_names(text: str) -> list[str]:
    """Each distinct invisible character in text by its Unicode name, in order: ['ZERO WIDTH SPACE']."""
    return list(dict.fromkeys(unicodedata.name(ch, f"U+{ord(ch):04X}") for ch in text if is_invisible(ch)))


def matching_key(text: str) -> str:
    """How codes, labels, sheet names and yes/no are compared: no invisible characters, no surrounding
    spaces, case ignored."""
    return strip_invisible(text).casefold()


@cache
def category_lookup() -> dict[str, dict[str, str]]:
    """dimension -> {matching key of a code or label: code}."""
    out: dict[str, dict[str, str]] = {}
    for dimension, (_label, categories) in DEMOGRAPHIC_DIMENSIONS.items():
        keys: dict[str, str] = {}
        for code, label in categories:
            keys[matching_key(code)] = code
            keys[matching_key(label)] = code
        out[dimension] = keys
    return out


@cache
def dimension_lookup() -> dict[str, str]:
    """{matching key of a dimension code or label: code}."""
    keys: dict[str, str] = {}
    for dimension, (label, _categories) in DEMOGRAPHIC_DIMENSIONS.items():
        keys[matching_key(dimension)] = dimension
        keys[matching_key(label)] = dimension
    return keys


def invisible_shown(text: str) -> str:
    """text with each invisible character written as its name in brackets, so a message can show it:
    '12\\u200b' -> '12[ZERO WIDTH SPACE]'."""
    if not any(is_invisible(ch) for ch in text):
        return text
    return "".join(f"[{unicodedata.name(ch, f'U+{ord(ch):04X}')}]" if is_invisible(ch) else ch for ch in text)


def invisible_advice(text: str | None) -> str:
    """A sentence for a message quoting text (through invisible_shown) that holds invisible characters;
    '' when it holds none."""
    names = invisible_names(text) if text else []
    if not names:
        return ""
    what = (
        f"an invisible character, [{names[0]}]"
        if len(names) == 1
        else "invisible characters: " + ", ".join(f"[{n}]" for n in names[:-1]) + f" and [{names[-1]}]"
    )
    return (
        f" The cell holds {what}, often pasted in with the value from a web page, e-mail or PDF: "
        "delete the cell's contents and type the value again."
    )


# A date with a time of day, as system exports and Excel's CSV write a date-time cell: 2026-09-30T00:00:00,
# 2026-09-30 00:00:00.000Z, 30/09/2026 00:00. At midnight it is read as its date; at any other time it is
# an error (date_has_time), because a quarter end is a day, not a moment in it.
_DATE_PART = r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"
_TIME_PART = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
_ZONE = r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"
DATE_TIME_TEXT = rf"^\s*(?:{_DATE_PART})[T ]\s*{_TIME_PART}\s*{_ZONE}\s*$"
_MIDNIGHT = re.compile(rf"^\s*({_DATE_PART})[T ]\s*0?0:00(?::00(?:\.0+)?)?\s*{_ZONE}\s*$", re.IGNORECASE)
_TIME_OF_DAY = re.compile(rf"[T ]\s*({_TIME_PART})\s*{_ZONE}\s*$")


def midnight_as_date(text: str) -> str:
    """'2026-09-30T00:00:00' -> '2026-09-30' (any date-time at midnight, as DATE_TIME_TEXT); any other
    text is returned as it is."""
    match = _MIDNIGHT.match(text)
    return match[1] if match else text


def time_of_day(text: str) -> str | None:
    """The time written after a date ('14:30:00' of '2026-09-30T14:30:00'), or None."""
    if not re.match(DATE_TIME_TEXT, text):
        return None
    match = _TIME_OF_DAY.search(text)
    return match[1] if match else None


_MONTH_NAMES = {name.lower(): n for n, name in enumerate(calendar.month_abbr) if name}


def example_period(value: str | None, file_period: dt.date | None, today: dt.date) -> dt.date:
    """A quarter end to show in a hint about a date: the file's own period when it has one, else the
    quarter of the year (and month) written in the value ('30-Sep-25' -> 2025-09-30), else the last
    quarter ended by today."""
    if file_period is not None:
        return file_period
    text = (value or "").strip()
    year = month = None
    if iso := re.search(r"(?<![0-9])((?:19|20)[0-9]{2})-([0-9]{1,2})(?![0-9])", text):
        year, month = int(iso[1]), int(iso[2])
    elif uk := re.search(r"(?<![0-9])[0-9]{1,2}/([0-9]{1,2})/((?:19|20)[0-9]{2})(?![0-9])", text):
        year, month = int(uk[2]), int(uk[1])
    else:
        if four := re.search(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])", text):
            year = int(four[1])
        elif two := re.search(r"[-/. ]([0-9]{2})$", text):
            year = 2000 + int(two[1])
        if named := re.search(r"(?i)\b(" + "|".join(_MONTH_NAMES) + r")", text):
            month = _MONTH_NAMES[named[1].lower()]
    if year is None:
        return quarter_ends(dt.date(today.year - 1, 1, 1), today)[-1]
    month = month if month is not None and 1 <= month <= 12 else ANNUAL_MONTH
    end_month = 3 * ((month - 1) // 3 + 1)
    return dt.date(year, end_month, calendar.monthrange(year, end_month)[1])


def uk_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


# Columns that hold a code or a yes/no: invisible characters are removed from them as the file is read.
CODE_COLUMNS = ("trust_code", "service_setting", "afc_band", "dimension", "category", "peer_leadership_post")
