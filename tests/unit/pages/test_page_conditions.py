"""Conditions for peer work page (AppTest) per role, on the demo (its organisation sections for three
Septembers and its contacts), every year and every trust option."""

from __future__ import annotations

import pytest

from tests.helpers.apptest_helpers import ACCOUNTS, errors, page_file, signed_in
from tests.helpers.demo_data import build_demo_db


@pytest.fixture(scope="module")
def conditions_db(tmp_path_factory):
    return build_demo_db(tmp_path_factory.mktemp("conditions") / "demo.duckdb")


@pytest.fixture
def app_db(conditions_db, monkeypatch):
    monkeypatch.setenv("PSWBENCH_DB", str(conditions_db))
    return conditions_db


def open_page(role: str):
    at = signed_in(*ACCOUNTS[role])
    at.switch_page(page_file("conditions")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.usefixtures("app_db")
def test_analyst_can_pick_every_year_and_trust_and_sees_every_trust():
    at = open_page("analyst")
    assert at.title[0].value == "Conditions for peer work"
    year, trust = at.selectbox[0], at.selectbox[1]
    assert len(year.options) == 3 and len(trust.options) > 10  # the demo's three Septembers, 2024 to 2026
    for option in year.options:  # the trusts open that September differ by year (mergers)
        at.selectbox[0].set_value(option).run()
        assert not at.exception and not errors(at), option
    at.selectbox[0].set_value(year.options[0]).run()
    for option in at.selectbox[1].options:
        at.selectbox[1].set_value(option).run()
        assert not at.exception and not errors(at), option
    assert any("Every trust" in h.value for h in at.subheader)
    said = [m.value for m in at.markdown if "recorded by" in m.value]
    assert said and "in the figures you can see" not in said[0]  # an analyst's count is of every trust


@pytest.mark.usefixtures("app_db")
def test_trust_lead_sees_own_trust_against_region_and_england_without_peer_names():
    at = open_page("trust_lead")
    assert not errors(at)
    assert len(at.selectbox) == 2  # the year and the activity quarter: no trust picker
    assert not any("Every trust" in h.value for h in at.subheader)
    table = at.dataframe[0].value
    assert list(table["Condition"])[0] == "Teams where a peer worker works alone"
    text = " ".join(m.value for m in at.markdown)
    assert "Gillard" in text and "senior peer leadership post" in text
    assert "recorded by" in text and "in the figures you can see" in text  # other trusts' small settings left out
    for quarter in at.selectbox[1].options:
        at.selectbox[1].set_value(quarter).run()
        assert not at.exception and not errors(at)


@pytest.mark.usefixtures("app_db")
def test_board_may_not_open_it():
    at = open_page("board")
    assert any("Not permitted" in e for e in errors(at))
