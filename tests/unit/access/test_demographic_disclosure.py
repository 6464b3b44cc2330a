"""Demographics disclosure for every role on the hand-worked fixture (tests/helpers/sections_data.FIXTURE),
and an attacker who solves every linear programme the received figures allow: no small cell comes back."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from pswbench.access import demographic_disclosure as dd
from pswbench.access.auth import User
from pswbench.access.permissions import NotPermitted
from pswbench.returns import contract
from tests.helpers.sections_data import FIXTURE, SEPT, build_fixture, fixture_cells, scope_on

ANALYST = User("a@nhs.uk", "analyst", None)
LEAD = User("l@nhs.uk", "trust_lead", "RX4")
BOARD = User("b@nhs.uk", "board", "RX4")
ORDER = {d: [c for c, _ in cats] for d, (_l, cats) in contract.DEMOGRAPHIC_DIMENSIONS.items()}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = build_fixture(tmp_path_factory.mktemp("dd") / "d.duckdb")
    yield c
    c.close()


def cells(df: pl.DataFrame, dim: str = "ethnic_group") -> dict[str, int | None]:
    return dict(df.filter(pl.col("dimension") == dim).select("category", "headcount").iter_rows())


# ---- pure rules -------------------------------------------------------------------------------


def test_one_small_cell_takes_the_next_smallest_non_zero_cell_with_it():
    values = np.array([[10, 3, 20, 0]])
    assert dd.protect(values, values, 1).tolist() == [[True, True, False, False]]


def test_a_cell_small_only_once_the_users_own_trust_is_taken_off_is_suppressed():
    values = np.array([[10, 7, 20]])
    own = np.array([[5, 5, 5]])  # 7 - 5 = 2 people in the other trusts
    assert dd.protect(values, values - own, 1)[0, 1]


def test_a_lone_small_cell_in_a_column_is_protected_across_regions_too():
    # Two regions and England; region 0 has a small cell: England minus region 1 would give it back.
    values = np.array([[3, 30, 40], [20, 25, 30], [23, 55, 70]])
    hidden = dd.protect(values, values, 3)
    assert hidden[0, 0] and hidden[0].sum() >= 2
    assert hidden[:, 0].sum() >= 2  # England minus region 1 must not give region 0's cell back
    assert (0, 0) not in dd.determined(hidden)


def test_determined_finds_a_cell_given_back_by_its_row_total():
    unknown = np.array([[True, False], [False, False]])
    assert dd.determined(unknown) == [(0, 0)]


def test_regions_withheld_together_never_hold_a_single_other_trust():
    shown, withheld = dd.shown_regions({"A": 3, "B": 2, "C": 1})
    assert shown == ["A"] and withheld == ["B", "C"]  # B joins C, so England minus A is 3 trusts
    assert dd.shown_regions({"A": 1}) == ([], ["A"])


# ---- every role on the fixture ------------------------------------------------------------------


def test_analyst_sees_every_trust_named_and_in_full(con):
    s = scope_on(con, ANALYST)
    assert cells(s.demographics(SEPT, "trust", "RGD"))["white"] == 3  # a trust of 3 PSWs
    assert cells(s.demographics(SEPT, "region", "Y62"))["mixed"] == 1
    assert cells(s.demographics(SEPT, "national"))["white"] == 113
    assert not s.demographics(SEPT, "national")["suppressed"].any()


def test_trust_lead_sees_own_trust_in_full_and_no_other_trust(con):
    s = scope_on(con, LEAD)
    assert cells(s.demographics(SEPT, "trust", "RX4")) == fixture_cells("RX4")["ethnic_group"]
    for other in ("RX3", "RT1"):
        with pytest.raises(NotPermitted):
            s.demographics(SEPT, "trust", other)
    places = s.demographic_places(SEPT)
    assert places.filter(pl.col("level") == "trust")["code"].to_list() == ["RX4"]


def test_board_sees_own_trust_as_shares_with_small_groups_combined(con):
    df = scope_on(con, BOARD).demographics(SEPT, "trust", "RX4").filter(pl.col("dimension") == "ethnic_group")
    assert df["headcount"].is_null().all()
    # RX4: white 30, mixed 2, asian 3, black 1, other 0, not stated 4: the four small groups combined.
    assert df["category"].to_list() == ["white", "other", dd.COMBINED]
    assert df.filter(pl.col("category") == dd.COMBINED)["share_of_stated"][0] == pytest.approx(10 / 40)
    with pytest.raises(NotPermitted):
        scope_on(con, BOARD).demographics(SEPT, "trust", "RX3")


def test_a_board_member_never_sees_one_small_group_alone():
    rows = pl.DataFrame(
        {
            "period_end": [SEPT] * 3,
            "trust_code": ["RX4"] * 3,
            "dimension": ["disability"] * 3,
            "category": ["yes", "no", "not_stated"],
            "headcount": [2, 30, 8],
            "stated_headcount": [32] * 3,
            "total_headcount": [40] * 3,
            "share_of_stated": [2 / 32, 30 / 32, None],
            "not_stated_share": [0.2] * 3,
            "n_trusts": [1] * 3,
        }
    )
    out = dd.own_trust_for_board(rows, "RX4 trust")
    assert out["category"].to_list() == ["no", dd.COMBINED]  # yes (2) folded in with not stated (8)
    assert out.filter(pl.col("category") == dd.COMBINED)["share_of_stated"][0] == pytest.approx(10 / 40)


@pytest.mark.parametrize("user", [LEAD, BOARD], ids=["trust_lead", "board"])
def test_non_analysts_see_no_region_of_fewer_than_two_other_trusts(con, user):
    s = scope_on(con, user)
    assert s.demographic_withheld(SEPT) == {"Y60": 1, "Y62": 1}
    assert s.demographics(SEPT, "region", "Y62").height == 0
    shown = s.demographic_places(SEPT).filter(pl.col("level") == "region")["code"].to_list()
    assert sorted(shown) == ["Y61", "Y63"]


def test_non_analyst_pools_leave_out_a_trust_whose_headcount_they_cannot_see(con):
    # RGD has 3 PSWs: in a pool, region total minus the visible headcounts would give them back.
    region = scope_on(con, LEAD).demographics(SEPT, "region", "Y63")
    assert region["total_headcount"][0] == 40 + 30 + 12 and region["n_trusts"][0] == 3


@pytest.mark.parametrize("user", [LEAD, BOARD], ids=["trust_lead", "board"])
def test_suppressed_cells_hide_their_shares_and_a_hidden_not_stated_hides_every_share(con, user):
    s = scope_on(con, user)
    for place in ("national", "region"):
        for code in (None, "Y61", "Y63"):
            if (place == "national") != (code is None):
                continue
            df = s.demographics(SEPT, place, code)
            assert df.filter(pl.col("suppressed"))["headcount"].is_null().all()
            assert df.filter(pl.col("suppressed"))["share_of_stated"].is_null().all()
            for _dim, part in df.group_by("dimension"):
                n_hidden = int(part["suppressed"].sum())
                assert n_hidden != 1  # complementary suppression
                if part.filter(pl.col("category") == contract.NOT_STATED)["suppressed"][0]:
                    assert part["share_of_stated"].is_null().all() and part["not_stated_share"].is_null().all()


@pytest.mark.parametrize("user", [ANALYST, LEAD, BOARD], ids=["analyst", "trust_lead", "board"])
def test_categories_come_in_the_returns_order_whatever_their_values(con, user):
    s = scope_on(con, user)
    for level, code in (("national", None), ("region", "Y63"), ("trust", "RX4")):
        df = s.demographics(SEPT, level, code)
        for dim, part in df.group_by("dimension", maintain_order=True):
            got = [c for c in part["category"] if c != dd.COMBINED]
            assert got == [c for c in ORDER[dim[0]] if c in got]
        assert list(dict.fromkeys(df["dimension"])) == [d for d in ORDER if d in set(df["dimension"])]


# ---- the attacker: every figure received, as a linear programme over the other trusts' cells ------


def _attack(con, user) -> list[str]:
    """Every other trust's cell of 1 to 4 people that the figures `user` receives pin down exactly.

    Unknowns: each other trust's cells (>= 0) for the trusts the user's pools hold. Known: each such
    trust's headcount (visible elsewhere), the user's own trust in full, and every shown cell and total
    of every pool received. A small trust cell, or a suppressed pool cell (less the user's own trust),
    whose least and greatest possible values agree comes back."""
    s = scope_on(con, user)
    raw = scope_on(con, ANALYST)
    trust_rows = raw.demographics  # truth, for the analyst only
    region_of = {code: region for code, (region, _c) in FIXTURE.items()}
    pooled_trusts = [t for t in region_of if t != user.trust_code and t != "RGD"]  # RGD: headcount hidden
    received = [s.demographics(SEPT, "national")] + [
        s.demographics(SEPT, "region", r) for r in sorted(set(region_of.values()))
    ]
    own = {d: fixture_cells(user.trust_code)[d] for d in ORDER}
    leaks = []
    for dim, cats in ORDER.items():
        truth = {t: cells(trust_rows(SEPT, "trust", t), dim) for t in pooled_trusts}
        var = {(t, c): i for i, (t, c) in enumerate((t, c) for t in pooled_trusts for c in cats)}
        a_eq, b_eq = [], []
        for t in pooled_trusts:  # each trust's headcount is visible to this user
            row = np.zeros(len(var))
            for c in cats:
                row[var[(t, c)]] = 1
            a_eq.append(row)
            b_eq.append(sum(truth[t].values()))
        for df in received:
            part = df.filter(pl.col("dimension") == dim)
            if part.height == 0:
                continue
            code = part["code"][0]
            members = [t for t in pooled_trusts if code == dd.NATIONAL or region_of[t] == code]
            own_in = code == dd.NATIONAL or region_of[user.trust_code] == code
            for c, n in part.select("category", "headcount").iter_rows():
                if n is None:
                    continue
                row = np.zeros(len(var))
                for t in members:
                    row[var[(t, c)]] = 1
                a_eq.append(row)
                b_eq.append(n - (own[dim][c] if own_in else 0))
        # Targets: every other trust's small cell, and every cell suppressed in what was received.
        targets = {f"{t} {dim} {c} = {truth[t][c]}": {i: 1} for (t, c), i in var.items() if dd.is_small(truth[t][c])}
        for df in received:
            part = df.filter((pl.col("dimension") == dim) & pl.col("suppressed"))
            for code, c in part.select("code", "category").iter_rows():
                members = [t for t in pooled_trusts if code == dd.NATIONAL or region_of[t] == code]
                targets[f"pool {code} {dim} {c} (suppressed)"] = {var[(t, c)]: 1 for t in members}
        for name, weights in targets.items():
            objective = np.zeros(len(var))
            for i, w in weights.items():
                objective[i] = w
            low = linprog(objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None))
            high = linprog(-objective, A_eq=np.array(a_eq), b_eq=np.array(b_eq), bounds=(0, None))
            assert low.success and high.success
            if abs(low.fun + high.fun) < 1e-6:  # its least and its greatest possible value agree
                leaks.append(name)
    return leaks


@pytest.mark.parametrize("user", [LEAD, BOARD], ids=["trust_lead", "board"])
def test_no_small_cell_of_another_trust_comes_back_by_subtraction(con, user):
    assert _attack(con, user) == []


def test_primary_suppression_alone_would_give_a_small_pooled_cell_back(con, monkeypatch):
    # Without complementary suppression a dimension with one small pooled cell gives it back from the total.
    def primary_only(values, others, displayed):
        hidden = np.vectorize(dd.is_small)(values) | np.vectorize(dd.is_small)(others)
        hidden[displayed - 1 : values.shape[0] - 1] = False  # the withheld regions' row is never shown
        return hidden

    monkeypatch.setattr(dd, "protect", primary_only)
    assert any("(suppressed)" in leak for leak in _attack(con, LEAD))


def test_the_attack_finds_what_showing_every_pool_in_full_would_give_back(con, monkeypatch):
    # The same attacker against pools with no cell rule (every cell shown, every region): it must find
    # leaks, or the test above could not fail.
    monkeypatch.setattr(dd, "protect", lambda values, others, displayed: np.zeros_like(values, dtype=bool))
    monkeypatch.setattr(dd, "MIN_OTHER_TRUSTS", 0)
    assert _attack(con, LEAD)
