"""Turning an uploaded file (CSV or XLSX bytes) into the sections of a return: tables of text cells with
the line each row is on, as Excel shows it.

A CSV file is one section, told by its columns. A workbook gives one section per visible sheet named
Workforce, Demographics or Organisation (contract.SHEET_NAMES); without such a sheet, its first visible
sheet is read and told by its columns, as a CSV file is. Hidden sheets are never read; one that would have
been a section, and a visible sheet holding a section that is not read, get a warning naming them.

Everything a user can get wrong about the file itself becomes a finding; nothing here raises on bad
input. What is read is bounded whatever the file declares (contract.MAX_ROWS_READ, MAX_COLUMNS,
MAX_CELL_CHARS; pswbench.returns.xlsx for workbooks).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from pswbench.returns import contract, headers, read_limits, xlsx
from pswbench.returns.findings import Finding, error, warning
from pswbench.returns.headers import Where

Rows = list[tuple[int, list[str]]]
# The template's Demographics sheet comes with every dimension and category written in: a sheet with
# nothing else below its header is as the template left it, a section not filled in.
PREFILLED_COLUMNS = ("dimension", "category")


@dataclass
class RawReturn:
    """Text cells of one section of a return (blank cells as null) with a 'line' column, or the reasons
    it has none. section: contract.WORKFORCE, DEMOGRAPHICS or ORGANISATION, None when it could not be
    told; sheet: the workbook sheet it was read from, None for a CSV file."""

    file_name: str
    frame: pl.DataFrame | None
    findings: list[Finding] = field(default_factory=list)
    section: str | None = None
    sheet: str | None = None


def read_sections(file_name: str, data: bytes) -> list[RawReturn]:
    """One RawReturn per section the file holds, in the order it holds them; a file that cannot be read
    at all is one RawReturn with no frame, no section and the reason. Warnings about sheets that were not
    read (hidden_sheet, unread_sheet) are on the first RawReturn."""
    if len(data) > contract.MAX_FILE_BYTES:
        return [_refuse(file_name, read_limits.file_too_large(len(data)))]
    if not data.strip():
        return [
            _refuse(
                file_name,
                error("empty_file", "The file is empty. Fill in the template (data/template.csv) and upload it again."),
            )
        ]
    if data[:4] == b"PK\x03\x04":
        return _workbook_sections(file_name, data)
    rows, problem = _csv_rows(data)
    if problem:
        return [_refuse(file_name, problem)]
    return [_section(file_name, rows, Where(), None)[0]]


def read_return(file_name: str, data: bytes) -> RawReturn:
    """The workforce section of the file (a version 1 return is nothing else), or its first section."""
    sections = read_sections(file_name, data)
    return next((r for r in sections if r.section == contract.WORKFORCE), sections[0])


def _refuse(file_name: str, finding: Finding) -> RawReturn:
    return RawReturn(file_name, None, [finding])


def _decode(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


NOT_TEXT = error(
    "not_a_csv",
    "The file is not a CSV text file or an Excel .xlsx workbook (it may be UTF-16, a PDF, an old .xls "
    "or damaged). In Excel choose Save As > 'CSV UTF-8 (Comma delimited)' or 'Excel Workbook (.xlsx)', "
    "then upload that file.",
)


def _delimiter(text: str) -> str:
    """Comma or semicolon: the one that splits a row of the first few that hold a value into the most
    column names (a title row above the header says nothing); failing that, the commoner on line 1."""
    lines = [ln for ln in itertools.islice(io.StringIO(text), 4 * contract.HEADER_SEARCH_ROWS) if ln.strip()]
    known = {c for columns in contract.SECTION_COLUMNS.values() for c in columns}

    def names(line: str, d: str) -> int:
        return sum(contract.matching_key(p.strip().strip('"')) in known for p in line.split(d))

    scores = {d: max((names(ln, d) for ln in lines[: contract.HEADER_SEARCH_ROWS]), default=0) for d in ",;"}
    if scores[","] != scores[";"]:
        return max(scores, key=scores.get)
    first_line = text.split("\n", 1)[0]
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _csv_rows(data: bytes) -> tuple[Rows, Finding | None]:
    text = _decode(data)
    if text is None:
        return [], NOT_TEXT
    rows: Rows = []
    # strict: an unclosed quotation mark is an error, not a notes cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    # A row's line is its record's number, blank records included: the row Excel shows it on. A quoted
    # note with a line break is one record over two lines of text, and one row in Excel.
    seen = 0
    try:
        for seen, record in enumerate(reader, start=1):
            if seen > contract.MAX_ROWS_READ:
                return [], read_limits.too_many_rows_read("lines")
            if len(record) > contract.MAX_COLUMNS:
                beyond = record[contract.MAX_COLUMNS :]
                if "".join(beyond).strip():  # joined at C speed: a row can hold millions of empty fields
                    column = next(i for i, c in enumerate(beyond, contract.MAX_COLUMNS + 1) if c.strip())
                    return [], read_limits.too_many_columns(seen, column, record[column - 1])
                del record[contract.MAX_COLUMNS :]
            # Blank rows (Excel leaves many) are dropped here, so they cannot push real rows past the cap.
            if any(c.strip() for c in record):
                rows.append((seen, record))
                if len(rows) > contract.MAX_DATA_ROWS + contract.HEADER_SEARCH_ROWS:
                    break
    except csv.Error as exc:
        line = seen + 1
        return [], error(
            "malformed_csv",
            f"The CSV could not be read near line {line}: {exc}. Check for an unclosed quotation mark.",
            line=line,
        )
    return rows, None


# ---- workbooks ----------------------------------------------------------------------------------------


def _section_named(sheet_name: str) -> str | None:
    key = contract.matching_key(sheet_name)
    return next((s for s, name in contract.SHEET_NAMES.items() if contract.matching_key(name) == key), None)


def _workbook_sections(file_name: str, data: bytes) -> list[RawReturn]:
    try:
        book = xlsx.open_book(data)
    except xlsx.NotAWorkbook:
        return [_refuse(file_name, NOT_TEXT)]
    if book.problem:
        return [_refuse(file_name, book.problem)]
    visible = [s for s in book.sheets if not s.hidden]
    if not visible:
        return [_refuse(file_name, xlsx.NO_VISIBLE_SHEET)]
    named: dict[str, xlsx.SheetEntry] = {}
    for entry in visible:
        section = _section_named(entry.name)
        if section is not None and section not in named:
            named[section] = entry
    peeks = _Peeks(book)
    if named:
        read = [_sheet_section(file_name, book, entry, section) for section, entry in named.items()]  # tab order
        out = [raw for raw, filled in read if filled] or [read[0][0]]
        unread = [s for s in visible if s not in named.values()]
        reason = "when a workbook has sheets named Workforce, Demographics or Organisation, only those are read"
    else:
        first = visible[0]
        raw, _ = _sheet_section(file_name, book, first, None, elsewhere=lambda: peeks.first_header(visible[1:]))
        out = [raw]
        unread = visible[1:]
        reason = "when no sheet is named Workforce, Demographics or Organisation, only the first sheet is read"
    read_from = {raw.section: raw.sheet for raw in out if raw.frame is not None}
    notes = [f for s in book.sheets if s.hidden for f in _hidden_warning(peeks, s)]
    for entry in unread:
        if entry.name not in peeks.named_in_errors:
            notes += _unread_warning(peeks, entry, reason, read_from)
    out[0].findings = out[0].findings + notes
    return out


def _sheet_section(
    file_name: str,
    book: xlsx.Book,
    entry: xlsx.SheetEntry,
    section: str | None,
    elsewhere: Callable[[], tuple[str, int, str] | None] | None = None,
) -> tuple[RawReturn, bool]:
    sheet = book.rows(entry)
    if sheet.problem is not None:
        return RawReturn(file_name, None, [sheet.problem], section, entry.name), True
    return _section(file_name, sheet.rows, Where(entry.name), section, elsewhere)


class _Peeks:
    """A look at the first rows of sheets that are not read (hidden, or not named for a section), each
    sheet once, after every sheet that is read: a limit reached here refuses nothing."""

    def __init__(self, book: xlsx.Book):
        self.book = book
        self.done: dict[str, tuple[Rows, headers.Header | None]] = {}
        self.named_in_errors: set[str] = set()

    def look(self, entry: xlsx.SheetEntry) -> tuple[Rows, headers.Header | None]:
        if entry.name not in self.done:
            sheet = self.book.rows(entry, most=contract.HEADER_SEARCH_ROWS + 1)
            rows = [] if sheet.problem is not None else sheet.rows
            found = headers.find(rows, None) if rows else None
            complete = isinstance(found, headers.Header) and headers.complete_sections(found.names)
            self.done[entry.name] = (rows, found if complete else None)
        return self.done[entry.name]

    def first_header(self, entries: list[xlsx.SheetEntry]) -> tuple[str, int, str] | None:
        for entry in entries:
            _, header = self.look(entry)
            if header is not None:
                self.named_in_errors.add(entry.name)
                return entry.name, header.line, header.section
        return None


def _hidden_warning(peeks: _Peeks, entry: xlsx.SheetEntry) -> list[Finding]:
    rows, header = peeks.look(entry)
    by_name = _section_named(entry.name)
    if by_name is not None and len(rows) >= 2:
        section, why = by_name, f"its name says it is the {contract.SECTION_LABELS[by_name]} section"
        line = rows[0][0]
        why += f" and it holds values from line {line:,}"
    elif header is not None and header.index + 1 < len(rows):
        section, line = header.section, header.line
        why = f"it holds the {contract.SECTION_LABELS[section]} section's columns on line {line:,}"
    else:
        return []
    return [
        replace(
            warning(
                "hidden_sheet",
                f"Sheet '{entry.name}' is hidden, so it was not read, though {why}. Hidden sheets are never "
                "read: if it is part of the return, unhide it (right-click a sheet tab, then Unhide) and upload "
                "the workbook again; if it is not, delete it or ignore this warning.",
                line=line,
                value=entry.name,
            ),
            section=section,
            sheet=entry.name,
        )
    ]


def _unread_warning(
    peeks: _Peeks, entry: xlsx.SheetEntry, reason: str, read_from: dict[str | None, str | None]
) -> list[Finding]:
    rows, header = peeks.look(entry)
    if header is None or header.index + 1 >= len(rows):
        return []
    section = header.section
    also = (
        f" (the {contract.SECTION_LABELS[section]} section was read from sheet '{read_from[section]}')"
        if section in read_from
        else ""
    )
    return [
        replace(
            warning(
                "unread_sheet",
                f"Sheet '{entry.name}' holds the {contract.SECTION_LABELS[section]} section's columns (line "
                f"{header.line:,}) but was not read: {reason}{also}. If it is "
                f"part of the return, name it {contract.SHEET_NAMES[section]} and upload the workbook again.",
                line=header.line,
                value=entry.name,
            ),
            section=section,
            sheet=entry.name,
        )
    ]


# ---- one section: the header, then the rows -----------------------------------------------------------


def _section(
    file_name: str,
    rows: Rows,
    where: Where,
    expected: str | None,
    elsewhere: Callable[[], tuple[str, int, str] | None] | None = None,
) -> tuple[RawReturn, bool]:
    """The section in rows, and whether it is filled in: anything below the header but the template's
    pre-filled labels (a sheet with nothing else is a section left out, as the blank template leaves it)."""
    # Excel often leaves trailing blank columns and rows; they mean nothing.
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]

    def refused(found: list[Finding], section: str | None = expected) -> RawReturn:
        return RawReturn(file_name, None, found, section, where.sheet)

    if not rows:
        return refused(
            [
                error(
                    "empty_file",
                    f"{where.source_first()} has no header and no rows. Start from the template ({headers.TEMPLATE}).",
                )
            ]
        ), False
    found = headers.find(rows, expected, where)
    if found is None:
        return refused([headers.not_found(rows, where, elsewhere)]), True
    if isinstance(found, Finding):
        return refused([found]), True
    header = found
    section = header.section
    findings = headers.findings(header.names, header.line, section, where)
    data_rows = rows[header.index + 1 :]
    filled = any(
        cell.strip()
        for _, record in data_rows
        for i, cell in enumerate(record)
        if i >= len(header.names) or header.names[i] not in PREFILLED_COLUMNS
    )
    if not data_rows:
        findings.append(_no_data_rows(section, header.line, where))
    if len(data_rows) > contract.MAX_DATA_ROWS:
        findings.append(
            error(
                "too_many_rows",
                f"{where.source_first()} has more than {contract.MAX_DATA_ROWS:,} data rows below its header "
                f"on line {header.line:,}. A return has one row per service setting and band, so check that "
                "you chose the right file.",
                line=header.line,
                value=f">{contract.MAX_DATA_ROWS}",
            )
        )
    if findings:
        return refused(findings, section), filled
    return _frame(file_name, data_rows, header, where), filled


def _no_data_rows(section: str, line: int, where: Where) -> Finding:
    what = {
        contract.WORKFORCE: "Add one row per service setting and band that has staff, posts or activity.",
        contract.DEMOGRAPHICS: "Add one row per dimension and category (see the template).",
        contract.ORGANISATION: "Add the row of figures below the header.",
    }[section]
    return error(
        "no_data_rows",
        f"{where.source_first()} has a header (line {line:,}) but no data rows. {what}",
        line=line,
    )


def _frame(file_name: str, data_rows: Rows, header: headers.Header, where: Where) -> RawReturn:
    names, section = header.names, header.section
    width = len(names)
    findings: list[Finding] = []
    without_result: list[Finding] = []
    lines, cells = [], []
    for n, record in data_rows:
        extra = record[width:]
        if any(c.strip() for c in extra):
            findings.append(
                error(
                    "wrong_field_count",
                    f"{where.line_first(n)} has {len(record)} values but the header has {width} columns. "
                    "Check for a stray delimiter or an unquoted comma in the notes.",
                    line=n,
                    value=len(record),
                )
            )
            continue
        overlong = [i for i, c in enumerate(record[:width]) if len(c) > contract.MAX_CELL_CHARS]
        if overlong:
            findings += [read_limits.cell_too_long(n, names[i] or "(blank)", record[i]) for i in overlong]
            continue
        formulas = [i for i, c in enumerate(record[:width]) if isinstance(c, xlsx.NoResult)]
        if formulas:
            without_result += [_formula_without_value(n, names[i], record[i], where) for i in formulas]
            continue
        record = (record + [""] * width)[:width]
        lines.append(n)
        cells.append([c.strip() or None for c in record])
    if without_result:
        # The workbook was written without calculating its formulas: until it is saved by Excel, which
        # stores every result, no figure of the section can be trusted to be what the sheet shows.
        return RawReturn(file_name, None, findings + without_result, section, where.sheet)
    if not lines:  # every data row had the wrong number of values: nothing left to check
        return RawReturn(file_name, None, findings, section, where.sheet)
    position = {}
    for i, name in enumerate(names):
        position.setdefault(name, i)
    columns: dict[str, list[str | None]] = {}
    for c in contract.SECTION_COLUMNS[section]:
        i = position.get(c)
        values = [r[i] for r in cells] if i is not None else [None] * len(cells)
        if c in contract.CODE_COLUMNS:
            values = [contract.strip_invisible(v) or None if v else v for v in values]
        elif c == "period_end":
            values = [contract.midnight_as_date(v) if v else v for v in values]
        columns[c] = values
    frame = pl.DataFrame(
        {"line": lines, **columns},
        schema={"line": pl.Int64, **{c: pl.String for c in contract.SECTION_COLUMNS[section]}},
    )
    return RawReturn(file_name, frame, findings, section, where.sheet)


def _formula_without_value(line: int, column: str, formula: str, where: Where) -> Finding:
    return error(
        "formula_without_value",
        f"{column} on {where.line(line)} ({formula[:100]}): this cell holds a formula with no saved result: "
        "open the file in Excel, save it, and upload again. (Excel saves each formula's result; the program "
        "that wrote this file did not.)",
        line=line,
        column=column,
        value=str(formula),
    )
