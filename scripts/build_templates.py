"""Build the return's templates and its filled example in data/: python -m scripts.build_templates.

data/template.xlsx is the workbook a trust lead fills in: an Instructions sheet, then the Workforce,
Demographics and Organisation sheets with the contract's columns, a drop-down list or a check on every
column (data validation), a prompt saying what the column means and number formats. The Demographics
sheet lists every dimension and category, so a lead types only the headcounts. data/example_return.xlsx
is the same workbook filled in (scripts/template_example.py: synthetic, valid). Beside them, a CSV
template for each section and the example's sections as CSV files.

Everything comes from pswbench/returns/contract.py, so when the contract changes, run this again and
commit what it writes: tests/unit/templates checks that the committed files are what it writes.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from pswbench.paths import DATA_DIR
from pswbench.returns import contract
from scripts import template_text
from scripts.template_example import Example, example

WORKBOOK_TEMPLATE = "template.xlsx"
WORKBOOK_EXAMPLE = "example_return.xlsx"
CSV_TEMPLATES = {
    contract.WORKFORCE: "template.csv",
    contract.DEMOGRAPHICS: "template_demographics.csv",
    contract.ORGANISATION: "template_organisation.csv",
}
CSV_EXAMPLES = {
    contract.WORKFORCE: "example_workforce.csv",
    contract.DEMOGRAPHICS: "example_demographics.csv",
    contract.ORGANISATION: "example_organisation.csv",
}
OUTPUTS = (WORKBOOK_TEMPLATE, WORKBOOK_EXAMPLE, *CSV_TEMPLATES.values(), *CSV_EXAMPLES.values())

# The rows each sheet's checks cover: a valid workforce section has at most one row per setting and
# band; demographics one per dimension and category; organisation one.
DATA_ROWS = {
    contract.WORKFORCE: len(contract.SERVICE_SETTINGS) * len(contract.AFC_BANDS),
    contract.DEMOGRAPHICS: sum(len(c) for _label, c in contract.DEMOGRAPHIC_DIMENSIONS.values()),
    contract.ORGANISATION: 1,
}
# Stamped on the workbook and on each part of its zip, so a rebuild of unchanged content is byte-identical.
FIXED_TIME = dt.datetime(2026, 1, 1)
MAX_LIST_CHARS = 255  # an in-cell list in a validation: Excel refuses longer ones
MAX_PROMPT_CHARS, MAX_TITLE_CHARS = 255, 32

FORMAT_TEXT, FORMAT_DATE, FORMAT_WHOLE, FORMAT_DECIMAL = "@", "yyyy-mm-dd", "0", "0.00"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E2F3")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Check:
    """What a cell of a column accepts as it is typed (its data validation), and how it shows numbers."""

    kind: str  # openpyxl's validation type: list, whole, decimal, textLength, custom
    formula1: str
    error: str
    number_format: str = FORMAT_TEXT
    operator: str | None = None
    formula2: str | None = None


def _list(values: Iterable[str], what: str) -> Check:
    values = tuple(values)
    formula = '"' + ",".join(values) + '"'
    assert len(formula) <= MAX_LIST_CHARS, f"the {what} list is too long for a validation"
    return Check("list", formula, f"Pick {what} from the list: {', '.join(values)}.")


def column_check(section: str, column: str, cell: str) -> Check:
    """The check on a column whose first data cell is `cell` (custom formulas are written for it)."""
    if column == "trust_code":
        return Check(
            "textLength", "3", "Type the trust's ODS code, 3 to 5 characters, such as RX4.", FORMAT_TEXT, "between", "5"
        )
    if column == "period_end" and section == contract.WORKFORCE:
        return Check(
            "custom",
            f"AND({cell}=EOMONTH({cell},0),MOD(MONTH({cell}),3)=0)",
            "Type the last day of a quarter (31 March, 30 June, 30 September or 31 December), such as 2026-09-30.",
            FORMAT_DATE,
        )
    if column == "period_end":
        return Check(
            "custom",
            f"AND(MONTH({cell})={contract.ANNUAL_MONTH},DAY({cell})={contract.ANNUAL_DAY})",
            "This section is for the quarter ending 30 September only: type 30 September of the year, "
            "such as 2026-09-30.",
            FORMAT_DATE,
        )
    if column == "service_setting":
        return _list(contract.SERVICE_SETTINGS, "a service setting")
    if column == "afc_band":
        return _list(contract.AFC_BANDS, "a band")
    if column == "dimension":
        return _list(contract.DEMOGRAPHIC_DIMENSIONS, "a dimension")
    if column == "peer_leadership_post":
        return _list(contract.YES_NO, "yes or no")
    if column == "notes":
        return Check(
            "textLength",
            str(contract.MAX_NOTES_CHARS),
            f"Notes may be at most {contract.MAX_NOTES_CHARS} characters.",
            FORMAT_TEXT,
            "lessThanOrEqual",
        )
    if column in contract.WORKFORCE_OPTIONAL_INTEGER_COLUMNS:
        return Check("whole", "0", "Type a whole number, 0 or more, or leave it blank if not recorded.", FORMAT_WHOLE)
    if column in contract.INTEGER_COLUMNS or column in contract.ORGANISATION_COUNT_COLUMNS:
        return Check("whole", "0", "Type a whole number, 0 or more.", FORMAT_WHOLE)
    if column in contract.NUMERIC_COLUMNS:
        return Check("decimal", "0", "Type a number, 0 or more, with a full stop for decimals (9.60).", FORMAT_DECIMAL)
    raise KeyError(f"no check for {section} column {column}")


def category_checks() -> dict[str, Check]:
    """dimension -> the check on the category cells of its rows: its own categories only."""
    return {
        dimension: _list((code for code, _label in categories), f"a {label.lower()} category")
        for dimension, (label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items()
    }


def _validation(check: Check, prompt_title: str, prompt: str, cells: str) -> DataValidation:
    assert len(prompt) <= MAX_PROMPT_CHARS and len(prompt_title) <= MAX_TITLE_CHARS, f"prompt too long: {prompt}"
    operator = check.operator or ("greaterThanOrEqual" if check.kind in ("whole", "decimal") else None)
    dv = DataValidation(
        type=check.kind,
        operator=operator,
        formula1=check.formula1,
        formula2=check.formula2,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=prompt_title,
        error=check.error,
        promptTitle=prompt_title,
        prompt=prompt,
    )
    dv.add(cells)
    return dv


def _put(ws: Worksheet, row: int, column: int, value, number_format: str) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.number_format = number_format


def _typed(number_format: str, text: str):
    """A CSV cell as the value a workbook cell holds: numbers and dates as such, blanks as empty."""
    if text == "":
        return None
    if number_format == FORMAT_WHOLE:
        return int(text)
    if number_format == FORMAT_DECIMAL:
        return float(text)
    if number_format == FORMAT_DATE:
        return dt.date.fromisoformat(text)
    return text


def section_sheet(ws: Worksheet, section: str, rows: list[dict[str, str]]) -> None:
    """A section's header, formats and checks, and its rows (the template's pre-filled ones, or the example's)."""
    columns = contract.SECTION_COLUMNS[section]
    last = DATA_ROWS[section] + 1
    prompts = template_text.PROMPTS[section]
    assert set(prompts) == set(columns), f"{section}: a prompt for each column"
    for i, column in enumerate(columns, 1):
        letter = get_column_letter(i)
        head = ws.cell(row=1, column=i, value=column)
        head.font, head.fill = HEADER_FONT, HEADER_FILL
        if column == "category":
            _category_checks(ws, letter, rows, prompts[column])
            number_format = FORMAT_TEXT
        else:
            check = column_check(section, column, f"{letter}2")
            ws.add_data_validation(_validation(check, column, prompts[column], f"{letter}2:{letter}{last}"))
            number_format = check.number_format
        ws.column_dimensions[letter].number_format = number_format
        ws.column_dimensions[letter].width = 40 if column == "notes" else max(len(column), 10) + 3
        for r, row in enumerate(rows, 2):
            value = _typed(number_format, row.get(column, ""))
            if value is not None:
                _put(ws, r, i, value, number_format)
    ws.freeze_panes = "A2"


def _category_checks(ws: Worksheet, letter: str, rows: list[dict[str, str]], prompt: str) -> None:
    """One check per dimension's block of rows: a row's category list is its dimension's categories."""
    checks = category_checks()
    for dimension in contract.DEMOGRAPHIC_DIMENSIONS:
        lines = [r for r, row in enumerate(rows, 2) if row["dimension"] == dimension]
        assert lines == list(range(lines[0], lines[-1] + 1)), "a dimension's rows are together"
        cells = f"{letter}{lines[0]}:{letter}{lines[-1]}"
        ws.add_data_validation(_validation(checks[dimension], "category", prompt, cells))


def instructions_sheet(ws: Worksheet, is_example: bool) -> None:
    widths = (22, 30, 90)
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    line_chars = sum(widths)
    row = 1

    def paragraph(text: str, font: Font | None = None) -> None:
        nonlocal row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(widths))
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = WRAP
        if font:
            cell.font = font
        ws.row_dimensions[row].height = 15 * (1 + len(text) // line_chars)
        row += 1

    def table(header: tuple[str, ...], lines: Iterable[tuple[str, ...]]) -> None:
        nonlocal row
        for i, text in enumerate(header, 1):
            head = ws.cell(row=row, column=i, value=text)
            head.font, head.fill = HEADER_FONT, HEADER_FILL
        row += 1
        for line in lines:
            for i, text in enumerate(line, 1):
                ws.cell(row=row, column=i, value=text).alignment = WRAP
            ws.row_dimensions[row].height = 15 * (1 + len(line[-1]) // widths[-1])
            row += 1

    paragraph(template_text.TITLE, Font(bold=True, size=14))
    if is_example:
        paragraph(template_text.EXAMPLE_NOTE, Font(bold=True))
    for heading, paragraphs in template_text.GUIDE:
        row += 1
        paragraph(heading, Font(bold=True, size=12))
        for text in paragraphs:
            paragraph(text)
    row += 1
    paragraph(template_text.COLUMNS_HEADING, Font(bold=True, size=12))
    table(
        template_text.COLUMNS_HEADER,
        (
            (contract.SHEET_NAMES[section], column, text)
            for section in contract.SECTIONS
            for column, text in template_text.PROMPTS[section].items()
        ),
    )
    row += 1
    paragraph(template_text.CATEGORIES_HEADING, Font(bold=True, size=12))
    table(
        template_text.CATEGORIES_HEADER,
        (
            (dimension, code, label)
            for dimension, (_dimension_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items()
            for code, label in categories
        ),
    )


def template_rows() -> dict[str, list[dict[str, str]]]:
    """The template's pre-filled cells: every dimension and category on the Demographics sheet."""
    pairs = [
        {"dimension": dimension, "category": code}
        for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items()
        for code, _category_label in categories
    ]
    return {contract.WORKFORCE: [], contract.DEMOGRAPHICS: pairs, contract.ORGANISATION: []}


def workbook(rows: dict[str, list[dict[str, str]]], is_example: bool) -> Workbook:
    wb = Workbook()
    instructions = wb.active
    instructions.title = "Instructions"
    instructions_sheet(instructions, is_example)
    for section in contract.SECTIONS:
        section_sheet(wb.create_sheet(contract.SHEET_NAMES[section]), section, rows[section])
    return wb


class _FixedTimeZip(zipfile.ZipFile):
    """openpyxl writes each part with writestr(name, data), which stamps the time now; this stamps FIXED_TIME."""

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as an .xlsx, the same bytes for the same content (openpyxl's save stamps the time now)."""
    wb.properties.creator = "pswbench"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return buffer.getvalue()


def csv_bytes(columns: tuple[str, ...], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(c, "") for c in columns] for row in rows)
    return out.getvalue().encode("utf-8")


def build(out_dir: Path) -> list[Path]:
    """Write every template and example file into out_dir; the paths written, in OUTPUTS order."""
    filled: Example = example()
    examples = {
        contract.WORKFORCE: filled.workforce,
        contract.DEMOGRAPHICS: filled.demographics,
        contract.ORGANISATION: filled.organisation,
    }
    blank = template_rows()
    files = {
        WORKBOOK_TEMPLATE: workbook_bytes(workbook(blank, is_example=False)),
        WORKBOOK_EXAMPLE: workbook_bytes(workbook(examples, is_example=True)),
    }
    for section in contract.SECTIONS:
        columns = contract.SECTION_COLUMNS[section]
        files[CSV_TEMPLATES[section]] = csv_bytes(columns, blank[section])
        files[CSV_EXAMPLES[section]] = csv_bytes(columns, examples[section])
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in OUTPUTS:
        path = out_dir / name
        path.write_bytes(files[name])
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write into (default: data/)")
    args = parser.parse_args(argv)
    for path in build(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
