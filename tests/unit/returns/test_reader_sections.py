"""read_sections: a file becomes one RawReturn per section of the return (issue 12, "Files").

A CSV file is one section, told by its columns; a workbook gives one per visible sheet named Workforce,
Demographics or Organisation, or, with no such sheet, its first visible sheet told by its columns. Hidden
sheets are never read, and a sheet that is not read but holds a section gets a warning naming it.
Workbooks are built with openpyxl, as a program (not Excel) writes them.
"""

from __future__ import annotations

import io
import zipfile

import openpyxl
import polars as pl
import pytest

from pswbench.returns import contract
from pswbench.returns.reader import read_return, read_sections
from tests.helpers.returns_kit import csv_bytes, valid_rows
from tests.helpers.workbook_kit import repacked, return_table, workbook_of

WF, DEM, ORG = contract.WORKFORCE, contract.DEMOGRAPHICS, contract.ORGANISATION


def demographic_table(period: str = "2026-09-30") -> list[list]:
    rows = [list(contract.DEMOGRAPHIC_COLUMNS)]
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        rows += [["RX4", period, dimension, code, 1] for code, _ in categories]
    return rows


def organisation_table(notes: bool = True) -> list[list]:
    columns = [c for c in contract.ORGANISATION_COLUMNS if notes or c != "notes"]
    values = {"trust_code": "RX4", "period_end": "2026-09-30", "peer_leadership_post": "yes", "notes": "n"}
    return [columns, [values.get(c, 3) for c in columns]]


def as_csv(table: list[list]) -> bytes:
    return "".join(",".join("" if v is None else str(v) for v in row) + "\n" for row in table).encode()


def visible(*sheets: tuple[str, list[list]]) -> bytes:
    return workbook_of([(name, rows, "visible") for name, rows in sheets])


def rules(raw) -> list[str]:
    return [f.rule for f in raw.findings]


# ---- the frame of each section ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "section, table",
    [(WF, return_table()), (DEM, demographic_table()), (ORG, organisation_table())],
)
def test_a_csv_file_is_one_section_told_by_its_columns_with_exactly_the_sections_columns(section, table):
    (raw,) = read_sections("r.csv", as_csv(table))
    assert (raw.section, raw.sheet, raw.findings) == (section, None, [])
    assert raw.frame.columns == ["line", *contract.SECTION_COLUMNS[section]]
    assert raw.frame.schema["line"] == pl.Int64
    assert all(raw.frame.schema[c] == pl.String for c in contract.SECTION_COLUMNS[section])
    assert raw.frame["line"].to_list() == list(range(2, len(table) + 1))


def test_optional_columns_left_out_are_read_as_blank():
    (raw,) = read_sections("r.csv", as_csv(organisation_table(notes=False)))
    assert raw.findings == [] and raw.frame["notes"].to_list() == [None]
    (v1,) = read_sections("r.csv", csv_bytes(valid_rows(), header=contract.COLUMNS[:-1]))
    assert v1.findings == [] and v1.frame["contacts"].to_list() == [None] * 3 == v1.frame["notes"].to_list()


def test_the_contacts_column_is_read_when_given():
    header = list(contract.WORKFORCE_COLUMNS)
    rows = [dict(r, contacts=str(10 * i)) for i, r in enumerate(valid_rows())]
    (raw,) = read_sections("r.csv", csv_bytes(rows, header=header))
    assert raw.findings == [] and raw.frame["contacts"].to_list() == ["0", "10", "20"]


def test_blank_cells_are_null_and_cells_are_text():
    table = organisation_table()
    table[1][table[0].index("notes")] = "   "
    (raw,) = read_sections("r.csv", as_csv(table))
    row = raw.frame.row(0, named=True)
    assert row["notes"] is None and row["teams_with_psw"] == "3" and row["peer_leadership_post"] == "yes"


def test_header_rules_are_the_sections_own():
    header = ["trust_code", "period_end", "dimensions", "headcount"]
    (raw,) = read_sections("r.csv", as_csv([header, ["RX4", "2026-09-30", "gender", 1]]))
    assert raw.section == DEM and raw.frame is None
    unknown = [f for f in raw.findings if f.rule == "unknown_column"]
    missing = sorted(f.column for f in raw.findings if f.rule == "missing_column")
    assert [f.value for f in unknown] == ["dimensions"] and "Did you mean 'dimension'?" in unknown[0].message
    assert "not part of the demographics section" in unknown[0].message
    assert missing == ["category", "dimension"]


def test_a_column_of_another_section_says_which():
    table = return_table()
    table[0].append("dimension")
    (raw,) = read_sections("r.csv", as_csv(table))
    (f,) = raw.findings
    assert (f.rule, f.value, f.line) == ("unknown_column", "dimension", 1)
    assert "It is a column of the demographics section: send that section in a CSV file of its own." in f.message
    (sheet,) = read_sections("r.xlsx", visible(("Workforce", table)))
    assert "put that section on a sheet named Demographics" in sheet.findings[0].message


def test_header_findings_name_their_line_and_sheet():
    table = [["Quarterly return"], *return_table()]
    table[1][table[1].index("notes")] = "headcount"
    (raw,) = read_sections("r.xlsx", visible(("Workforce", table)))
    (f,) = raw.findings
    assert (f.rule, f.line) == ("duplicate_column", 2)
    assert "more than once in the header on line 2 of sheet 'Workforce'" in f.message


def test_no_data_rows_names_the_header_line():
    (raw,) = read_sections("r.csv", as_csv([list(contract.DEMOGRAPHIC_COLUMNS)]))
    (f,) = raw.findings
    assert (raw.section, f.rule, f.line) == (DEM, "no_data_rows", 1)
    assert "a header (line 1) but no data rows" in f.message and "dimension and category" in f.message


# ---- workbooks: sheets named for sections -------------------------------------------------------------


def test_each_sheet_named_for_a_section_is_read_in_tab_order_and_other_sheets_are_ignored():
    data = visible(
        ("Instructions", [["How to fill in this return"], ["trust_code", "your ODS code"]]),
        ("Organisation", organisation_table()),
        ("Workforce", return_table()),
        ("Lists", [["service_setting"], *[[s] for s in contract.SERVICE_SETTINGS]]),
        ("Demographics", demographic_table()),
    )
    out = read_sections("r.xlsx", data)
    assert [(r.section, r.sheet) for r in out] == [(ORG, "Organisation"), (WF, "Workforce"), (DEM, "Demographics")]
    assert all(r.findings == [] and r.frame is not None for r in out)
    assert read_return("r.xlsx", data).section == WF


@pytest.mark.parametrize("name", ["workforce", "  WORKFORCE ", "Work\u200bforce", "\ufeffWorkforce\u00a0"])
def test_sheet_names_match_ignoring_case_spaces_and_invisible_characters(name):
    data = visible(("Instructions", [["Read me"]]), (name, return_table()))
    (raw,) = read_sections("r.xlsx", data)
    assert (raw.section, raw.sheet, raw.findings) == (WF, name, [])


def test_a_named_sheet_with_a_header_and_nothing_below_it_is_a_section_left_out():
    data = visible(
        ("Workforce", return_table()),
        ("Demographics", [list(contract.DEMOGRAPHIC_COLUMNS)]),
        ("Organisation", []),
    )
    (raw,) = read_sections("r.xlsx", data)
    assert (raw.section, raw.findings) == (WF, [])


def test_a_demographics_sheet_as_the_template_leaves_it_is_a_section_left_out():
    labels = [[None, None, d, c, None] for d, c in (r[2:4] for r in demographic_table()[1:])]
    data = visible(("Workforce", return_table()), ("Demographics", [demographic_table()[0], *labels]))
    (raw,) = read_sections("r.xlsx", data)
    assert (raw.section, raw.findings) == (WF, [])
    labels[3][4] = 2  # one figure typed in: the section is there, and its blanks are for the rules to report
    data = visible(("Workforce", return_table()), ("Demographics", [demographic_table()[0], *labels]))
    assert [r.section for r in read_sections("r.xlsx", data)] == [WF, DEM]


def test_a_workbook_whose_named_sheets_are_all_empty_says_so_on_the_first():
    data = visible(("Workforce", return_table()[:1]), ("Demographics", [list(contract.DEMOGRAPHIC_COLUMNS)]))
    (raw,) = read_sections("r.xlsx", data)
    assert (raw.section, raw.sheet, rules(raw)) == (WF, "Workforce", ["no_data_rows"])


def test_a_named_sheet_holding_another_sections_columns_is_an_error_naming_both():
    (raw,) = read_sections("r.xlsx", visible(("Workforce", demographic_table())))
    (f,) = raw.findings
    assert (raw.section, raw.sheet, raw.frame) == (WF, "Workforce", None)
    assert (f.rule, f.line) == ("section_on_wrong_sheet", 1)
    assert "Sheet 'Workforce' holds the columns of the demographics section" in f.message
    assert "Move them to a sheet named Demographics" in f.message


def test_a_named_sheet_with_its_own_header_is_read_even_with_another_sections_columns_further_down():
    table = return_table() + [[None], *demographic_table()[:2]]
    (raw,) = read_sections("r.xlsx", visible(("Workforce", table)))
    assert raw.section == WF and "section_on_wrong_sheet" not in rules(raw)


# ---- workbooks without named sheets -------------------------------------------------------------------


def test_without_named_sheets_the_first_visible_sheet_is_read_and_told_by_its_columns():
    (raw,) = read_sections("r.xlsx", visible(("Sheet1", demographic_table())))
    assert (raw.section, raw.sheet, raw.findings) == (DEM, "Sheet1", [])


def test_the_issues_hidden_first_sheet_of_settings_is_not_read_instead_of_the_return():
    lists = [["service_setting"], *[[s] for s in contract.SERVICE_SETTINGS]]
    data = workbook_of([("Lists", lists, "hidden"), ("Return", return_table(), "visible")])
    (raw,) = read_sections("r.xlsx", data)
    # A list of settings would not have been a section: no warning about it either.
    assert (raw.section, raw.sheet, raw.findings) == (WF, "Return", [])
    assert raw.frame.height == 3


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_for_a_section_is_not_read_and_gets_a_warning_naming_it(state):
    data = workbook_of([("Workforce", return_table(), state), ("Sheet1", demographic_table(), "visible")])
    (raw,) = read_sections("r.xlsx", data)
    assert (raw.section, raw.sheet) == (DEM, "Sheet1")
    (f,) = raw.findings
    assert (f.rule, f.severity, f.section, f.sheet, f.line) == ("hidden_sheet", "warning", WF, "Workforce", 1)
    assert "Sheet 'Workforce' is hidden, so it was not read" in f.message and "Unhide" in f.message


def test_a_hidden_sheet_holding_a_sections_columns_gets_a_warning_on_the_first_section():
    data = workbook_of(
        [
            ("Workforce", return_table(), "visible"),
            ("Old copy", [["Last year's"], *organisation_table()], "hidden"),
            ("Demographics", demographic_table(), "visible"),
        ]
    )
    first, second = read_sections("r.xlsx", data)
    assert rules(second) == []
    (f,) = first.findings
    assert (f.rule, f.section, f.sheet, f.line) == ("hidden_sheet", ORG, "Old copy", 2)
    assert "holds the organisational conditions section's columns on line 2" in f.message


def test_a_hidden_sheet_with_only_a_header_is_no_section_and_gets_no_warning():
    data = workbook_of([("Sheet1", return_table(), "visible"), ("Demographics", demographic_table()[:1], "hidden")])
    assert rules(read_sections("r.xlsx", data)[0]) == []


def test_a_visible_sheet_holding_a_section_that_is_not_read_gets_a_warning():
    data = visible(("Workforce", return_table()), ("Demog", demographic_table()))
    (raw,) = read_sections("r.xlsx", data)
    (f,) = raw.findings
    assert (f.rule, f.severity, f.section, f.sheet) == ("unread_sheet", "warning", DEM, "Demog")
    assert "only those are read" in f.message and "name it Demographics" in f.message
    unnamed = visible(("Sheet1", return_table()), ("Sheet2", return_table()))
    (g,) = read_sections("r.xlsx", unnamed)[0].findings
    assert (g.rule, g.sheet) == ("unread_sheet", "Sheet2") and "only the first sheet is read" in g.message
    assert "the workforce section was read from sheet 'Sheet1'" in g.message


def test_an_instructions_sheet_first_names_the_sheet_that_holds_the_return():
    data = visible(
        ("Instructions", [["How to fill in the return"], ["trust_code", "Your ODS code"]]),
        ("Data", return_table()),
    )
    (raw,) = read_sections("r.xlsx", data)
    (f,) = raw.findings  # and no unread_sheet warning repeating it
    assert (raw.section, raw.sheet, f.rule, f.value) == (None, "Instructions", "header_not_found", "Data")
    assert "No row of sheet 'Instructions' holds the return's column names; sheet 'Data' does (line 1" in f.message
    assert "name that sheet Workforce, or move it to be the first sheet" in f.message


def test_a_workbook_with_every_sheet_hidden_is_refused():
    base = workbook_of([("Sheet1", return_table(), "visible")])
    book = zipfile.ZipFile(io.BytesIO(base)).read("xl/workbook.xml").replace(b'state="visible"', b'state="hidden"')
    (raw,) = read_sections("r.xlsx", repacked(base, {"xl/workbook.xml": book}))
    assert (raw.frame, raw.section, rules(raw)) == (None, None, ["unreadable_xlsx"])
    assert "Every sheet of the workbook is hidden" in raw.findings[0].message


@pytest.mark.parametrize(
    "data, rule",
    [(b"", "empty_file"), (b"%PDF-1.4\x00", "not_a_csv"), (b"PK\x03\x04garbage", "not_a_csv")],
)
def test_a_file_that_cannot_be_read_is_one_raw_return_with_no_frame_and_no_section(data, rule):
    for name in ("r.csv", "r.xlsx"):
        (raw,) = read_sections(name, data)
        assert (raw.frame, raw.section, raw.sheet, rules(raw)) == (None, None, None, [rule])


def test_read_return_gives_the_workforce_section_or_the_first():
    data = visible(("Demographics", demographic_table()), ("Workforce", return_table()))
    assert [r.section for r in read_sections("r.xlsx", data)] == [DEM, WF]
    assert read_return("r.xlsx", data).section == WF
    assert read_return("r.xlsx", visible(("Demographics", demographic_table()))).section == DEM


def test_openpyxl_helper_writes_the_states_it_is_given():
    """The workbooks above really have hidden sheets: openpyxl reads back what it wrote."""
    data = workbook_of([("A", [[1]], "visible"), ("B", [[1]], "hidden"), ("C", [[1]], "veryHidden")])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert [s.sheet_state for s in book.worksheets] == ["visible", "hidden", "veryHidden"]
