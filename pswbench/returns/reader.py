"""Turning an uploaded file (CSV or XLSX bytes) into a table of text cells with line numbers.

Everything a user can get wrong about the file itself becomes a file-level finding;
nothing here raises on bad input. What is read is bounded whatever the file declares
(contract.MAX_ROWS_READ, MAX_COLUMNS, MAX_CELL_CHARS; pswbench.returns.xlsx for workbooks).
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass, field

import polars as pl

from pswbench.returns import contract, read_limits, xlsx
from pswbench.returns.findings import Finding, error

MAX_UNKNOWN_COLUMNS_LISTED = 20


@dataclass
class RawReturn:
    """Text cells of a return (blank cells as null) with a 'line' column, or the reasons it has none."""

    file_name: str
    frame: pl.DataFrame | None
    findings: list[Finding] = field(default_factory=list)


def read_return(file_name: str, data: bytes) -> RawReturn:
    if len(data) > contract.MAX_FILE_BYTES:
        return _refuse(file_name, read_limits.file_too_large(len(data)))
    if not data.strip():
        return _refuse(
            file_name,
            error("empty_file", "The file is empty. Fill in the template (data/template.csv) and upload it again."),
        )
    if data[:4] == b"PK\x03\x04":
        rows, problem = _xlsx_rows(data)
    else:
        rows, problem = _csv_rows(data)
    if problem:
        return _refuse(file_name, problem)
    return _to_frame(file_name, rows)


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


def _csv_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], Finding | None]:
    text = _decode(data)
    if text is None:
        return [], NOT_TEXT
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows: list[tuple[int, list[str]]] = []
    # strict: an unclosed quotation mark is an error, not a notes cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for seen, record in enumerate(reader, start=1):
            if seen > contract.MAX_ROWS_READ:
                return [], read_limits.too_many_rows_read("lines")
            if len(record) > contract.MAX_COLUMNS:
                beyond = record[contract.MAX_COLUMNS :]
                if "".join(beyond).strip():  # joined at C speed: a row can hold millions of empty fields
                    column = next(i for i, c in enumerate(beyond, contract.MAX_COLUMNS + 1) if c.strip())
                    return [], read_limits.too_many_columns(start, column, record[column - 1])
                del record[contract.MAX_COLUMNS :]
            # Blank rows (Excel leaves many) are dropped here, so they cannot push real rows past the cap.
            if any(c.strip() for c in record):
                rows.append((start, record))
                if len(rows) > contract.MAX_DATA_ROWS + 1:
                    break
            start = reader.line_num + 1
    except csv.Error as exc:
        return [], error(
            "malformed_csv",
            f"The CSV could not be read near line {start}: {exc}. Check for an unclosed quotation mark.",
            line=start,
        )
    return rows, None


def _xlsx_rows(data: bytes) -> tuple[list[tuple[int, list[str]]], Finding | None]:
    try:
        sheet = xlsx.read(data)
    except xlsx.NotAWorkbook:
        return [], NOT_TEXT
    return sheet.rows, sheet.problem


def _to_frame(file_name: str, rows: list[tuple[int, list[str]]]) -> RawReturn:
    # Excel often leaves trailing blank columns and rows; they mean nothing.
    rows = [(n, r) for n, r in rows if any(c.strip() for c in r)]
    if not rows:
        return _refuse(
            file_name,
            error("empty_file", "The file has no header and no rows. Start from the template (data/template.csv)."),
        )
    header_line, header = rows[0]
    while header and not header[-1].strip():
        header = header[:-1]
    names = [h.strip().lower() for h in header]
    findings = _header_findings(names, header_line)
    data_rows = rows[1:]
    if not data_rows:
        findings.append(
            error(
                "no_data_rows",
                "The file has a header but no data rows. Add one row per service setting "
                "and band that has staff, posts or activity.",
            )
        )
    if len(data_rows) > contract.MAX_DATA_ROWS:
        findings.append(
            error(
                "too_many_rows",
                f"The file has more than {contract.MAX_DATA_ROWS:,} data rows. A return has one "
                "row per service setting and band, so check that you chose the right file.",
                value=f">{contract.MAX_DATA_ROWS}",
            )
        )
    if findings:
        return RawReturn(file_name, None, findings)

    width = len(names)
    lines, cells = [], []
    for n, record in data_rows:
        extra = record[width:]
        if any(c.strip() for c in extra):
            findings.append(
                error(
                    "wrong_field_count",
                    f"Line {n} has {len(record)} values but the header has {width} columns. "
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
        record = (record + [""] * width)[:width]
        lines.append(n)
        cells.append([c.strip() or None for c in record])
    if not lines:  # every data row had the wrong number of values: nothing left to check
        return RawReturn(file_name, None, findings)
    columns = {name: [r[i] for r in cells] for i, name in enumerate(names)}
    for optional in contract.OPTIONAL_COLUMNS:
        columns.setdefault(optional, [None] * len(cells))
    frame = pl.DataFrame(
        {"line": lines, **{c: columns[c] for c in contract.COLUMNS}},
        schema={"line": pl.Int64, **{c: pl.String for c in contract.COLUMNS}},
    )
    return RawReturn(file_name, frame, findings)


def _header_findings(names: list[str], line: int) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    duplicated: set[str] = set()
    unknown = 0
    for name in names:
        if name and name in seen and name not in duplicated:  # once per name; blanks are unknown_column
            duplicated.add(name)
            findings.append(
                error(
                    "duplicate_column",
                    f"The column '{name}' appears more than once in the header. Keep one.",
                    line=line,
                    column=name,
                    value=name,
                )
            )
        repeat = name in seen
        seen.add(name)
        if name not in contract.COLUMNS and not repeat:
            unknown += 1
            if unknown > MAX_UNKNOWN_COLUMNS_LISTED:
                continue
            close = difflib.get_close_matches(name, contract.COLUMNS, n=1, cutoff=0.5)
            hint = (
                f" Did you mean '{close[0]}'?"
                if close
                else " Remove it, or rename it to one of the template's columns."
            )
            shown = name if name else "(blank)"
            findings.append(
                error(
                    "unknown_column",
                    f"The column '{shown}' is not part of the return.{hint}",
                    line=line,
                    column=name or None,
                    value=shown,
                )
            )
    if unknown > MAX_UNKNOWN_COLUMNS_LISTED:
        findings.append(
            error(
                "unknown_column",
                f"...and {unknown - MAX_UNKNOWN_COLUMNS_LISTED:,} more unknown columns. "
                "Start from the template (data/template.csv).",
                line=line,
                value=unknown,
            )
        )
    for required in contract.REQUIRED_COLUMNS:
        if required not in seen:
            findings.append(
                error(
                    "missing_column",
                    f"The column '{required}' is missing from the header. Add it "
                    "(see the template, data/template.csv).",
                    line=line,
                    column=required,
                )
            )
    return findings
