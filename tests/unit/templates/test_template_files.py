"""The shipped templates and filled example (data/template*.{xlsx,csv}, data/example_*): built by
scripts/build_templates.py from the contract, with the right sheets, headers, checks and formats, and an
example that keeps every rule of the return."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pswbench.paths import DATA_DIR
from pswbench.returns import contract
from pswbench.returns.validate import validate_bytes
from scripts import build_templates, template_text
from scripts.build_templates import CSV_EXAMPLES, CSV_TEMPLATES, DATA_ROWS, OUTPUTS
from tests.helpers.returns_kit import TODAY
from tests.helpers.template_checks import covering, data_rows, header

TEMPLATE = DATA_DIR / build_templates.WORKBOOK_TEMPLATE
EXAMPLE = DATA_DIR / build_templates.WORKBOOK_EXAMPLE
WORKBOOKS = pytest.mark.parametrize("path", [TEMPLATE, EXAMPLE], ids=["template", "example"])
SHEETS = ["Instructions", "Workforce", "Demographics", "Organisation"]
PAIRS = [
    (dimension, code)
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items()
    for code, _category_label in categories
]


def _book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _sheet(path: Path, section: str):
    return _book(path)[contract.SHEET_NAMES[section]]


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _letter(section: str, column: str) -> str:
    return openpyxl.utils.get_column_letter(contract.SECTION_COLUMNS[section].index(column) + 1)


def test_the_script_reproduces_the_committed_files(tmp_path):
    written = build_templates.build(tmp_path)
    assert [p.name for p in written] == list(OUTPUTS)
    for path in written:
        committed = (DATA_DIR / path.name).read_bytes()
        stale = f"{path.name} is not what the script writes: run python -m scripts.build_templates"
        if path.suffix == ".xlsx":
            # Every part of the workbook, unzipped: cells, checks, formats and styles alike (the
            # compressed bytes may differ with another zlib).
            assert _parts(path.read_bytes()) == _parts(committed), stale
        else:
            assert path.read_bytes() == committed, stale


def test_a_rebuild_is_byte_identical(tmp_path):
    first, second = build_templates.build(tmp_path / "a"), build_templates.build(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


@WORKBOOKS
def test_sheets_and_headers(path):
    book = _book(path)
    assert book.sheetnames == SHEETS
    assert all(ws.sheet_state == "visible" for ws in book.worksheets)
    for section in contract.SECTIONS:
        assert header(book[contract.SHEET_NAMES[section]]) == list(contract.SECTION_COLUMNS[section])


def test_csv_templates_are_the_section_headers():
    assert _csv(DATA_DIR / CSV_TEMPLATES[contract.WORKFORCE]) == [list(contract.WORKFORCE_COLUMNS)]
    assert _csv(DATA_DIR / CSV_TEMPLATES[contract.ORGANISATION]) == [list(contract.ORGANISATION_COLUMNS)]
    demographics = _csv(DATA_DIR / CSV_TEMPLATES[contract.DEMOGRAPHICS])
    assert demographics[0] == list(contract.DEMOGRAPHIC_COLUMNS)
    assert demographics[1:] == [["", "", dimension, code, ""] for dimension, code in PAIRS]


def test_template_demographics_sheet_lists_every_pair_and_nothing_else():
    rows = data_rows(_sheet(TEMPLATE, contract.DEMOGRAPHICS))
    assert [(r["dimension"], r["category"]) for r in rows] == PAIRS
    assert all(r["trust_code"] is None and r["period_end"] is None and r["headcount"] is None for r in rows)
    assert data_rows(_sheet(TEMPLATE, contract.WORKFORCE)) == []
    assert data_rows(_sheet(TEMPLATE, contract.ORGANISATION)) == []


@WORKBOOKS
@pytest.mark.parametrize(
    ("section", "column", "allowed"),
    [
        (contract.WORKFORCE, "service_setting", contract.SERVICE_SETTINGS),
        (contract.WORKFORCE, "afc_band", contract.AFC_BANDS),
        (contract.DEMOGRAPHICS, "dimension", tuple(contract.DEMOGRAPHIC_DIMENSIONS)),
        (contract.ORGANISATION, "peer_leadership_post", contract.YES_NO),
    ],
)
def test_drop_down_lists_hold_exactly_the_contract_values(path, section, column, allowed):
    ws = _sheet(path, section)
    letter = _letter(section, column)
    for row in range(2, DATA_ROWS[section] + 2):
        (check,) = covering(ws, f"{letter}{row}")
        assert check.values == list(allowed)
    assert covering(ws, f"{letter}1") == []  # not the header


@WORKBOOKS
def test_each_category_cell_lists_its_own_dimensions_categories(path):
    ws = _sheet(path, contract.DEMOGRAPHICS)
    for row, (dimension, _code) in enumerate(PAIRS, 2):
        assert ws[f"C{row}"].value == dimension
        (check,) = covering(ws, f"D{row}")
        assert check.values == [code for code, _label in contract.DEMOGRAPHIC_DIMENSIONS[dimension][1]]


def _numeric_columns(section: str) -> dict[str, tuple[str, str]]:
    """column -> (validation type, number format) for a section's numbers."""
    if section == contract.WORKFORCE:
        whole = contract.INTEGER_COLUMNS + contract.WORKFORCE_OPTIONAL_INTEGER_COLUMNS
        decimal = contract.REQUIRED_DECIMAL_COLUMNS + contract.OPTIONAL_DECIMAL_COLUMNS
    elif section == contract.DEMOGRAPHICS:
        whole, decimal = ("headcount",), ()
    else:
        whole, decimal = contract.ORGANISATION_COUNT_COLUMNS, ()
    return {**{c: ("whole", "0") for c in whole}, **{c: ("decimal", "0.00") for c in decimal}}


@WORKBOOKS
@pytest.mark.parametrize("section", contract.SECTIONS)
def test_numbers_are_checked_and_formatted(path, section):
    ws = _sheet(path, section)
    numeric = _numeric_columns(section)
    assert numeric and set(numeric) <= set(contract.SECTION_COLUMNS[section])
    for column, (kind, number_format) in numeric.items():
        letter = _letter(section, column)
        assert ws.column_dimensions[letter].number_format == number_format, column
        (check,) = covering(ws, f"{letter}2")
        assert (check.kind, check.operator, check.formula1) == (kind, "greaterThanOrEqual", "0"), column
        for cell in ws[letter][1:]:
            if cell.value is not None:
                assert cell.number_format == number_format and isinstance(cell.value, int | float), cell


@WORKBOOKS
@pytest.mark.parametrize("section", contract.SECTIONS)
def test_every_column_has_one_check_over_its_rows_with_a_prompt(path, section):
    ws = _sheet(path, section)
    last = DATA_ROWS[section] + 1
    for column in contract.SECTION_COLUMNS[section]:
        letter = _letter(section, column)
        for row in (2, last):
            (check,) = covering(ws, f"{letter}{row}")
            assert check.prompt == template_text.PROMPTS[section][column]
            assert check.error
        assert covering(ws, f"{letter}{last + 1}") == []


@WORKBOOKS
def test_period_end_is_a_date_checked_for_its_quarter(path):
    book = _book(path)
    for section in contract.SECTIONS:
        ws = book[contract.SHEET_NAMES[section]]
        assert ws.column_dimensions["B"].number_format == "yyyy-mm-dd"
        (check,) = covering(ws, "B2")
        assert check.kind == "custom"
        if section == contract.WORKFORCE:
            assert check.formula1 == "AND(B2=EOMONTH(B2,0),MOD(MONTH(B2),3)=0)"
        else:
            assert check.formula1 == "AND(MONTH(B2)=9,DAY(B2)=30)" and "30 September only" in check.error


@WORKBOOKS
def test_notes_and_trust_code_lengths_are_checked(path):
    for section in (contract.WORKFORCE, contract.ORGANISATION):
        ws = _sheet(path, section)
        (notes,) = covering(ws, f"{_letter(section, 'notes')}2")
        assert (notes.kind, notes.operator, notes.formula1) == ("textLength", "lessThanOrEqual", "500")
    for section in contract.SECTIONS:
        (code,) = covering(_sheet(path, section), "A2")
        assert (code.kind, code.operator, code.formula1, code.formula2) == ("textLength", "between", "3", "5")


def test_instructions_say_what_each_section_is_when_and_where_the_spec_is():
    text = " ".join(str(c.value) for row in _book(TEMPLATE)["Instructions"].iter_rows() for c in row if c.value)
    for needed in (
        "Every quarter: fill in the Workforce sheet",
        "for the quarter ending 30 September only",
        "delete the Demographics and Organisation sheets",
        "Each dimension must add up to the total headcount on the Workforce sheet",
        "docs/return-spec.md",
        "this Instructions sheet is ignored",
    ):
        assert needed in text
    for section in contract.SECTIONS:
        for column, prompt in template_text.PROMPTS[section].items():
            assert column in text and prompt in text
    for _dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        for code, label in categories:
            assert code in text and label in text
    assert "synthetic" not in text
    example = " ".join(str(c.value) for row in _book(EXAMPLE)["Instructions"].iter_rows() for c in row if c.value)
    assert template_text.EXAMPLE_NOTE in example


def test_no_instructions_row_holds_a_sections_columns():
    """A row holding a section's required columns would be taken for its header (issue 12)."""
    for row in _book(TEMPLATE)["Instructions"].iter_rows(values_only=True):
        cells = {v for v in row if v}
        for section in contract.SECTIONS:
            assert not set(contract.section_required_columns(section)) <= cells


# --- The filled example: every rule of the return holds ---


def _example_sections() -> dict[str, list[dict[str, object]]]:
    book = _book(EXAMPLE)
    return {s: data_rows(book[contract.SHEET_NAMES[s]]) for s in contract.SECTIONS}


def test_example_is_one_trust_and_one_annual_period():
    sections = _example_sections()
    identities = {(r["trust_code"], r["period_end"]) for rows in sections.values() for r in rows}
    assert identities == {("RX4", dt.datetime(2026, 9, 30))}
    assert contract.is_annual_period(dt.date(2026, 9, 30))


def test_example_workforce_is_the_version_1_example_moved_to_2026_with_contacts():
    version_1 = _csv(DATA_DIR / "example_return.csv")
    rows = _example_sections()[contract.WORKFORCE]
    assert len(rows) == len(version_1) - 1
    for row, old in zip(rows, version_1[1:]):
        old_row = dict(zip(version_1[0], old))
        assert (row["service_setting"], row["afc_band"], row["headcount"]) == (
            old_row["service_setting"],
            old_row["afc_band"],
            int(old_row["headcount"]),
        )
        assert isinstance(row["contacts"], int) and row["contacts"] >= 0
    assert len({(r["service_setting"], r["afc_band"]) for r in rows}) == len(rows)


def _total(sections) -> int:
    return sum(r["headcount"] for r in sections[contract.WORKFORCE])


def test_example_demographics_add_up_to_the_workforce_headcount_in_every_dimension():
    sections = _example_sections()
    total = _total(sections)
    assert total == 63
    rows = sections[contract.DEMOGRAPHICS]
    assert Counter((r["dimension"], r["category"]) for r in rows) == Counter(PAIRS)  # each exactly once
    for dimension in contract.DEMOGRAPHIC_DIMENSIONS:
        counts = [r["headcount"] for r in rows if r["dimension"] == dimension]
        assert all(isinstance(n, int) and n >= 0 for n in counts)
        assert sum(counts) == total, dimension


def test_example_organisation_keeps_every_rule():
    sections = _example_sections()
    total = _total(sections)
    (row,) = sections[contract.ORGANISATION]  # one data row
    for column in contract.ORGANISATION_COUNT_COLUMNS:
        assert isinstance(row[column], int) and row[column] >= 0, column  # required: never blank
    assert total > 0 and row["teams_with_psw"] >= 1
    for column in contract.ORGANISATION_AT_MOST_HEADCOUNT:
        assert row[column] <= total, column
    assert row["teams_with_single_psw"] <= row["teams_with_psw"]
    assert row["peer_leadership_post"] in contract.YES_NO
    assert len(row["notes"] or "") <= contract.MAX_NOTES_CHARS


def test_example_csvs_hold_the_workbooks_values():
    sections = _example_sections()
    for section, name in CSV_EXAMPLES.items():
        table = _csv(DATA_DIR / name)
        assert table[0] == list(contract.SECTION_COLUMNS[section])
        as_read = [dict(zip(table[0], line)) for line in table[1:]]
        assert len(as_read) == len(sections[section])
        for text_row, cell_row in zip(as_read, sections[section]):
            for column, value in cell_row.items():
                text = text_row[column]
                if value is None:
                    assert text == ""
                elif isinstance(value, dt.datetime):
                    assert text == value.date().isoformat()
                elif isinstance(value, int | float):
                    assert float(text) == value, column
                else:
                    assert text == value


def test_version_1_example_csv_is_still_valid():
    result = validate_bytes("example_return.csv", (DATA_DIR / "example_return.csv").read_bytes(), today=TODAY)
    assert result.valid and result.errors == [] and result.rows == 8


def test_example_workbook_validates():
    from pswbench.returns.validate import validate_upload

    result = validate_upload([("example_return.xlsx", EXAMPLE.read_bytes())], today=TODAY)
    checked = result.files[0]
    assert checked.valid is True, [f.as_json() for s in checked.sections for f in s.findings]
    assert sorted(s.section for s in checked.sections) == sorted(contract.SECTIONS)


def test_example_csvs_validate_as_one_upload():
    from pswbench.returns.validate import validate_upload

    files = [(name, (DATA_DIR / name).read_bytes()) for name in CSV_EXAMPLES.values()]
    result = validate_upload(files, today=TODAY)
    assert [f.valid for f in result.files] == [True, True, True]
    assert sorted(s.section for f in result.files for s in f.sections) == sorted(contract.SECTIONS)
