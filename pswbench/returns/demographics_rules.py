"""The demographics section's rules: every dimension and each of its categories given once, as a code
or the template's label, with a headcount, and each dimension adding up to the trust's total PSW headcount.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pswbench.returns import contract, cross_checks
from pswbench.returns.findings import Finding, error, lines_text
from pswbench.returns.section_common import SectionCheck, WorkforceTotal, count, identity_findings, no_total, shown


def _named(code: str) -> str:
    return f"{code} ({contract.DEMOGRAPHIC_DIMENSIONS[code][0]})"


def _category_named(dimension: str, code: str) -> str:
    return f"{code} ({dict(contract.DEMOGRAPHIC_DIMENSIONS[dimension][1])[code]})"


def _code(lookup: dict[str, str], value: str) -> str | None:
    return lookup.get(contract.matching_key(value))


def check_demographics(
    frame: pl.DataFrame,
    total: WorkforceTotal | None,
    trust_reference: cross_checks.TrustReference | None = None,
    today: dt.date | None = None,
) -> SectionCheck:
    found, code, period = identity_findings(frame, trust_reference, today or dt.date.today())
    if total is None:
        found.append(no_total(contract.DEMOGRAPHICS, frame, code, period))
    dimensions = contract.dimension_lookup()
    categories = contract.category_lookup()
    valid_dimensions = ", ".join(_named(d) for d in contract.DEMOGRAPHIC_DIMENSIONS)
    rows: list[tuple[int, str, str, int]] = []  # (line, dimension, category, headcount) of the good rows
    lines_of: dict[str, list[int]] = {}  # dimension -> the lines that name it
    spoilt: set[str] = set()  # dimensions with a row of their own in error: their sum is not checked
    seen: dict[tuple[str, str], int] = {}
    for r in frame.iter_rows(named=True):
        line = int(r["line"])
        headcount, bad = count(r["headcount"], line, "headcount")
        if bad:
            found.append(bad)
        if r["dimension"] is None:
            found.append(_blank(line, "dimension", f"one of {valid_dimensions}"))
            continue
        dimension = _code(dimensions, r["dimension"])
        if dimension is None:
            found.append(
                error(
                    "unknown_dimension",
                    f"dimension '{shown(r['dimension'])}' on line {line} is not a dimension we know: use one of "
                    f"{valid_dimensions} (the code or the label).{contract.invisible_advice(r['dimension'])}",
                    line=line,
                    column="dimension",
                    value=r["dimension"],
                )
            )
            continue
        lines_of.setdefault(dimension, []).append(line)
        if bad:
            spoilt.add(dimension)
        valid_categories = ", ".join(
            _category_named(dimension, c) for c, _ in contract.DEMOGRAPHIC_DIMENSIONS[dimension][1]
        )
        if r["category"] is None:
            found.append(_blank(line, "category", f"for {_named(dimension)}, one of {valid_categories}"))
            spoilt.add(dimension)
            continue
        category = _code(categories[dimension], r["category"])
        if category is None:
            found.append(
                error(
                    "unknown_category",
                    f"category '{shown(r['category'])}' on line {line} is not a category of {_named(dimension)}: "
                    f"use one of {valid_categories} (the code or the label)."
                    f"{contract.invisible_advice(r['category'])}",
                    line=line,
                    column="category",
                    value=r["category"],
                )
            )
            spoilt.add(dimension)
            continue
        first = seen.setdefault((dimension, category), line)
        if first != line:
            found.append(
                error(
                    "duplicate_category",
                    f"Line {line} repeats {_named(dimension)} {_category_named(dimension, category)} from line "
                    f"{first}: give each category one row (add the headcounts together).",
                    line=line,
                    column="category",
                    value=r["category"],
                )
            )
            spoilt.add(dimension)
            continue
        if headcount is not None:
            rows.append((line, dimension, category, headcount))
    found += _completeness(frame, lines_of, seen, spoilt)
    if total is not None:
        found += _sums(rows, lines_of, spoilt, total)
    clean = None
    if not [f for f in found if f.severity == "error"]:
        clean = pl.DataFrame(
            {
                "line": [r[0] for r in rows],
                "trust_code": [code] * len(rows),
                "period_end": [period] * len(rows),
                "dimension": [r[1] for r in rows],
                "category": [r[2] for r in rows],
                "headcount": [r[3] for r in rows],
            },
            schema={
                "line": pl.Int64,
                "trust_code": pl.String,
                "period_end": pl.Date,
                "dimension": pl.String,
                "category": pl.String,
                "headcount": pl.Int32,
            },
        )
    return SectionCheck(found, clean, code, period, frame.height)


def _blank(line: int, column: str, what: str) -> Finding:
    return error("required_value", f"{column} is blank on line {line}: every row needs one, {what}.", line, column)


def _completeness(
    frame: pl.DataFrame, lines_of: dict[str, list[int]], seen: dict[tuple[str, str], int], spoilt: set[str]
) -> list[Finding]:
    out = []
    section_lines = lines_text(frame["line"].to_list())
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        lines = lines_of.get(dimension)
        if not lines:
            out.append(
                error(
                    "missing_dimension",
                    f"The section ({section_lines}) has no rows for dimension {_named(dimension)}: add one row for "
                    f"each of its categories ({', '.join(c for c, _ in categories)}), with headcount 0 where there "
                    f"is none and {contract.NOT_STATED} for people who did not say.",
                    column="dimension",
                    value=dimension,
                )
            )
            continue
        for category, _label in categories:
            if (dimension, category) not in seen:
                spoilt.add(dimension)
                out.append(
                    error(
                        "missing_category",
                        f"Dimension {_named(dimension)}, on {lines_text(lines)}, has no row for category "
                        f"{_category_named(dimension, category)}: add it, with headcount 0 if there is none.",
                        line=lines[0],
                        column="category",
                        value=category,
                    )
                )
    return out


def _sums(
    rows: list[tuple[int, str, str, int]], lines_of: dict[str, list[int]], spoilt: set[str], total: WorkforceTotal
) -> list[Finding]:
    """Each complete dimension counts every PSW once; one with a row in error is left to that error."""
    sums: dict[str, int] = {}
    for _line, dimension, _category, headcount in rows:
        sums[dimension] = sums.get(dimension, 0) + headcount
    out = []
    for dimension, lines in lines_of.items():
        if dimension in spoilt or sums.get(dimension, 0) == total.headcount:
            continue
        out.append(
            error(
                "dimension_total_mismatch",
                f"Dimension {_named(dimension)}, on {lines_text(lines)}, adds up to {sums.get(dimension, 0):,}, "
                f"but the trust's total PSW headcount for the quarter is {total.headcount:,}, from {total.said()}. "
                "Each dimension counts every PSW once: correct the headcounts (put people who did not say under "
                f"{contract.NOT_STATED}) or the workforce section.",
                line=lines[0],
                column="headcount",
                value=sums.get(dimension, 0),
            )
        )
    return out
