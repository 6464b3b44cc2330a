"""Access rules: pages, naming, uploads, peer labels and small-number suppression."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pswbench.access import disclosure, permissions
from pswbench.access.auth import User
from pswbench.access.permissions import NotPermitted

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


Q1, Q2 = dt.date(2026, 6, 30), dt.date(2026, 9, 30)


def frame(period=Q2):
    return pl.DataFrame(
        {
            "period_end": [period] * 4,
            "trust_code": ["RX4", "RMY", "R1L", "RT1"],
            "trust_name": ["Own Trust", "Norfolk", "Essex", "Cambs"],
            "headcount": [3, 4, 5, 40],
            "leavers_headcount": [1, 6, 2, None],
            "leaver_rate_quarter": [0.33, 0.25, 0.4, 0.1],
            "sickness_rate": [0.05, 0.06, 0.07, 0.08],
            "other": [1, 2, 3, 4],
        }
    )


def by_code(df, user=None):
    """Rows keyed by their real code (disclose replaces other trusts' codes with labels)."""
    labels = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    back = {v: k for k, v in labels.items()}
    return {back.get(r["trust_code"], r["trust_code"]): r for r in df.iter_rows(named=True)}


# --- pages ----------------------------------------------------------------------------------


def test_pages_for_each_role():
    assert permissions.pages_for(ANALYST) == [
        "overview",
        "regions",
        "benchmark",
        "workforce_profile",
        "conditions",
        "snapshot",
        "upload",
        "submissions",
        "definitions",
    ]
    assert permissions.pages_for(LEAD) == [
        "benchmark",
        "snapshot",
        "upload",
        "regions",
        "overview",
        "workforce_profile",
        "conditions",
        "definitions",
    ]
    assert permissions.pages_for(BOARD) == ["snapshot", "definitions"]


def test_pages_for_returns_a_copy():
    permissions.pages_for(BOARD).append("submissions")
    assert "submissions" not in permissions.pages_for(BOARD)


@pytest.mark.parametrize(
    "user,page,allowed",
    [
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
    ],
)
def test_require_page(user, page, allowed):
    if allowed:
        permissions.require_page(user, page)
    else:
        with pytest.raises(NotPermitted):
            permissions.require_page(user, page)


def test_not_permitted_is_a_permission_error():
    assert issubclass(NotPermitted, PermissionError)


# --- naming and uploads ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "user,code,expected",
    [
        (ANALYST, "RX4", True),
        (ANALYST, "RMY", True),
        (LEAD, "RX4", True),
        (LEAD, "RMY", False),
        (LEAD, None, False),
        (BOARD, "RX4", True),
        (BOARD, "RMY", False),
    ],
)
def test_can_view_trust_named(user, code, expected):
    assert permissions.can_view_trust_named(user, code) is expected


@pytest.mark.parametrize(
    "user,code,expected",
    [
        (ANALYST, "RX4", True),
        (ANALYST, "RMY", True),
        (ANALYST, None, False),
        (ANALYST, "", False),
        (LEAD, "RX4", True),
        (LEAD, "RMY", False),
        (LEAD, None, False),
        (BOARD, "RX4", False),
        (BOARD, "RMY", False),
    ],
)
def test_can_upload_for(user, code, expected):
    assert permissions.can_upload_for(user, code) is expected


# --- peer labels ----------------------------------------------------------------------------


def test_peer_labels_ordered_by_salted_hash():
    labels = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    by_hash = sorted(ALL_CODES, key=lambda c: hashlib.sha256((SALT + Q2.isoformat() + c).encode()).hexdigest())
    assert [labels[c] for c in by_hash] == [f"Peer {i:02d}" for i in range(1, len(ALL_CODES) + 1)]


def test_peer_labels_do_not_follow_alphabetical_order():
    # With this salt the hash order differs from the alphabetical one.
    labels = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    assert [labels[c] for c in sorted(ALL_CODES)] != sorted(labels.values())


def test_peer_labels_stable_and_independent_of_input_order_and_duplicates():
    a = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    b = disclosure.peer_labels(list(reversed(ALL_CODES)) + ["RX4", None], SALT, Q2)
    assert a == b


def test_peer_labels_change_with_salt():
    assert disclosure.peer_labels(ALL_CODES, SALT, Q2) != disclosure.peer_labels(ALL_CODES, "other-salt", Q2)


def test_peer_labels_need_a_salt():
    with pytest.raises(ValueError):
        disclosure.peer_labels(ALL_CODES, "", Q2)


def test_peer_labels_width_grows_past_99():
    labels = disclosure.peer_labels([f"T{i:03d}" for i in range(120)], SALT, Q2)
    assert sorted(labels.values())[0] == "Peer 001" and "Peer 120" in labels.values()


@settings(max_examples=50, deadline=None)
@given(st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=30), st.text(min_size=1, max_size=8))
def test_peer_labels_are_a_bijection(codes, salt):
    labels = disclosure.peer_labels(codes, salt, Q2)
    assert set(labels) == codes
    assert len(set(labels.values())) == len(codes)


# --- disclose: labels, typed suppression, row order -------------------------------------------


def test_disclose_analyst_sees_every_value_and_name():
    out = disclosure.disclose(frame(), ANALYST, SALT, ALL_CODES, RULES)
    assert out.select(frame().columns).sort("trust_code").equals(frame().sort("trust_code"))
    assert out["suppressed"].list.len().sum() == 0
    assert out["label"].to_list() == out["trust_name"].to_list() == sorted(frame()["trust_name"])


@pytest.mark.parametrize("user", [LEAD, BOARD])
def test_disclose_hides_other_trusts_names_and_small_numbers_as_typed_nulls(user):
    out = disclosure.disclose(frame(), user, SALT, ALL_CODES, RULES)
    labels = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    rows = by_code(out)
    # own trust (RX4, headcount 3) always in full, named
    assert rows["RX4"]["trust_name"] == "Own Trust" and rows["RX4"]["headcount"] == 3 and rows["RX4"]["is_own"]
    assert rows["RX4"]["suppressed"] == []
    # RMY: headcount 4 (<5) hides headcount-based values (as nulls, numbers stay numbers); leavers 6 shown
    assert rows["RMY"]["trust_name"] == labels["RMY"] and not rows["RMY"]["is_own"]
    assert (rows["RMY"]["headcount"], rows["RMY"]["sickness_rate"], rows["RMY"]["leavers_headcount"]) == (None, None, 6)
    assert sorted(rows["RMY"]["suppressed"]) == ["headcount", "leaver_rate_quarter", "sickness_rate"]
    # R1L: headcount 5 is not below 5 -> shown; leavers 2 hidden
    assert rows["R1L"]["headcount"] == 5 and rows["R1L"]["leavers_headcount"] is None
    # RT1: missing leavers count -> hidden (fail closed)
    assert rows["RT1"]["suppressed"] == ["leavers_headcount"]
    assert out.schema["headcount"] == pl.Int64 and out.schema["sickness_rate"] == pl.Float64
    assert out["other"].to_list() == [r["other"] for r in out.select("trust_code", "other").iter_rows(named=True)]
    # no other trust's code or name survives anywhere in the frame
    text = " ".join(str(v) for col in out.columns for v in out[col].to_list())
    for code, name in zip(frame()["trust_code"][1:], frame()["trust_name"][1:]):
        assert code not in text and name not in text


def test_disclose_rows_are_ordered_by_label_never_by_code():
    out = disclosure.disclose(frame(), LEAD, SALT, ALL_CODES, RULES)
    assert out["label"].to_list() == sorted(out["label"].to_list())


def test_hidden_marks_exactly_the_suppressed_cells():
    out = disclosure.disclose(frame(), LEAD, SALT, ALL_CODES, RULES)
    for name in RULES:
        flagged = out.select(disclosure.hidden(name))[:, 0].to_list()
        assert flagged == [name in s for s in out["suppressed"]]


def test_threshold_is_exactly_5():
    df = pl.DataFrame(
        {"period_end": [Q2] * 7, "trust_code": ["RMY"] * 7, "trust_name": ["N"] * 7, "headcount": [0, 1, 2, 3, 4, 5, 6]}
    )
    out = disclosure.disclose(df, LEAD, SALT, ALL_CODES, {"headcount": "headcount"})
    assert sorted(out["headcount"].to_list(), key=lambda v: -1 if v is None else v) == [None] * 5 + [5, 6]


def test_disclose_missing_count_column_is_an_error():
    with pytest.raises(ValueError, match="typo"):
        disclosure.disclose(frame(), LEAD, SALT, ALL_CODES, {"sickness_rate": "typo"})


def test_disclose_unknown_code_is_refused():
    df = frame().with_columns(pl.lit("ZZZ").alias("trust_code"))
    with pytest.raises(ValueError, match="ZZZ"):
        disclosure.disclose(df, LEAD, SALT, ALL_CODES, RULES)


def test_another_trust_lead_sees_rx4_suppressed():
    other = User("lead@rmy.nhs.uk", "trust_lead", "RMY")
    out = disclosure.disclose(frame(), other, SALT, ALL_CODES, RULES)
    rows = {r["trust_name"]: r for r in out.iter_rows(named=True)}
    assert rows["Norfolk"]["headcount"] == 4 and "Own Trust" not in rows  # own trust (RMY) in full
    assert [r["headcount"] for r in rows.values() if r["trust_name"].startswith("Peer")].count(None) == 1


def test_labels_are_drawn_afresh_each_quarter():
    both = pl.concat([frame(Q1), frame(Q2)])
    out = disclosure.disclose(both, LEAD, SALT, ALL_CODES, RULES)
    per_quarter = [disclosure.peer_labels(ALL_CODES, SALT, p) for p in (Q1, Q2)]
    assert per_quarter[0] != per_quarter[1]
    for p, labels in zip((Q1, Q2), per_quarter):
        part = out.filter(pl.col("period_end") == p)
        assert set(part.filter(~pl.col("is_own"))["label"]) == {labels[c] for c in ("RMY", "R1L", "RT1")}


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(ALL_CODES), st.one_of(st.none(), st.integers(0, 12))), min_size=1, max_size=20)
)
def test_suppression_property(rows):
    df = pl.DataFrame(
        {
            "period_end": [Q2] * len(rows),
            "trust_code": [r[0] for r in rows],
            "trust_name": [r[0] + " name" for r in rows],
            "headcount": [r[1] for r in rows],
        },
        schema={"period_end": pl.Date, "trust_code": pl.String, "trust_name": pl.String, "headcount": pl.Int64},
    )
    out = disclosure.disclose(df, LEAD, SALT, ALL_CODES, {"headcount": "headcount"})
    labels = disclosure.peer_labels(ALL_CODES, SALT, Q2)
    shown = sorted(
        (r["trust_code"], r["headcount"] if r["headcount"] is not None else -1) for r in out.iter_rows(named=True)
    )
    expected = sorted(
        (
            "RX4" if c == "RX4" else labels[c],
            (-1 if n is None else n) if c == "RX4" else (-1 if n is None or n < 5 else n),
        )
        for c, n in rows
    )
    assert shown == expected
