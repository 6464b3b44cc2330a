"""Each disclosure check fails on hand-made data that breaks its rule, and passes on data that does
not; and the extraction finds figures where the pages put them (plotly shapes, typed arrays, text,
tables). No app and no database: these run in well under a second."""

from __future__ import annotations

import base64
import datetime as dt

import numpy as np
import pytest

from tests.disclosure import checkers, harness
from tests.disclosure.harness import Num, Seen, Sequence, Slot, Where
from tests.disclosure.truth import Figure, Pooled

Q1, Q2, Q3 = dt.date(2026, 3, 31), dt.date(2026, 6, 30), dt.date(2026, 9, 30)
HERE = Where("trust_lead", "benchmark", (("Quarter ending", "30 September 2026"),), "plotly_chart#0", "data[0].y[3]")
VOCAB = harness.Vocabulary.build(
    ["London", "South West"], ["headcount", "wte_in_post", "vacancy_rate", "leavers"], ["RX4", "Own Trust"]
)


def seen() -> Seen:
    s = Seen()
    s.add(HERE)
    return s


def num(value, decimals=None, percent=False, attrib=(), integer=False, quarter=Q3, source="binary") -> Num:
    return Num(float(value), decimals, percent, frozenset(attrib), integer, quarter, source)


# ---- 1. names ------------------------------------------------------------------------------------


def test_names_check_finds_codes_and_names_on_word_boundaries():
    others = [
        ("RAT", "North East London NHS Foundation Trust"),
        ("RX3", "Tees, Esk and Wear Valleys NHS Foundation Trust"),
    ]
    strings = {
        "Peer 07 and RAT": seen(),
        "the RATE of RX3s": seen(),
        "north east london nhs foundation trust, 12": seen(),
        "London region median": seen(),
        "Tees, Esk and Wear Valleys NHS Foundation Trust": seen(),
    }
    found = {(f.code, f.string[:20]) for f in checkers.check_names(strings, others)}
    assert found == {("RAT", "Peer 07 and RAT"), ("RAT", "north east london nh"), ("RX3", "Tees, Esk and Wear V")}


# ---- 2. suppressed figures -----------------------------------------------------------------------

SUPPRESSED = [
    Figure(Q3, "RJ8", "vacancy_rate", 0.123456),
    Figure(Q3, "RJ8", "headcount", 4.0),
    Figure(Q2, "RLY", "wte_in_post", 2.29),
]
VISIBLE = {
    Q3: [Figure(Q3, "RX4", "headcount", 109.0), Figure(Q3, "RAT", "vacancy_rate", 0.08)],
    Q2: [Figure(Q2, "RAT", "wte_in_post", 40.0)],
}


def flagged(*nums: Num, suppressed=SUPPRESSED, visible=VISIBLE) -> set[Num]:
    return {f.num for f in checkers.check_suppressed({n: seen() for n in nums}, suppressed, visible, "RX4")}


def test_a_suppressed_figure_sent_exactly_is_found_in_raw_and_display_units():
    raw, display, near = num(0.123456), num(12.3456), num(0.1234561)
    assert flagged(raw, display, near) == {raw, display}


def test_a_suppressed_figure_shown_rounded_in_text_is_found_unless_a_visible_figure_rounds_the_same():
    rate = {"vacancy_rate"}
    shown, visible_too, other = num(12.3, 1, True, rate), num(8.0, 1, True, rate), num(12.4, 1, True, rate)
    assert flagged(shown, visible_too, other) == {shown}


def test_a_rounded_number_counts_only_where_it_is_named_as_that_figure():
    # At one decimal, figures of different indicators meet by chance: "12.3%" said of sickness is no
    # sign of a hidden vacancy rate of 12.3%.
    assert not flagged(num(12.3, 1, True, {"sickness_rate"}), num(12.3, 1, True))


def test_a_figure_built_on_visible_figures_only_explains_a_coincidence():
    derived = {Q3: [Figure(Q3, "median England", "vacancy_rate", 0.1231)]}
    numbers = {num(12.3, 1, True, {"vacancy_rate"}): seen()}
    assert checkers.check_suppressed(numbers, SUPPRESSED, VISIBLE, "RX4")
    assert not checkers.check_suppressed(numbers, SUPPRESSED, VISIBLE, "RX4", derived)


def test_a_small_integer_counts_only_where_it_is_attributed_to_that_figure():
    count, headcount, other = (
        num(4, integer=True),
        num(4, integer=True, attrib={"headcount"}),
        num(4, integer=True, attrib={"leavers"}),
    )
    assert flagged(count, headcount, other) == {headcount}


def test_a_figure_is_compared_with_its_own_quarter_only():
    same_quarter, other_quarter = num(2.29, quarter=Q2), num(2.29, quarter=Q3)
    assert flagged(same_quarter, other_quarter) == {same_quarter}


def test_the_own_trusts_figures_of_any_quarter_explain_a_coincidence():
    own = [Figure(Q2, "RX4", "wte_in_post", 0.123456)]
    assert not flagged(num(0.123456), visible={**VISIBLE, Q2: VISIBLE[Q2] + own})


def test_a_rounded_table_cell_counts_only_under_a_header_naming_the_figure():
    named, unnamed = num(12.35, 2, attrib={"vacancy_rate"}, source="rounded"), num(12.35, 2, source="rounded")
    assert flagged(named, unnamed) == {named}


# ---- 3. subtraction ------------------------------------------------------------------------------

POOLED = [
    Pooled(Q3, "South West", "headcount", 104.0, 100.0, ("RJ8",)),
    Pooled(Q3, "London", "headcount", 300.0, 300.0, ()),
    Pooled(Q3, "South West", "vacancy_rate", 0.0812345, 0.0800001, ("RJ8",)),
]


def test_an_all_trusts_pooled_figure_received_is_a_leak():
    numbers = {
        num(104, integer=True, attrib={"headcount"}): seen(),
        num(8.12345): seen(),
        num(100, integer=True): seen(),
    }
    report = checkers.check_pooled(numbers, {}, POOLED, VISIBLE, "RX4")
    assert {f.num.value for f in report.leaks} == {104.0, 8.12345}


def test_a_region_figure_must_be_pooled_over_the_visible_trusts():
    good = Slot("South West", Q3, "headcount", num(100, integer=True, attrib={"headcount"}))
    bad = Slot("South West", Q3, "vacancy_rate", num(8.1, 1, True, source="text"))
    same = Slot("London", Q3, "headcount", num(300, integer=True))
    report = checkers.check_pooled({}, {good: seen(), bad: seen(), same: seen()}, POOLED, VISIBLE, "RX4")
    assert [f.slot for f in report.wrong_slots] == [bad]
    assert (report.slots_checked, report.slots_consistent) == (2, 1)


# ---- 4. label order ------------------------------------------------------------------------------

CODES = [f"R{c}" for c in "ABCDEFGHIJKL"]
REGION = {c: "London" if i < 6 else "South West" for i, c in enumerate(CODES)}
STABLE = {c: f"Peer {i:02d}" for i, c in enumerate(reversed(CODES), start=1)}


def test_labels_in_code_order_fail_the_order_check():
    sequences = {Sequence(q, tuple(STABLE[c] for c in CODES), None): seen() for q in (Q1, Q2, Q3)}
    report = checkers.check_label_order(sequences, {q: STABLE for q in (Q1, Q2, Q3)}, "RX4", {"RX4"}, REGION)
    assert report.mean_rho == pytest.approx(1.0)
    assert report.p_value < 1e-3 and report.sorted_long


def test_labels_in_code_order_within_each_region_fail_the_order_check():
    # Sorted by region and then by code (the spread chart's order): the whole sequence is not in code
    # order, but each region's part is.
    order = sorted(CODES, key=lambda c: (REGION[c] != "South West", c))
    sequences = {Sequence(Q3, tuple(STABLE[c] for c in order), tuple(REGION[c] for c in order)): seen()}
    report = checkers.check_label_order(sequences, {Q3: STABLE}, "RX4", {"RX4"}, REGION)
    assert len(report.sorted_long) == 2 and report.p_value < 1e-3


def test_labels_in_value_order_pass_the_order_check():
    rng = np.random.default_rng(7)
    sequences = {}
    for i in range(60):
        order = list(rng.permutation(CODES))
        sequences[Sequence(dt.date(2000 + i, 3, 31), tuple(STABLE[c] for c in order), None)] = seen()
    labels = {s.period: STABLE for s in sequences}
    report = checkers.check_label_order(sequences, labels, "RX4", {"RX4"}, REGION)
    assert abs(report.mean_rho) < 0.25 and report.p_value >= 1e-3


def test_a_stable_label_that_appears_exactly_while_a_trust_was_open_is_found():
    closed = "RA"  # open in Q1 and Q2, closed before Q3
    seqs = {
        Sequence(
            q,
            tuple(STABLE[c] for c in CODES if q != Q3 or c != closed),
            tuple(REGION[c] for c in CODES if q != Q3 or c != closed),
        ): seen()
        for q in (Q1, Q2, Q3)
    }
    stable = {q: STABLE for q in (Q1, Q2, Q3)}
    found = checkers.check_open_close(seqs, stable, [(closed, "London", {Q1, Q2})])
    assert [(f.trust, f.label) for f in found] == [(closed, STABLE[closed])]
    share, pairs = checkers.region_persistence(seqs, [Q1, Q2, Q3])
    assert share == 1.0 and pairs == 23


def test_labels_drawn_afresh_each_quarter_do_not_follow_a_trust():
    rng = np.random.default_rng(3)
    fresh = {q: dict(zip(CODES, (f"Peer {i:02d}" for i in rng.permutation(len(CODES)) + 1))) for q in (Q1, Q2, Q3)}
    closed = "RA"
    seqs = {
        Sequence(
            q,
            tuple(fresh[q][c] for c in CODES if q != Q3 or c != closed),
            tuple(REGION[c] for c in CODES if q != Q3 or c != closed),
        ): seen()
        for q in (Q1, Q2, Q3)
    }
    assert not checkers.check_open_close(seqs, fresh, [(closed, "London", {Q1, Q2})])
    share, _ = checkers.region_persistence(seqs, [Q1, Q2, Q3])
    assert share < 0.9


# ---- the extraction ------------------------------------------------------------------------------


def extract(spec: dict | None = None, table: harness.Table | None = None, context: str = "") -> harness.Received:
    received = harness.Received("trust_lead")
    ex = harness.Extractor(received, VOCAB)
    ex.quarter = Q3
    if spec is not None:
        ex.plotly(spec, HERE)
    if table is not None:
        ex.table(table, HERE, context)
    return received


def test_plotly_shapes_annotations_and_typed_arrays_are_read():
    y = base64.b64encode(np.array([0.5, 0.123456]).tobytes()).decode()
    spec = {
        "data": [{"type": "bar", "x": ["Peer 01", "Peer 02"], "y": {"dtype": "f8", "bdata": y}, "marker": {"size": 8}}],
        "layout": {
            "yaxis": {"title": {"text": "Vacancy rate (% of establishment)"}},
            "shapes": [{"type": "line", "y0": 0.0812, "y1": 0.0812, "line": {"width": 2}}],
            "annotations": [{"text": "median 8.1%", "y": 0.0812}],
            "margin": {"l": 60},
        },
    }
    values = {(n.value, n.decimals, n.percent) for n in extract(spec).numbers}
    assert {(0.5, None, False), (0.123456, None, False), (0.0812, None, False), (8.1, 1, True)} <= values
    assert not {v for v in values if v[0] in (8.0, 2.0, 60.0)}, "styling numbers are not figures"
    assert all(n.attrib == {"vacancy_rate"} for n in extract(spec).numbers)


def test_text_numbers_skip_dates_labels_and_the_rule():
    text = "Quarter ending 30 September 2026: Peer 07 had 1,234 (3.5%), suppressed (<5), 2026-09-30"
    assert [(n.value, n.decimals, n.percent) for n in harness.text_numbers(text, VOCAB)] == [
        (1234.0, 0, False),
        (3.5, 1, True),
    ]


def test_tables_give_slots_sequences_and_attributed_cells():
    table = harness.Table(["Region", "PSW headcount (people)"], [["London", 300], ["South West", 100]])
    got = extract(table=table)
    assert {(s.scope, s.quantity, s.num.value) for s in got.slots} == {
        ("London", "headcount", 300.0),
        ("South West", "headcount", 100.0),
    }
    ranked = harness.Table(["Trust", "Region", "x"], [[f"Peer 0{i}", "London", i] for i in range(1, 6)])
    seqs = list(extract(table=ranked).sequences)
    assert seqs == [Sequence(Q3, tuple(f"Peer 0{i}" for i in range(1, 6)), ("London",) * 5)]
    assert not extract(table=ranked).slots


def test_a_number_named_only_as_a_figure_of_the_new_themes_is_not_compared_with_workforce_figures():
    # 0.123456 is a suppressed workforce figure in this file's truth; as a share of PSWs in a demographic
    # category (or a condition) it is judged by those themes' own tests, not matched with it.
    share, condition = num(0.123456, attrib={"share_of_stated"}), num(0.123456, attrib={"conditions"})
    unnamed, mixed = num(0.123456), num(0.123456, attrib={"share_of_stated", "vacancy_rate"})
    assert flagged(share, condition, unnamed, mixed) == {unnamed, mixed}
    report = checkers.check_pooled(
        {share: seen(), num(8.12345, attrib={"conditions"}): seen()}, {}, POOLED, VISIBLE, "RX4"
    )
    assert not report.leaks
