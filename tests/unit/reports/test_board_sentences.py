"""The board snapshot's plain-English sentences, from hand-made snapshots with known numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from pswbench.access.scope import Position
from pswbench.reports import board_sentences
from pswbench.reports.board_snapshot import Card, Snapshot
from pswbench.reports.definitions import BY_NAME, INDICATORS
from pswbench.statistics import spc

PERIOD = dt.date(2026, 9, 30)
QUARTERS = (
    dt.date(2024, 12, 31),
    dt.date(2025, 3, 31),
    dt.date(2025, 6, 30),
    dt.date(2025, 9, 30),
    dt.date(2025, 12, 31),
    dt.date(2026, 3, 31),
    dt.date(2026, 6, 30),
    PERIOD,
)


def fake_card(
    name: str,
    value: float | None,
    lower: int = 0,
    same: int = 0,
    higher: int = 0,
    previous: float | None = None,
    median: float | None = None,
) -> Card:
    n = lower + same + higher + (value is not None)
    series = tuple((d, None) for d in QUARTERS[:-2]) + ((QUARTERS[-2], previous), (PERIOD, value))
    spec = BY_NAME[name]
    return Card(
        spec,
        value,
        Position(name, value, n, None, median, None, None, None),
        lower,
        same,
        higher,
        series,
        spc.xmr(list(series), spec.better),
    )


def fake_snapshot(
    *cards: Card, trust_name: str = "Northfield NHS Trust", has_return: bool = True, where: str = "in England"
) -> Snapshot:
    """A snapshot with the given cards; every other indicator has no figure."""
    given = {c.spec.name: c for c in cards}
    full = tuple(given.get(i.name) or fake_card(i.name, None) for i in INDICATORS)
    return Snapshot("RXX", trust_name, PERIOD, "england", "England", where, has_return, full)


TYPICAL = (
    fake_card("headcount", 109, 45, 0, 2, previous=106, median=31),
    fake_card("wte_in_post", 84.36, 45, 0, 2),
    fake_card("vacancy_rate", 0.0665, 22, 0, 25),
    fake_card("sickness_rate", 0.061, 40, 0, 7),
    fake_card("leaver_rate_12m", 0.02, 0, 0, 46),
    fake_card("temporary_staffing_share", 0.039, 17, 0, 24),
)


def test_typical_snapshot_gives_between_three_and_five_sentences_with_the_opening_first():
    out = board_sentences.sentences(fake_snapshot(*TYPICAL))
    assert 3 <= len(out) <= 5
    assert out[0] == (
        "In the quarter ending 30 September 2026, Northfield NHS Trust had 109 peer support workers "
        "(84.4 whole-time equivalent) in post, 3 more than in the previous quarter."
    )


def test_top_quarter_on_a_lower_is_better_rate_says_so_with_counts():
    out = board_sentences.sentences(fake_snapshot(*TYPICAL))
    assert (
        "Sickness absence rate was 6.1%, higher than 40 of the 47 other trusts in England with a figure "
        "(85%); lower is better."
    ) in out


def test_lowest_of_all_is_named_as_the_lowest_not_a_quarter():
    out = board_sentences.sentences(fake_snapshot(*TYPICAL))
    assert (
        "Leaver rate (12 months) was 2.0%, the lowest of the 47 trusts in England with a figure; lower is better."
        in out
    )


def test_most_striking_positions_are_chosen_first():
    out = board_sentences.sentences(fake_snapshot(*TYPICAL))
    # leaver 12m (46/46) and sickness (40/47) beat temporary staffing (24/41) and vacancy (25/47).
    assert [s.split(" was ")[0] for s in out[1:4]] == [
        "Leaver rate (12 months)",
        "Sickness absence rate",
        "Temporary staffing share",
    ]
    assert not any(s.startswith("Vacancy rate") for s in out)


def test_bottom_quarter_with_ties_reports_the_ties():
    card = fake_card("vacancy_rate", 0.02, 1, 3, 40)
    assert board_sentences.comparison(card, "in England") == (
        "lower than 40 of the 44 other trusts in England with a figure (91%; 3 had the same figure)"
    )


def test_joint_lowest_is_not_called_the_lowest():
    card = fake_card("vacancy_rate", 0.0, 0, 3, 44)
    assert board_sentences.comparison(card, "in England") == (
        "the joint lowest of the 48 trusts in England with a figure (4 trusts share that figure)"
    )


def test_everyone_equal_and_no_peers_are_described_plainly():
    everyone = fake_card("vacancy_rate", 0.0, 0, 5, 0)
    assert board_sentences.comparison(everyone, "in X") == "the same as all 5 other trusts in X with a figure"
    assert board_sentences.comparison(fake_card("vacancy_rate", 0.1), "in X") == "the only trust in X with a figure"
    assert board_sentences.comparison(fake_card("vacancy_rate", None, 3, 0, 4), "in X") is None


def test_middle_position_is_not_rounded_into_a_half():
    card = fake_card("sickness_rate", 0.05, 4, 3, 3)
    assert board_sentences.comparison(card, "in X") == (
        "higher than 4 of the 10 other trusts in X with a figure (40%; 3 had the same figure)"
    )
    even = fake_card("sickness_rate", 0.05, 3, 0, 3)
    assert (
        board_sentences.comparison(even, "in X")
        == "higher than 3 and lower than 3 of the 6 other trusts in X with a figure"
    )


def test_a_position_is_worded_with_its_count_and_share_not_understated():
    """The reported case: 34 of 47 is about three quarters (72%), not 'lower than half'."""
    card = fake_card("vacancy_rate", 0.02, 13, 0, 34)
    text = board_sentences.comparison(card, "in England")
    assert text == "lower than 34 of the 47 other trusts in England with a figure (72%)"
    assert "half" not in text


def test_missing_figures_are_named_and_never_given_a_number():
    snap = fake_snapshot(*[c for c in TYPICAL if c.spec.name != "leaver_rate_12m"])
    out = board_sentences.sentences(snap)
    assert out[-1] == ("There is no figure this quarter for leaver rate (quarter) or leaver rate (12 months).")
    assert not any(s.startswith("Leaver rate") for s in out)


def test_null_headcount_does_not_invent_a_size():
    snap = fake_snapshot(fake_card("sickness_rate", 0.05, 10, 0, 10))
    opening = board_sentences.sentences(snap)[0]
    assert opening == (
        "Northfield NHS Trust has no figure for its peer support worker headcount in the quarter "
        "ending 30 September 2026."
    )
    assert not re.search(r"\d+ peer support worker", opening)


def test_no_return_says_so_and_quotes_no_figures():
    out = board_sentences.sentences(fake_snapshot(*TYPICAL, has_return=False))
    assert out[0].startswith("Northfield NHS Trust has no accepted return for the quarter ending 30 September 2026")
    assert not any("%" in s for s in out)


def test_small_trust_gets_a_caution_and_singular_wording():
    snap = fake_snapshot(
        fake_card("headcount", 1, 0, 0, 47, previous=2),
        fake_card("wte_in_post", 0.93),
        fake_card("vacancy_rate", 0.18, 46, 0, 1),
        fake_card("sickness_rate", 0.03, 5, 0, 42),
    )
    out = board_sentences.sentences(snap)
    assert out[0].endswith(
        "had 1 peer support worker (0.9 whole-time equivalent) in post, 1 fewer than in the previous quarter."
    )
    assert out[1].startswith("These rates rest on fewer than 5 peer support workers")
    assert len(out) <= 5


def test_unchanged_headcount_and_unknown_previous_quarter():
    same = fake_snapshot(fake_card("headcount", 20, previous=20))
    assert board_sentences.sentences(same)[0].endswith(
        "had 20 peer support workers in post, the same number as in the previous quarter."
    )
    first = fake_snapshot(fake_card("headcount", 20))
    assert board_sentences.sentences(first)[0].endswith("had 20 peer support workers in post.")


def test_markdown_characters_in_a_trust_name_are_shown_as_typed():
    snap = fake_snapshot(*TYPICAL, trust_name="St *Star* $Trust$ [x](javascript:1)")
    md = board_sentences.as_markdown(board_sentences.sentences(snap))
    assert r"St \*Star\* \$Trust\$ \[x\](javascript:1)" in md
    assert md.startswith("- In the quarter")


def test_fake_snapshot_card_lookup_matches_indicator_order():
    # Guards the helper the board pack tests reuse: one card per indicator, in definition order.
    snap = fake_snapshot(*TYPICAL)
    assert [c.spec.name for c in snap.cards] == [i.name for i in INDICATORS]
    assert dataclasses.replace(snap, trust_name="X").card("headcount").value == 109
