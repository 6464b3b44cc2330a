"""The findings given when an upload reaches one of the limits on what is read (pswbench.returns.contract).

Shared by the CSV and the .xlsx readers, so a limit says the same thing whichever the file is.
"""

from __future__ import annotations

from pswbench.returns import contract
from pswbench.returns.findings import Finding, error

TEMPLATE = "data/template.csv"


def file_too_large(size: int) -> Finding:
    return error(
        "file_too_large",
        f"The file is {size / 1_048_576:.1f} MB; a return may be at most 5 MB. "
        "Check that you chose the right file, and remove any extra sheets or rows.",
        value=size,
    )


def expands_too_far(expanded: int, limit_mb: int) -> Finding:
    return error(
        "file_too_large",
        f"The workbook expands to more than {limit_mb} MB, far more than any return. "
        "Copy the return's rows into the template and upload that.",
        value=expanded,
    )


def too_many_rows_read(unit: str) -> Finding:
    """unit: 'rows' for a sheet, 'lines' for a CSV."""
    return error(
        "too_many_rows",
        f"The file has more than {contract.MAX_ROWS_READ:,} {unit}, counting empty ones (Excel keeps "
        f"empty rows that have been formatted); a return has at most {contract.MAX_DATA_ROWS:,}. "
        f"Delete the empty rows below the return, or copy the return into the template ({TEMPLATE}), "
        "and upload it again.",
        value=f">{contract.MAX_ROWS_READ}",
    )


def too_many_columns(line: int, column: int, value: str) -> Finding:
    return error(
        "too_many_columns",
        f"Line {line:,} has a value in column {column:,} ({column_letters(column)}), beyond the "
        f"{contract.MAX_COLUMNS} columns read; a return has {len(contract.COLUMNS)}. Delete everything "
        "to the right of the return's columns and upload the file again.",
        line=line,
        value=value,
    )


def cell_too_long(line: int, column: str, text: str) -> Finding:
    return error(
        "cell_too_long",
        f"The cell in {column} on line {line:,} holds more than {contract.MAX_CELL_CHARS:,} characters, "
        "more than an Excel cell can hold; the longest cell a return needs is notes, at most "
        f"{contract.MAX_NOTES_CHARS} characters. Shorten it and upload the file again.",
        line=line,
        column=column,
        value=text[:100] + "…",
    )


def column_letters(n: int) -> str:
    """1 -> A, 27 -> AA: the column as Excel labels it."""
    out = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out
