"""CSV and Excel exports: formula injection neutralised, text and numbers otherwise unchanged."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pswbench.reports import exports
from pswbench.reports.exports import neutralise

DANGEROUS = ['=HYPERLINK("x")', "+1", "-2+3", "@SUM(A1)", "\tX", "\rX", "-3"]
SAFE = ["plain text", "Peer 01", "£12 café", " =not first", "a=b", "", "'already"]


def frame():
    return pl.DataFrame(
        {
            "text": DANGEROUS + SAFE,
            "number": list(range(-7, 7)),
            "rate": [-1.5, 0.25] * 7,
        }
    )


# --- neutralise -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", DANGEROUS)
def test_neutralise_dangerous_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", SAFE + [None, -3, -2.5, 0, 7, True, date(2026, 3, 31)])
def test_neutralise_leaves_safe_values(value):
    assert neutralise(value) is value or neutralise(value) == value


def test_negative_number_stays_number():
    assert neutralise(-3) == -3 and isinstance(neutralise(-3), int)
    assert neutralise("-3") == "'-3"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), min_size=1, max_size=10))
def test_frame_neutralisation_matches_neutralise(values):
    df = pl.DataFrame({"t": values}, schema={"t": pl.String})
    out = exports._neutralised_frame(df)["t"].to_list()
    assert out == [neutralise(v) for v in values]


# --- CSV ------------------------------------------------------------------------------------


def read_csv(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_round_trip():
    rows = read_csv(exports.to_csv_bytes(frame()))
    assert rows[0] == ["text", "number", "rate"]
    body = rows[1:]
    assert [r[0] for r in body] == ["'" + v for v in DANGEROUS] + SAFE
    assert [r[1] for r in body] == [str(n) for n in range(-7, 7)]  # negative numbers kept as numbers
    assert body[0][2] == "-1.5"


def test_csv_utf8_bom_pound_and_accent():
    data = exports.to_csv_bytes(pl.DataFrame({"name": ["£5 café"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert "£5 café".encode() in data


def test_csv_header_neutralised_and_nulls_empty():
    df = pl.DataFrame({"=cmd": ["x", None], "n": [None, 1]})
    rows = read_csv(exports.to_csv_bytes(df))
    assert rows == [["'=cmd", "n"], ["x", ""], ["", "1"]]


def test_csv_categorical_text_is_neutralised():
    df = pl.DataFrame({"c": ["=1+1", "ok"]}, schema={"c": pl.Categorical})
    assert [r[0] for r in read_csv(exports.to_csv_bytes(df))[1:]] == ["'=1+1", "ok"]


# --- XLSX -----------------------------------------------------------------------------------


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_xlsx_round_trip_and_no_formulas():
    wb = load(exports.to_xlsx_bytes(frame()))
    ws = wb["data"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("text", "number", "rate")
    texts = [r[0] for r in rows[1:]]
    expected = ["'" + v for v in DANGEROUS] + [v or None for v in SAFE]
    # XML turns a lone carriage return into a newline on reading; the apostrophe is what matters.
    assert [t.replace("\n", "\r") if t else t for t in texts] == expected
    assert [r[1] for r in rows[1:]] == list(range(-7, 7))
    assert all(isinstance(r[1], int) for r in rows[1:])
    assert rows[1][2] == -1.5
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    for row in ws.iter_rows(min_row=2, max_col=1):
        if row[0].value is not None:
            assert row[0].data_type == "s"


def test_xlsx_sheet_name_and_invalid_names():
    assert load(exports.to_xlsx_bytes(frame(), sheet_name="Benchmark Q4")).sheetnames == ["Benchmark Q4"]
    for bad in ("", "a" * 32, "a/b", "x[1]", "what?"):
        with pytest.raises(ValueError):
            exports.to_xlsx_bytes(frame(), sheet_name=bad)


def test_xlsx_types_dates_nulls_nan_and_control_characters():
    df = pl.DataFrame(
        {
            "d": [date(2026, 3, 31), None],
            "ts": [datetime(2026, 3, 31, 12, 0), None],
            "f": [float("nan"), 2.5],
            "b": [True, None],
            "ctl": ["bad\x01char", "=\x02"],
            "lst": [[1, 2], [3]],
        }
    )
    ws = load(exports.to_xlsx_bytes(df))["data"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == datetime(2026, 3, 31) and rows[2][0] is None
    assert rows[1][1] == datetime(2026, 3, 31, 12, 0)
    assert rows[1][2] is None and rows[2][2] == 2.5
    assert rows[1][3] is True
    assert rows[1][4] == "bad\ufffdchar" and rows[2][4] == "'=\ufffd"
    assert rows[1][5] == "[1, 2]"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


def test_xlsx_header_neutralised():
    ws = load(exports.to_xlsx_bytes(pl.DataFrame({"=SUM(1)": [1]})))["data"]
    assert ws["A1"].value == "'=SUM(1)" and ws["A1"].data_type == "s"


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("=+-@\tAb1 (")), min_size=1, max_size=8))
def test_xlsx_never_contains_formulas(values):
    ws = load(exports.to_xlsx_bytes(pl.DataFrame({"t": values}, schema={"t": pl.String})))["data"]
    for row in ws.iter_rows(min_row=2):
        cell = row[0]
        assert cell.data_type != "f"
        if cell.value:
            assert not str(cell.value).startswith(exports.DANGEROUS_FIRST_CHARACTERS)


def test_xlsx_text_is_stored_as_string_even_without_neutralising(monkeypatch):
    # Second line of defence: text cells are typed 's', so even an un-neutralised "=..." is no formula.
    monkeypatch.setattr(exports, "neutralise", lambda v: v)
    ws = load(exports.to_xlsx_bytes(pl.DataFrame({"t": ['=HYPERLINK("x")', "=1+1"]})))["data"]
    cells = [r[0] for r in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ['=HYPERLINK("x")', "=1+1"]
    assert all(c.data_type == "s" for c in cells)
