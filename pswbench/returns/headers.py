"""Finding the header of a CSV file or a sheet, telling which section of the return it is, and saying what
is wrong with it.

The header is the first row (of the first contract.HEADER_SEARCH_ROWS that hold a value) with every
required column of a section: a title row or two above it are passed over. Failing that, it is the first
row that is plainly meant as a header (two or more column names, or nothing but column names), checked
column by column. When no row is either, one finding says what the file holds instead (a title, column
names on another sheet, text separated by tabs), never a list of every column as missing.
Names are compared as contract.matching_key does: case, surrounding spaces and invisible characters ignored.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pswbench.returns import contract
from pswbench.returns.findings import Finding, error, quoted
from pswbench.returns.read_limits import column_letters

MAX_UNKNOWN_COLUMNS_LISTED = 20
MAX_CELLS_QUOTED = 4
TEMPLATE = "data/template.csv"
_SEPARATORS = {"\t": "tabs", ";": "semicolons", ",": "commas"}

Rows = list[tuple[int, list[str]]]  # (line, cells): the rows that hold a value


@dataclass(frozen=True)
class Header:
    index: int  # of the header in the rows
    line: int
    section: str
    names: list[str]  # each column's matching key, trailing blank columns left out


@dataclass(frozen=True)
class Where:
    """Where the rows come from, for the messages: a CSV file, or a sheet of a workbook."""

    sheet: str | None = None  # None for a CSV file

    def line(self, n: int) -> str:
        return f"line {n:,}" if self.sheet is None else f"line {n:,} of sheet '{self.sheet}'"

    def source(self) -> str:
        return "the file" if self.sheet is None else f"sheet '{self.sheet}'"

    # The same, to begin a sentence (str.capitalize would lower-case the sheet's name).
    def line_first(self, n: int) -> str:
        text = self.line(n)
        return text[0].upper() + text[1:]

    def source_first(self) -> str:
        text = self.source()
        return text[0].upper() + text[1:]


@cache
def _all_columns() -> frozenset[str]:
    return frozenset(c for columns in contract.SECTION_COLUMNS.values() for c in columns)


def keys(cells: list[str]) -> list[str]:
    names = [contract.matching_key(c) for c in cells]
    while names and not names[-1]:
        names.pop()
    return names


def complete_sections(names: list[str]) -> list[str]:
    """The sections whose required columns are all in names, the one with most of its columns first."""
    present = set(names)
    found = [s for s in contract.SECTIONS if set(contract.section_required_columns(s)) <= present]
    return sorted(found, key=lambda s: -len(present & set(contract.SECTION_COLUMNS[s])))


def _meant_as_header(names: list[str]) -> bool:
    known = [n for n in names if n in _all_columns()]
    return len(known) >= 2 or (bool(known) and len(known) == len([n for n in names if n]))


def likeliest_section(names: list[str]) -> str:
    """The section with most of its columns in names, a misspelt name counting for the column it is close
    to ('dimensions' for dimension); the workforce section (version 1) on a tie."""
    present = set(names)
    for name in names:
        if name and name not in _all_columns():
            present.update(difflib.get_close_matches(name, sorted(_all_columns()), n=1, cutoff=0.8))
    return max(contract.SECTIONS, key=lambda s: len(present & set(contract.SECTION_COLUMNS[s])))


def find(rows: Rows, expected: str | None = None, where: Where = Where()) -> Header | Finding | None:
    """The header of rows (see the module's docstring); expected: the section a sheet's name says it is.

    A Finding when a sheet named for one section holds another's columns; None when no row is a header."""
    searched = rows[: contract.HEADER_SEARCH_ROWS]
    named = [keys(cells) for _, cells in searched]
    wrong: tuple[int, str] | None = None
    for i, names in enumerate(named):
        complete = complete_sections(names)
        if expected is None and complete:
            return Header(i, searched[i][0], complete[0], names)
        if expected in complete:
            return Header(i, searched[i][0], expected, names)
        if complete and wrong is None:
            wrong = (i, complete[0])
    for i, names in enumerate(named):
        if _meant_as_header(names):
            if wrong is not None and wrong[0] <= i:
                break
            return Header(i, searched[i][0], expected or likeliest_section(names), names)
    if wrong is not None:
        i, other = wrong
        return _on_wrong_sheet(searched[i][0], named[i], other, expected, where)
    return None


def _on_wrong_sheet(line: int, names: list[str], section: str, expected: str, where: Where) -> Finding:
    sheet = where.sheet or contract.SHEET_NAMES[expected]
    distinct = [c for c in contract.SECTION_COLUMNS[section] if c in names and c not in contract.COLUMNS]
    shown = ", ".join(distinct[:3]) or ", ".join(n for n in names if n)[:80]
    return error(
        "section_on_wrong_sheet",
        f"Sheet '{sheet}' holds the columns of the {contract.SECTION_LABELS[section]} section (line {line:,}: "
        f"{shown}), not those of the {contract.SECTION_LABELS[expected]} section its name says. Move them to a "
        f"sheet named {contract.SHEET_NAMES[section]} and upload the workbook again.",
        line=line,
        value=shown,
    )


def not_found(rows: Rows, where: Where, elsewhere: Callable[[], tuple[str, int, str] | None] | None = None) -> Finding:
    """The one finding for rows with no header: what they hold instead.

    elsewhere: for the first sheet of a workbook, finds (sheet, line, section) of another sheet's header."""
    searched = rows[: contract.HEADER_SEARCH_ROWS]
    for line, cells in searched:
        one_cell = _header_in_one_cell(cells)
        if one_cell is not None:
            return _one_cell_finding(line, cells, one_cell, where)
    other = elsewhere() if elsewhere is not None else None
    first_line, first_cells = searched[0]
    if other is not None:
        sheet, line, section = other
        return error(
            "header_not_found",
            f"No row of sheet '{where.sheet}' holds the return's column names; sheet '{sheet}' does (line "
            f"{line:,}, the {contract.SECTION_LABELS[section]} section). Only the first sheet is read when no "
            f"sheet is named Workforce, Demographics or Organisation: name that sheet "
            f"{contract.SHEET_NAMES[section]}, or move it to be the first sheet, and upload the workbook again.",
            line=first_line,
            value=sheet,
        )
    filled = [c.strip() for c in first_cells if c.strip()]
    below = "" if len(searched) == 1 else f", and no row below it, down to {where.line(searched[-1][0])}, holds them"
    put = f"Put the column names on the row above the figures, as in the template ({TEMPLATE}), and upload again."
    if len(filled) == 1:
        return error(
            "header_not_found",
            f"{where.line_first(first_line)} looks like a title: '{quoted(filled[0])}', not the return's "
            f"column names (trust_code, period_end, ...){below}. {put}",
            line=first_line,
            value=filled[0],
        )
    shown = ", ".join(f"'{quoted(c)}'" for c in filled[:MAX_CELLS_QUOTED])
    more = f" and {len(filled) - MAX_CELLS_QUOTED:,} more" if len(filled) > MAX_CELLS_QUOTED else ""
    return error(
        "header_not_found",
        f"{where.line_first(first_line)} holds {shown}{more}, not the return's column names (trust_code, "
        f"period_end, ...){below}. {put}",
        line=first_line,
        value=", ".join(filled[:MAX_CELLS_QUOTED]),
    )


def _header_in_one_cell(cells: list[str]) -> tuple[int, str] | None:
    """(column, separator) of a cell that holds two or more column names joined by a separator."""
    for column, cell in enumerate(cells, start=1):
        for separator in _SEPARATORS:
            if separator in cell:
                names = [contract.matching_key(p) for p in re.split(re.escape(separator), cell)]
                if sum(n in _all_columns() for n in names) >= 2:
                    return column, separator
    return None


def _one_cell_finding(line: int, cells: list[str], found: tuple[int, str], where: Where) -> Finding:
    column, separator = found
    names = [p.strip() for p in cells[column - 1].split(separator) if p.strip()]
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    if where.sheet is None and separator == "\t":
        return error(
            "tab_delimited",
            f"The file is separated by tabs (line {line:,} holds {shown} with a tab between each), not "
            "commas: in Excel save it as CSV UTF-8 (comma delimited) (File > Save As) and upload that file.",
            line=line,
            value=shown,
        )
    ref = f"{column_letters(column)}{line}"
    return error(
        "header_not_found",
        f"{where.line_first(line)} holds the column names in one cell, {ref}, separated by "
        f"{_SEPARATORS[separator]} ({shown}): text was pasted into one column. Select the column and use "
        "Data > Text to Columns to split it, or open the CSV file itself in Excel, then save and upload again.",
        line=line,
        value=shown,
    )


def findings(names: list[str], line: int, section: str, where: Where) -> list[Finding]:
    """Missing, unknown and repeated columns in a header found for section."""
    columns = contract.SECTION_COLUMNS[section]
    out: list[Finding] = []
    seen: set[str] = set()
    duplicated: set[str] = set()
    unknown = 0
    on = f"in the header on {where.line(line)}"
    for name in names:
        if name and name in seen and name not in duplicated:  # once per name; blanks are unknown_column
            duplicated.add(name)
            out.append(
                error(
                    "duplicate_column",
                    f"The column '{name}' appears more than once {on}. Keep one.",
                    line=line,
                    column=name,
                    value=name,
                )
            )
        repeat = name in seen
        seen.add(name)
        if name not in columns and not repeat:
            unknown += 1
            if unknown > MAX_UNKNOWN_COLUMNS_LISTED:
                continue
            shown = name if name else "(blank)"
            out.append(
                error(
                    "unknown_column",
                    f"The column '{shown}' {on} is not part of the {contract.SECTION_LABELS[section]} section."
                    + _unknown_hint(name, section, where),
                    line=line,
                    column=name or None,
                    value=shown,
                )
            )
    if unknown > MAX_UNKNOWN_COLUMNS_LISTED:
        out.append(
            error(
                "unknown_column",
                f"...and {unknown - MAX_UNKNOWN_COLUMNS_LISTED:,} more unknown columns {on}. "
                f"Start from the template ({TEMPLATE}).",
                line=line,
                value=unknown,
            )
        )
    for required in contract.section_required_columns(section):
        if required not in seen:
            out.append(
                error(
                    "missing_column",
                    f"The column '{required}' is missing from the header on {where.line(line)}. Add it "
                    f"(see the template, {TEMPLATE}).",
                    line=line,
                    column=required,
                )
            )
    return out


def _unknown_hint(name: str, section: str, where: Where) -> str:
    others = [s for s in contract.SECTIONS if s != section and name in contract.SECTION_COLUMNS[s]]
    if name and others:
        home = others[0]
        place = (
            "send that section in a CSV file of its own"
            if where.sheet is None
            else f"put that section on a sheet named {contract.SHEET_NAMES[home]}"
        )
        return f" It is a column of the {contract.SECTION_LABELS[home]} section: {place}."
    close = difflib.get_close_matches(name, contract.SECTION_COLUMNS[section], n=1, cutoff=0.5)
    if close:
        return f" Did you mean '{close[0]}'?"
    return " Remove it, or rename it to one of the template's columns."
