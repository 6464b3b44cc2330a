"""Definitions page: open to every role, and it shows every indicator, the small-number rule and the spec."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from pswbench.access import auth
from pswbench.paths import ROOT
from pswbench.reports.definitions import INDICATORS
from pswbench.store import database
from tests.helpers.apptest_helpers import sign_in_as


@pytest.fixture
def users(tmp_path, monkeypatch):
    monkeypatch.setenv("PSWBENCH_DB", str(tmp_path / "d.duckdb"))
    con = database.connect(tmp_path / "d.duckdb")
    made = {
        role: auth.add_user(con, f"{role}@nhs.uk", role, None if role == "analyst" else "RX4", None)
        for role in ("analyst", "trust_lead", "board")
    }
    con.close()
    return made


@pytest.mark.parametrize("role", ["analyst", "trust_lead", "board"])
def test_every_role_sees_every_indicator_the_rule_and_the_spec(users, role):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, users[role].email)
    at.run()
    at.switch_page("pages/definitions.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Definitions"
    table = at.table[0].value
    assert list(table["Indicator"]) == [i.label for i in INDICATORS]
    assert list(table["Formula"]) == [i.formula for i in INDICATORS]
    text = " ".join(m.value for m in at.markdown)
    assert "fewer than 5 people" in text and "suppressed (<5)" in text
    assert "Quarterly PSW return: specification for trust leads" in text
    assert "nothing in it is synthetic" in text  # a database not built by the demo


def test_the_conditions_and_activity_are_grouped_under_their_theme_with_the_researchs_reason(users):
    from pswbench.reports.definitions import ACTIVITY_INDICATORS, CONDITION_INDICATORS

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, users["trust_lead"].email)
    at.run()
    at.switch_page("pages/definitions.py").run()
    assert not at.exception and not at.error
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings == [
        "#### Workforce",
        "#### Workforce demographics (30 September)",
        "#### Conditions for peer work",
        "#### Activity",
    ]
    conditions, activity = at.table[2].value, at.table[3].value
    assert list(conditions["Indicator"]) == [i.label for i in CONDITION_INDICATORS]
    assert list(conditions["Why it matters"]) == [i.reason for i in CONDITION_INDICATORS]
    assert all("Gillard" in r for r in conditions["Why it matters"])
    assert list(activity["Indicator"]) == [i.label for i in ACTIVITY_INDICATORS]


# ---- demographics (issue 12) ----
@pytest.mark.parametrize("role", ["analyst", "trust_lead", "board"])
def test_every_role_sees_the_demographics_indicators_and_their_rule(users, role):
    from pswbench.reports.definitions import DEMOGRAPHIC_INDICATORS

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, users[role].email)
    at.run()
    at.switch_page("pages/definitions.py").run()
    assert not at.exception and not at.error
    assert list(at.table[1].value["Indicator"]) == [i.label for i in DEMOGRAPHIC_INDICATORS]
    assert all(i.theme == "demographics" for i in DEMOGRAPHIC_INDICATORS)
    text = " ".join(m.value for m in at.markdown)
    assert "never trust by trust" in text and "Census 2021" in text
