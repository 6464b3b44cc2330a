"""Reading Excel as trust leads make it (issue 12): title rows, tabs, invisible characters, date-times, the
rows Excel shows, formulas with no saved result, and messages that name their line and the file's period.

Workbooks are built with openpyxl, which writes a formula without a saved result, and hand-written XML
where Excel's own forms are needed (a formula with its result, a date-time cell).
"""

from __future__ import annotations

import datetime as dt

import pytest

from pswbench.returns import contract
from pswbench.returns.reader import read_sections
from pswbench.returns.validate import validate_bytes
from tests.helpers.returns_kit import TODAY, csv_bytes, valid_rows
from tests.helpers.workbook_kit import inline, return_table, with_sheet, workbook_of

WF = contract.WORKFORCE


def check(data: bytes, name: str = "r.csv", today: dt.date = TODAY):
    return validate_bytes(name, data, today=today)


def sheet(rows: list[list]) -> bytes:
    return workbook_of([("Sheet1", rows, "visible")])


# ---- the header: under a title, or one finding saying what was found ---------------------------------


def test_a_header_under_title_rows_is_found_and_rows_keep_their_lines():
    data = b"Quarterly return Q2,,,\nRX4 Trust,,\n\n" + csv_bytes(valid_rows())
    result = check(data)
    assert result.findings == [] and result.clean["line"].to_list() == [5, 6, 7]
    workbook = sheet([["Quarterly return Q2"], [None], *return_table()])
    result = check(workbook, "r.xlsx")
    assert result.findings == [] and result.clean["line"].to_list() == [4, 5, 6]


def test_the_header_is_looked_for_in_the_first_20_rows_that_hold_a_value():
    def titled(n: int) -> bytes:
        return b"".join(b"Title %d\n\n" % i for i in range(n)) + csv_bytes(valid_rows())

    assert check(titled(contract.HEADER_SEARCH_ROWS - 1)).valid  # the header is the 20th row with a value
    (f,) = check(titled(contract.HEADER_SEARCH_ROWS)).findings
    assert f.rule == "header_not_found"


def test_a_title_row_with_no_header_below_is_one_finding_that_says_it_looks_like_a_title():
    data = b"Quarterly return Q2\n" + csv_bytes(valid_rows()).split(b"\n", 1)[1]
    (f,) = check(data).findings
    assert (f.rule, f.line, f.value) == ("header_not_found", 1, "Quarterly return Q2")
    assert f.message.startswith("Line 1 looks like a title: 'Quarterly return Q2'")
    assert "down to line 4" in f.message
    (g,) = check(sheet([["Quarterly return Q2"], ["RX4", "2025-09-30"]]), "r.xlsx").findings
    assert g.message.startswith("Line 1 of sheet 'Sheet1' looks like a title: 'Quarterly return Q2'")


def test_rows_of_figures_with_no_header_say_what_line_1_holds():
    data = csv_bytes(valid_rows()).split(b"\n", 1)[1]
    (f,) = check(data).findings
    assert (f.rule, f.line) == ("header_not_found", 1)
    assert f.message.startswith("Line 1 holds 'RX4', '2025-09-30', 'adult_community', '3' and 9 more,")


def test_a_misspelt_header_under_a_title_gets_its_column_errors_on_its_line():
    header = [c if c != "headcount" else "headcont" for c in contract.COLUMNS]
    data = b"Quarterly return Q2\n" + csv_bytes(valid_rows(), header=header)
    found = check(data).findings
    assert sorted((f.rule, f.line, f.column) for f in found) == [
        ("missing_column", 2, "headcount"),
        ("unknown_column", 2, "headcont"),
    ]


def test_a_tab_delimited_file_is_one_finding_that_says_so():
    (f,) = check(csv_bytes(valid_rows(), delimiter="\t")).findings
    assert (f.rule, f.line) == ("tab_delimited", 1)
    assert "The file is separated by tabs" in f.message
    assert "save it as CSV UTF-8 (comma delimited)" in f.message


def test_a_tab_delimited_file_under_a_title_is_found_too():
    (f,) = check(b"Quarterly return\n" + csv_bytes(valid_rows(), delimiter="\t")).findings
    assert (f.rule, f.line) == ("tab_delimited", 2)


def test_column_names_pasted_into_one_cell_of_a_sheet_say_so():
    row = valid_rows(1)[0]
    pasted = [["\t".join(contract.COLUMNS)], ["\t".join(row[c] for c in contract.COLUMNS)]]
    (f,) = check(sheet(pasted), "r.xlsx").findings
    assert (f.rule, f.line) == ("header_not_found", 1)
    assert "holds the column names in one cell, A1, separated by tabs" in f.message
    assert "Text to Columns" in f.message


def test_a_semicolon_file_under_a_title_row_is_read_with_semicolons():
    data = b"Quarterly return, Q2 2025\n" + csv_bytes(valid_rows(), delimiter=";")
    result = check(data)
    assert result.findings == [] and result.clean["line"].to_list() == [3, 4, 5]


# ---- invisible characters ---------------------------------------------------------------------------


def test_invisible_characters_in_codes_and_headers_are_removed():
    rows = valid_rows()
    rows[0]["trust_code"] = "RX4\u200b"  # the zero-width space pasted after a trust code
    rows[1]["service_setting"] = "\ufeffadult_community"
    rows[2]["afc_band"] = "4\u2060"
    header = [f"{c}\u200b" if i % 2 else f"\u00a0{c}" for i, c in enumerate(contract.COLUMNS)]
    data = ",".join(header).encode() + b"\n" + csv_bytes(rows).split(b"\n", 1)[1]
    result = check(data)
    assert result.findings == [], result.findings
    assert result.clean["trust_code"].to_list() == ["RX4"] * 3
    assert result.clean["service_setting"][1] == "adult_community" and result.clean["afc_band"][2] == "4"


def test_invisible_characters_are_removed_from_demographic_and_organisation_codes():
    table = [list(contract.DEMOGRAPHIC_COLUMNS), ["RX4", "2026-09-30", "gender\u200b", "\u200bfemale", "3"]]
    (raw,) = read_sections("r.csv", "".join(",".join(r) + "\n" for r in table).encode())
    assert raw.frame.row(0, named=True) | {"line": 2} == {
        "line": 2,
        "trust_code": "RX4",
        "period_end": "2026-09-30",
        "dimension": "gender",
        "category": "female",
        "headcount": "3",
    }
    columns = list(contract.ORGANISATION_COLUMNS)
    values = ["3"] * len(columns)
    values[columns.index("peer_leadership_post")] = "Yes\u200b"
    values[columns.index("notes")] = "keep\u200b"  # free text: kept as written
    (org,) = read_sections("r.csv", (",".join(columns) + "\n" + ",".join(values) + "\n").encode())
    assert org.frame["peer_leadership_post"][0] == "Yes" and org.frame["notes"][0] == "keep\u200b"


def test_a_number_with_an_invisible_character_is_an_error_that_names_it():
    rows = valid_rows()
    rows[1]["headcount"] = "18\u200b"
    (f,) = check(csv_bytes(rows)).errors
    assert (f.rule, f.line, f.value) == ("not_a_whole_number", 3, "18\u200b")
    assert "headcount '18[ZERO WIDTH SPACE]' on line 3" in f.message
    assert "The cell holds an invisible character, [ZERO WIDTH SPACE]" in f.message


def test_several_invisible_characters_are_each_named():
    rows = valid_rows()
    rows[1]["vacancy_wte"] = "1\u00a0234\u2060"
    (f,) = check(csv_bytes(rows)).errors
    assert "'1[NO-BREAK SPACE]234[WORD JOINER]'" in f.message
    assert "invisible characters: [NO-BREAK SPACE] and [WORD JOINER]" in f.message


def test_a_value_without_invisible_characters_gets_no_word_about_them():
    rows = valid_rows()
    rows[1]["headcount"] = "18.5"
    (f,) = check(csv_bytes(rows)).errors
    assert "invisible" not in f.message


# ---- dates and date-times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025-09-30T00:00:00",
        "2025-09-30 00:00:00",
        "2025-09-30T00:00:00.000",
        "2025-09-30T00:00:00Z",
        "2025-09-30 00:00:00.000Z",
        "30/09/2025 00:00",
    ],
)
def test_a_date_time_at_midnight_is_read_as_its_date(text):
    result = check(csv_bytes(valid_rows(period_end=text)))
    assert result.findings == [] and result.period_end == dt.date(2025, 9, 30)
    assert result.clean["period_end"].to_list() == [dt.date(2025, 9, 30)] * 3


@pytest.mark.parametrize("text, time", [("2025-09-30T14:30:00", "14:30:00"), ("30/09/2025 09:15", "09:15")])
def test_a_date_time_at_any_other_time_is_an_error_saying_so(text, time):
    (f,) = check(csv_bytes(valid_rows(period_end=text))).errors
    assert (f.rule, f.line, f.value) == ("date_has_time", 2, text)
    assert f"'{text}' on lines 2 to 4 has a time of day, {time}" in f.message
    assert "Write the date alone, as 2025-09-30 or 30/09/2025" in f.message


def test_excel_date_cells_are_dates_at_midnight_and_an_error_with_a_time():
    table = return_table()
    for row in table[1:]:
        row[1] = dt.datetime(2025, 9, 30)
    assert check(sheet(table), "r.xlsx").valid
    table[2][1] = dt.datetime(2025, 9, 30, 14, 30)
    (f,) = check(sheet(table), "r.xlsx").errors
    assert (f.rule, f.line, f.value) == ("date_has_time", 3, "2025-09-30T14:30:00")


@pytest.mark.parametrize(
    "cell, rule",
    [(b"2025-09-30T00:00:00Z", None), (b"2025-09-30T00:00:00.000", None), (b"2025-09-30T08:00:00", "date_has_time")],
)
def test_iso_date_cells_are_read_as_a_date_only_at_midnight(cell, rule):
    header = b'<row r="1">' + b"".join(inline(f"{chr(65 + i)}1", c) for i, c in enumerate(contract.COLUMNS))
    row = valid_rows(1)[0]
    cells = [
        b'<c r="B2" t="d"><v>' + cell + b"</v></c>" if c == "period_end" else inline(f"{chr(65 + i)}2", row[c])
        for i, c in enumerate(contract.COLUMNS)
        if row[c] or c == "period_end"
    ]
    result = check(with_sheet(header + b'</row><row r="2">' + b"".join(cells) + b"</row>"), "r.xlsx")
    assert [f.rule for f in result.errors] == ([rule] if rule else []), result.errors


# ---- the rows Excel shows ---------------------------------------------------------------------------


def test_lines_are_csv_records_counting_blank_records_not_lines_of_text():
    rows = valid_rows()
    rows[0]["notes"] = "First line\nsecond line\nthird"
    rows[2]["afc_band"] = "9"
    data = csv_bytes(rows[:2]) + b"\n,,,\n" + csv_bytes(rows[2:]).split(b"\n", 1)[1]
    (f,) = check(data).errors
    # Excel shows: 1 header, 2 the note over three lines of text, 3, 4 and 5 blank, 6 the band 9.
    assert (f.rule, f.line) == ("unknown_afc_band", 6) and "on line 6" in f.message


def test_a_sheets_lines_are_its_row_numbers():
    table = return_table()
    rows = [table[0], [None], table[1], [None], [None], table[2], table[3]]
    result = check(sheet(rows), "r.xlsx")
    assert result.findings == [] and result.clean["line"].to_list() == [3, 6, 7]


# ---- formulas without a saved result ----------------------------------------------------------------


def test_a_formula_with_no_saved_result_gets_its_own_error_not_blank_use_0():
    table = return_table()
    table[2][contract.COLUMNS.index("headcount")] = "=SUM(J2:K2)"  # openpyxl saves no result
    result = check(sheet(table), "r.xlsx")
    (f,) = result.findings
    assert (f.rule, f.line, f.column, f.value) == ("formula_without_value", 3, "headcount", "=SUM(J2:K2)")
    assert (
        "this cell holds a formula with no saved result: open the file in Excel, save it, and upload again" in f.message
    )
    assert "line 3" in f.message and "use 0" not in f.message and result.clean is None


def test_a_formula_with_its_saved_result_is_read_as_the_result():
    header = b'<row r="1">' + b"".join(inline(f"{chr(65 + i)}1", c) for i, c in enumerate(contract.COLUMNS))
    row = valid_rows(1)[0]
    cells = []
    for i, c in enumerate(contract.COLUMNS):
        ref = f"{chr(65 + i)}2"
        if c == "headcount":
            cells.append(f'<c r="{ref}"><f>6*2</f><v>12</v></c>'.encode())
        elif c == "notes":
            cells.append(f'<c r="{ref}" t="str"><f>""</f><v></v></c>'.encode())  # a result that is empty text
        elif row[c]:
            cells.append(inline(ref, row[c]))
    result = check(with_sheet(header + b'</row><row r="2">' + b"".join(cells) + b"</row>"), "r.xlsx")
    assert result.findings == [] and result.clean["headcount"][0] == 12 and result.clean["notes"][0] is None


def test_a_shared_formula_with_no_result_is_reported_too():
    header = b'<row r="1">' + b"".join(inline(f"{chr(65 + i)}1", c) for i, c in enumerate(contract.COLUMNS))
    row = valid_rows(1)[0]
    cells = [
        b'<c r="E2"><f t="shared" si="0"/></c>' if c == "headcount" else inline(f"{chr(65 + i)}2", row[c])
        for i, c in enumerate(contract.COLUMNS)
        if row[c]
    ]
    (f,) = check(with_sheet(header + b'</row><row r="2">' + b"".join(cells) + b"</row>"), "r.xlsx").findings
    assert (f.rule, f.line, f.column, f.value) == ("formula_without_value", 2, "headcount", "=")


# ---- every message names its line; hints in the file's own period and real code lengths -------------


def test_the_trust_not_open_message_names_its_line():
    (f,) = check(csv_bytes(valid_rows(trust_code="RRP", period_end="2025-03-31"))).errors
    assert f.rule == "trust_not_open" and "on line 2 was not open on 2025-03-31" in f.message


def test_the_unknown_trust_hint_gives_real_code_lengths():
    (f,) = check(csv_bytes(valid_rows(trust_code="RZZ"))).errors
    assert f.rule == "unknown_trust_code" and "3-character" not in f.message
    assert "3 or 5 characters, such as RX4 or G6V2S" in f.message


def test_a_2026_files_date_hint_shows_its_own_period():
    rows = valid_rows(period_end="2026-06-30")
    rows[1]["period_end"] = "30 June 2026"
    found = check(csv_bytes(rows)).errors
    (f,) = [f for f in found if f.rule == "bad_date"]
    assert "write it as 2026-06-30 or 30/06/2026" in f.message and "2025" not in f.message


def test_a_date_hint_without_a_readable_period_uses_the_year_written():
    (f,) = check(csv_bytes(valid_rows(period_end="30-Sep-2026")), today=dt.date(2027, 1, 5)).errors
    assert f.rule == "bad_date" and "write it as 2026-09-30 or 30/09/2026" in f.message
    (g,) = check(csv_bytes(valid_rows(period_end="30-Sep-25"))).errors
    assert "write it as 2025-09-30 or 30/09/2025" in g.message


def test_file_level_messages_name_their_line():
    (f,) = check(csv_bytes([])).findings
    assert f.rule == "no_data_rows" and f.line == 1 and "line 1" in f.message
    header = list(contract.COLUMNS) + ["zzz"]
    (g,) = check(csv_bytes(valid_rows(), header=header)).errors
    assert g.rule == "unknown_column" and "in the header on line 1" in g.message
