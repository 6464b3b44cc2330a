"""Hostile .xlsx workbooks, built in memory: small files that declare or expand to far more than they hold.

Each builder returns the bytes of a file of at most 5 MB (the upload limit). Most start from a valid
return made by openpyxl and replace its sheet (or shared strings, or workbook) with hostile XML, so
everything else about the file is what Excel and openpyxl really write. Used by
tests/hostile/test_hostile_uploads.py and benchmarks/bench_hostile_uploads.py.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from pswbench.returns import contract
from pswbench.returns.read_limits import column_letters
from tests.helpers.returns_kit import valid_rows
from tests.helpers.workbook_kit import (
    MAIN,
    inline,
    repacked,
    return_rows,
    shared_cell,
    sheet_xml,
    valid_workbook,
    with_shared_strings,
    with_sheet,
)

# ---- the hostile workbooks -------------------------------------------------------------------------


def declared_whole_sheet() -> bytes:
    """The issue's 1.6 KB workbook: A1:XFD1048576 declared, two cells held."""
    return with_sheet(
        b'<row r="1">' + inline("A1", "trust_code") + b'</row><row r="2">' + inline("A2", "RX4") + b"</row>",
        dimension="A1:XFD1048576",
    )


def valid_return_declaring_whole_sheet() -> bytes:
    return with_sheet(return_rows(), dimension="A1:XFD1048576")


def blank_rows_to_the_end() -> bytes:
    """The return, then every row of the sheet down to 1,048,576 present and empty (formatted)."""
    blank = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(5, 1_048_577))
    return with_sheet(return_rows() + blank)


def blank_rows_then_a_row(gap: int) -> bytes:
    """Three rows of the return, `gap` empty formatted rows, then its last row: still one return."""
    blank = b"".join(b'<row r="%d" s="1" customFormat="1"/>' % n for n in range(4, 4 + gap))
    return with_sheet(return_rows(lines=[1, 2, 3, 4 + gap]) + blank)


def gap_to_the_last_row() -> bytes:
    """The return, then one value on Excel's last row: rows missing from the XML cost nothing."""
    return with_sheet(return_rows() + b'<row r="1048576">' + inline("A1048576", " ") + b"</row>")


def million_empty_cells_in_a_row() -> bytes:
    return with_sheet(return_rows() + b'<row r="5">' + b"<c/>" * 1_000_000 + b"</row>")


def value_far_right() -> bytes:
    return with_sheet(return_rows() + b'<row r="6">' + inline("XFD6", "stray") + b"</row>")


def shared_strings(count: int, text: str) -> bytes:
    item = f"<si><t>{escape(text)}</t></si>".encode()
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode()
        + item * count
        + b"</sst>"
    )


def shared_strings_bomb() -> bytes:
    """The issue's 119 KB workbook: shared strings that expand to 48 MB of tiny strings."""
    count = 48 * 1024 * 1024 // len(b"<si><t>a</t></si>")
    return with_shared_strings(shared_strings(count, "a"))


def one_huge_shared_string_in_every_note(rows: int) -> bytes:
    """A shared string as long as a cell can be (32,767), given as the notes of `rows` rows."""
    body = [return_rows(rows=[])]
    templates = valid_rows()
    for n in range(2, rows + 2):
        template = templates[(n - 2) % len(templates)]
        cells = [
            inline(f"{column_letters(i)}{n}", template[c])
            for i, c in enumerate(contract.COLUMNS[:-1], 1)
            if template[c]
        ]
        cells.append(shared_cell(f"{column_letters(len(contract.COLUMNS))}{n}", 0))
        body.append(b'<row r="%d">' % n + b"".join(cells) + b"</row>")
    return with_shared_strings(shared_strings(1, "n" * contract.MAX_CELL_CHARS), sheet_xml(b"".join(body)))


def huge_inline_note(chars: int = 4_000_000) -> bytes:
    rows = valid_rows()
    rows[1]["notes"] = "n" * chars
    return with_sheet(return_rows(rows=rows))


def deep_xml() -> bytes:
    """Two million nested elements inside one cell."""
    depth = 2_000_000
    return with_sheet(return_rows() + b'<row r="5"><c r="A5">' + b"<x>" * depth + b"</x>" * depth + b"</c></row>")


def many_sheets(count: int = 5_000) -> bytes:
    parts = {f"xl/worksheets/extra{i}.xml": sheet_xml(b"") for i in range(count)}
    return repacked(valid_workbook(), parts)


def workbook_listing_many_sheets(count: int = 650_000) -> bytes:
    """A workbook.xml naming 650,000 sheets (one part really there)."""
    sheets = b"".join(b'<sheet name="%d" sheetId="%d" r:id="x"/>' % (i, i) for i in range(2, count))
    workbook = (
        f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/relationships"><sheets><sheet name="Sheet" sheetId="1" r:id="rId1"/>'.encode()
        + sheets
        + b"</sheets></workbook>"
    )
    return repacked(valid_workbook(), {"xl/workbook.xml": workbook})


def formulas_everywhere() -> bytes:
    """Every figure a formula: shared across the whole sheet, some with a cached value and some without."""
    rows = [
        b'<row r="1">'
        + b"".join(inline(f"{column_letters(i)}1", c) for i, c in enumerate(contract.COLUMNS, 1))
        + b"</row>"
    ]
    for n, row in enumerate(valid_rows(), start=2):
        cells = []
        for i, c in enumerate(contract.COLUMNS, 1):
            ref = f"{column_letters(i)}{n}"
            if c in contract.NUMERIC_COLUMNS and row[c]:
                cached = b"" if c == "vacancy_wte" else f"<v>{row[c]}</v>".encode()
                cells.append(
                    f'<c r="{ref}"><f t="shared" ref="A1:XFD1048576" si="0">A1*1</f>'.encode() + cached + b"</c>"
                )
            elif row[c]:
                cells.append(inline(ref, row[c]))
        rows.append(b'<row r="%d">' % n + b"".join(cells) + b"</row>")
    return with_sheet(b"".join(rows))


def billion_laughs() -> bytes:
    """Nine levels of entities, each ten of the one before: a billion characters from a few hundred bytes."""
    entities = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    prolog = ("<!DOCTYPE worksheet [" + "".join(entities) + "]>").encode()
    return with_sheet(
        return_rows() + b'<row r="5"><c r="N5" t="inlineStr"><is><t>&l9;</t></is></c></row>', prolog=prolog
    )


def attribute_bomb() -> bytes:
    """Cells of 1,500 attributes each (12 KB a tag): 2.4 million attributes compress to about 150 KB."""
    cell = b'<c r="A5" ' + b" ".join(b'a%d=""' % i for i in range(1_500)) + b"/>"
    return with_sheet(return_rows() + b'<row r="5">' + cell * 1_600 + b"</row>")


def one_huge_tag() -> bytes:
    """One cell tag of two million attributes (23 MB): expat alone took 25 s and 436 MB on it."""
    cell = b'<c r="A5" ' + b" ".join(b'a%d=""' % i for i in range(2_000_000)) + b"/>"
    return with_sheet(return_rows() + b'<row r="5">' + cell + b"</row>")


def huge_comment() -> bytes:
    return with_sheet(return_rows() + b"<!--" + b"a<" * 4_000_000 + b"-->")


def huge_processing_instruction() -> bytes:
    return with_sheet(return_rows() + b"<?pi " + b"a<" * 4_000_000 + b"?>")


def whitespace_padding() -> bytes:
    """45 MB of spaces between the rows (under the 50 MB the zip's directory may declare): few
    elements, no text in any cell, only bytes to read."""
    return with_sheet(return_rows() + b" " * (45 * 1024 * 1024))


def bzip2_members() -> bytes:
    """A zip Excel never writes: every part bzip2-compressed (slow to expand)."""
    return repacked(valid_workbook(), {}, compression=zipfile.ZIP_BZIP2)


HOSTILE: dict[str, Callable[[], bytes]] = {
    "declared_whole_sheet": declared_whole_sheet,
    "valid_return_declaring_whole_sheet": valid_return_declaring_whole_sheet,
    "blank_rows_to_the_end": blank_rows_to_the_end,
    "gap_to_the_last_row": gap_to_the_last_row,
    "million_empty_cells_in_a_row": million_empty_cells_in_a_row,
    "value_far_right": value_far_right,
    "shared_strings_bomb": shared_strings_bomb,
    "huge_shared_string_in_3_notes": lambda: one_huge_shared_string_in_every_note(3),
    "huge_shared_string_in_200_notes": lambda: one_huge_shared_string_in_every_note(200),
    "huge_inline_note": huge_inline_note,
    "deep_xml": deep_xml,
    "many_sheets": many_sheets,
    "workbook_listing_many_sheets": workbook_listing_many_sheets,
    "formulas_everywhere": formulas_everywhere,
    "billion_laughs": billion_laughs,
    "attribute_bomb": attribute_bomb,
    "one_huge_tag": one_huge_tag,
    "huge_comment": huge_comment,
    "huge_processing_instruction": huge_processing_instruction,
    "whitespace_padding": whitespace_padding,
    "bzip2_members": bzip2_members,
}
