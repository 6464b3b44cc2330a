"""Submissions page: analysts see the quarter's status, counts that match the database, and version diffs;
trust leads and board members are refused and shown no data."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pswbench.access import auth
from pswbench.paths import EXAMPLES_DIR, ROOT
from pswbench.store import database, loader
from tests.helpers.annual_rows import add_section
from tests.helpers.apptest_helpers import sign_in_as
from tests.helpers.demo_data import EXAMPLE

Q3 = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("subs") / "s.duckdb"
    con = database.connect(path)
    files = [
        ("rx4-v1.csv", EXAMPLE),
        ("rx4-v2.csv", EXAMPLE.replace(b"RX4,2025-09-30,crisis,4,8,", b"RX4,2025-09-30,crisis,4,9,")),
        ("rmy-bad.csv", (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes().replace(b"RT1,", b"RMY,")),
        ("rt1.csv", EXAMPLE.replace(b"RX4,", b"RT1,")),
    ]
    for name, data in files:
        loader.load_files(con, [(name, data)], "loader@nhs.uk", today=dt.date(2026, 11, 25))
    # RX4's demographics match its current workforce total; its organisation section was checked against
    # 5 more PSWs than that return now says (the annual sections cannot be loaded on main yet).
    total = con.execute(
        "SELECT sum(headcount) FROM int_current_return_rows WHERE trust_code = 'RX4' AND period_end = ?", [Q3]
    ).fetchone()[0]
    add_section(con, "RX4", Q3, "demographics", "accepted", total)
    add_section(con, "RX4", Q3, "organisation", "accepted", total + 5)
    users = {
        role: auth.add_user(con, f"{role}@nhs.uk", role, None if role == "analyst" else "RX4", None)
        for role in ("analyst", "trust_lead", "board")
    }
    con.close()
    return path, users


def open_page(db, role, monkeypatch) -> AppTest:
    path, users = db
    monkeypatch.setenv("PSWBENCH_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, users[role].email)
    at.run()
    return at.switch_page("pages/submissions.py").run()


def test_analyst_counts_match_the_database(db, monkeypatch):
    at = open_page(db, "analyst", monkeypatch)
    assert not at.exception and not at.error
    con = duckdb.connect(str(db[0]))
    open_trusts = con.execute(
        "SELECT count(*) FROM trust WHERE (open_date IS NULL OR open_date <= ?) "
        "AND (close_date IS NULL OR close_date >= ?)",
        [Q3, Q3],
    ).fetchone()[0]
    accepted = con.execute("SELECT count(*) FROM return_version WHERE period_end = ? AND is_current", [Q3]).fetchone()[
        0
    ]
    rejected_only = con.execute(
        "SELECT count(DISTINCT trust_code) FROM submission WHERE period_end = ? AND "
        "trust_code NOT IN (SELECT trust_code FROM return_version WHERE period_end = ?)",
        [Q3, Q3],
    ).fetchone()[0]
    con.close()
    assert (accepted, rejected_only) == (2, 1)
    metrics = {m.label: int(m.value) for m in at.metric}
    assert metrics == {
        "Open trusts": open_trusts,
        "Accepted": accepted,
        "Rejected only": rejected_only,
        "Missing": open_trusts - accepted - rejected_only,
    }
    late = at.dataframe[0].value
    assert len(late) == open_trusts - accepted
    assert "RMY" in set(late["trust_code"]) and not {"RX4", "RT1"} & set(late["trust_code"])


def test_analyst_sees_the_failing_rule_and_the_cells_changed_between_versions(db, monkeypatch):
    at = open_page(db, "analyst", monkeypatch)
    # Non-submitters, every trust's status, the annual follow-ups and every annual section, then the chart's data.
    rules = at.dataframe[4].value
    assert rules[["rule", "severity", "findings", "submissions"]].to_dict("records") == [
        {"rule": "wte_exceeds_headcount", "severity": "error", "findings": 1, "submissions": 1}
    ]
    at.selectbox(key="versions_trust").set_value("RX4").run()
    assert not at.exception
    changed = at.dataframe[-1].value
    assert changed.to_dict("records") == [
        {"service_setting": "crisis", "afc_band": "4", "column": "headcount", "old": "8", "new": "9"}
    ]


@pytest.mark.parametrize("role", ["trust_lead", "board"])
def test_other_roles_are_refused_and_shown_no_data(db, monkeypatch, role):
    at = open_page(db, role, monkeypatch)
    assert at.error and at.error[0].value.startswith("Not permitted")
    assert not at.dataframe and not at.metric
    con = duckdb.connect(str(db[0]))
    refusals = con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'not_permitted' AND actor = ?", [f"{role}@nhs.uk"]
    ).fetchone()[0]
    con.close()
    assert refusals >= 1


def test_analyst_sees_which_annual_sections_are_in_and_which_no_longer_match(db, monkeypatch):
    at = open_page(db, "analyst", monkeypatch)
    assert not at.exception
    con = duckdb.connect(str(db[0]))
    total, open_trusts = con.execute(
        "SELECT (SELECT sum(headcount) FROM int_current_return_rows WHERE trust_code = 'RX4' AND period_end = $p), "
        "(SELECT count(*) FROM trust WHERE (open_date IS NULL OR open_date <= $p) "
        "AND (close_date IS NULL OR close_date >= $p))",
        {"p": Q3},
    ).fetchone()
    con.close()
    said = [m.value for m in at.markdown]
    assert f"- 1 of {open_trusts} trusts sent demographics; 0 no longer match the current workforce return." in said
    assert (
        f"- 1 of {open_trusts} trusts sent organisational conditions; 1 no longer matches the current workforce return."
        in said
    )
    follow = next(d.value for d in at.dataframe if "action" in d.value.columns)
    asks = dict(zip(zip(follow["trust_code"], follow["section"]), follow["action"]))
    assert ("RX4", "Demographics") not in asks  # in, and still matching: nothing to ask
    assert asks["RX4", "Organisational conditions"] == (
        f"Organisational conditions were checked against {total + 5} PSWs; the current workforce return says "
        f"{total}: ask the trust to send the organisational conditions again."
    )
    assert asks["RT1", "Demographics"].startswith("No demographics return has been sent")
