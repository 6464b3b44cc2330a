"""Builders for .xlsx returns in tests: a valid workbook as openpyxl writes it, and its parts replaced.

Import them with `from workbook_kit import ...` (tests/ is on the path, as for returns_kit).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

import openpyxl

from pswbench.returns import contract
from pswbench.returns.read_limits import column_letters
from tests.helpers.returns_kit import valid_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def valid_workbook(rows: list[dict[str, str]] | None = None) -> bytes:
    """A valid return (RX4, 2025-09-30) as openpyxl writes it: text inline, numbers as numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(contract.COLUMNS))
    for row in rows or valid_rows():
        sheet.append([_typed(c, row[c]) for c in contract.COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _typed(column: str, text: str):
    if text == "":
        return None
    if column in contract.INTEGER_COLUMNS:
        return int(text)
    if column in contract.NUMERIC_COLUMNS:
        return float(text)
    return text


def repacked(base: bytes, parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """base with some parts replaced (or added), every part compressed as `compression`."""
    source = zipfile.ZipFile(io.BytesIO(base))
    buf = io.BytesIO()
    with zipfile.ZipFile(
        buf, "w", compression, compresslevel=9 if compression == zipfile.ZIP_DEFLATED else None
    ) as out:
        for info in source.infolist():
            if info.filename not in parts:
                out.writestr(info.filename, source.read(info.filename))
        for name, data in parts.items():
            out.writestr(name, data)
    return buf.getvalue()


def with_shared_strings(table: bytes, sheet: bytes | None = None) -> bytes:
    """The valid workbook given a shared strings part (openpyxl writes none: it writes strings inline),
    related to the workbook and declared in the content types as Excel does, and optionally a new sheet."""
    base = valid_workbook()
    source = zipfile.ZipFile(io.BytesIO(base))
    rels = source.read("xl/_rels/workbook.xml.rels").replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdStrings"/></Relationships>',
    )
    types = source.read("[Content_Types].xml").replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts = {"xl/_rels/workbook.xml.rels": rels, "[Content_Types].xml": types, STRINGS: table}
    if sheet is not None:
        parts[SHEET] = sheet
    return repacked(base, parts)


def shared_cell(ref: str, index: int) -> bytes:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'.encode()


def inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def return_rows(
    first_line: int = 1, rows: list[dict[str, str]] | None = None, lines: Iterable[int] | None = None
) -> bytes:
    """The header and the valid rows as <row> elements of inline strings, on the given lines."""
    rows = valid_rows() if rows is None else rows
    table = [list(contract.COLUMNS)] + [[r[c] for c in contract.COLUMNS] for r in rows]
    numbers = list(lines) if lines is not None else range(first_line, first_line + len(table))
    out = []
    for n, cells in zip(numbers, table):
        out.append(
            b'<row r="%d">' % n
            + b"".join(inline(f"{column_letters(i)}{n}", v) for i, v in enumerate(cells, start=1) if v)
            + b"</row>"
        )
    return b"".join(out)


def sheet_xml(data: bytes, dimension: str | None = None, before: bytes = b"", prolog: bytes = b"") -> bytes:
    dim = f'<dimension ref="{dimension}"/>'.encode() if dimension else b""
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        + prolog
        + f'<worksheet xmlns="{MAIN}">'.encode()
        + dim
        + before
        + b"<sheetData>"
        + data
        + b"</sheetData></worksheet>"
    )


def with_sheet(data: bytes, **kwargs) -> bytes:
    return repacked(valid_workbook(), {SHEET: sheet_xml(data, **kwargs)})


def shared_strings_part(items: list[str]) -> bytes:
    """A shared strings table; an item starting with '<' is taken as its inner XML (rich text runs)."""
    body = b"".join(
        b"<si>" + (s.encode() if s.startswith("<") else f"<t>{escape(s)}</t>".encode()) + b"</si>" for s in items
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(items)}" '
        f'uniqueCount="{len(items)}">'.encode()
        + body
        + b"</sst>"
    )


def workbook_of(sheets: list[tuple[str, list[list], str]]) -> bytes:
    """A workbook as openpyxl writes it: (sheet name, rows of cell values, state) in tab order; state is
    'visible', 'hidden' or 'veryHidden'. A value starting with '=' is a formula, saved with no result."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows, state in sheets:
        sheet = book.create_sheet(name)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def return_table(rows: list[dict[str, str]] | None = None) -> list[list]:
    """The version 1 header and rows as typed cell values (numbers as numbers), for workbook_of."""
    return [list(contract.COLUMNS)] + [[_typed(c, r[c]) for c in contract.COLUMNS] for r in rows or valid_rows()]
