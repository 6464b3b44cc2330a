"""The conditions of peer work and contacts per WTE, against the hand-worked fixture
(tests/helpers/conditions_data.py), and what each role receives of them through the Scope."""

from __future__ import annotations

import polars as pl
import pytest

from pswbench.access.auth import User
from pswbench.access.scope import Scope
from pswbench.reports import conditions
from pswbench.reports.queries import Queries
from tests.helpers.conditions_data import DECEMBER, SEPTEMBER, load_fixture

ANALYST = User("a@nhs.uk", "analyst", None)
LEAD = User("l@nhs.uk", "trust_lead", "RX4")
BOARD = User("b@nhs.uk", "board", "RX4")


@pytest.fixture
def fixture_con(con):
    load_fixture(con)
    return con


def scope_for(con, user):
    q = Queries(con)

    class Cached:
        version = q.data_version()

        def __getattr__(self, name):
            return getattr(q, name)

    return Scope(user, Cached(), q)


def by_code(df: pl.DataFrame, key: str = "trust_code") -> dict[str, dict]:
    return {r[key]: r for r in df.iter_rows(named=True)}


# ---- the marts, by hand -------------------------------------------------------------------------


def test_trust_shares_have_their_numerators_and_denominators(fixture_con):
    rows = by_code(conditions.conditions(fixture_con, "trust", SEPTEMBER))
    rx4 = rows["RX4"]
    assert (rx4["teams_with_single_psw"], rx4["teams_with_psw"]) == (3, 11)
    assert rx4["single_psw_team_share"] == pytest.approx(3 / 11)
    assert rx4["headcount"] == 63  # the current workforce version's total
    assert rx4["peer_supervision_share"] == pytest.approx(42 / 63)
    assert rx4["accredited_training_share"] == pytest.approx(30 / 63)
    assert rx4["peer_job_description_share"] == pytest.approx(50 / 63)
    # bank-only over the whole peer workforce: 7 / (63 + 7), not 7 / 63
    assert rx4["peer_workforce"] == 70 and rx4["bank_only_share"] == pytest.approx(0.1)
    assert rows["R1L"]["peer_leadership_post"] is False and rx4["peer_leadership_post"] is True


def test_pooled_conditions_are_sums_over_sums(fixture_con):
    national = conditions.conditions(fixture_con, "national", SEPTEMBER).row(0, named=True)
    assert national["n_trusts"] == 4 and national["headcount"] == 63 + 3 + 20 + 30
    assert national["single_psw_team_share"] == pytest.approx((3 + 2 + 1 + 0) / (11 + 2 + 5 + 6))
    assert national["peer_supervision_share"] == pytest.approx((42 + 1 + 10 + 21) / 116)
    assert national["bank_only_share"] == pytest.approx((7 + 2 + 5 + 0) / (116 + 14))
    assert (national["n_trusts_with_leadership_post"], national["leadership_post_share"]) == (2, 0.5)
    region = by_code(conditions.conditions(fixture_con, "region", SEPTEMBER), "region_code")
    assert region["Y63"]["peer_supervision_share"] == pytest.approx((42 + 1 + 10) / (63 + 3 + 20))
    assert region["Y61"]["n_trusts"] == 1


def test_only_30_september_quarters_with_a_section_are_offered(fixture_con):
    assert conditions.condition_periods(fixture_con) == [SEPTEMBER]


def test_contacts_per_wte_is_over_the_rows_that_record_contacts_with_its_coverage(fixture_con):
    national = by_code(conditions.activity(fixture_con, "national", None), "period_end")
    sep = national[SEPTEMBER]
    assert sep["contacts"] == 600 + 40 + 240 + 50
    assert sep["wte_recorded"] == pytest.approx(30 + 2.5 + 12 + 3)  # RX4 crisis and R1L record none
    assert sep["contacts_per_wte"] == pytest.approx(930 / 47.5)
    assert (sep["n_trusts_recording"], sep["n_trusts_returned"]) == (3, 4)
    assert sep["wte_coverage"] == pytest.approx(47.5 / 92.5)
    assert national[DECEMBER]["contacts_per_wte"] == pytest.approx(700 / 30)
    trusts = by_code(conditions.activity(fixture_con, "trust", SEPTEMBER), "code")
    assert trusts["R1L"]["contacts_per_wte"] is None and trusts["R1L"]["n_trusts_recording"] == 0
    assert trusts["RX4"]["contacts_per_wte"] == pytest.approx(600 / 30)


def test_activity_by_setting(fixture_con):
    settings = by_code(conditions.activity(fixture_con, "national", SEPTEMBER, by_setting=True), "service_setting")
    assert set(settings) == {"adult_community", "crisis"}
    assert settings["crisis"]["contacts_per_wte"] == pytest.approx(50 / 3)
    assert (settings["crisis"]["n_trusts_recording"], settings["crisis"]["n_trusts_returned"]) == (1, 2)
    assert settings["adult_community"]["contacts_per_wte"] == pytest.approx((600 + 40 + 240) / (30 + 2.5 + 12))


# ---- disclosure per role --------------------------------------------------------------------------


def test_analyst_sees_every_trust_named_and_england_over_all(fixture_con):
    scope = scope_for(fixture_con, ANALYST)
    rows = scope.conditions(SEPTEMBER, "trust")
    assert sorted(rows["trust_code"]) == ["R1L", "RGD", "RX3", "RX4"]
    assert rows.filter(pl.col("trust_code") == "RX3")["headcount"].item() == 3
    assert scope.conditions(SEPTEMBER, "national")["headcount"].item() == 116


@pytest.mark.parametrize("user", [LEAD, BOARD], ids=["trust_lead", "board"])
def test_a_small_peer_is_hidden_and_nothing_comes_back_by_subtraction(fixture_con, user):
    scope = scope_for(fixture_con, user)
    rows = scope.conditions(SEPTEMBER, "trust")
    assert "RX3" not in rows["trust_code"].to_list() and "RGD" not in rows["trust_code"].to_list()
    own = rows.filter(pl.col("is_own")).row(0, named=True)
    assert own["trust_code"] == "RX4" and own["psw_with_peer_supervision"] == 42
    small = rows.filter(pl.col("headcount").is_null())
    assert small.height == 1  # RX3: every figure hidden, the teams and the leadership post too
    assert all(small[c].item() is None for c in ("teams_with_single_psw", "bank_only_share", "peer_leadership_post"))
    visible = rows.filter(pl.col("headcount").is_not_null())
    national = scope.conditions(SEPTEMBER, "national").row(0, named=True)
    for col in (
        "headcount",
        "teams_with_psw",
        "teams_with_single_psw",
        "psw_with_peer_supervision",
        "bank_only_psw_headcount",
        "peer_workforce",
    ):
        assert national[col] - visible[col].sum() == 0, col
    assert national["n_trusts_with_leadership_post"] == visible["peer_leadership_post"].sum()
    assert national["n_left_out"] == 1
    assert national["bank_only_share"] == pytest.approx(12 / 125)
    region = scope.conditions(SEPTEMBER, "region", "Y63").row(0, named=True)
    assert region["headcount"] == 63 + 20 and region["teams_with_single_psw"] == 3 + 1


def test_a_lead_may_not_ask_for_another_trust_by_code(fixture_con):
    from pswbench.access.permissions import NotPermitted

    with pytest.raises(NotPermitted):
        scope_for(fixture_con, LEAD).conditions(SEPTEMBER, "trust", "RGD")


def test_activity_cells_under_5_are_left_out_of_everything_a_lead_receives(fixture_con):
    scope = scope_for(fixture_con, LEAD)
    national = scope.activity(SEPTEMBER, "national").row(0, named=True)
    trusts = scope.activity(SEPTEMBER, "trust")
    # RX3's one cell (3 PSWs) and RGD's crisis cell (4) are hidden; RGD's adult cell (16) is not
    assert national["contacts"] == 600 + 240 and national["wte_recorded"] == pytest.approx(42)
    assert national["contacts"] - trusts["contacts"].drop_nulls().sum() == 0
    by_setting = scope.activity(SEPTEMBER, "trust", by_setting=True)
    assert trusts["contacts"].drop_nulls().sum() == by_setting["contacts"].drop_nulls().sum()
    assert (national["n_trusts_recording"], national["n_trusts_returned"]) == (2, 4)
    assert not set(trusts["code"]) & {"RX3", "RGD", "R1L"}
    own = scope.activity(None, "trust", code="RX4")
    assert own["contacts"].to_list() == [600, 700] and own["is_own"].all()
    analyst = scope_for(fixture_con, ANALYST).activity(SEPTEMBER, "national").row(0, named=True)
    assert analyst["contacts"] == 930


def test_the_registry_sql_is_what_the_models_compute(fixture_con):
    """Indicator.sql of each condition and of contacts per WTE gives the models' own columns."""
    from pswbench.reports.definitions import ACTIVITY_INDICATORS, CONDITION_INDICATORS

    for spec in CONDITION_INDICATORS:
        models = ["pool_conditions('int_trust_conditions')"] + (["int_trust_conditions"] * spec.has_trust_figure)
        for model in models:
            pairs = fixture_con.sql(f"SELECT {spec.sql}, {spec.name} FROM {model}").fetchall()
            assert pairs and all(a == pytest.approx(b) for a, b in pairs), (spec.name, model)
        assert spec.theme == "organisation" and "Gillard" in spec.reason
    for spec in ACTIVITY_INDICATORS:
        pairs = fixture_con.sql(f"SELECT {spec.sql}, {spec.name} FROM pool_activity('int_trust_activity')").fetchall()
        assert all(a == b or a == pytest.approx(b) for a, b in pairs) and spec.theme == "activity"


def test_the_every_trust_table_says_a_hidden_share_was_suppressed(fixture_con):
    from pswbench.access.disclosure import SUPPRESSED_TEXT
    from pswbench.reports import conditions_view, tables

    frame = conditions_view.all_trusts(scope_for(fixture_con, LEAD), SEPTEMBER)
    heading = "Teams where a peer worker works alone (% of teams with a PSW)"
    shown, _ = tables.screen(frame)
    column = shown[heading].to_list()
    assert SUPPRESSED_TEXT in column  # RX3
    own = frame.filter(pl.col("label").str.starts_with("Cumbria"))
    assert own[heading].item() == pytest.approx(27.3) and own["Senior peer leadership post"].item() == "yes"


def test_the_by_setting_table_names_settings_in_words_with_the_trust_first(fixture_con):
    from pswbench.reports import conditions_view

    table = conditions_view.by_setting(scope_for(fixture_con, ANALYST), SEPTEMBER, "RX4")
    # the return's order of settings (adult community before crisis), each in words
    assert table["service_setting"].to_list() == ["Adult community", "Crisis"]
    assert table.columns[1].startswith("Trust: ")  # beside the setting: seen without scrolling
    england = by_code(conditions.activity(fixture_con, "national", SEPTEMBER, by_setting=True), "service_setting")
    assert table.row(1, named=True)[table.columns[2]] == pytest.approx(england["crisis"]["contacts_per_wte"])


def test_the_activity_chart_leaves_out_quarters_without_a_figure():
    import datetime as dt

    from pswbench.reports import conditions_view

    over_time = pl.DataFrame(
        {
            "period_end": [dt.date(2020, 3, 31), dt.date(2024, 3, 31), dt.date(2024, 6, 30)],
            "series": ["England"] * 3,
            "contacts_per_wte": [None, 80.0, 82.0],
        }
    )
    (trace,) = conditions_view.activity_chart(over_time).data
    assert list(trace.x) == [dt.date(2024, 3, 31), dt.date(2024, 6, 30)]


@pytest.mark.parametrize("user", [ANALYST, LEAD], ids=["analyst", "trust_lead"])
def test_activity_over_time_sets_the_trust_beside_its_region_and_england(fixture_con, user):
    from pswbench.reports import conditions_view

    scope = scope_for(fixture_con, user)
    over_time = conditions_view.activity_over_time(scope, "RX4")
    assert set(over_time["series"]) == {"This trust", "Region", "England"}
    region = scope.trust("RX4")["region_code"]
    expected = scope.activity(SEPTEMBER, "region", code=region).row(0, named=True)["contacts_per_wte"]
    got = over_time.filter((pl.col("series") == "Region") & (pl.col("period_end") == SEPTEMBER))
    assert got["contacts_per_wte"].to_list() == [pytest.approx(expected)]
    names = [t.name for t in conditions_view.activity_chart(over_time).data]
    assert names == ["This trust", "Region", "England"]
