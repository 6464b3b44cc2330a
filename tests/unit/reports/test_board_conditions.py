"""The board snapshot's "Conditions for peer work" sentences, from the hand-worked fixture
(tests/helpers/conditions_data.py), read by RX4's board member."""

from __future__ import annotations

import dataclasses
import datetime as dt

from pswbench.reports import board_pack, board_sentences, board_snapshot
from pswbench.store import database
from tests.helpers.conditions_data import DECEMBER, SEPTEMBER, load_fixture
from tests.unit.reports.test_conditions import BOARD, scope_for

BEFORE = dt.date(2025, 6, 30)  # a quarter before the fixture's first organisation section


def snapshot(con, period=DECEMBER):
    return board_snapshot.build(scope_for(con, BOARD), period, "RX4")


def test_the_boards_own_trust_in_plain_sentences_against_england(con):
    load_fixture(con)
    snap = snapshot(con)
    assert snap.conditions.period == SEPTEMBER  # the latest 30 September at or before the quarter
    lines = board_sentences.condition_sentences(snap)
    # England for a board member of RX4 pools RX4, RGD and R1L: RX3 (3 PSWs) is hidden from them.
    assert lines == [
        "3 of your 11 teams have a peer worker on their own.",
        "42 of your 63 peer support workers (67%) have supervision from someone in a peer role; "
        f"in England it is {round(100 * 73 / 113)}%.",
        f"30 (48%) have accredited peer support training and 50 (79%) a job description written for peer work; "
        f"in England it is {round(100 * 51 / 113)}% and {round(100 * 92 / 113)}%.",
        f"7 more peer workers work on the bank only, besides the 63 in post: 10% of your peer workforce; "
        f"in England it is {round(100 * 12 / 125)}%.",
        "Your trust has a senior peer leadership post; 2 of the 3 trusts in England with a figure have one.",
    ]
    assert len(lines) <= board_sentences.MAX_SENTENCES


def test_one_team_alone_reads_in_the_singular_and_no_leadership_post_says_so(con):
    load_fixture(con)
    snap = snapshot(con)
    trust = {**snap.conditions.trust, "teams_with_single_psw": 1, "peer_leadership_post": False}
    lines = board_sentences.condition_sentences(
        dataclasses.replace(snap, conditions=dataclasses.replace(snap.conditions, trust=trust))
    )
    assert lines[0] == "1 of your 11 teams has a peer worker on their own."
    trust_no_lone = {**trust, "teams_with_single_psw": 0}
    no_lone = board_sentences.condition_sentences(
        dataclasses.replace(snap, conditions=dataclasses.replace(snap.conditions, trust=trust_no_lone))
    )
    assert no_lone[0] == "No peer worker works alone: each of your 11 teams with peer workers has more than one."
    no_teams = {**trust, "teams_with_single_psw": 0, "teams_with_psw": 0}
    none = board_sentences.condition_sentences(
        dataclasses.replace(snap, conditions=dataclasses.replace(snap.conditions, trust=no_teams))
    )
    assert none[0] == "Your trust had no teams with a peer worker in post."
    assert lines[-1].startswith("Your trust does not have a senior peer leadership post")
    for bank, said in (
        (1, "1 more peer worker works on the bank only, besides the 63 in post: 2% of"),
        (0, "No peer workers at your trust work on the bank only; in England it is"),
    ):
        trust = {**snap.conditions.trust, "bank_only_psw_headcount": bank, "peer_workforce": 63 + bank}
        lines = board_sentences.condition_sentences(
            dataclasses.replace(snap, conditions=dataclasses.replace(snap.conditions, trust=trust))
        )
        assert lines[3].startswith(said), lines[3]


def test_nothing_before_the_first_section_or_without_one(con, tmp_path):
    load_fixture(con)
    early = snapshot(con, BEFORE)
    assert early.conditions is None and board_sentences.condition_sentences(early) == []
    other = database.connect(tmp_path / "none.duckdb")
    try:
        load_fixture(other, organisation=False)
        snap = snapshot(other)
        assert snap.conditions is None and board_sentences.condition_sentences(snap) == []
        assert "Conditions for peer work" not in board_pack.render(snap, [], False)
    finally:
        other.close()


def test_the_board_pack_carries_the_sentences(con):
    load_fixture(con)
    snap = snapshot(con)
    html = board_pack.render(snap, board_sentences.sentences(snap), False)
    assert "<h2>Conditions for peer work (30 September 2025)</h2>" in html
    assert "3 of your 11 teams have a peer worker on their own." in html
