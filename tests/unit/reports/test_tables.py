"""reports.tables: every table's headings, numbers and missing values, on screen and in downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

import polars as pl
from openpyxl import load_workbook

from pswbench.access.disclosure import SUPPRESSED_TEXT
from pswbench.reports import exports, tables

Q = dt.date(2026, 9, 30)


def national() -> pl.DataFrame:
    """The Overview's "National figures by quarter" as the page passes it: raw field names, a rate as
    a fraction, a 12-month rate missing in the first quarter, counts as integers."""
    return pl.DataFrame(
        {
            "period_end": [dt.date(2026, 6, 30), Q],
            "n_trusts": [46, 47],
            "n_left_out": [4, 3],
            "headcount": [1202, 1411],
            "wte_in_post": [1097.5, 1028.81],
            "vacancy_rate": [0.2124, 0.0841],
            "leaver_rate_12m": [None, 0.214],
            "mean_wte_per_head": [0.8245, 0.826],
        }
    )


def test_headings_are_words_with_units_from_the_registry():
    shown, config = tables.screen(national())
    headings = [c["label"] for c in config.values()]
    assert headings == [
        "Quarter ending",
        "Trusts in the figures (number)",
        "Trusts left out, fewer than 5 PSWs (number)",
        "PSW headcount (people)",
        "PSW WTE in post (WTE)",
        "Vacancy rate (% of establishment)",
        "Leaver rate (12 months) (% of average headcount)",
        "Mean WTE per person (WTE per head)",
    ]
    header, _ = tables.export_rows(national())
    assert header == headings
    assert not any("_" in h for h in header)


def test_one_format_per_unit_on_screen():
    shown, config = tables.screen(national())
    assert config["headcount"] == {
        "kind": "number",
        "label": "PSW headcount (people)",
        "format": "localized",
        "step": 1,
    }
    assert config["wte_in_post"]["step"] == 0.1  # 1,097.5 and 1,028.8: one decimal both
    assert config["mean_wte_per_head"]["step"] == 0.01
    assert config["vacancy_rate"]["format"] == "%.1f%%"
    assert shown["vacancy_rate"].to_list() == [21.2, 8.4]  # shown as 21.2%, as a warning's message says
    # A column with a missing value is text by the same rule, the gap in words, never "None".
    assert shown["leaver_rate_12m"].to_list() == [tables.NO_DATA, "21.4%"]


def test_downloads_keep_numbers_numbers_integers_as_integers_and_say_what_is_missing():
    header, rows = tables.export_rows(national())
    rows = list(rows)
    assert rows[0] == [dt.date(2026, 6, 30), 46, 4, 1202, 1097.5, 21.2, tables.NO_DATA, 0.82]
    assert rows[1][4] == 1028.8 and rows[1][6] == 21.4
    text = exports.rows_to_csv_bytes(header, rows).decode("utf-8-sig")
    line = list(csv.reader(io.StringIO(text)))[1]
    assert line[:4] == ["2026-06-30", "46", "4", "1202"]  # "4", never "4.0"
    assert "None" not in text and "nan" not in text
    book = load_workbook(io.BytesIO(exports.rows_to_xlsx_bytes(header, rows)))
    cells = [c.value for c in next(book["data"].iter_rows(min_row=2, max_row=2))]
    assert cells[1] == 46 and isinstance(cells[1], int) and cells[4] == 1097.5 and cells[6] == tables.NO_DATA


def test_a_suppressed_value_says_so_and_another_missing_value_says_why():
    df = pl.DataFrame(
        {
            "Trust": ["Peer 01", "Peer 02", "Own"],
            "PSW headcount (people)": [None, 1234, None],
            "suppressed": [["PSW headcount (people)"], [], []],
        }
    )
    shown, config = tables.screen(df)
    assert "suppressed" not in shown.columns
    assert shown["PSW headcount (people)"].to_list() == [SUPPRESSED_TEXT, "1,234", tables.NO_DATA]
    _, rows = tables.export_rows(df)
    assert [r[1] for r in rows] == [SUPPRESSED_TEXT, 1234, tables.NO_DATA]


def test_a_table_with_one_indicator_per_row_formats_each_row_by_its_unit():
    df = pl.DataFrame(
        {
            "Indicator": ["Trusts", "PSW WTE in post", "Vacancy rate", "Vacancy rate", "Mean WTE per person"],
            "Unit": ["trusts", "WTE", "% of establishment", "percentage points", "WTE per head"],
            "London": [4.0, 1097.5, 8.4, None, 0.8],
            "missing": [None, None, None, "no figure a year before", None],
        }
    )
    shown, _ = tables.screen(df)
    assert shown["London"].to_list() == ["4", "1,097.5", "8.4%", "no figure a year before", "0.80"]
    _, rows = tables.export_rows(df)
    assert [r[2] for r in rows] == [4, 1097.5, 8.4, "no figure a year before", 0.8]
