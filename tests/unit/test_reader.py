"""Encodings, delimiters, header forms, xlsx, and hostile files: always a verdict, never an exception."""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import zipfile

import openpyxl
import pytest

from returns_kit import TODAY, csv_bytes, valid_rows
from pswbench import contract
from pswbench.validate import validate_bytes

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


def test_quoted_note_with_comma_and_newline_keeps_line_numbers():
    note = "First line, with a comma\nsecond line"
    data = csv_bytes(rows_with_note(note))
    result = check(data)
    assert_valid(result, note)
    assert result.clean["line"].to_list() == [2, 4, 5]   # row 2 spans lines 2-3
    bad = valid_rows()
    bad[0]["notes"] = note
    bad[2]["afc_band"] = "9"
    (f,) = check(csv_bytes(bad)).errors
    assert (f.rule, f.line) == ("unknown_afc_band", 5) and "line 5" in f.message


def test_excel_trailing_blank_rows_and_columns():
    lines = csv_bytes(valid_rows()).decode().splitlines()
    data = "\n".join(line + ",,," for line in lines) + "\n" + ",,,,,,,,,,,,,,,,\n" * 5 + "\n\n"
    result = check(data.encode())
    assert_valid(result)


def test_blank_rows_do_not_hide_later_rows():
    rows = valid_rows()
    data = csv_bytes(rows[:2]) + b",,,,,,,,,,,,,\n" * (contract.MAX_DATA_ROWS + 5) \
        + csv_bytes(rows[2:]).split(b"\n", 1)[1]
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
    assert [(f.rule, f.line, f.column) for f in from_xlsx.findings] == \
        [(f.rule, f.line, f.column) for f in from_csv.findings]
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


def many_columns_header() -> bytes:
    header = ",".join(f"c{i}" for i in range(50_000))
    return (header + "\n" + ",".join("1" for _ in range(50_000)) + "\n").encode()


def many_columns_row() -> bytes:
    return csv_bytes(valid_rows(1)).rstrip(b"\n") + b"," * 50_000 + b"x\n"


def many_duplicate_columns() -> bytes:
    return ("a," * 50_000 + "\n" + "1," * 50_000 + "\n").encode()


HOSTILE = {
    "empty": (b"", {"empty_file"}),
    "header_only": (csv_bytes([]), {"no_data_rows"}),
    "random_binary": (random.Random(1).randbytes(4096), {"not_a_csv"}),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(2).randbytes(200), {"not_a_csv"}),
    "utf16_le": (b"\xff\xfe" + csv_bytes(valid_rows()).decode().encode("utf-16-le"), {"not_a_csv"}),
    "utf16_be": (b"\xfe\xff" + csv_bytes(valid_rows()).decode().encode("utf-16-be"), {"not_a_csv"}),
    "nul_bytes": (nul_in_csv(), {"not_a_csv"}),
    "50k_columns_header": (many_columns_header(), {"unknown_column", "missing_column"}),
    "50k_columns_row": (many_columns_row(), {"wrong_field_count"}),
    "50k_duplicate_columns": (many_duplicate_columns(), {"duplicate_column", "unknown_column",
                                                         "missing_column"}),
    "6mb": (b"trust_code," + b"x" * (6 * 1024 * 1024), {"file_too_large"}),
    "zip_not_xlsx": (zip_not_xlsx(), {"not_a_csv"}),
    "pk_header_only": (b"PK\x03\x04garbage", {"not_a_csv"}),
    "old_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, {"not_a_csv"}),
    "unclosed_quote": (b'trust_code,"period_end\nRX4,2025\n', {"malformed_csv"}),
    "huge_cell": (csv_bytes(rows_with_note('"' * 0 + "n" * 200_000)), {"malformed_csv"}),
    "only_delimiters": (b";;;;\n;;;;\n", {"empty_file"}),
    "header_blank_names": (b",,x,\n1,2,3\n", {"unknown_column", "missing_column"}),
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
    result = check(many_columns_header())
    unknown = [f for f in result.findings if f.rule == "unknown_column"]
    assert len(unknown) == 21
    (summary,) = [f for f in unknown if "more unknown columns" in f.message]
    assert "49,980 more" in summary.message


def test_many_duplicate_columns_reported_once():
    result = check(many_duplicate_columns())
    assert [f.value for f in result.findings if f.rule == "duplicate_column"] == ["a"]


@pytest.mark.parametrize("note", [
    '=HYPERLINK("http://x","click")',
    "<script>alert(1)</script>",
    "+SUM(A1:A9)",
    "-1+1",
    "@cmd",
    "Robert'); DROP TABLE return_rows;--",
    "emoji 🙂 and ünïcödé",
])
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
