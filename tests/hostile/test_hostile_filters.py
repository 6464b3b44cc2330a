"""Filter values that would break a query if pasted into SQL, passed to the data functions the pages use
and to the snapshot page's ?trust= link, against the synthetic demo database.

Each gets a refusal (an exception the page never reaches, as its pickers hand over dates and listed
codes; or NotPermitted / UnknownTrust) or an empty result; nothing leaks, and every table still exists
with the same number of rows.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import polars as pl
import pytest

from pswbench import paths
from pswbench.access import permissions
from pswbench.access.auth import User
from pswbench.access.scope import Scope, require_trust
from pswbench.app import ui
from pswbench.reports import board_snapshot, submissions
from pswbench.reports.definitions import TRUST_LEVEL
from pswbench.reports.queries import Queries
from tests.helpers.apptest_helpers import ACCOUNTS, errors, last_audit, page_file, signed_in
from tests.hostile.hostile_helpers import assert_not_in_markdown

PERIOD = dt.date(2026, 9, 30)
ANALYST = User(ACCOUNTS["analyst"][0], "analyst", None)
LEAD = User(ACCOUNTS["trust_lead"][0], "trust_lead", "RX4")
BOARD = User(ACCOUNTS["board"][0], "board", "RX4")
PAYLOADS = [
    "'; DROP TABLE return_row; --",
    "RX4' OR '1'='1",
    'RX4" OR "1"="1',
    "RX4'; DELETE FROM app_user; --",
    "%",
    "RX4%",
    "RX4 UNION SELECT email, password_hash FROM app_user",
]
REFUSED = (TypeError, duckdb.ConversionException)  # what a non-date period meets: a type check or the cast


@pytest.fixture(autouse=True)
def app_db(demo_app):
    return demo_app


@pytest.fixture
def app_con():
    # The app's own cached connection: a second one to the file would be refused by DuckDB's lock.
    return ui._open(str(paths.db_path()))


class _Cached:
    def __init__(self, q):
        self._q, self.version = q, q.data_version()

    def __getattr__(self, name):
        return getattr(self._q, name)


def scope(app_con, user) -> Scope:
    q = Queries(app_con)
    return Scope(user, _Cached(q), q)


@pytest.fixture
def unchanged(app_con):
    """Every table, and its row count (but the audit log's, which records refusals), the same afterwards."""

    def counts():
        with app_con.cursor() as cur:
            names = [
                r[0]
                for r in cur.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
                ).fetchall()
            ]
            return {n: cur.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names if n != "audit_log"}

    before = counts()
    assert {"return_row", "return_version", "submission", "app_user", "trust"} <= set(before)
    assert before["return_row"] > 0 and before["app_user"] > 0
    yield
    assert counts() == before


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_period_that_is_sql_is_refused_by_every_data_function(app_con, unchanged, payload):
    q = Queries(app_con)
    calls = {
        "Queries.trust_indicators": lambda: q.trust_indicators(payload),
        "Queries.region_indicators": lambda: q.region_indicators(payload),
        "Queries.national_indicators": lambda: q.national_indicators(payload),
        "Queries.coverage": lambda: q.coverage(payload),
        "Scope.trust_rows": lambda: scope(app_con, LEAD).trust_rows(payload),
        "Scope.pooled": lambda: scope(app_con, BOARD).pooled("region", payload),
        "Scope.coverage": lambda: scope(app_con, ANALYST).coverage(payload),
        "Scope.coverage_counts": lambda: scope(app_con, LEAD).coverage_counts(payload),
        "quality.failing_rules": lambda: submissions.failing_rules(app_con.cursor(), ANALYST, payload),
        "quality.submission_history": lambda: submissions.submission_history(app_con.cursor(), ANALYST, "RX4", payload),
        "quality.versions": lambda: submissions.versions(app_con.cursor(), ANALYST, "RX4", payload),
        "quality.submission_rows": lambda: submissions.submission_rows(app_con.cursor(), ANALYST, payload),
    }
    for name, call in calls.items():
        with pytest.raises(REFUSED):
            call()
            pytest.fail(f"{name} accepted the period {payload!r}")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_trust_code_that_is_sql_finds_nothing_or_is_refused(app_con, unchanged, payload):
    q = Queries(app_con)
    with app_con.cursor() as cur:
        assert submissions.submission_history(cur, ANALYST, payload).is_empty()
        assert submissions.versions(cur, ANALYST, payload, PERIOD).is_empty()
        for user in (LEAD, BOARD):
            with pytest.raises(permissions.NotPermitted):
                submissions.submission_history(cur, user, payload)
    for user in (LEAD, BOARD):
        with pytest.raises(permissions.NotPermitted):
            require_trust(user, payload)
        with pytest.raises(permissions.NotPermitted):
            board_snapshot.build(scope(app_con, user), PERIOD, payload)
        for group in ("england", "region", "nearest"):
            with pytest.raises(permissions.NotPermitted):
                scope(app_con, user).peer_rows(PERIOD, payload, group)
    with pytest.raises(board_snapshot.UnknownTrust):
        board_snapshot.build(scope(app_con, ANALYST), PERIOD, payload)
    everyone = set(q.trust_indicators(PERIOD)["trust_code"].to_list())
    # An unknown trust has no place of its own: no other trust's figure is handed back as "its" value.
    places = scope(app_con, ANALYST).positions(PERIOD, payload, "england")
    assert all(p.value is None and p.quartile is None for p in places.values())
    for group in ("england", "region", "nearest"):  # the England set, as for no trust
        assert set(scope(app_con, ANALYST).peer_rows(PERIOD, payload, group)["trust_code"]) == everyone


def test_a_trust_code_that_is_sql_matches_nothing_in_the_reference_list(app_con, unchanged):
    trusts = Queries(app_con).trusts()
    assert trusts.filter(pl.col("trust_code").is_in(PAYLOADS)).is_empty()


@pytest.mark.parametrize("payload", PAYLOADS[:2])
@pytest.mark.parametrize("role", ["board", "analyst"])
def test_the_snapshot_link_with_sql_for_a_trust_is_refused_without_echoing_it(unchanged, role, payload):
    at = signed_in(*ACCOUNTS[role])
    if role != "board":
        at.switch_page(page_file("snapshot")).run()
    assert not at.exception and len(at.main.metric) == len(TRUST_LEVEL)  # a card per trust-level indicator
    at.query_params["trust"] = payload
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if role == "board":
        (message,) = errors(at)
        assert message.startswith("Not permitted")
        assert last_audit(ACCOUNTS[role][0]) == ("not_permitted", json.dumps({"what": f"snapshot:{payload[:12]}"}))
    else:
        assert errors(at) == ["There is no trust with that code. Choose a trust from the list."]
    assert len(at.main.metric) == 0 and len(at.main.download_button) == 0 and not at.main.dataframe
    assert_not_in_markdown(at, payload, "DROP TABLE", "OR '1'")
