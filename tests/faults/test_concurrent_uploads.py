"""Uploads at the same moment in one app process, and the CLI against a database the app holds.

The app has one DuckDB connection per process and each session takes its own cursor from it, so
two trust leads saving at once are two transactions on two cursors. Every accepted load bumps the
single data_version row, so two loads overlapping in time always meet, whatever their trusts: the
loader retries the loser; if it still conflicts, pswbench.returns.uploads says "submit again". Nothing
may be lost silently: every attempt ends accepted (recorded once) or with that message.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest

from pswbench.access import auth
from pswbench.returns import uploads
from pswbench.store import database, loader
from tests.helpers.demo_data import EXAMPLE_FILE
from tests.helpers.faultkit import cli, demo_copy, holder, table_rows, tables

pytestmark = pytest.mark.faults

PERIOD = dt.date(2025, 9, 30)
OTHER = "RV3"  # a second mental health trust in the reference list


def variant(trust: str, tweak: int) -> bytes:
    """The example return for trust, with a note naming tweak, so each is a new version, not a duplicate."""
    text = EXAMPLE_FILE.read_text().replace("RX4", trust)
    return text.replace(",\n", f",revision {tweak}\n", 1).encode()


@pytest.fixture
def demo_con(tmp_path):
    c = database.connect(demo_copy(tmp_path))
    yield c
    c.close()


@pytest.fixture
def overlap(monkeypatch, caplog):
    """Hold each thread's first transaction open for a moment after its rows are written, so the
    two transactions really overlap; then report how many conflicts the loader met and retried."""
    seen, lock = set(), threading.Lock()

    def hold(_con):
        me = threading.get_ident()
        with lock:
            first = me not in seen
            seen.add(me)
        if first:
            time.sleep(0.3)

    monkeypatch.setattr(loader, "_after_rows_written", hold)
    caplog.set_level(logging.INFO, logger="pswbench.store.loader")
    return lambda: sum("met a concurrent write" in r.getMessage() for r in caplog.records)


def at_once(*calls):
    """Run each call in its own thread, released together; returns each result or exception."""
    start, out = threading.Barrier(len(calls), timeout=30), [None] * len(calls)

    def run(i, call):
        start.wait()
        try:
            out[i] = call()
        except Exception as exc:  # collected and asserted on by the test
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "an upload hung"
    return out


def lead(demo_con, trust: str):
    email = f"lead.{trust.lower()}@faults.nhs.uk"
    return auth.user_for_email(demo_con, email) or auth.add_user(demo_con, email, "trust_lead", trust, None)


def check(demo_con, user, name: str, data: bytes):
    with demo_con.cursor() as cur:
        chk = uploads.check(cur, user, user.trust_code, name, data)
    assert chk.can_submit, chk.findings_table()
    return chk


def submit_on_own_cursor(demo_con, user, chk):
    def call():
        with demo_con.cursor() as cur:
            return uploads.submit(cur, user, chk)

    return call


def counts(demo_con, trust):
    return demo_con.execute(
        "SELECT count(*), count(*) FILTER (is_current) FROM return_version WHERE trust_code = ? AND period_end = ?",
        [trust, PERIOD],
    ).fetchone()


def test_two_trusts_uploading_at_once_both_land_exactly_once(demo_con, overlap):
    assert demo_con.execute("SELECT count(*) FROM trust WHERE trust_code = ?", [OTHER]).fetchone()[0] == 1
    a, b = lead(demo_con, "RX4"), lead(demo_con, OTHER)
    chk_a, chk_b = check(demo_con, a, "a.csv", variant("RX4", 1)), check(demo_con, b, "b.csv", variant(OTHER, 1))
    subs, rows, version = (
        demo_con.execute("SELECT count(*) FROM submission").fetchone()[0],
        demo_con.execute("SELECT count(*) FROM return_row").fetchone()[0],
        database.data_version(demo_con),
    )
    before_a, before_b = counts(demo_con, "RX4"), counts(demo_con, OTHER)

    out = at_once(submit_on_own_cursor(demo_con, a, chk_a), submit_on_own_cursor(demo_con, b, chk_b))

    assert [type(o).__name__ for o in out] == ["LoadOutcome", "LoadOutcome"], out
    assert {o.status for o in out} == {"accepted"}
    assert overlap() >= 1, "the two loads did not overlap, so this test proved nothing"
    assert demo_con.execute("SELECT count(*) FROM submission").fetchone()[0] == subs + 2
    assert demo_con.execute("SELECT count(*) FROM submission WHERE file_name IN ('a.csv', 'b.csv')").fetchone()[0] == 2
    assert demo_con.execute("SELECT count(*) FROM return_row").fetchone()[0] == rows + 2 * chk_a.result.rows
    assert counts(demo_con, "RX4") == (before_a[0] + 1, 1) and counts(demo_con, OTHER) == (before_b[0] + 1, 1)
    assert database.data_version(demo_con) == version + 2


def test_same_trust_and_quarter_at_once_become_two_consecutive_versions(demo_con, overlap):
    user = lead(demo_con, "RX4")
    first, second = (
        check(demo_con, user, "one.csv", variant("RX4", 1)),
        check(demo_con, user, "two.csv", variant("RX4", 2)),
    )
    versions_before, _ = counts(demo_con, "RX4")

    out = at_once(submit_on_own_cursor(demo_con, user, first), submit_on_own_cursor(demo_con, user, second))

    assert all(isinstance(o, loader.LoadOutcome) for o in out), out
    assert overlap() >= 1
    assert sorted(o.version for o in out) == [versions_before + 1, versions_before + 2]
    assert counts(demo_con, "RX4") == (versions_before + 2, 1)
    assert (
        demo_con.execute(
            "SELECT count(*) FROM submission WHERE file_name IN ('one.csv', 'two.csv') AND status = 'accepted'"
        ).fetchone()[0]
        == 2
    )
    # The current version is the one that committed last, and its rows are the current rows.
    last = max(out, key=lambda o: o.version)
    assert (
        demo_con.execute(
            "SELECT submission_id FROM return_version WHERE trust_code = 'RX4' AND period_end = ? AND is_current",
            [PERIOD],
        ).fetchone()[0]
        == last.submission_id
    )


def test_a_conflict_that_outlasts_the_retries_says_submit_again_and_loses_nothing(demo_con, overlap, monkeypatch):
    monkeypatch.setattr(loader, "ATTEMPTS", 1)  # no retry: the loser must hear about it
    user = lead(demo_con, "RX4")
    first, second = (
        check(demo_con, user, "one.csv", variant("RX4", 1)),
        check(demo_con, user, "two.csv", variant("RX4", 2)),
    )
    before = table_rows(demo_con)

    out = at_once(submit_on_own_cursor(demo_con, user, first), submit_on_own_cursor(demo_con, user, second))

    won = [o for o in out if isinstance(o, loader.LoadOutcome)]
    lost = [o for o in out if isinstance(o, uploads.SaveConflict)]
    assert len(won) == 1 and len(lost) == 1, out
    assert str(lost[0]) == uploads.CONFLICT_MESSAGE and "submit again" in str(lost[0])
    loser = second if won[0].file_name == "one.csv" else first
    # The loser left no trace: exactly one new submission, the winner's.
    assert demo_con.execute("SELECT count(*) FROM submission").fetchone()[0] == len(before["submission"]) + 1
    assert loser.can_submit
    # Submitting again, as the message says, lands it.
    with demo_con.cursor() as cur:
        again = uploads.submit(cur, user, loser)
    assert again.status == "accepted"
    assert demo_con.execute("SELECT count(*) FROM submission").fetchone()[0] == len(before["submission"]) + 2
    assert counts(demo_con, "RX4")[1] == 1


def test_cli_load_while_the_app_holds_the_database_exits_3_then_succeeds(tmp_path):
    db = demo_copy(tmp_path)
    changed = tmp_path / "changed.csv"
    changed.write_bytes(variant("RX4", 3))
    before = tables(db)
    with holder(db):
        r = cli("load", changed, "--db", db, "--user", "analyst@faults.nhs.uk")
        assert r.returncode == 3, r
        assert "in use by another process" in r.stderr and "Traceback" not in r.stderr
    assert tables(db) == before, "the refused load changed the database"
    r = cli("load", changed, "--db", db, "--user", "analyst@faults.nhs.uk")
    assert r.returncode == 0 and "accepted as version 2" in r.stdout, r
    after = tables(db)
    assert len(after["submission"]) == len(before["submission"]) + 1
