"""Workforce profile page (AppTest) for every role, every quarter and every place it offers."""

from __future__ import annotations

import datetime as dt

import pytest

from pswbench.access import auth
from pswbench.access.disclosure import SUPPRESSED_TEXT
from pswbench.returns import contract
from tests.helpers.apptest_helpers import errors, new_app, page_file, sign_in_as
from tests.helpers.sections_data import FIXTURE, build_fixture, fixture_cells, insert_demographics, load_workforce

EARLIER = dt.date(2024, 9, 30)
N_CHARTS = len(contract.DEMOGRAPHIC_DIMENSIONS) + 1  # one per dimension, and the ethnic mix against England


def _users(con) -> dict[str, auth.User]:
    return {
        role: auth.add_user(con, f"{role}@nhs.uk", role, None if role == "analyst" else "RX4", None)
        for role in ("analyst", "trust_lead", "board")
    }


@pytest.fixture
def users(tmp_path, monkeypatch):
    db = tmp_path / "p.duckdb"
    monkeypatch.setenv("PSWBENCH_DB", str(db))
    con = build_fixture(db)
    # An earlier 30 September with RX4 alone: a trust lead sees their own trust and no pool.
    load_workforce(con, "RX4", 40, EARLIER)
    insert_demographics(con, "RX4", fixture_cells("RX4"), EARLIER)
    made = _users(con)
    con.close()
    return made


def open_page(user) -> object:
    at = new_app()
    sign_in_as(at, user.email)
    at.run()
    at.switch_page(page_file("workforce_profile")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sweep(at):
    """Every quarter and every place the pickers offer: (quarter, place words, the run)."""
    for qi, quarter in enumerate(at.selectbox(key="profile_period").options):
        at.selectbox(key="profile_period").select_index(qi).run()
        for pi, place in enumerate(at.selectbox(key="profile_place").options):
            at.selectbox(key="profile_place").select_index(pi).run()
            assert not at.exception, (quarter, place, [e.value for e in at.exception])
            assert not errors(at), (quarter, place, errors(at))
            yield quarter, place, at


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    parts += [str(d.value.to_dict()) for d in at.dataframe]
    parts += [str(c.proto.spec) for c in at.get("plotly_chart")]
    return " ".join(parts)


def test_analyst_sees_every_place_named_in_every_quarter(users):
    at = open_page(users["analyst"])
    assert at.title[0].value == "Workforce profile"
    seen = []
    for quarter, place, run in sweep(at):
        seen.append((quarter, place))
        assert len(run.get("plotly_chart")) == N_CHARTS
        assert "Census 2021" in page_text(run)
    places = {p for _q, p in seen}
    assert "England" in places and "Trust: Leeds and York Partnership NHS Foundation Trust" in places
    assert "Region: North West" in places  # one trust: analysts see it
    assert {q for q, _p in seen} == {"30 September 2025", "30 September 2024"}


def test_trust_lead_sees_own_trust_and_pools_never_another_trust(users):
    at = open_page(users["trust_lead"])
    assert at.selectbox(key="profile_place").value[0] == "trust"  # opens on their own trust, against England
    others = [code for code in FIXTURE if code != "RX4"]
    suppressed_seen = False
    for quarter, place, run in sweep(at):
        assert not place.startswith("Trust:") or "Cumbria" in place
        assert place != "Region: North West" and place != "Region: Midlands"
        text = page_text(run)
        assert not any(f"'{code}'" in text for code in others)
        assert "Leeds and York" not in text and "Tees, Esk" not in text
        suppressed_seen |= SUPPRESSED_TEXT in text
        if quarter == "30 September 2024":
            assert place.startswith("Trust:")  # alone that year: no pool to show
        if place.startswith("Trust:") and quarter == "30 September 2025":
            assert "England" in text  # own trust against England
    assert suppressed_seen


def test_board_members_are_refused_the_page(users):
    at = open_page(users["board"])
    assert any("Not permitted" in e for e in errors(at))
    assert not at.get("plotly_chart")


def test_no_demographics_reads_a_calm_sentence(tmp_path, monkeypatch):
    from pswbench.store import database

    monkeypatch.setenv("PSWBENCH_DB", str(tmp_path / "e.duckdb"))
    con = database.connect(tmp_path / "e.duckdb")
    made = _users(con)
    con.close()
    at = open_page(made["trust_lead"])
    assert not errors(at)
    assert any("No demographics have been loaded yet" in i.value for i in at.info)
