"""Builders for small returns in tests: import them with `from returns_kit import ...`."""

from __future__ import annotations

import datetime as dt

from pswbench.returns import contract

# A fixed "today" so rules about dates do not drift with the calendar.
TODAY = dt.date(2026, 11, 25)

_VALID = (
    # service_setting, afc_band, headcount, wte, vacancy, sickness, fte_days (x 92 days), leavers, joiners,
    # bank, agency, notes
    ("adult_community", "3", "12", "9.60", "1.20", "45.93", "883.20", "1", "1", "0.40", "0.00", ""),
    ("adult_community", "4", "18", "15.20", "2.00", "65.72", "1398.40", "1", "2", "0.80", "", ""),
    ("crisis", "4", "8", "6.80", "1.00", "27.53", "625.60", "1", "0", "", "0.00", "Two posts out to advert"),
)


def valid_rows(n: int = 3, trust_code: str = "RX4", period_end: str = "2025-09-30") -> list[dict[str, str]]:
    """n (1-3) rows of a valid return as {column: text}, in template column order."""
    assert 1 <= n <= len(_VALID)
    names = contract.COLUMNS[2:]
    return [{"trust_code": trust_code, "period_end": period_end, **dict(zip(names, row))} for row in _VALID[:n]]


def csv_bytes(
    rows: list[dict[str, str]],
    header: list[str] | tuple[str, ...] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> bytes:
    """Rows as CSV bytes. header: the names written (default: the template columns); a name not
    in a row's keys writes a blank cell, and a header name is looked up case/space-insensitively."""
    header = list(header or contract.COLUMNS)

    def cell(text: str) -> str:
        # Quote like Excel: a delimiter, quotation mark, CR or LF (csv.writer misses a CR with lineterminator "\n").
        if any(ch in text for ch in (delimiter, '"', "\r", "\n")):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [header] + [[row.get(h.strip().lower(), "") for h in header] for row in rows]
    return "".join(delimiter.join(cell(c) for c in line) + line_end for line in lines).encode(encoding)
