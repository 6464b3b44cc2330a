"""CSV and Excel downloads that a spreadsheet cannot turn into formulas.

A text cell beginning with = + - @, a tab or a carriage return is given a leading apostrophe,
so a spreadsheet shows it as text instead of running it (CSV/formula injection). Numbers are
left as numbers. In the .xlsx file every text cell is also written with the string data type,
so nothing is ever stored as a formula.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

DANGEROUS_FIRST_CHARACTERS = ("=", "+", "-", "@", "\t", "\r")
_EXCEL_SHEET_NAME_FORBIDDEN = set("[]:*?/\\")


def neutralise(value: Any) -> Any:
    """Prefix a text value that a spreadsheet would treat as a formula with an apostrophe.

    Anything that is not text (numbers, dates, None) is returned unchanged.
    """
    if isinstance(value, str) and value.startswith(DANGEROUS_FIRST_CHARACTERS):
        return "'" + value
    return value


def _text_dtype(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum))


def _neutralise_expr(name: str) -> pl.Expr:
    col = pl.col(name).cast(pl.String)
    return (
        pl.when(col.str.slice(0, 1).is_in(list(DANGEROUS_FIRST_CHARACTERS)))
        .then(pl.lit("'") + col)
        .otherwise(col)
        .alias(name)
    )


def _neutralised_frame(df: pl.DataFrame) -> pl.DataFrame:
    exprs = [_neutralise_expr(n) for n, t in df.schema.items() if _text_dtype(t)]
    return df.with_columns(exprs) if exprs else df


def to_csv_bytes(df: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel reads £ and é), text cells neutralised."""
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([neutralise(str(c)) for c in df.columns])
    body = _neutralised_frame(df).write_csv(include_header=False)
    return (header.getvalue() + body).encode("utf-8-sig")


def rows_to_csv_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 CSV (with a byte-order mark) of headings and rows of Python values: an integer written
    as an integer ("4", never "4.0"), a date as ISO, text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> Any:
    if isinstance(value, (date, time)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value
    return neutralise(str(value))


def rows_to_xlsx_bytes(headers: list[str], rows: Iterable[list[Any]], sheet_name: str = "data") -> bytes:
    """As to_xlsx_bytes, from headings and rows of Python values (numbers stay numbers)."""
    return _workbook(headers, rows, sheet_name)


def _excel_text(value: str) -> str:
    # Control characters that XML cannot hold would make openpyxl refuse the whole file.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", value))


def _excel_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, Decimal, date, time)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        if isinstance(value, time) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return _excel_text(value)
    return _excel_text(str(value))


def _check_sheet_name(name: str) -> str:
    if not name or len(name) > 31 or _EXCEL_SHEET_NAME_FORBIDDEN & set(name) or name.startswith("'"):
        raise ValueError(f"{name!r} cannot be an Excel sheet name (1-31 characters, none of [ ] : * ? / \\)")
    return name


def to_xlsx_bytes(df: pl.DataFrame, sheet_name: str = "data") -> bytes:
    """An .xlsx workbook with one sheet: a header row, then the rows of df.

    Text cells are neutralised and stored as strings (data type 's'), never formulas.
    """
    return _workbook([str(c) for c in df.columns], df.iter_rows(), sheet_name)


def _workbook(headers: list[str], rows: Iterable, sheet_name: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_check_sheet_name(sheet_name))

    def cell(value: Any):
        value = _excel_value(value)
        if isinstance(value, str):
            c = WriteOnlyCell(ws, value=value)
            c.data_type = "s"
            return c
        return value

    ws.append([cell(str(c)) for c in headers])
    for row in rows:
        ws.append([cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
