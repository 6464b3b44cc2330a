"""Access rules: pages, naming, uploads, peer labels and small-number suppression."""
from __future__ import annotations

import hashlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pswbench import access
from pswbench.access import NotPermitted, SUPPRESSED_TEXT
from pswbench.auth import User

ANALYST = User("hee@nhs.net", "analyst", None)
LEAD = User("lead@rx4.nhs.uk", "trust_lead", "RX4")
BOARD = User("board@rx4.nhs.uk", "board", "RX4")
ALL_CODES = ["R1L", "RMY", "RT1", "RWR", "RX4", "RXT", "RW4"]
SALT = "test-salt"

RULES = {
    "headcount": "headcount",
    "leavers_headcount": "leavers_headcount",
    "leaver_rate_quarter": "headcount",
    "sickness_rate": "headcount",
}


def frame():
    return pl.DataFrame({
        "trust_code": ["RX4", "RMY", "R1L", "RT1", None],
        "trust_name": ["Own Trust", "Norfolk", "Essex", "Cambs", "England"],
        "headcount": [3, 4, 5, 40, 2],
        "leavers_headcount": [1, 6, 2, None, 0],
        "leaver_rate_quarter": [0.33, 0.25, 0.4, 0.1, 0.0],
        "sickness_rate": [0.05, 0.06, 0.07, 0.08, 0.09],
        "other": [1, 2, 3, 4, 5],
    })


# --- pages ----------------------------------------------------------------------------------

def test_pages_for_each_role():
    assert access.pages_for(ANALYST) == [
        "overview", "regions", "benchmark", "snapshot", "upload", "submissions", "definitions"]
    assert access.pages_for(LEAD) == [
        "benchmark", "snapshot", "upload", "regions", "overview", "definitions"]
    assert access.pages_for(BOARD) == ["snapshot", "definitions"]


def test_pages_for_returns_a_copy():
    access.pages_for(BOARD).append("submissions")
    assert "submissions" not in access.pages_for(BOARD)


@pytest.mark.parametrize("user,page,allowed", [
    (ANALYST, "submissions", True),
    (LEAD, "submissions", False),
    (BOARD, "submissions", False),
    (LEAD, "upload", True),
    (BOARD, "upload", False),
    (BOARD, "benchmark", False),
    (BOARD, "overview", False),
    (BOARD, "regions", False),
    (BOARD, "snapshot", True),
    (BOARD, "definitions", True),
    (ANALYST, "no-such-page", False),
])
def test_require_page(user, page, allowed):
    if allowed:
        access.require_page(user, page)
    else:
        with pytest.raises(NotPermitted):
            access.require_page(user, page)


def test_not_permitted_is_a_permission_error():
    assert issubclass(NotPermitted, PermissionError)


# --- naming and uploads ---------------------------------------------------------------------

@pytest.mark.parametrize("user,code,expected", [
    (ANALYST, "RX4", True), (ANALYST, "RMY", True),
    (LEAD, "RX4", True), (LEAD, "RMY", False), (LEAD, None, False),
    (BOARD, "RX4", True), (BOARD, "RMY", False),
])
def test_can_view_trust_named(user, code, expected):
    assert access.can_view_trust_named(user, code) is expected


@pytest.mark.parametrize("user,code,expected", [
    (ANALYST, "RX4", True), (ANALYST, "RMY", True), (ANALYST, None, False), (ANALYST, "", False),
    (LEAD, "RX4", True), (LEAD, "RMY", False), (LEAD, None, False),
    (BOARD, "RX4", False), (BOARD, "RMY", False),
])
def test_can_upload_for(user, code, expected):
    assert access.can_upload_for(user, code) is expected


# --- peer labels ----------------------------------------------------------------------------

def test_peer_labels_ordered_by_salted_hash():
    labels = access.peer_labels(ALL_CODES, SALT)
    by_hash = sorted(ALL_CODES, key=lambda c: hashlib.sha256((SALT + c).encode()).hexdigest())
    assert [labels[c] for c in by_hash] == [f"Peer {i:02d}" for i in range(1, len(ALL_CODES) + 1)]


def test_peer_labels_do_not_follow_alphabetical_order():
    # With this salt the hash order differs from the alphabetical one.
    labels = access.peer_labels(ALL_CODES, SALT)
    assert [labels[c] for c in sorted(ALL_CODES)] != sorted(labels.values())


def test_peer_labels_stable_and_independent_of_input_order_and_duplicates():
    a = access.peer_labels(ALL_CODES, SALT)
    b = access.peer_labels(list(reversed(ALL_CODES)) + ["RX4", None], SALT)
    assert a == b


def test_peer_labels_change_with_salt():
    assert access.peer_labels(ALL_CODES, SALT) != access.peer_labels(ALL_CODES, "other-salt")


def test_peer_labels_need_a_salt():
    with pytest.raises(ValueError):
        access.peer_labels(ALL_CODES, "")


def test_peer_labels_width_grows_past_99():
    labels = access.peer_labels([f"T{i:03d}" for i in range(120)], SALT)
    assert sorted(labels.values())[0] == "Peer 001" and "Peer 120" in labels.values()


@settings(max_examples=50, deadline=None)
@given(st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=30), st.text(min_size=1, max_size=8))
def test_peer_labels_are_a_bijection(codes, salt):
    labels = access.peer_labels(codes, salt)
    assert set(labels) == codes
    assert len(set(labels.values())) == len(codes)


# --- present_trusts -------------------------------------------------------------------------

def test_present_trusts_analyst_unchanged():
    df = frame()
    assert access.present_trusts(df, ANALYST, SALT, ALL_CODES).equals(df)


@pytest.mark.parametrize("user", [LEAD, BOARD])
def test_present_trusts_hides_other_trusts(user):
    labels = access.peer_labels(ALL_CODES, SALT)
    out = access.present_trusts(frame(), user, SALT, ALL_CODES)
    assert out["trust_code"].to_list() == ["RX4", labels["RMY"], labels["R1L"], labels["RT1"], None]
    assert out["trust_name"].to_list() == ["Own Trust", labels["RMY"], labels["R1L"], labels["RT1"], "England"]
    assert out["headcount"].to_list() == frame()["headcount"].to_list()
    for hidden in ("RMY", "R1L", "RT1", "Norfolk", "Essex", "Cambs"):
        assert hidden not in out["trust_code"].to_list() + out["trust_name"].to_list()


def test_present_trusts_label_stable_when_other_rows_filtered_out():
    full = access.present_trusts(frame(), LEAD, SALT, ALL_CODES)
    part = access.present_trusts(frame().filter(pl.col("trust_code") != "RMY"), LEAD, SALT, ALL_CODES)
    label_full = dict(zip(frame()["trust_code"].to_list(), full["trust_code"].to_list()))
    label_part = dict(zip(frame().filter(pl.col("trust_code") != "RMY")["trust_code"].to_list(),
                          part["trust_code"].to_list()))
    assert label_part["R1L"] == label_full["R1L"] and label_part["RT1"] == label_full["RT1"]


def test_present_trusts_unknown_code_is_refused():
    df = pl.DataFrame({"trust_code": ["RX4", "ZZZ"], "trust_name": ["a", "b"]})
    with pytest.raises(ValueError, match="ZZZ"):
        access.present_trusts(df, LEAD, SALT, ALL_CODES)


def test_present_trusts_custom_columns_and_missing_name():
    df = pl.DataFrame({"org": ["RX4", "RMY"], "v": [1, 2]})
    out = access.present_trusts(df, BOARD, SALT, ALL_CODES, code_col="org", name_col="org_name")
    assert out["org"].to_list() == ["RX4", access.peer_labels(ALL_CODES, SALT)["RMY"]]
    with pytest.raises(ValueError):
        access.present_trusts(df, BOARD, SALT, ALL_CODES)


def test_present_trusts_does_not_modify_input():
    df = frame()
    access.present_trusts(df, LEAD, SALT, ALL_CODES)
    assert df.equals(frame())


# --- suppress_small_numbers -----------------------------------------------------------------

def test_suppression_analyst_sees_everything_unchanged():
    df = frame()
    assert access.suppress_small_numbers(df, ANALYST, RULES).equals(df)


@pytest.mark.parametrize("user", [LEAD, BOARD])
def test_suppression_for_non_analysts(user):
    out = access.suppress_small_numbers(frame(), user, RULES)
    S = SUPPRESSED_TEXT
    # own trust (RX4, headcount 3) always in full
    assert out.row(0, named=True) | {"trust_code": None} == {
        "trust_code": None, "trust_name": "Own Trust", "headcount": "3", "leavers_headcount": "1",
        "leaver_rate_quarter": "0.33", "sickness_rate": "0.05", "other": 1}
    # RMY: headcount 4 (<5) suppresses headcount-based values; leavers 6 shown
    assert out.row(1)[2:] == (S, "6", S, S, 2)
    # R1L: headcount 5 is not below 5 -> shown; leavers 2 suppressed
    assert out.row(2)[2:] == ("5", S, "0.4", "0.07", 3)
    # RT1: missing leavers count -> suppressed (fail closed)
    assert out.row(3)[2:] == ("40", S, "0.1", "0.08", 4)
    # row with no trust code (an aggregate) is not the user's own: suppressed like others
    assert out.row(4)[2:] == (S, S, S, S, 5)


def test_suppression_threshold_is_exactly_5():
    df = pl.DataFrame({"trust_code": ["RMY"] * 7, "headcount": [0, 1, 2, 3, 4, 5, 6]})
    out = access.suppress_small_numbers(df, LEAD, {"headcount": "headcount"})
    assert out["headcount"].to_list() == [SUPPRESSED_TEXT] * 5 + ["5", "6"]


def test_suppression_value_columns_become_strings_only_rule_columns():
    out = access.suppress_small_numbers(frame(), LEAD, RULES)
    for c in RULES:
        assert out.schema[c] == pl.String
    assert out.schema["other"] == pl.Int64


def test_suppression_reads_counts_before_replacing_them():
    # headcount is both a value and the count behind other values; order of rules must not matter.
    rules = {"headcount": "headcount", "sickness_rate": "headcount"}
    rules_rev = dict(reversed(list(rules.items())))
    a = access.suppress_small_numbers(frame(), LEAD, rules)
    b = access.suppress_small_numbers(frame(), LEAD, rules_rev)
    assert a.select(sorted(a.columns)).equals(b.select(sorted(b.columns)))
    assert a["sickness_rate"].to_list()[1] == SUPPRESSED_TEXT


def test_suppression_missing_count_column_is_an_error_missing_value_column_skipped():
    with pytest.raises(ValueError, match="typo"):
        access.suppress_small_numbers(frame(), LEAD, {"sickness_rate": "typo"})
    out = access.suppress_small_numbers(frame(), LEAD, {"absent": "headcount"})
    assert out.equals(frame())


def test_suppression_after_present_trusts_keeps_own_trust():
    shown = access.present_trusts(frame(), LEAD, SALT, ALL_CODES)
    out = access.suppress_small_numbers(shown, LEAD, RULES)
    assert out.row(0)[2] == "3"
    assert out.row(1)[2] == SUPPRESSED_TEXT


def test_suppression_other_trust_lead_sees_rx4_suppressed():
    other = User("lead@rmy.nhs.uk", "trust_lead", "RMY")
    out = access.suppress_small_numbers(frame(), other, RULES)
    assert out.row(0)[2] == SUPPRESSED_TEXT      # RX4 is another trust for RMY
    assert out.row(1)[2] == "4"                  # own trust in full


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(ALL_CODES), st.one_of(st.none(), st.integers(0, 12))),
                min_size=1, max_size=20))
def test_suppression_property(rows):
    df = pl.DataFrame({"trust_code": [r[0] for r in rows], "headcount": [r[1] for r in rows]},
                      schema={"trust_code": pl.String, "headcount": pl.Int64})
    out = access.suppress_small_numbers(df, LEAD, {"headcount": "headcount"})
    for (code, n), shown in zip(rows, out["headcount"].to_list()):
        if code == "RX4":
            assert shown == (None if n is None else str(n))
        elif n is None or n < 5:
            assert shown == SUPPRESSED_TEXT
        else:
            assert shown == str(n)
