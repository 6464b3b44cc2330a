"""One small broken return per rule: the rule id, line, column, value and message of each finding.

Fixtures start from conftest.valid_rows() (3 rows, lines 2-4, RX4, 2025-09-30) and break one thing.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from pswbench.paths import DATA_DIR
from pswbench.returns import contract
from pswbench.returns.gx_rules import rule_specs
from pswbench.returns.validate import validate_bytes, validate_many
from tests.helpers.returns_kit import TODAY, csv_bytes, valid_rows

CHECK_RULES = (
    "mixed_trust_codes",
    "mixed_periods",
    "duplicate_cell",
    "unknown_trust_code",
    "trust_not_open",
    "fte_days_mismatch",
    "high_sickness_rate",
    "high_vacancy_rate",
    "high_leaver_rate",
    "headcount_change",
)
READER_RULES = (
    "file_too_large",
    "empty_file",
    "not_a_csv",
    "malformed_csv",
    "unreadable_xlsx",
    "unknown_column",
    "duplicate_column",
    "missing_column",
    "no_data_rows",
    "too_many_rows",
    "wrong_field_count",
    "too_many_columns",
    "cell_too_long",
    "header_not_found",
    "tab_delimited",
    "section_on_wrong_sheet",
    "formula_without_value",
    "hidden_sheet",
    "unread_sheet",
)
READER_WARNINGS = {"hidden_sheet", "unread_sheet"}
WARNING_RULES = {"fte_days_mismatch", "high_sickness_rate", "high_vacancy_rate", "high_leaver_rate", "headcount_change"}


def check(data: bytes, previous=None, today: dt.date = TODAY):
    return validate_bytes("return.csv", data, previous=previous, today=today)


def broken(changes: dict[int, dict[str, str]], n: int = 3) -> bytes:
    rows = valid_rows(n)
    for i, change in changes.items():
        rows[i].update(change)
    # The version 1 columns, unless a change is to the optional contacts column of version 2.
    contacts = any("contacts" in change for change in changes.values())
    return csv_bytes(rows, contract.WORKFORCE_COLUMNS if contacts else None)


def all_rows(change: dict[str, str]) -> dict[int, dict[str, str]]:
    return {i: change for i in range(3)}


def only(result, rule: str):
    found = [f for f in result.findings if f.rule == rule]
    assert found, f"{rule} did not fire: {result.findings}"
    return found


# ---------------------------------------------------------------------------------------------------------
# The valid starting point


def test_valid_return_has_no_findings():
    result = check(csv_bytes(valid_rows()))
    assert result.findings == []
    assert result.valid and result.trust_code == "RX4" and result.period_end == dt.date(2025, 9, 30)
    assert result.rows == 3
    assert result.clean["line"].to_list() == [2, 3, 4]
    assert result.as_json()["errors"] == [] and result.as_json()["warnings"] == []


def test_example_return_is_valid():
    result = check((DATA_DIR / "example_return.csv").read_bytes())
    assert result.findings == [] and result.rows == 8


# ---------------------------------------------------------------------------------------------------------
# Great Expectations rules: one case per (rule, column) in the suite JSON.
# Each case: changes to rows (index 1 = line 3 unless all_rows), the expected line and value, and any other
# error rules the change unavoidably also triggers.

ROW = 1  # rows[1] is on line 3
LINE = 3

GX_CASES: dict[tuple[str, str], dict] = {}


def case(rule, column, changes, line=LINE, value=None, also=()):
    GX_CASES[(rule, column)] = dict(changes=changes, line=line, value=value, also=set(also))


for col in (
    "trust_code",
    "period_end",
    "service_setting",
    "afc_band",
    "headcount",
    "wte_in_post",
    "vacancy_wte",
    "sickness_fte_days_lost",
    "fte_days_available",
    "leavers_headcount",
    "joiners_headcount",
):
    case("required_value", col, {ROW: {col: ""}})
for col, bad in (
    ("wte_in_post", "9,60"),
    ("vacancy_wte", "1.2 WTE"),
    ("sickness_fte_days_lost", "n/a"),
    ("fte_days_available", "1e3"),
    ("bank_wte", "none"),
    ("agency_wte", "-"),
):
    case("not_a_number", col, {ROW: {col: bad}}, value=bad)
for col, bad in (("headcount", "18.5"), ("leavers_headcount", "1.5"), ("joiners_headcount", "two")):
    case("not_a_whole_number", col, {ROW: {col: bad}}, value=bad)
# Row 1's own figures, written in another script's digits: Arabic-Indic, Devanagari, full-width, Bengali...
for col, bad in (
    ("headcount", "١٨"),
    ("wte_in_post", "१५.२०"),
    ("vacancy_wte", "２.００"),
    ("sickness_fte_days_lost", "৬৫.৭২"),
    ("fte_days_available", "๑๓๙๘.๔๐"),
    ("leavers_headcount", "¹"),
    ("joiners_headcount", "۲"),
    ("bank_wte", "0.8０"),
    ("agency_wte", "𝟎"),
):
    case("non_ascii_digit", col, {ROW: {col: bad}}, value=bad)
case("non_ascii_digit", "afc_band", {ROW: {"afc_band": "Band ４"}}, value="Band ４")
case("non_ascii_digit", "period_end", all_rows({"period_end": "٣٠/٠٩/٢٠٢٥"}), line=2, value="٣٠/٠٩/٢٠٢٥")
case(
    "negative_value",
    "headcount",
    {
        ROW: {
            "headcount": "-1",
            "wte_in_post": "0",
            "fte_days_available": "0",
            "sickness_fte_days_lost": "0",
            "joiners_headcount": "0",
        }
    },
    value="-1",
)
case(
    "negative_value",
    "wte_in_post",
    {ROW: {"headcount": "0", "joiners_headcount": "0", "wte_in_post": "-1"}},
    value="-1",
)
case("negative_value", "vacancy_wte", {ROW: {"vacancy_wte": "-1.5"}}, value="-1.5")
case("negative_value", "sickness_fte_days_lost", {ROW: {"sickness_fte_days_lost": "-2"}}, value="-2")
case(
    "negative_value",
    "fte_days_available",
    {
        ROW: {
            "headcount": "0",
            "joiners_headcount": "0",
            "wte_in_post": "0",
            "sickness_fte_days_lost": "0",
            "fte_days_available": "-1",
        }
    },
    value="-1",
)
case("negative_value", "leavers_headcount", {ROW: {"leavers_headcount": "-1"}}, value="-1")
case("negative_value", "joiners_headcount", {ROW: {"joiners_headcount": "-1"}}, value="-1")
case("negative_value", "bank_wte", {ROW: {"bank_wte": "-0.5"}}, value="-0.5")
case("negative_value", "agency_wte", {ROW: {"agency_wte": "-0.5"}}, value="-0.5")
case("value_too_large", "headcount", {ROW: {"headcount": "3000000000"}}, value="3000000000")
case(
    "value_too_large",
    "wte_in_post",
    {ROW: {"headcount": "150000", "wte_in_post": "150000"}},
    value="150000",
    also={"value_too_large"},
)
case("value_too_large", "vacancy_wte", {ROW: {"vacancy_wte": "100001"}}, value="100001")
case(
    "value_too_large",
    "sickness_fte_days_lost",
    {ROW: {"sickness_fte_days_lost": "99999999"}},
    value="99999999",
    also={"sickness_exceeds_available"},
)
case("value_too_large", "fte_days_available", {ROW: {"fte_days_available": "99999999"}}, value="99999999")
case("value_too_large", "leavers_headcount", {ROW: {"leavers_headcount": "200000"}}, value="200000")
case(
    "value_too_large",
    "joiners_headcount",
    {ROW: {"joiners_headcount": "200000"}},
    value="200000",
    also={"joiners_exceed_headcount"},
)
case("not_a_whole_number", "contacts", {ROW: {"contacts": "12.5"}}, value="12.5")
case("non_ascii_digit", "contacts", {ROW: {"contacts": "١٢"}}, value="١٢")
case("negative_value", "contacts", {ROW: {"contacts": "-4"}}, value="-4")
case("value_too_large", "contacts", {ROW: {"contacts": "5000000"}}, value="5000000")
case("value_too_large", "bank_wte", {ROW: {"bank_wte": "1" + "0" * 400}}, value="1" + "0" * 400)
case("value_too_large", "agency_wte", {ROW: {"agency_wte": "100001"}}, value="100001")
case("unknown_service_setting", "service_setting", {ROW: {"service_setting": "Crisis Team"}}, value="Crisis Team")
case("unknown_afc_band", "afc_band", {ROW: {"afc_band": "Band 9"}}, value="Band 9")
case("bad_date", "period_end", all_rows({"period_end": "30-Sep-2025"}), line=2, value="30-Sep-2025")
case(
    "date_has_time",
    "period_end",
    all_rows({"period_end": "2025-09-30T14:30:00"}),
    line=2,
    value="2025-09-30T14:30:00",
)
case("not_a_real_date", "period_end", all_rows({"period_end": "2025-09-31"}), line=2, value="2025-09-31")
case("not_quarter_end", "period_end", all_rows({"period_end": "2025-09-29"}), line=2, value="2025-09-29")
case("period_too_early", "period_end", all_rows({"period_end": "2019-06-30"}), line=2, value="2019-06-30")
case("period_in_future", "period_end", all_rows({"period_end": "2026-12-31"}), line=2, value="2026-12-31")
case("wte_exceeds_headcount", "wte_in_post", {ROW: {"wte_in_post": "19", "fte_days_available": "1748"}}, value="19")
case(
    "no_wte_with_staff",
    "wte_in_post",
    {ROW: {"wte_in_post": "0", "fte_days_available": "0", "sickness_fte_days_lost": "0"}},
    value="0",
)
case("sickness_exceeds_available", "sickness_fte_days_lost", {ROW: {"sickness_fte_days_lost": "1400"}}, value="1400")
case(
    "no_days_available",
    "fte_days_available",
    {ROW: {"fte_days_available": "0", "sickness_fte_days_lost": "0"}},
    value="0",
)
case("joiners_exceed_headcount", "joiners_headcount", {ROW: {"joiners_headcount": "19"}}, value="19")
case("notes_too_long", "notes", {ROW: {"notes": "x" * 501}}, value="x" * 501)


def test_every_suite_rule_has_a_case():
    in_suite = {(spec["rule"], spec["column"]) for spec in rule_specs()}
    assert in_suite == set(GX_CASES)


def test_suite_messages_name_line_and_value():
    for spec in rule_specs():
        assert "{line}" in spec["message"], spec
        if spec["rule"] not in ("required_value", "notes_too_long"):
            assert "{value}" in spec["message"], spec


@pytest.mark.parametrize("key", sorted(GX_CASES), ids=lambda k: f"{k[0]}-{k[1]}")
def test_gx_rule(key):
    rule, column = key
    c = GX_CASES[key]
    result = check(broken(c["changes"]))
    assert not result.valid and result.clean is None
    hits = [f for f in result.errors if f.rule == rule and f.column == column]
    assert hits, result.findings
    f = next(h for h in hits if h.line == c["line"])
    assert f.severity == "error"
    assert f.value == c["value"]
    assert re.search(rf"\bline {LINE}\b" if c["changes"].keys() == {ROW} else "lines 2 to 4", f.message.lower())
    if c["value"] is not None and rule != "notes_too_long":
        assert c["value"] in f.message
    if c["value"] is None:
        assert "blank" in f.message
    # nothing else is wrong with the file
    assert {e.rule for e in result.errors} <= {rule} | c["also"], result.errors
    if c["changes"].keys() == {ROW}:
        assert {e.line for e in result.errors if e.rule == rule} == {LINE}
    else:  # the period is wrong on every row, the same value: one finding that names the lines
        assert [e.line for e in result.errors if e.rule == rule] == [2]
        assert "on lines 2 to 4" in f.message


def test_required_value_json_shape():
    result = check(broken({ROW: {"headcount": ""}}))
    (f,) = result.as_json()["errors"]
    assert f == {
        "line": 3,
        "column": "headcount",
        "rule": "required_value",
        "value": None,
        "message": f["message"],
        "section": "workforce",
    }
    json.dumps(result.as_json())


# ---------------------------------------------------------------------------------------------------------
# Dates and bands


@pytest.mark.parametrize("text", ["30-Sep-2025", "2025/09/30", "30.09.2025", "Q2 2025", "2025-9-30"])
def test_bad_date(text):
    result = check(broken(all_rows({"period_end": text})))
    assert [f.rule for f in result.errors] == ["bad_date"]
    assert result.errors[0].value == text and text in result.errors[0].message
    assert "on lines 2 to 4" in result.errors[0].message


@pytest.mark.parametrize(
    "text, why, example",
    [
        ("31/06/2025", "June 2025 has 30 days, so there is no day 31", "2025-06-30 or 30/06/2025"),
        ("2025-09-31", "September 2025 has 30 days, so there is no day 31", "2025-09-30 or 30/09/2025"),
        ("29/02/2025", "February 2025 has 28 days, so there is no day 29", "2025-03-31 or 31/03/2025"),
        ("2026-06-31", "June 2026 has 30 days, so there is no day 31", "2026-06-30 or 30/06/2026"),
    ],
)
def test_impossible_day_is_not_a_real_date(text, why, example):
    """A date-shaped text that is no day of the calendar is called what it is, with how to write it:
    an example in the quarter the text names (a 2026 file's hint is a 2026 date)."""
    result = check(broken(all_rows({"period_end": text})), today=dt.date(2027, 1, 1))
    (f,) = result.errors
    assert f.rule == "not_a_real_date" and f.value == text and f.line == 2
    assert f"'{text}' on lines 2 to 4 is not a real date: {why}." in f.message
    assert example in f.message and "quarter end" not in f.message.split(":")[0]


def test_one_finding_per_distinct_period_value():
    """The same wrong period on several lines is one finding naming them; different values, one each."""
    rows = valid_rows(3)
    for row, text in zip(rows, ["30-Sep-25", "Q3 2025", "30-Sep-25"]):
        row["period_end"] = text
    found = [f for f in check(csv_bytes(rows)).errors if f.rule == "bad_date"]
    assert [(f.line, f.value) for f in found] == [(2, "30-Sep-25"), (3, "Q3 2025")]
    assert "on lines 2 and 4 " in found[0].message and "on line 3 " in found[1].message


@pytest.mark.parametrize(
    "change, column",
    [
        ({"headcount": "-12"}, "headcount"),
        (
            {"headcount": "-1", "wte_in_post": "0", "fte_days_available": "0", "sickness_fte_days_lost": "0"},
            "headcount",
        ),
        ({"fte_days_available": "-5"}, "fte_days_available"),
        ({"wte_in_post": "-1"}, "wte_in_post"),
        ({"headcount": "150000"}, "headcount"),
    ],
)
def test_one_bad_number_is_one_error_on_its_cell(change, column):
    """A number that breaks its own rule is not compared with other columns as well: one error, its cell."""
    result = check(broken({ROW: change}))
    assert [(f.line, f.column) for f in result.errors] == [(LINE, column)], result.errors


def test_uk_date_accepted():
    result = check(broken(all_rows({"period_end": "30/09/2025"})))
    assert result.findings == [] and result.period_end == dt.date(2025, 9, 30)
    assert result.clean["period_end"].to_list() == [dt.date(2025, 9, 30)] * 3


def test_uk_and_iso_dates_mixed_are_one_period():
    result = check(broken({1: {"period_end": "30/09/2025"}, 2: {"period_end": "30/9/2025"}}))
    assert result.findings == []
    assert result.clean["period_end"].to_list() == [dt.date(2025, 9, 30)] * 3


def test_period_in_future_depends_on_today():
    data = broken(all_rows({"period_end": "2026-12-31"}))
    assert {f.rule for f in check(data).errors} == {"period_in_future"}
    assert check(data, today=dt.date(2027, 1, 5)).valid


def test_earliest_period_accepted():
    assert check(broken(all_rows({"period_end": "2019-09-30"}))).valid


def test_bands_normalised():
    result = check(broken({0: {"afc_band": "Band 4"}, 1: {"afc_band": "8A"}, 2: {"afc_band": " 8a "}}))
    assert result.findings == []
    assert result.clean["afc_band"].to_list() == ["4", "8a", "8a"]


def test_service_setting_and_trust_code_case_normalised():
    result = check(broken({0: {"service_setting": "Adult_Community", "trust_code": "rx4"}}))
    assert result.findings == []
    assert result.clean["service_setting"].to_list()[0] == "adult_community"
    assert result.clean["trust_code"].to_list() == ["RX4"] * 3


def test_whole_numbers_written_with_point_zero():
    result = check(broken({0: {"headcount": "12.0", "leavers_headcount": "+1"}}))
    assert result.findings == []
    assert result.clean["headcount"].to_list()[0] == 12
    assert result.clean["leavers_headcount"].to_list()[0] == 1


def test_bank_blank_is_not_zero():
    result = check(csv_bytes(valid_rows()))
    assert result.clean["bank_wte"].to_list() == [0.4, 0.8, None]
    assert result.clean["agency_wte"].to_list() == [0.0, None, 0.0]


def test_trust_with_no_psws():
    rows = valid_rows(1)
    rows[0].update(
        headcount="0",
        wte_in_post="0",
        vacancy_wte="1",
        sickness_fte_days_lost="0",
        fte_days_available="0",
        leavers_headcount="0",
        joiners_headcount="0",
    )
    result = check(csv_bytes(rows))
    assert result.errors == []


def test_three_problems_on_three_lines_all_reported():
    result = check(broken({0: {"headcount": "twelve"}, 1: {"afc_band": "9"}, 2: {"notes": "y" * 600}}))
    got = sorted((f.line, f.rule) for f in result.errors)
    assert got == [(2, "not_a_whole_number"), (3, "unknown_afc_band"), (4, "notes_too_long")]


# ---------------------------------------------------------------------------------------------------------
# Cross-row and reference checks (pswbench/returns/cross_checks.py)


def test_mixed_trust_codes():
    result = check(broken({2: {"trust_code": "RMY"}}))
    (f,) = result.errors
    assert (f.rule, f.column, f.value, f.line) == ("mixed_trust_codes", "trust_code", "RMY", None)
    assert "'RX4' (first on line 2)" in f.message and "'RMY' (first on line 4)" in f.message


def test_mixed_periods():
    result = check(broken({1: {"period_end": "2025-06-30"}}))
    (f,) = result.errors
    assert (f.rule, f.column, f.value, f.line) == ("mixed_periods", "period_end", "2025-06-30", None)
    assert "'2025-09-30' (first on line 2)" in f.message and "'2025-06-30' (first on line 3)" in f.message


def test_duplicate_cell_names_both_lines():
    result = check(broken({2: {"service_setting": "Adult_Community", "afc_band": "Band 4"}}))
    (f,) = result.errors
    assert (f.rule, f.line, f.column, f.value) == ("duplicate_cell", 4, "afc_band", "adult_community / 4")
    assert "Line 4" in f.message and "line 3" in f.message


def test_unknown_trust_code():
    result = check(broken(all_rows({"trust_code": "RZZ"})))
    (f,) = result.errors
    assert (f.rule, f.line, f.column, f.value) == ("unknown_trust_code", 2, "trust_code", "RZZ")
    assert "RZZ" in f.message and "line 2" in f.message


@pytest.mark.parametrize(
    "code,period,ok",
    [
        ("RRP", "2024-12-31", False),
        ("RRP", "2024-09-30", True),
        ("G6V2S", "2024-09-30", False),
        ("G6V2S", "2024-12-31", True),
    ],
)
def test_trust_not_open(code, period, ok):
    result = check(broken(all_rows({"trust_code": code, "period_end": period})))
    fte = {"fte_days_mismatch"}  # Dec quarter has 92 days like Sep; no mismatch expected
    assert not {f.rule for f in result.warnings} - fte
    if ok:
        assert result.valid
    else:
        (f,) = result.errors
        assert (f.rule, f.line, f.column, f.value) == ("trust_not_open", 2, "trust_code", code)
        assert code in f.message and period in f.message


def assert_warning_only(result, rule, column, line=None):
    assert result.valid and result.errors == [] and result.clean is not None
    (f,) = result.warnings
    assert (f.rule, f.severity, f.column, f.line) == (rule, "warning", column, line)
    return f


def test_fte_days_mismatch():
    f = assert_warning_only(
        check(broken({1: {"fte_days_available": "1000"}})), "fte_days_mismatch", "fte_days_available", line=3
    )
    assert f.value == "1000" and "line 3" in f.message and "1000" in f.message


def test_fte_days_just_within_tolerance():
    # 15.20 x 92 = 1398.4; 20% off is 1118.72, which is still accepted
    assert check(broken({1: {"fte_days_available": "1118.72"}})).findings == []


def test_high_sickness_rate():
    f = assert_warning_only(
        check(broken({0: {"sickness_fte_days_lost": "500"}})), "high_sickness_rate", "sickness_fte_days_lost"
    )
    assert f.value == f"{(500 + 65.72 + 27.53) / 2907.2:.1%}"


def test_high_vacancy_rate():
    f = assert_warning_only(check(broken({0: {"vacancy_wte": "30"}})), "high_vacancy_rate", "vacancy_wte")
    assert f.value == f"{33 / (31.6 + 33):.1%}"


def test_high_leaver_rate():
    f = assert_warning_only(check(broken({0: {"leavers_headcount": "10"}})), "high_leaver_rate", "leavers_headcount")
    assert f.value == f"{12 / ((38 + 47) / 2):.1%}"


def one_row(headcount: int) -> bytes:
    rows = valid_rows(1)
    wte = round(headcount * 0.8, 2)
    rows[0].update(
        headcount=str(headcount),
        wte_in_post=f"{wte:.2f}",
        vacancy_wte="0",
        sickness_fte_days_lost="0",
        fte_days_available=f"{wte * 92:.2f}",
        leavers_headcount="0",
        joiners_headcount="0",
    )
    return csv_bytes(rows)


def test_headcount_change_fires_and_gets_trust_and_period():
    calls = []

    def previous(trust, period):
        calls.append((trust, period))
        return dt.date(2025, 6, 30), 20

    f = assert_warning_only(check(csv_bytes(valid_rows()), previous=previous), "headcount_change", "headcount")
    assert calls == [("RX4", dt.date(2025, 9, 30))]
    assert f.value == "38" and "20" in f.message and "2025-06-30" in f.message


@pytest.mark.parametrize(
    "before,now,fires",
    [
        (10, 16, False),  # +60% but only 6 people
        (100, 111, False),  # 11 people but only +11%
        (24, 38, True),  # +14 people, +58%
        (38, 18, True),  # -20 people, -53%
        (30, 15, False),  # -50% exactly is not more than 50%
        (0, 11, True),  # from nothing
        (0, 10, False),
    ],
)
def test_headcount_change_thresholds(before, now, fires):
    result = check(one_row(now), previous=lambda t, p: (dt.date(2025, 6, 30), before))
    assert result.errors == []
    assert [f.rule for f in result.warnings] == (["headcount_change"] if fires else [])


def test_no_previous_quarter_no_warning():
    assert check(csv_bytes(valid_rows()), previous=lambda t, p: None).findings == []


def test_warnings_do_not_block():
    data = broken(
        {
            0: {"sickness_fte_days_lost": "500", "vacancy_wte": "30", "leavers_headcount": "10"},
            1: {"fte_days_available": "1000"},
        }
    )
    result = check(data, previous=lambda t, p: (dt.date(2025, 6, 30), 100))
    assert result.valid and result.errors == [] and result.clean is not None
    assert {f.rule for f in result.warnings} == WARNING_RULES
    assert result.as_json()["valid"] is True


# ---------------------------------------------------------------------------------------------------------
# File-level rules (pswbench/returns/reader.py)


def file_finding(result, rule):
    assert not result.valid and result.clean is None
    return only(result, rule)


def test_file_too_large():
    data = csv_bytes(valid_rows()) + b"x" * (5 * 1024 * 1024)
    (f,) = file_finding(check(data), "file_too_large")
    assert f.value == str(len(data)) and "5 MB" in f.message


def test_file_of_exactly_5mb_is_read():
    data = csv_bytes(valid_rows())
    lines, rest = divmod(contract.MAX_FILE_BYTES - len(data), 64)  # padding: blank lines, fewer than the cap
    data += (b" " * 63 + b"\n") * lines + b"\n" * rest
    assert len(data) == contract.MAX_FILE_BYTES and lines + rest < contract.MAX_ROWS_READ
    assert check(data).findings == []


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", b",,,,\n,,,\n"])
def test_empty_file(data):
    result = check(data)
    assert [f.rule for f in result.findings] == ["empty_file"]


def test_not_a_csv():
    result = check(b"%PDF-1.4\n\x00\x01\x02binary")
    assert [f.rule for f in result.findings] == ["not_a_csv"]


def test_malformed_csv_unclosed_quote():
    rows = valid_rows()
    data = csv_bytes(rows).replace(b"Two posts", b'"Two posts')  # opens a quote on line 4 that never closes
    result = check(data)
    (f,) = result.findings
    assert (f.rule, f.line) == ("malformed_csv", 4) and "line 4" in f.message


def test_unreadable_xlsx():
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<nonsense")
        z.writestr("xl/workbook.xml", "<not really a workbook")
    result = validate_bytes("r.xlsx", buf.getvalue(), today=TODAY)
    assert [f.rule for f in result.findings] == ["unreadable_xlsx"]


def test_unknown_column_suggests():
    header = list(contract.COLUMNS)
    header[header.index("wte_in_post")] = "wte_in_posts"
    result = check(csv_bytes(valid_rows(), header=header))
    unknown = [f for f in result.errors if f.rule == "unknown_column"]
    assert len(unknown) == 1
    assert (unknown[0].line, unknown[0].column, unknown[0].value) == (1, "wte_in_posts", "wte_in_posts")
    assert "Did you mean 'wte_in_post'?" in unknown[0].message
    missing = [f for f in result.errors if f.rule == "missing_column"]
    assert [(f.column, f.line) for f in missing] == [("wte_in_post", 1)]


def test_unknown_column_without_suggestion():
    header = list(contract.COLUMNS) + ["zzz"]
    (f,) = check(csv_bytes(valid_rows(), header=header)).errors
    assert f.rule == "unknown_column" and f.value == "zzz" and "Did you mean" not in f.message


def test_duplicate_column():
    header = list(contract.COLUMNS) + ["Headcount"]
    (f,) = check(csv_bytes(valid_rows(), header=header)).errors
    assert (f.rule, f.line, f.column, f.value) == ("duplicate_column", 1, "headcount", "headcount")


def test_missing_column():
    header = [c for c in contract.COLUMNS if c != "fte_days_available"]
    (f,) = check(csv_bytes(valid_rows(), header=header)).errors
    assert (f.rule, f.line, f.column) == ("missing_column", 1, "fte_days_available")
    assert "fte_days_available" in f.message


def test_no_data_rows():
    result = check(csv_bytes([]))
    assert [f.rule for f in result.findings] == ["no_data_rows"]


def test_too_many_rows():
    row = valid_rows(1)[0]
    data = csv_bytes([row] * (contract.MAX_DATA_ROWS + 1))
    assert len(data) < contract.MAX_FILE_BYTES
    result = check(data)
    assert [f.rule for f in result.findings] == ["too_many_rows"]


def test_ten_thousand_rows_is_not_too_many():
    row = valid_rows(1)[0]
    result = check(csv_bytes([row] * contract.MAX_DATA_ROWS))
    assert "too_many_rows" not in {f.rule for f in result.findings}
    assert result.rows == contract.MAX_DATA_ROWS


def test_wrong_field_count():
    data = csv_bytes(valid_rows()).replace(b"Two posts out to advert", b"Two posts, out to advert")
    result = check(data)
    (f,) = result.errors
    assert (f.rule, f.line, f.value) == ("wrong_field_count", 4, "15") and "Line 4" in f.message


def test_wrong_field_count_on_every_row_is_a_verdict():
    data = csv_bytes(valid_rows(1)).rstrip(b"\n") + b",extra\n"
    result = check(data)
    assert [(f.rule, f.line) for f in result.findings] == [("wrong_field_count", 2)]


def test_short_rows_are_padded_with_blanks():
    data = csv_bytes(valid_rows(1), header=contract.COLUMNS[:-1])  # 13 values, no notes column
    assert check(data).findings == []
    short = b",".join(csv_bytes(valid_rows(1)).splitlines()[1].split(b",")[:10])
    result = check(csv_bytes([]) + short + b"\n")
    assert {f.rule for f in result.errors} == {"required_value"}
    assert sorted(f.column for f in result.errors) == ["joiners_headcount"]


# ---------------------------------------------------------------------------------------------------------
# Every rule id fires, in one validate_many run (which also checks that files do not leak into each other)


def every_rule_fixtures() -> dict[str, tuple[str, bytes, object]]:
    fx: dict[str, tuple[str, bytes, object]] = {}
    for (rule, _), c in GX_CASES.items():
        fx.setdefault(rule, ("r.csv", broken(c["changes"]), None))
    header = list(contract.COLUMNS)
    fx.update(
        {
            "mixed_trust_codes": ("r.csv", broken({2: {"trust_code": "RMY"}}), None),
            "mixed_periods": ("r.csv", broken({1: {"period_end": "2025-06-30"}}), None),
            "duplicate_cell": ("r.csv", broken({2: {"service_setting": "adult_community"}}), None),
            "unknown_trust_code": ("r.csv", broken(all_rows({"trust_code": "RZZ"})), None),
            "trust_not_open": ("r.csv", broken(all_rows({"trust_code": "RRP", "period_end": "2025-03-31"})), None),
            "fte_days_mismatch": ("r.csv", broken({1: {"fte_days_available": "1000"}}), None),
            "high_sickness_rate": ("r.csv", broken({0: {"sickness_fte_days_lost": "500"}}), None),
            "high_vacancy_rate": ("r.csv", broken({0: {"vacancy_wte": "30"}}), None),
            "high_leaver_rate": ("r.csv", broken({0: {"leavers_headcount": "10"}}), None),
            "headcount_change": ("r.csv", csv_bytes(valid_rows()), lambda t, p: (dt.date(2025, 6, 30), 20)),
            "file_too_large": ("r.csv", b"a" * (contract.MAX_FILE_BYTES + 1), None),
            "empty_file": ("r.csv", b"", None),
            "not_a_csv": ("r.csv", b"\xff\xfe" + "a,b".encode("utf-16-le"), None),
            "malformed_csv": ("r.csv", csv_bytes(valid_rows()) + b'RX4,"open', None),
            "unreadable_xlsx": ("r.xlsx", _fake_xlsx(), None),
            "unknown_column": ("r.csv", csv_bytes(valid_rows(), header=header + ["team"]), None),
            "duplicate_column": ("r.csv", csv_bytes(valid_rows(), header=header + ["notes"]), None),
            "missing_column": ("r.csv", csv_bytes(valid_rows(), header=header[1:]), None),
            "no_data_rows": ("r.csv", csv_bytes([]), None),
            "too_many_rows": ("r.csv", csv_bytes(valid_rows(1) * (contract.MAX_DATA_ROWS + 1)), None),
            "wrong_field_count": ("r.csv", csv_bytes(valid_rows()).replace(b"Two posts", b"Two, posts"), None),
            "too_many_columns": (
                "r.csv",
                csv_bytes(valid_rows()).replace(b"Two posts", b"Two" + b"," * 100 + b"x"),
                None,
            ),
            "cell_too_long": ("r.csv", csv_bytes(valid_rows()).replace(b"Two posts", b"n" * 40_000), None),
            "header_not_found": ("r.csv", b"Quarterly return Q2\n" + csv_bytes(valid_rows()).split(b"\n", 1)[1], None),
            "tab_delimited": ("r.csv", csv_bytes(valid_rows(), delimiter="\t"), None),
            "section_on_wrong_sheet": ("r.xlsx", _workbook_sheets(("Workforce", _demographic_table())), None),
            "formula_without_value": ("r.xlsx", _workbook_sheets(("Sheet1", _table_with_formula())), None),
            "hidden_sheet": (
                "r.xlsx",
                _workbook_sheets(("Sheet1", _table()), ("Old", _table(), "hidden")),
                None,
            ),
            "unread_sheet": ("r.xlsx", _workbook_sheets(("Sheet1", _table()), ("Sheet2", _table())), None),
        }
    )
    return fx


def _table():
    from tests.helpers.workbook_kit import return_table

    return return_table()


def _table_with_formula():
    table = _table()
    table[2][contract.COLUMNS.index("headcount")] = "=2*9"
    return table


def _demographic_table():
    return [list(contract.DEMOGRAPHIC_COLUMNS), ["RX4", "2025-09-30", "gender", "female", 10]]


def _workbook_sheets(*sheets) -> bytes:
    from tests.helpers.workbook_kit import workbook_of

    return workbook_of([(s[0], s[1], s[2] if len(s) > 2 else "visible") for s in sheets])


def _fake_xlsx() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "garbage")
    return buf.getvalue()


def test_every_rule_id_fires():
    suite_rules = {spec["rule"] for spec in rule_specs()}
    every = suite_rules | set(CHECK_RULES) | set(READER_RULES)
    fx = every_rule_fixtures()
    assert set(fx) == every
    names = sorted(fx)
    # headcount_change needs its own `previous`; everything else goes through one validate_many run
    batch = [n for n in names if fx[n][2] is None]
    results = validate_many([(fx[n][0], fx[n][1]) for n in batch], today=TODAY)
    fired = {n: {f.rule for f in r.findings} for n, r in zip(batch, results)}
    name, data, previous = fx["headcount_change"]
    fired["headcount_change"] = {f.rule for f in validate_bytes(name, data, previous, TODAY).findings}
    for n in names:
        assert n in fired[n], (n, fired[n])
    for n, r in zip(batch, results):
        assert r.valid == (n in WARNING_RULES | READER_WARNINGS), (n, r.findings)


def test_validate_many_matches_validate_bytes():
    files = [
        ("a.csv", broken({1: {"afc_band": "9"}})),
        ("b.csv", csv_bytes(valid_rows())),
        ("c.csv", b""),
        ("d.csv", broken({0: {"headcount": "x"}, 2: {"notes": "z" * 501}})),
    ]
    together = validate_many(files, today=TODAY)
    for (name, data), r in zip(files, together):
        alone = validate_bytes(name, data, today=TODAY)
        assert r.findings == alone.findings and r.valid == alone.valid and r.file_name == name


# ---------------------------------------------------------------------------------------------------------
# Numbers are the ASCII digits 0-9: one rule, and every other digit is an error that says so


def test_the_issues_headcount_and_bank_wte_in_other_digits_are_errors_not_nulls():
    result = check(broken({0: {"headcount": "١٢"}, 1: {"bank_wte": "３"}}))
    assert [(f.rule, f.line, f.column, f.value) for f in result.findings] == [
        ("non_ascii_digit", 2, "headcount", "١٢"),
        ("non_ascii_digit", 3, "bank_wte", "３"),
    ]
    assert result.findings[0].message == (
        "headcount '١٢' on line 2 is written with ١ (arabic-indic digit one), "
        "٢ (arabic-indic digit two), not the digits 0-9: type the number with "
        "the digits 0-9, as 12."
    )
    assert result.findings[1].message.endswith("as 3.") and result.clean is None


@pytest.mark.parametrize(
    "text, typed",
    [
        ("١٨", "18"),
        ("۱۸", "18"),
        ("१८", "18"),
        ("১৮", "18"),
        ("１８", "18"),
        ("𝟏𝟖", "18"),
        ("¹⁸", None),
        ("₁₈", None),
        ("⑱", None),
        ("Ⅻ", None),
        ("½", None),
        ("十八", None),
        ("1８", "18"),
    ],
    ids=lambda v: v if v is None or v.isascii() else v.encode("unicode_escape").decode(),
)
def test_every_other_digit_in_a_number_is_one_error_naming_line_column_value_and_what_to_type(text, typed):
    result = check(broken({ROW: {"headcount": text}}))
    (f,) = result.findings  # not also "not a whole number": the one rule that explains it
    assert (f.rule, f.line, f.column, f.value) == ("non_ascii_digit", LINE, "headcount", text)
    assert f"headcount '{text}' on line 3 is written with" in f.message
    assert "not the digits 0-9: type the number with the digits 0-9" in f.message
    assert f.message.endswith(f", as {typed}." if typed else "0-9.")


def test_a_number_and_a_date_are_matched_by_the_contracts_patterns_and_nothing_else():
    import re

    from pswbench.returns import gx_rules

    suite_text = (gx_rules.SUITE_FILE).read_text(encoding="utf-8")
    assert "\\\\d" not in suite_text  # no \d anywhere: it matches every script's digits
    for pattern in (
        contract.NUMBER_TEXT,
        contract.WHOLE_NUMBER_TEXT,
        contract.DATE_TEXT,
        contract.ISO_DATE.pattern,
        contract.UK_DATE.pattern,
        contract.DATE_TIME_TEXT,
    ):
        assert "\\d" not in pattern
    regexes = {spec["rule"]: spec["kwargs"]["regex"] for spec in rule_specs() if "regex" in spec["kwargs"]}
    assert regexes == {
        "non_ascii_digit": "$NON_ASCII_NUMERAL",
        "not_a_number": "$NUMBER",
        "not_a_whole_number": "$WHOLE_NUMBER",
        "bad_date": "$DATE",
        "date_has_time": "$DATE_TIME",
    }
    assert not re.search(contract.NUMBER_TEXT, "١٢") and not re.search(contract.WHOLE_NUMBER_TEXT, "３")
    assert contract.parse_period("٣٠/٠٩/٢٠٢٥") is None and contract.parse_period("30/09/2025") is not None


def test_the_suite_checks_other_digits_in_every_number_date_and_band_column():
    checked = {spec["column"] for spec in rule_specs() if spec["rule"] == "non_ascii_digit"}
    numbers = contract.NUMERIC_COLUMNS + contract.WORKFORCE_OPTIONAL_INTEGER_COLUMNS
    assert checked == set(numbers) | {"period_end", "afc_band"}


# ---------------------------------------------------------------------------------------------------------
# Bounded findings: a file wrong everywhere gives a short list, and nothing is kept after the check


def test_a_column_wrong_on_every_row_lists_twenty_lines_and_counts_the_rest():
    row = valid_rows(1)[0]
    rows = [dict(row, vacancy_wte="x", notes=f"row {i}") for i in range(contract.MAX_DATA_ROWS)]
    result = check(csv_bytes(rows))
    wrong = [f for f in result.errors if f.rule == "not_a_number"]
    assert [f.line for f in wrong] == list(range(2, 23)) and wrong[-1].value == "9,980 more"
    assert wrong[-1].message == (
        "9,980 more lines, from line 22 to line 10,001, have the same problem "
        "(not_a_number) in vacancy_wte; only the first 20 are listed. Correct every "
        "one, then upload the file again."
    )
    duplicates = [f for f in result.errors if f.rule == "duplicate_cell"]  # every row repeats the first
    assert len(duplicates) == 21 and duplicates[-1].value == "9,979 more"
    assert len(result.findings) <= 21 * 4, {f.rule for f in result.findings}


def test_a_long_value_is_quoted_short():
    rows = valid_rows()
    rows[1]["service_setting"] = "w" * 5_000
    (f,) = check(csv_bytes(rows)).errors
    assert f.value == "w" * 1_000 + "… (5,000 characters)" and len(f.message) < 1_300


def test_validating_keeps_no_result_in_great_expectations():
    from pswbench.returns import gx_rules

    check(csv_bytes(valid_rows()))
    check(broken({ROW: {"headcount": "x"}}))
    batch_definition, _ = gx_rules._suite(TODAY)
    store = batch_definition.data_asset.datasource._data_context.validation_results_store
    # A ValidationDefinition run keeps each result, with its lists of failing rows, for the process's life.
    assert store.list_keys() == []


@pytest.mark.parametrize(
    "lines, words",
    [
        ([4], "line 4"),
        ([3, 2], "lines 2 and 3"),
        ([2, 3, 4, 5], "lines 2 to 5"),
        ([2, 3, 4, 7, 9, 10], "lines 2 to 4, 7, 9 and 10"),
        (list(range(2, 40, 2)), "lines 2, 4, 6, 8, 10, 12, 14, 16, 18, 20 and 9 more"),
    ],
)
def test_lines_named_in_words(lines, words):
    from pswbench.returns.findings import lines_text

    assert lines_text(lines) == words
