"""What the annual sections (demographics, organisational conditions) share: their result's shape, the
trust and period every row carries, the workforce total they are checked against, and reading a count.

The workforce section's rules run in Great Expectations over thousands of rows; an annual section is a
few dozen rows at most, checked here in plain Python so each message can say what the rule is about
(a dimension's sum, the trust's total headcount and where it came from).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from pswbench.returns import contract, cross_checks
from pswbench.returns.findings import Finding, error, lines_text

MAX_COUNT = 100_000  # as the workforce section's headcount (validation/return_rows_suite.json)


@dataclass(frozen=True)
class WorkforceTotal:
    headcount: int  # the trust's total PSW headcount for the quarter
    source: str  # "upload" (a valid workforce section of the same upload) or "loaded" (the current version)
    version: int | None  # the loaded version, when source == "loaded"

    def said(self) -> str:
        """Where the total came from, for a message: 'the workforce section of this upload'."""
        if self.source == "loaded":
            return f"the loaded workforce section, version {self.version}"
        return "the workforce section of this upload"


@dataclass
class SectionCheck:
    findings: list[Finding] = field(default_factory=list)
    clean: pl.DataFrame | None = None
    trust_code: str | None = None
    period_end: dt.date | None = None
    rows: int = 0


def section_identity(frame: pl.DataFrame) -> tuple[str | None, dt.date | None]:
    """The trust code and period of a raw section frame, when every row gives the same readable one."""
    codes = {contract.strip_invisible(c).upper() for c in frame["trust_code"].drop_nulls()}
    periods = {contract.parse_period(p) for p in frame["period_end"].drop_nulls()}
    code = codes.pop() if len(codes) == 1 else None
    period = periods.pop() if len(periods) == 1 else None
    return code, period


def shown(value: str | None) -> str:
    """A cell as a message quotes it: invisible characters named, blank said."""
    return "blank" if value is None else contract.invisible_shown(value)


def _by_value(frame: pl.DataFrame, column: str) -> dict[str | None, list[int]]:
    """The lines of each value of a per-file column, in order of first appearance."""
    out: dict[str | None, list[int]] = {}
    for line, value in frame.select("line", column).iter_rows():
        out.setdefault(value, []).append(int(line))
    return out


def _period_problem(value: str, lines: list[int], today: dt.date) -> Finding | None:
    """What is wrong with a period_end of an annual section and what to do, or None when it is right."""
    annual = f"{contract.ANNUAL_DAY} September"
    example = contract.example_period(value, None, today)
    example = dt.date(example.year, contract.ANNUAL_MONTH, contract.ANNUAL_DAY)
    write = f"write it as {example.isoformat()} or {contract.uk_date(example)}"
    said = f"period_end '{shown(value)}' on {lines_text(lines)}"
    where = {"line": lines[0], "column": "period_end", "value": value}
    advice = contract.invisible_advice(value)
    if contract.non_ascii_numerals(value):
        return error(
            "non_ascii_digit",
            f"{said} is written with digits other than 0-9: type the date with the digits 0-9; {write}.",
            **where,
        )
    if not re.match(contract.DATE_TEXT, value):
        if contract.time_of_day(value):
            return error(
                "date_has_time",
                f"{said} has a time of day, {contract.time_of_day(value)}: {write}, without the time.",
                **where,
            )
        return error("bad_date", f"{said} is not a date we can read: {write}.{advice}", **where)
    period = contract.parse_period(value)
    if period is None:
        return error(
            "not_a_real_date",
            f"{said} is not a real date: {contract.date_problem(value)}. {write.capitalize()}.",
            **where,
        )
    if not contract.is_quarter_end(period):
        return error(
            "not_quarter_end",
            f"{said} is not a quarter end: this section is for the quarter ending {annual}; {write}.",
            **where,
        )
    if not contract.is_annual_period(period):
        return error(
            "not_annual_period",
            f"{said} is the quarter ending {period:%d %B %Y}, but this section is for the quarter ending {annual} "
            f"only: if its figures are for {annual}, {write}; otherwise leave the section out of this quarter's "
            "upload.",
            **where,
        )
    if period > today:
        return error(
            "period_in_future", f"{said} is in the future: a return reports a quarter that has ended.", **where
        )
    return None


def _mixed(column: str, values: dict[str, list[int]]) -> str:
    listed = ", ".join(f"'{shown(v)}' (first on line {lines[0]})" for v, lines in values.items())
    return (
        f"The section holds more than one {column}: {listed}. A return is for one trust and one quarter: give "
        "every row the same value."
    )


def _first_other(values: dict[str, list[int]], column: str) -> dict:
    """Where a mixed per-file column is reported: the first line of its second value."""
    second = list(values)[1]
    return {"line": values[second][0], "column": column, "value": second}


def identity_findings(
    frame: pl.DataFrame, trust_reference: cross_checks.TrustReference | None, today: dt.date
) -> tuple[list[Finding], str | None, dt.date | None]:
    """The rules on trust_code and period_end: each given, one trust and one 30 September quarter in every
    row, the trust known and open then. The same wrong value on several lines is one finding naming them."""
    found: list[Finding] = []
    codes = _by_value(frame, "trust_code")
    periods = _by_value(frame, "period_end")
    for column, values in (("trust_code", codes), ("period_end", periods)):
        if None in values:
            lines = values.pop(None)
            found.append(
                error(
                    "required_value",
                    f"{column} is blank on {lines_text(lines)}: every row needs a value here.",
                    line=lines[0],
                    column=column,
                )
            )
    upper: dict[str, list[int]] = {}
    for code, lines in codes.items():
        upper.setdefault(code.upper(), []).extend(lines)
    if len(upper) > 1:
        found.append(error("mixed_trust_codes", _mixed("trust_code", upper), **_first_other(upper, "trust_code")))
    if len(periods) > 1:
        found.append(error("mixed_periods", _mixed("period_end", periods), **_first_other(periods, "period_end")))
    period = None
    for value, lines in periods.items():
        problem = _period_problem(value, lines, today)
        if problem is None:
            period = contract.parse_period(value)
        else:
            found.append(problem)
    code = next(iter(upper)) if len(upper) == 1 else None
    if len(periods) > 1:
        period = None
    if code is not None:
        found += cross_checks.trust_known_and_open(code, period, upper[code][0], trust_reference)
    return found, code, period


def no_total(section: str, frame: pl.DataFrame, code: str | None, period: dt.date | None) -> Finding:
    """The annual sections are checked against the trust's workforce total for the same quarter."""
    quarter = f"{code or 'the trust'} for the quarter ending {period:%d %B %Y}" if period else "the same quarter"
    return error(
        "no_workforce_total",
        f"The {contract.SECTION_LABELS[section]} section (from line {int(frame['line'][0])}) can only be checked "
        f"against the trust's total PSW headcount, and there is no valid workforce section for {quarter}, in "
        "this upload or loaded before. Send the workforce section for the same quarter first, or with it in "
        "the same upload.",
        line=int(frame["line"][0]),
        column="trust_code",
        value=f"{code} {period.isoformat() if period else ''}".strip(),
    )


def count(value: str | None, line: int, column: str, what: str = "people") -> tuple:
    """(the whole number >= 0 in a cell, or None; the finding when it is not one, or None)."""
    if value is None:
        return None, error(
            "required_value",
            f"{column} is blank on line {line}: every row needs a value here (use 0 where there is none).",
            line=line,
            column=column,
        )
    advice = contract.invisible_advice(value)
    if contract.non_ascii_numerals(value):
        typed = contract.in_ascii_digits(value)
        return None, error(
            "non_ascii_digit",
            f"{column} '{shown(value)}' on line {line} is written with digits other than 0-9: type the number "
            f"with the digits 0-9{f', as {typed}' if typed else ''}.",
            line=line,
            column=column,
            value=value,
        )
    if not re.match(contract.WHOLE_NUMBER_TEXT, value):
        return None, error(
            "not_a_whole_number",
            f"{column} '{shown(value)}' on line {line} is not a whole number: count {what}, e.g. 3.{advice}",
            line=line,
            column=column,
            value=value,
        )
    number = int(value.split(".")[0])
    if number < 0:
        return None, error(
            "negative_value",
            f"{column} {value} on line {line} is negative: enter 0 or more.",
            line=line,
            column=column,
            value=value,
        )
    if number > MAX_COUNT:
        return None, error(
            "value_too_large",
            f"{column} {value} on line {line} is far larger than any real figure (at most {MAX_COUNT:,}): check "
            "the value and its column.",
            line=line,
            column=column,
            value=value,
        )
    return number, None
