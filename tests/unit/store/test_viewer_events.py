"""Viewer events: the writer ingests only signed lines of the kinds a viewer produces, and none of
them lowers a failure count or clears a lock. viewer.authenticate follows the writer's rules."""

from __future__ import annotations

import ast
import datetime as dt
import json
import logging
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from pswbench.access import auth, throttle
from pswbench.paths import ROOT
from pswbench.store import audit, database, publish, spool, viewer_events, viewer_mode

PW = "correct horse battery"
LEAD = "lead@nhs.net"


# Cheap argon2 parameters for every test here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with a trust lead, built once (the schema and reference data take a second)."""
    db = tmp_path_factory.mktemp("template") / "t.duckdb"
    con = database.connect(db)
    auth.add_user(con, LEAD, "trust_lead", "RX4", PW, now=audit.utc_now())
    con.close()
    return db


@pytest.fixture
def writer(template, tmp_path):
    """A writer's copy of the template; its viewers know its key (as if read from a snapshot)."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(template, db)
    con = database.connect(db)
    viewer_mode._KEYS.clear()
    viewer_mode._remember_key(db, key_of(con))
    yield con, db
    con.close()


def key_of(con) -> str:
    return database.setting(con, viewer_events.KEY_SETTING)


def event(db: Path, seq: int, action: str = "export", actor: str = LEAD, detail=None, at=None, **over) -> dict:
    e = {
        "v": 2,
        "spool": spool.spool_path(db).name,
        "seq": seq,
        "at": (at or audit.utc_now()).isoformat(),
        "actor": actor,
        "action": action,
        "trust_code": "RX4",
        "detail": {"table": "t", "format": "csv"} if detail is None else detail,
        "pid": 1,
    }
    return {**e, **over}


def append(path: Path, *lines: bytes) -> None:
    with open(path, "ab") as fh:
        fh.write(b"".join(lines))


def viewer_rows(con):
    return con.execute(
        'SELECT actor, action, trust_code, detail FROM audit_log WHERE detail LIKE \'%"via": "viewer"%\' '
        "ORDER BY audit_id"
    ).fetchall()


def refused(con) -> dict:
    rows = con.execute("SELECT detail FROM audit_log WHERE action = 'viewer_events_refused'").fetchall()
    out = {}
    for (d,) in rows:
        for k, v in json.loads(d).items():
            if k != "file":
                out[k] = out.get(k, 0) + v
    return out


def test_a_viewers_signed_event_is_ingested_once(writer):
    con, db = writer
    publish.publish(con)
    viewer_mode._KEYS.clear()  # the viewer reads the key from the published snapshot
    viewer_mode.record(db, LEAD, "export", "RX4", {"table": "national", "format": "csv"})
    assert spool.spool_pending(con, db)
    done = spool.ingest_spool(con, db)
    assert (done.events, done.users_changed, dict(done.refused)) == (1, False, {})
    assert not spool.spool_pending(con, db)
    spool.ingest_spool(con, db)
    ((actor, action, trust, detail),) = viewer_rows(con)
    assert (actor, action, trust) == (LEAD, "export", "RX4")
    assert json.loads(detail)["table"] == "national"


@pytest.mark.parametrize("tamper", ["no_mac", "wrong_key", "edited", "not_json"])
def test_forged_lines_are_skipped_counted_and_warned(writer, caplog, tamper):
    con, db = writer
    e = event(db, 1, "sign_in", detail={"method": "password"})
    line = {
        "no_mac": viewer_events.canonical(e) + b"\n",
        "wrong_key": viewer_events.signed_line("0" * 64, e),
        "edited": viewer_events.signed_line(key_of(con), e).replace(b'"sign_in"', b'"export"'),
        "not_json": b"{not json\n",
    }[tamper]
    append(spool.spool_path(db), line)
    with caplog.at_level(logging.WARNING):
        done = spool.ingest_spool(con, db)
    assert done.events == 0 and sum(done.refused.values()) == 1
    assert viewer_rows(con) == []
    assert "could not be verified" in caplog.text and spool.spool_path(db).name in caplog.text
    assert sum(refused(con).values()) == 1


def test_a_forged_sign_in_clears_no_lock_even_signed_with_the_right_key(writer):
    con, db = writer
    for _ in range(5):
        with pytest.raises(auth.SignInError):
            auth.authenticate(con, LEAD, "wrong password!")
    locked = auth.failures(con, LEAD)
    assert locked.locked(audit.utc_now())
    key = key_of(con)
    append(
        spool.spool_path(db),
        viewer_events.signed_line(key, event(db, 1, "sign_in", detail={"method": "password"})),
    )
    done = spool.ingest_spool(con, db)
    assert done.events == 1 and not done.users_changed
    assert auth.failures(con, LEAD) == locked  # still locked, same count
    with pytest.raises(auth.SignInError, match="locked"):
        auth.authenticate(con, LEAD, PW)


@pytest.mark.parametrize(
    "action,detail",
    [
        ("user_enabled", {"email": LEAD}),  # a writer's own kind
        ("user_unlocked", {"email": LEAD}),
        ("upload_accepted", {}),
        ("anything", {}),
    ],
)
def test_kinds_a_viewer_does_not_produce_are_refused(writer, action, detail):
    con, db = writer
    append(spool.spool_path(db), viewer_events.signed_line(key_of(con), event(db, 1, action, detail=detail)))
    done = spool.ingest_spool(con, db)
    assert (done.events, dict(done.refused)) == (0, {"kind_not_allowed": 1})
    assert viewer_rows(con) == []


@pytest.mark.parametrize(
    "action,detail,why",
    [
        ("export", {"table": "t", "format": "csv", "email": "x"}, "detail_not_allowed"),  # a key export has not
        ("export", {"table": "t", "format": "exe"}, "detail_not_allowed"),
        ("sign_in", {"method": "magic"}, "detail_not_allowed"),
        ("not_permitted", {"what": "x" * 201}, "detail_not_allowed"),
        ("not_permitted", {"what": "page\u202e"}, "detail_not_allowed"),
        ("export", {"table": "t", "format": "csv"}, "actor_not_allowed"),  # actor: no account
    ],
)
def test_events_with_other_details_or_actors_are_refused(writer, action, detail, why):
    con, db = writer
    actor = "nobody@nhs.net" if why == "actor_not_allowed" else LEAD
    append(spool.spool_path(db), viewer_events.signed_line(key_of(con), event(db, 1, action, actor, detail)))
    assert dict(spool.ingest_spool(con, db).refused) == {why: 1}
    assert viewer_rows(con) == []


def test_the_trust_is_the_accounts_whatever_the_line_says(writer):
    con, db = writer
    append(spool.spool_path(db), viewer_events.signed_line(key_of(con), event(db, 1, trust_code="RMY")))
    spool.ingest_spool(con, db)
    assert viewer_rows(con)[0][2] == "RX4"


def test_replayed_lines_are_refused(writer, tmp_path):
    con, db = writer
    key = key_of(con)
    first = viewer_events.signed_line(key, event(db, 1))
    append(spool.spool_path(db), first)
    assert spool.ingest_spool(con, db).events == 1
    append(spool.spool_path(db), first)  # the same line again
    other = db.with_name(f"{db.stem}.viewer-events.999-cafe.jsonl")
    append(other, first)  # copied into another spool file
    done = spool.ingest_spool(con, db)
    assert (done.events, dict(done.refused)) == (0, {"replayed": 2})
    append(spool.spool_path(db), viewer_events.signed_line(key, event(db, 2)))  # the next one is taken
    assert spool.ingest_spool(con, db).events == 1
    assert len(viewer_rows(con)) == 2


def test_a_file_cut_short_is_read_again_but_its_lines_are_not_taken_twice(writer):
    con, db = writer
    key = key_of(con)
    append(
        spool.spool_path(db),
        viewer_events.signed_line(key, event(db, 1)),
        viewer_events.signed_line(key, event(db, 2)),
    )
    assert spool.ingest_spool(con, db).events == 2
    spool.spool_path(db).write_bytes(viewer_events.signed_line(key, event(db, 1)))  # shorter than the offset
    assert dict(spool.ingest_spool(con, db).refused) == {"replayed": 1}


@pytest.mark.parametrize(
    "offset,taken",
    [
        (timedelta(hours=1), False),
        (timedelta(minutes=6), False),
        (timedelta(minutes=4), True),
        (-timedelta(days=6), True),
        (-timedelta(days=8), False),
        (-timedelta(days=3650), False),
    ],
)
def test_only_plausible_times_are_taken(writer, offset, taken):
    con, db = writer
    line = viewer_events.signed_line(key_of(con), event(db, 1, at=audit.utc_now() + offset))
    append(spool.spool_path(db), line)
    done = spool.ingest_spool(con, db)
    assert (done.events, dict(done.refused)) == ((1, {}) if taken else (0, {"time_out_of_range": 1}))


def test_a_viewers_failures_count_at_the_writer_for_unknown_and_known_emails(writer):
    con, db = writer
    for email in (LEAD, "nobody@nhs.net"):
        for _ in range(5):
            viewer_mode.record(db, email, "sign_in_failed", None, {"reason": "wrong_password"})
    done = spool.ingest_spool(con, db)
    assert done.events == 10 and done.users_changed
    for email in (LEAD, "nobody@nhs.net"):
        f = auth.failures(con, email)
        assert f.count == 5 and f.locked(audit.utc_now()), email
    # The viewer's claims about counts are replaced by the writer's own.
    viewer_mode.record(
        db,
        "third@nhs.net",
        "sign_in_failed",
        None,
        {"reason": "wrong_password", "failed_attempts": 999, "locked_until": "2999-01-01T00:00:00"},
    )
    spool.ingest_spool(con, db)
    assert auth.failures(con, "third@nhs.net") == throttle.Failures(
        1, auth.failures(con, "third@nhs.net").last_failed_at
    )
    assert json.loads(viewer_rows(con)[-1][3])["failed_attempts"] == 1


def test_disabled_and_oidc_failures_do_not_count(writer):
    con, db = writer
    viewer_mode.record(db, LEAD, "sign_in_failed", "RX4", {"reason": "disabled"})
    viewer_mode.record(db, LEAD, "sign_in_failed", None, {"method": "oidc"})
    assert spool.ingest_spool(con, db).events == 2
    assert auth.failures(con, LEAD).count == 0


# --- viewer.authenticate ----------------------------------------------------------------------


@pytest.fixture
def snapshot(writer):
    con, db = writer
    publish.publish(con)
    snap = database.connect(publish.snapshot_path(db), read_only=True)
    viewer_mode._LOCAL = viewer_mode.LocalFailures()
    yield snap, db
    snap.close()


def test_a_viewer_gives_unknown_and_known_emails_the_same_messages(snapshot):
    snap, db = snapshot
    t0 = dt.datetime(2026, 1, 12, 9, 0)
    steps = [(0, "wrong password!")] * 5 + [(1, PW), (16, "wrong again!")]
    seen = {}
    for email in (LEAD, "nobody@nhs.net"):
        seen[email] = []
        for minutes, password in steps:
            with pytest.raises(auth.SignInError) as ei:
                viewer_mode.authenticate(snap, db, email, password, now=t0 + timedelta(minutes=minutes))
            seen[email].append(str(ei.value))
    assert seen[LEAD] == seen["nobody@nhs.net"]
    assert seen[LEAD][4] == auth.locked_message(t0 + timedelta(minutes=15))


def test_a_viewer_signs_in_and_spools_signed_attempts_the_writer_takes(snapshot, writer):
    snap, db = snapshot
    con, _ = writer
    assert viewer_mode.authenticate(snap, db, LEAD, PW) == auth.User(LEAD, "trust_lead", "RX4")
    with pytest.raises(auth.SignInError):
        viewer_mode.authenticate(snap, db, "nobody@nhs.net", "x")
    done = spool.ingest_spool(con, db)
    assert (done.events, dict(done.refused)) == (2, {})
    assert [r[1] for r in viewer_rows(con)] == ["sign_in", "sign_in_failed"]


def test_a_viewer_sees_the_writers_lock_from_the_snapshot(writer):
    con, db = writer
    for _ in range(5):
        with pytest.raises(auth.SignInError):
            auth.authenticate(con, "nobody@nhs.net", "x")
    publish.publish(con)
    snap = database.connect(publish.snapshot_path(db), read_only=True)
    viewer_mode._LOCAL = viewer_mode.LocalFailures()
    try:
        with pytest.raises(auth.SignInError, match="locked"):
            viewer_mode.authenticate(snap, db, "nobody@nhs.net", "x")
    finally:
        snap.close()


def test_a_viewers_own_failure_records_are_bounded(monkeypatch):
    monkeypatch.setattr(throttle, "MAX_TRACKED_UNKNOWN", 5)
    local, at = viewer_mode.LocalFailures(), dt.datetime(2026, 1, 1)
    for i in range(50):
        local.put(f"e{i}", throttle.Failures(1, at), at)
    assert len(local) == 5 and local.get("e49").count == 1 and local.get("e0").count == 0


# --- the list of kinds matches the code that records them -------------------------------------


def _record_event_calls():
    """(file, action, detail keys or None) of every record_event / viewer_mode.record call with a literal action."""
    for path in [*sorted((ROOT / "pswbench").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name not in ("record_event", "record") or len(node.args) < 3:
                continue
            if (
                name == "record"
                and getattr(node.func, "value", None) is not None
                and getattr(node.func.value, "id", None) != "viewer_mode"
            ):
                continue  # audit.record: the writer's own rows
            action = node.args[2]
            if not (isinstance(action, ast.Constant) and isinstance(action.value, str)):
                continue
            detail = (
                node.args[4]
                if len(node.args) > 4
                else next((k.value for k in node.keywords if k.arg == "detail"), None)
            )
            keys = (
                [k.value for k in detail.keys]
                if isinstance(detail, ast.Dict) and all(isinstance(k, ast.Constant) for k in detail.keys)
                else None
            )
            yield path.name, action.value, keys


def test_every_kind_of_event_the_app_records_is_one_a_viewer_may_send():
    calls = list(_record_event_calls())
    assert {a for _, a, _ in calls} >= {"not_permitted", "export", "sign_in", "sign_in_failed"}
    for where, action, keys in calls:
        assert action in viewer_events.VIEWER_EVENTS, f"{where}: {action} is not in viewer_events.VIEWER_EVENTS"
        if keys is not None:
            assert set(keys) <= set(viewer_events.VIEWER_EVENTS[action]), f"{where}: {action} {keys}"
