"""The demographics section's rules: a valid section, then one thing broken per test."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pswbench.returns import contract
from pswbench.returns.section_rules import WorkforceTotal, check_demographics
from tests.helpers.sections_kit import TODAY, TOTAL, demographic_rows, demographics


def check(frame, total=TOTAL, today=TODAY, trust_reference=None):
    return check_demographics(frame, total, trust_reference, today)


def only(result, rule):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.line, f.message) for f in result.findings]
    assert result.clean is None
    return found[0]


def test_a_valid_section_has_no_findings_and_typed_rows():
    result = check(demographics())
    assert result.findings == []
    assert result.trust_code == "RX4" and result.period_end == dt.date(2026, 9, 30)
    assert result.clean.columns == ["line", "trust_code", "period_end", "dimension", "category", "headcount"]
    assert result.clean.schema["period_end"] == pl.Date and result.clean.schema["headcount"] == pl.Int32
    n = sum(len(c) for _l, c in contract.DEMOGRAPHIC_DIMENSIONS.values())
    assert result.clean.height == result.rows == n
    assert result.clean.group_by("dimension").agg(pl.col("headcount").sum())["headcount"].to_list() == [12] * 5


def test_labels_are_accepted_as_codes_ignoring_case_spaces_and_invisible_characters():
    rows = demographic_rows()
    labelled = [
        {
            **r,
            "dimension": f" {contract.DEMOGRAPHIC_DIMENSIONS[r['dimension']][0].upper()}\u200b ",
            "category": dict(contract.DEMOGRAPHIC_DIMENSIONS[r["dimension"]][1])[r["category"]].lower(),
        }
        for r in rows
    ]
    result = check(demographics(labelled))
    assert result.findings == []
    assert result.clean["dimension"].to_list() == [r["dimension"] for r in rows]
    assert result.clean["category"].to_list() == [r["category"] for r in rows]


def test_an_unknown_dimension_is_named_with_the_valid_ones_and_its_invisible_characters():
    f = only(check(demographics(r3={"dimension": "agee\u200b"})), "unknown_dimension")
    assert (f.line, f.column) == (5, "dimension")
    assert "agee[ZERO WIDTH SPACE]" in f.message and "[ZERO WIDTH SPACE]" in f.message.split("label")[-1]
    assert all(d in f.message for d in contract.DEMOGRAPHIC_DIMENSIONS)


def test_an_unknown_category_is_named_with_the_dimensions_categories():
    f = only(check(demographics(r1={"category": "twenties"})), "unknown_category")
    assert (f.line, f.column, f.value) == (3, "category", "twenties")
    assert "25_34 (25 to 34)" in f.message and "age_band" in f.message


@pytest.mark.parametrize("column", ["dimension", "category", "headcount"])
def test_a_blank_cell_is_an_error(column):
    f = only(check(demographics(r2={column: None})), "required_value")
    assert (f.line, f.column) == (4, column)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2.5", "not_a_whole_number"),
        ("-1", "negative_value"),
        ("١٢", "non_ascii_digit"),
        ("12\u200b", "not_a_whole_number"),
    ],
)
def test_a_headcount_is_a_whole_number_of_zero_or_more(value, rule):
    f = only(check(demographics(r0={"headcount": value})), rule)
    assert (f.line, f.column, f.value) == (2, "headcount", value)


def test_a_headcount_still_wrong_because_of_an_invisible_character_names_it():
    f = only(check(demographics(r0={"headcount": "12\u200b"})), "not_a_whole_number")
    assert "12[ZERO WIDTH SPACE]" in f.message and "invisible character, [ZERO WIDTH SPACE]" in f.message


def test_a_missing_dimension_is_named():
    rows = [r for r in demographic_rows() if r["dimension"] != "disability"]
    f = only(check(demographics(rows)), "missing_dimension")
    assert (f.column, f.value) == ("dimension", "disability") and "Disability" in f.message


def test_a_missing_category_is_named():
    rows = [r for r in demographic_rows() if (r["dimension"], r["category"]) != ("gender", "male")]
    f = only(check(demographics(rows)), "missing_category")
    assert (f.line, f.column, f.value) == (9, "category", "male")
    assert "gender (Gender)" in f.message and "male (Male)" in f.message


def test_a_repeated_category_names_both_lines():
    rows = demographic_rows()
    rows.insert(3, dict(rows[1]))
    f = only(check(demographics(rows)), "duplicate_category")
    assert (f.line, f.column) == (5, "category")
    assert "Line 5" in f.message and "line 3" in f.message


def test_a_category_given_once_as_code_and_once_as_label_is_repeated():
    rows = demographic_rows()
    rows.insert(3, {**rows[1], "category": "25 to 34", "headcount": "0"})
    assert only(check(demographics(rows)), "duplicate_category").line == 5


@pytest.mark.parametrize(
    ("total", "said"),
    [
        (WorkforceTotal(13, "upload", None), "the workforce section of this upload"),
        (WorkforceTotal(13, "loaded", 4), "the loaded workforce section, version 4"),
    ],
)
def test_each_dimension_adds_up_to_the_total_and_says_where_the_total_came_from(total, said):
    rows = demographic_rows(13)
    rows[0]["headcount"] = "12"
    f = only(check(demographics(rows), total), "dimension_total_mismatch")
    assert (f.line, f.column, f.value) == (2, "headcount", "12")
    assert "age_band (Age band)" in f.message and "12" in f.message and "13" in f.message and said in f.message


def test_no_workforce_total_is_one_error_saying_to_send_the_workforce_section():
    result = check(demographics(), total=None)
    f = only(result, "no_workforce_total")
    assert (f.line, f.column) == (2, "trust_code")
    assert "workforce section for the same quarter" in f.message
    assert [x.rule for x in result.findings] == ["no_workforce_total"]


def test_an_annual_section_for_another_quarter_is_for_30_september_only():
    rows = [{**r, "period_end": "2026-06-30"} for r in demographic_rows()]
    f = only(check(demographics(rows)), "not_annual_period")
    assert (f.line, f.column, f.value) == (2, "period_end", "2026-06-30")
    assert "30 September only" in f.message and f"lines 2 to {len(rows) + 1}" in f.message


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("2026-09-31", "not_a_real_date"),
        ("2026-08-31", "not_quarter_end"),
        ("Sept 26", "bad_date"),
        ("2027-09-30", "period_in_future"),
    ],
)
def test_period_end_is_a_real_past_quarter_end(value, rule):
    rows = [{**r, "period_end": value} for r in demographic_rows()]
    f = only(check(demographics(rows)), rule)
    assert (f.line, f.column) == (2, "period_end")


def test_one_trust_and_one_period_in_every_row():
    result = check(demographics(r4={"trust_code": "RWX"}, r5={"period_end": "30/09/2026"}))
    f = only(result, "mixed_trust_codes")
    assert (f.line, f.column, f.value) == (6, "trust_code", "RWX")
    f = only(result, "mixed_periods")
    assert (f.line, f.column, f.value) == (7, "period_end", "30/09/2026")


def test_the_trust_is_known_and_open_at_period_end():
    rows = [{**r, "trust_code": "ZZZ"} for r in demographic_rows()]
    f = only(check(demographics(rows)), "unknown_trust_code")
    assert (f.line, f.column) == (2, "trust_code")
    closed = {"RX4": ("A trust", dt.date(2019, 1, 1), dt.date(2025, 3, 31))}
    f = only(check(demographics(), trust_reference=closed), "trust_not_open")
    assert (f.line, f.column) == (2, "trust_code")
