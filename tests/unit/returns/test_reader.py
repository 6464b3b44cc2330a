"""Encodings, delimiters, header forms, xlsx, and hostile files: always a verdict, never an exception."""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile

import openpyxl
import pytest

from pswbench.returns import contract
from pswbench.returns.validate import validate_bytes
from tests.helpers.returns_kit import TODAY, csv_bytes, valid_rows

NOTES = "Café budget £500 — agreed"


def check(data: bytes, name: str = "return.csv"):
    return validate_bytes(name, data, today=TODAY)


def rows_with_note(note: str) -> list[dict[str, str]]:
    rows = valid_rows()
    rows[0]["notes"] = note
    return rows


def assert_valid(result, notes0: str | None = None):
    assert result.findings == [], result.findings
    assert result.valid and result.rows == 3 and result.clean is not None
    assert result.trust_code == "RX4" and result.period_end == dt.date(2025, 9, 30)
    if notes0 is not None:
        assert result.clean["notes"][0] == notes0


# ---------------------------------------------------------------------------------------------------------
# Encodings and formats


def test_utf8_bom():
    assert_valid(check(b"\xef\xbb\xbf" + csv_bytes(rows_with_note(NOTES))), NOTES)


def test_utf8_without_bom():
    assert_valid(check(csv_bytes(rows_with_note(NOTES))), NOTES)


def test_windows_1252():
    data = csv_bytes(rows_with_note(NOTES), encoding="cp1252")
    assert "£".encode("cp1252") in data and b"\xe9" in data
    assert_valid(check(data), NOTES)


def test_semicolon_windows_1252_example():
    from pswbench.paths import DATA_DIR

    result = check((DATA_DIR / "examples" / "semicolon_windows1252_valid.csv").read_bytes())
    assert result.findings == [] and result.trust_code == "RWR"
    notes = " ".join(n for n in result.clean["notes"].to_list() if n)
    assert "£" in notes and "é" in notes


def test_semicolon_delimited():
    assert_valid(check(csv_bytes(rows_with_note("a, b; c"), delimiter=";")), "a, b; c")


def test_crlf():
    data = csv_bytes(valid_rows(), line_end="\r\n")
    assert b"\r\n" in data
    result = check(data)
    assert_valid(result)
    assert result.clean["line"].to_list() == [2, 3, 4]


def test_headers_any_case_space_order_and_no_notes():
    header = [c for c in contract.COLUMNS if c != "notes"][::-1]
    header = [f"  {c.upper()} " if i % 2 else c.title() for i, c in enumerate(header)]
    result = check(csv_bytes(valid_rows(), header=header))
    assert_valid(result)
    assert result.clean["notes"].to_list() == [None] * 3
    assert result.clean["headcount"].to_list() == [12, 18, 8]


def test_quoted_note_with_comma_and_newline_does_not_shift_the_rows_excel_shows():
    note = "First line, with a comma\nsecond line"
    data = csv_bytes(rows_with_note(note))
    result = check(data)
    assert_valid(result, note)
    # Row 2 spans two lines of text but is one row in Excel: the rows below stay on Excel rows 3 and 4.
    assert result.clean["line"].to_list() == [2, 3, 4]
    bad = valid_rows()
    bad[0]["notes"] = note
    bad[2]["afc_band"] = "9"
    (f,) = check(csv_bytes(bad)).errors
    assert (f.rule, f.line) == ("unknown_afc_band", 4) and "line 4" in f.message


def test_excel_trailing_blank_rows_and_columns():
    lines = csv_bytes(valid_rows()).decode().splitlines()
    data = "\n".join(line + ",,," for line in lines) + "\n" + ",,,,,,,,,,,,,,,,\n" * 5 + "\n\n"
    result = check(data.encode())
    assert_valid(result)


def test_blank_rows_do_not_hide_later_rows():
    rows = valid_rows()
    data = (
        csv_bytes(rows[:2]) + b",,,,,,,,,,,,,\n" * (contract.MAX_DATA_ROWS + 5) + csv_bytes(rows[2:]).split(b"\n", 1)[1]
    )
    result = check(data)
    assert result.findings == [] and result.rows == 3
    assert result.clean["line"].to_list() == [2, 3, contract.MAX_DATA_ROWS + 5 + 4]


def xlsx_bytes(rows: list[dict[str, str]], trailing: bool = True, second_sheet: bool = True) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(contract.COLUMNS))
    for row in rows:
        out = []
        for c in contract.COLUMNS:
            v = row[c]
            if c == "period_end":
                v = dt.datetime.fromisoformat(v)
            elif c in contract.INTEGER_COLUMNS and v:
                v = int(v)
            elif c in contract.NUMERIC_COLUMNS and v:
                v = float(v)
            out.append(v if v != "" else None)
        sheet.append(out)
    if trailing:  # what Excel leaves behind: formatted but empty cells right of and below the table
        for r in range(1, len(rows) + 8):
            sheet.cell(row=r, column=len(contract.COLUMNS) + 3).value = ""
        sheet.cell(row=len(rows) + 6, column=2).value = "  "
    if second_sheet:
        book.create_sheet("junk").append(["not", "a", "return"])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_validates_like_csv():
    rows = rows_with_note(NOTES)
    from_csv = check(csv_bytes(rows))
    from_xlsx = check(xlsx_bytes(rows), name="return.xlsx")
    assert_valid(from_xlsx, NOTES)
    assert from_xlsx.clean.equals(from_csv.clean)


def test_xlsx_errors_like_csv():
    rows = valid_rows()
    rows[1]["afc_band"] = "9"
    rows[2]["headcount"] = "-1"
    from_csv = check(csv_bytes(rows))
    from_xlsx = check(xlsx_bytes(rows, trailing=False), name="return.xlsx")
    assert [(f.rule, f.line, f.column) for f in from_xlsx.findings] == [
        (f.rule, f.line, f.column) for f in from_csv.findings
    ]
    assert {f.rule for f in from_xlsx.errors} >= {"unknown_afc_band", "negative_value"}


def test_xlsx_text_cells_also_work():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(contract.COLUMNS))
    for row in valid_rows():
        sheet.append([row[c] or None for c in contract.COLUMNS])
    buf = io.BytesIO()
    book.save(buf)
    assert_valid(check(buf.getvalue(), name="r.xlsx"))


# ---------------------------------------------------------------------------------------------------------
# Hostile files


def zip_not_xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def nul_in_csv() -> bytes:
    return csv_bytes(rows_with_note("bad\x00byte"))


def many_columns_header(n: int = 50_000) -> bytes:
    header = ",".join(f"c{i}" for i in range(n))
    return (header + "\n" + ",".join("1" for _ in range(n)) + "\n").encode()


def many_columns_row() -> bytes:
    return csv_bytes(valid_rows(1)).rstrip(b"\n") + b"," * 50_000 + b"x\n"


def many_duplicate_columns(n: int = 50_000) -> bytes:
    return ("a," * n + "\n" + "1," * n + "\n").encode()


def return_with_extra_columns(extra: list[str]) -> bytes:
    """The valid return with more columns after its own, up to contract.MAX_COLUMNS in all."""
    header = list(contract.COLUMNS) + extra
    return csv_bytes(valid_rows(), header=header)


HOSTILE = {
    "empty": (b"", {"empty_file"}),
    "header_only": (csv_bytes([]), {"no_data_rows"}),
    "random_binary": (random.Random(1).randbytes(4096), {"not_a_csv"}),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(2).randbytes(200), {"not_a_csv"}),
    "utf16_le": (b"\xff\xfe" + csv_bytes(valid_rows()).decode().encode("utf-16-le"), {"not_a_csv"}),
    "utf16_be": (b"\xfe\xff" + csv_bytes(valid_rows()).decode().encode("utf-16-be"), {"not_a_csv"}),
    "nul_bytes": (nul_in_csv(), {"not_a_csv"}),
    "50k_columns_header": (many_columns_header(), {"too_many_columns"}),
    "50k_columns_row": (many_columns_row(), {"too_many_columns"}),
    "50k_duplicate_columns": (many_duplicate_columns(), {"too_many_columns"}),
    # A header with no column name of the return is one finding that says what line 1 holds instead.
    "100_columns_header": (many_columns_header(contract.MAX_COLUMNS), {"header_not_found"}),
    "100_duplicate_columns": (many_duplicate_columns(contract.MAX_COLUMNS), {"header_not_found"}),
    "86_unknown_columns_after_the_return": (
        return_with_extra_columns([f"c{i}" for i in range(contract.MAX_COLUMNS - len(contract.COLUMNS))]),
        {"unknown_column"},
    ),
    "86_duplicate_columns_after_the_return": (
        return_with_extra_columns(["a"] * (contract.MAX_COLUMNS - len(contract.COLUMNS))),
        {"duplicate_column", "unknown_column"},
    ),
    "row_past_column_100": (csv_bytes(valid_rows(1)).rstrip(b"\n") + b"," * 200 + b"x\n", {"too_many_columns"}),
    "6mb": (b"trust_code," + b"x" * (6 * 1024 * 1024), {"file_too_large"}),
    "zip_not_xlsx": (zip_not_xlsx(), {"not_a_csv"}),
    "pk_header_only": (b"PK\x03\x04garbage", {"not_a_csv"}),
    "old_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, {"not_a_csv"}),
    "unclosed_quote": (b'trust_code,"period_end\nRX4,2025\n', {"malformed_csv"}),
    "huge_cell": (csv_bytes(rows_with_note('"' * 0 + "n" * 200_000)), {"malformed_csv"}),
    "only_delimiters": (b";;;;\n;;;;\n", {"empty_file"}),
    "header_blank_names": (b",,x,\n1,2,3\n", {"header_not_found"}),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_gets_a_verdict(name):
    data, rules = HOSTILE[name]
    for file_name in ("upload.csv", "upload.xlsx"):
        result = check(data, name=file_name)
        assert not result.valid and result.clean is None
        assert {f.rule for f in result.findings} == rules, result.findings[:5]
        assert all(f.message for f in result.findings)
        json.dumps(result.as_json())
        assert len(result.findings) <= 40  # a short, readable list however bad the file


def test_many_unknown_columns_are_summarised():
    result = check(return_with_extra_columns([f"c{i}" for i in range(contract.MAX_COLUMNS - len(contract.COLUMNS))]))
    unknown = [f for f in result.findings if f.rule == "unknown_column"]
    assert len(unknown) == 21
    (summary,) = [f for f in unknown if "more unknown columns" in f.message]
    assert "66 more" in summary.message


def test_many_duplicate_columns_reported_once():
    result = check(return_with_extra_columns(["a"] * (contract.MAX_COLUMNS - len(contract.COLUMNS))))
    assert [f.value for f in result.findings if f.rule == "duplicate_column"] == ["a"]


@pytest.mark.parametrize(
    "note",
    [
        '=HYPERLINK("http://x","click")',
        "<script>alert(1)</script>",
        "+SUM(A1:A9)",
        "-1+1",
        "@cmd",
        "Robert'); DROP TABLE return_rows;--",
        "emoji 🙂 and ünïcödé",
    ],
)
def test_inert_text_in_notes_stored_unchanged(note):
    result = check(csv_bytes(rows_with_note(note)))
    assert_valid(result, note)


def test_formula_text_in_xlsx_notes_stored_unchanged():
    note = '=HYPERLINK("http://x","click")'
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(contract.COLUMNS))
    for row in rows_with_note(note):
        sheet.append([row[c] or None for c in contract.COLUMNS])
    sheet.cell(row=2, column=len(contract.COLUMNS)).data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    result = check(buf.getvalue(), name="r.xlsx")
    # openpyxl stores a text starting with '=' as a formula; with no cached value Excel-less readers see
    # nothing, so the note is either blank or the text itself, never something executed or an exception.
    assert result.valid
    assert result.clean["notes"][0] in (None, note)


# ---------------------------------------------------------------------------------------------------------
# Limits on what is read (contract.MAX_ROWS_READ, MAX_COLUMNS, MAX_CELL_CHARS), CSV


def test_a_value_beyond_the_last_column_read_is_refused_naming_its_line_and_column():
    data = csv_bytes(valid_rows()).replace(b"Two posts out to advert", b"Two posts" + b"," * 200 + b"stray")
    (f,) = check(data).findings
    assert (f.rule, f.line, f.value) == ("too_many_columns", 4, "stray")
    assert "Line 4 has a value in column 214 (HF), beyond the 100 columns read" in f.message
    assert "Delete everything to the right" in f.message


def test_empty_fields_beyond_the_last_column_read_are_ignored():
    lines = csv_bytes(valid_rows()).decode().splitlines()
    assert_valid(check(("\n".join(line + "," * 5_000 for line in lines) + "\n").encode()))


def test_blank_lines_count_towards_the_lines_read():
    rows = csv_bytes(valid_rows())
    assert_valid(check(rows + b",,,\n" * (contract.MAX_ROWS_READ - 10)))
    (f,) = check(rows + b"\n" * contract.MAX_ROWS_READ).findings
    assert (f.rule, f.value) == ("too_many_rows", ">100000")
    assert "more than 100,000 lines, counting empty ones" in f.message and "Delete the empty rows" in f.message


def test_a_cell_longer_than_excel_allows_is_refused_on_its_line_and_checked_no_further():
    rows = valid_rows()
    rows[1]["notes"] = "n" * (contract.MAX_CELL_CHARS + 1)
    rows[1]["headcount"] = "x"  # not reported: the row is not checked further
    (f,) = check(csv_bytes(rows)).findings
    assert (f.rule, f.line, f.column) == ("cell_too_long", 3, "notes")
    assert f.value == "n" * 100 + "…" and "more than 32,767 characters" in f.message


def test_a_note_as_long_as_excel_allows_is_only_too_long_for_a_note():
    rows = valid_rows()
    rows[1]["notes"] = "n" * contract.MAX_CELL_CHARS
    (f,) = check(csv_bytes(rows)).findings
    assert (f.rule, f.line) == ("notes_too_long", 3)
    assert len(f.value) < 1_100 and f.value.endswith("(32,767 characters)")  # quoted, not copied whole


# ---------------------------------------------------------------------------------------------------------
# Workbooks as Excel writes them (pswbench.returns.xlsx): shared strings, styles, dates, cell types


def workbook(
    sheet_rows: bytes, strings: list[str] | None = None, styles: bytes | None = None, date1904: bool = False
) -> bytes:
    from tests.helpers.workbook_kit import repacked, shared_strings_part, sheet_xml, with_shared_strings

    sheet = sheet_xml(sheet_rows)
    data = with_shared_strings(shared_strings_part(strings or []), sheet)
    parts = {}
    if styles is not None:
        parts["xl/styles.xml"] = styles
    if date1904:
        book = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
        parts["xl/workbook.xml"] = (
            book.replace(b"<workbookPr", b'<workbookPr date1904="1"', 1)
            if b"<workbookPr" in book
            else book.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>', 1)
        )
    return repacked(data, parts) if parts else data


def header_row() -> bytes:
    from tests.helpers.workbook_kit import inline

    return b'<row r="1">' + b"".join(inline(f"{chr(65 + i)}1", c) for i, c in enumerate(contract.COLUMNS)) + b"</row>"


def one_row(cells: dict[str, bytes], line: int = 2) -> bytes:
    """The first valid row on `line`, with the given columns replaced by raw <c> elements."""
    from tests.helpers.workbook_kit import inline

    row = valid_rows(1)[0]
    out = []
    for i, c in enumerate(contract.COLUMNS):
        ref = f"{chr(65 + i)}{line}"
        if c in cells:
            out.append(cells[c].replace(b"REF", ref.encode()))
        elif row[c]:
            out.append(inline(ref, row[c]))
    return b'<row r="%d">' % line + b"".join(out) + b"</row>"


STYLES = (
    b'<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy;@"/></numFmts>'
    b'<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
    b'<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs></styleSheet>'
)


def test_xlsx_shared_strings_with_rich_text_phonetic_runs_and_escapes():
    strings = [
        "RX4",
        "crisis",
        "<r><t>Two posts </t></r><r><rPr><b/></rPr><t>out to advert</t></r>"
        '<rPh sb="0" eb="1"><t>not part of the text</t></rPh>',
        "line one_x000D_line two _x005F_x0041_",
    ]
    cells = {
        "trust_code": b'<c r="REF" t="s"><v>0</v></c>',
        "service_setting": b'<c r="REF" t="s"><v>1</v></c>',
        "notes": b'<c r="REF" t="s"><v>2</v></c>',
    }
    third = {**cells, "notes": b'<c r="REF" t="s"><v>3</v></c>', "afc_band": b'<c r="REF"><v>5</v></c>'}
    result = check(workbook(header_row() + one_row(cells) + one_row(third, line=3), strings), name="r.xlsx")
    assert result.valid, result.findings
    assert result.clean["notes"].to_list() == ["Two posts out to advert", "line one\rline two _x0041_"]
    assert result.clean["service_setting"].to_list() == ["crisis", "crisis"]


def test_xlsx_dates_are_read_from_date_styled_numbers_in_either_calendar():
    serial_1900, serial_1904 = b"45930", b"44468"  # 30 September 2025 in each
    for style in (b"1", b"2"):  # a built-in and a custom date format
        for serial, in_1904 in ((serial_1900, False), (serial_1904, True)):
            cell = b'<c r="REF" s="' + style + b'"><v>' + serial + b"</v></c>"
            data = workbook(header_row() + one_row({"period_end": cell}), styles=STYLES, date1904=in_1904)
            result = check(data, name="r.xlsx")
            assert result.valid and result.period_end == dt.date(2025, 9, 30), (style, in_1904, result.findings)
    # The same number without a date style is a number, and the period check says so.
    (f,) = check(
        workbook(header_row() + one_row({"period_end": b'<c r="REF"><v>45930</v></c>'}), styles=STYLES), name="r.xlsx"
    ).errors
    assert (f.rule, f.value) == ("bad_date", "45930")


def test_xlsx_numbers_are_read_exactly_as_written():
    from pswbench.returns.xlsx import number_text

    assert number_text("9.6") == "9.6" and number_text("12") == "12"
    assert number_text("1E-3") == "0.001" and number_text("1.5E+2") == "150"
    assert number_text("0.30000000000000004") == "0.30000000000000004"
    assert number_text("1E+400") == "1E+400"  # not written out as 401 digits
    assert number_text("١٢") == "١٢" and number_text("NaN") == "NaN" and number_text("") == ""
    cells = {"vacancy_wte": b'<c r="REF"><v>1.2E0</v></c>', "bank_wte": b'<c r="REF"><v>4E-1</v></c>'}
    result = check(workbook(header_row() + one_row(cells)), name="r.xlsx")
    assert result.valid and result.clean["vacancy_wte"][0] == 1.2 and result.clean["bank_wte"][0] == 0.4


def test_xlsx_booleans_errors_and_formula_text_are_text():
    cells = {
        "vacancy_wte": b'<c r="REF" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
        "bank_wte": b'<c r="REF" t="b"><v>1</v></c>',
        "notes": b'<c r="REF" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>',
    }
    result = check(workbook(header_row() + one_row(cells)), name="r.xlsx")
    assert {(f.column, f.value) for f in result.errors} == {("vacancy_wte", "#DIV/0!"), ("bank_wte", "TRUE")}


def test_xlsx_rows_and_cells_without_references_follow_on():
    from tests.helpers.workbook_kit import inline

    row = valid_rows(1)[0]
    body = (
        b"<row>"
        + b"".join(inline("", c).replace(b' r=""', b"") for c in contract.COLUMNS)
        + b"</row><row>"
        + b"".join(inline("", row[c]).replace(b' r=""', b"") if row[c] else b"<c/>" for c in contract.COLUMNS)
        + b"</row>"
    )
    result = check(workbook(body), name="r.xlsx")
    assert result.valid and result.clean["line"].to_list() == [2], result.findings


def test_xlsx_number_cell_in_other_digits_is_reported_not_lost():
    cells = {"headcount": '<c r="REF"><v>١٢</v></c>'.encode()}
    (f,) = check(workbook(header_row() + one_row(cells)), name="r.xlsx").errors
    assert (f.rule, f.line, f.column, f.value) == ("non_ascii_digit", 2, "headcount", "١٢")


def test_xlsx_value_far_right_and_blank_cells_far_right():
    from tests.helpers.workbook_kit import inline

    stray = header_row() + one_row({}) + b'<row r="3"><c r="XFD3" s="1"/></row>'
    assert check(workbook(stray), name="r.xlsx").valid  # a formatted empty cell: nothing to read
    far = header_row() + one_row({}) + b'<row r="3">' + inline("CW3", "x") + b"</row>"
    (f,) = check(workbook(far), name="r.xlsx").findings
    assert (f.rule, f.line, f.value) == ("too_many_columns", 3, "x") and "column 101 (CW)" in f.message
