"""The organisational conditions section's rules: a valid row, then one thing broken per test."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from pswbench.returns import contract
from pswbench.returns.section_rules import WorkforceTotal, check_organisation
from tests.helpers.sections_kit import TODAY, TOTAL, organisation, organisation_row


def check(frame, total=TOTAL, today=TODAY, trust_reference=None):
    return check_organisation(frame, total, trust_reference, today)


def only(result, rule):
    found = [f for f in result.findings if f.rule == rule]
    assert len(found) == 1, [(f.rule, f.line, f.message) for f in result.findings]
    assert result.clean is None
    return found[0]


def test_a_valid_row_has_no_findings_and_typed_columns():
    result = check(organisation(organisation_row(notes="Monthly group supervision")))
    assert result.findings == []
    assert result.clean.columns == [
        "line",
        "trust_code",
        "period_end",
        *contract.ORGANISATION_COUNT_COLUMNS,
        "peer_leadership_post",
        "notes",
    ]
    row = result.clean.row(0, named=True)
    assert row["teams_with_psw"] == 5 and row["bank_only_psw_headcount"] == 3 and row["peer_leadership_post"] is True
    assert row["period_end"] == dt.date(2026, 9, 30) and row["notes"] == "Monthly group supervision"
    assert all(result.clean.schema[c] == pl.Int32 for c in contract.ORGANISATION_COUNT_COLUMNS)
    assert result.clean.schema["peer_leadership_post"] == pl.Boolean


def test_the_notes_column_may_be_left_out():
    columns = tuple(c for c in contract.ORGANISATION_COLUMNS if c != "notes")
    result = check(organisation(organisation_row(), columns=columns))
    assert result.findings == [] and result.clean["notes"].to_list() == [None]


def test_more_than_one_row_names_the_lines():
    f = only(
        check(organisation(organisation_row(), organisation_row(), organisation_row())), "too_many_organisation_rows"
    )
    assert (f.line, f.column) == (3, "trust_code") and "lines 2 to 4" in f.message


@pytest.mark.parametrize("column", contract.ORGANISATION_COUNT_COLUMNS)
def test_every_count_is_required(column):
    f = only(check(organisation(organisation_row(**{column: None}))), "required_value")
    assert (f.line, f.column) == (2, column)


@pytest.mark.parametrize(
    ("value", "rule"), [("1.5", "not_a_whole_number"), ("-1", "negative_value"), ("3\u200b", "not_a_whole_number")]
)
@pytest.mark.parametrize("column", contract.ORGANISATION_COUNT_COLUMNS)
def test_every_count_is_a_whole_number_of_zero_or_more(column, value, rule):
    cells = {column: value}
    if column == "teams_with_psw":
        cells["teams_with_single_psw"] = "0"
    f = only(check(organisation(organisation_row(**cells))), rule)
    assert (f.line, f.column, f.value) == (2, column, value)
    if "\u200b" in value:
        assert "[ZERO WIDTH SPACE]" in f.message
    if rule == "not_a_whole_number":
        assert ("count teams" if column.startswith("teams") else "count people") in f.message


def test_teams_with_psw_is_at_least_one_when_there_are_psws_in_post():
    f = only(check(organisation(organisation_row(teams_with_psw="0", teams_with_single_psw="0"))), "no_teams_with_psw")
    assert (f.line, f.column, f.value) == (2, "teams_with_psw", "0")
    assert "12" in f.message and "the workforce section of this upload" in f.message
    empty = WorkforceTotal(0, "loaded", 2)
    zero = {c: "0" for c in contract.ORGANISATION_COUNT_COLUMNS}
    assert check(organisation(organisation_row(**zero)), empty).findings == []


@pytest.mark.parametrize("column", contract.ORGANISATION_AT_MOST_HEADCOUNT)
def test_counts_of_psws_in_post_are_no_more_than_the_total_headcount(column):
    f = only(check(organisation(organisation_row(**{column: "13"}))), "count_exceeds_headcount")
    assert (f.line, f.column, f.value) == (2, column, "13")
    assert "12" in f.message and "the workforce section of this upload" in f.message


def test_bank_only_psws_have_no_upper_bound():
    assert check(organisation(organisation_row(bank_only_psw_headcount="40"))).findings == []


def test_teams_with_a_single_psw_are_no_more_than_teams_with_psws():
    f = only(check(organisation(organisation_row(teams_with_single_psw="6"))), "single_psw_teams_exceed_teams")
    assert (f.line, f.column, f.value) == (2, "teams_with_single_psw", "6")


@pytest.mark.parametrize(("value", "expected"), [("YES", True), (" No\u200b ", False), ("no", False)])
def test_peer_leadership_post_is_yes_or_no_in_any_case(value, expected):
    result = check(organisation(organisation_row(peer_leadership_post=value)))
    assert result.findings == [] and result.clean["peer_leadership_post"].to_list() == [expected]


def test_peer_leadership_post_other_than_yes_or_no_is_an_error_naming_invisible_characters():
    f = only(check(organisation(organisation_row(peer_leadership_post="maybe\u00a0"))), "not_yes_no")
    assert (f.line, f.column, f.value) == (2, "peer_leadership_post", "maybe\u00a0")
    assert "maybe[NO-BREAK SPACE]" in f.message


def test_peer_leadership_post_blank_is_an_error():
    f = only(check(organisation(organisation_row(peer_leadership_post=None))), "required_value")
    assert (f.line, f.column) == (2, "peer_leadership_post")


def test_notes_are_at_most_500_characters():
    assert check(organisation(organisation_row(notes="x" * 500))).findings == []
    f = only(check(organisation(organisation_row(notes="x" * 501))), "notes_too_long")
    assert (f.line, f.column) == (2, "notes") and "500" in f.message


def test_no_workforce_total_is_one_error_and_the_headcount_rules_wait_for_it():
    result = check(organisation(organisation_row(psw_with_peer_supervision="900")), total=None)
    f = only(result, "no_workforce_total")
    assert (f.line, f.column) == (2, "trust_code") and "workforce section" in f.message
    assert [x.rule for x in result.findings] == ["no_workforce_total"]


def test_an_organisation_section_for_another_quarter_is_for_30_september_only():
    f = only(check(organisation(organisation_row(period_end="31/12/2025"))), "not_annual_period")
    assert (f.line, f.column) == (2, "period_end") and "30 September only" in f.message


def test_the_trust_is_known():
    f = only(check(organisation(organisation_row(trust_code="ZZZ"))), "unknown_trust_code")
    assert (f.line, f.column, f.value) == (2, "trust_code", "ZZZ")
