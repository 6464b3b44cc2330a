"""Admin requests: disable, enable and unlock while the writer holds the database, applied by the
writer's spool watcher, audited, published, answered; forged, stale, replayed and unanswered ones."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import threading
import uuid

import pytest

from pswbench.access import auth
from pswbench.store import admin_requests, audit, database, publish, spool_watcher

PW = "correct horse battery"
LEAD = "lead@nhs.net"


# Cheap argon2 parameters for every test here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    db = tmp_path_factory.mktemp("template") / "t.duckdb"
    con = database.connect(db)
    auth.add_user(con, LEAD, "trust_lead", "RX4", PW)
    con.close()
    return db


@pytest.fixture
def writer(template, tmp_path):
    """The writer's connection to a copy of the template, with its spool watcher running every 0.05 s."""
    db = tmp_path / "w.duckdb"
    shutil.copyfile(template, db)
    con = database.connect(db)
    stop = threading.Event()
    thread = spool_watcher.watch_spool(con, db, 0.05, stop)
    yield con, db
    stop.set()
    thread.join(timeout=10)
    con.close()


def disabled(con, email=LEAD) -> bool:
    with con.cursor() as cur:
        return cur.execute("SELECT disabled FROM app_user WHERE email = ?", [email]).fetchone()[0]


def audit_of(con, request_id: str):
    with con.cursor() as cur:
        return cur.execute(
            "SELECT actor, action, detail FROM audit_log WHERE detail LIKE ? ORDER BY audit_id", [f"%{request_id}%"]
        ).fetchall()


def test_the_writer_creates_a_private_key_file_and_request_folder(writer):
    _, db = writer
    assert stat.S_IMODE(os.stat(admin_requests.key_path(db)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(admin_requests.folder(db)).st_mode) == 0o700
    # Not in the database, so not in the snapshot viewers read nor in backups.
    key = admin_requests.read_key(db)
    con = writer[0]
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM app_setting WHERE value LIKE ?", [f"%{key}%"]).fetchone()[0] == 0


def test_disable_enable_unlock_are_applied_audited_published_and_answered(writer):
    con, db = writer
    before = (publish.read_manifest(db) or {}).get("publish_id")
    answer = admin_requests.submit(db, "disable", " Lead@NHS.net ", "cli:operator", wait=10)
    assert answer == admin_requests.Answer(True, f"{LEAD} is now disabled.")
    assert disabled(con)
    manifest = publish.read_manifest(db)
    assert manifest["publish_id"] != before  # published before the answer was written
    snap = database.connect(publish.snapshot_path(db), read_only=True)
    try:
        assert snap.execute("SELECT disabled FROM app_user WHERE email = ?", [LEAD]).fetchone()[0] is True
    finally:
        snap.close()
    with con.cursor() as cur:
        actor, action, detail = cur.execute(
            "SELECT actor, action, detail FROM audit_log WHERE action = 'user_disabled'"
        ).fetchone()
    assert (actor, action) == ("cli:operator", "user_disabled")
    assert json.loads(detail)["via"] == "admin_request" and len(json.loads(detail)["request_id"]) == 32

    for _ in range(5):
        with pytest.raises(auth.SignInError):
            with con.cursor() as cur:
                auth.authenticate(cur, LEAD, "wrong password!")
    assert admin_requests.submit(db, "unlock", LEAD, "cli:operator", wait=10).ok
    with con.cursor() as cur:
        assert auth.failures(cur, LEAD).count == 0
    assert admin_requests.submit(db, "enable", LEAD, "cli:operator", wait=10).ok
    assert not disabled(con)
    assert list(admin_requests.folder(db).iterdir()) == []  # nothing left behind


def test_an_unknown_email_is_refused_with_the_reason(writer):
    con, db = writer
    answer = admin_requests.submit(db, "disable", "ghost@nhs.net", "cli:operator", wait=10)
    assert not answer.ok and "There is no user with email ghost@nhs.net" in answer.message
    with con.cursor() as cur:
        assert cur.execute("SELECT count(*) FROM audit_log WHERE action = 'admin_request_refused'").fetchone()[0] == 1


def _request(db, key: str, command="disable", email=LEAD, at=None, **over) -> str:
    request = {
        "v": 1,
        "id": uuid.uuid4().hex,
        "command": command,
        "email": email,
        "requested_by": "cli:x",
        "requested_at": (at or audit.utc_now()).isoformat(),
        **over,
    }
    request["mac"] = admin_requests._mac(key, request)
    (admin_requests.folder(db) / f"{request['id']}.request.json").write_bytes(admin_requests._canonical(request))
    return request["id"]


def _answer(db, request_id: str) -> admin_requests.Answer:
    found = admin_requests._await(admin_requests.folder(db) / f"{request_id}.answer.json", 10, 0.05)
    assert found is not None, "the writer did not answer"
    return found


@pytest.mark.parametrize("case", ["wrong_key", "stale", "ahead", "not_a_command", "edited"])
def test_forged_stale_and_other_requests_change_nothing(writer, case):
    con, db = writer
    key = admin_requests.read_key(db)
    if case == "wrong_key":
        rid = _request(db, "0" * 64)
    elif case == "stale":
        rid = _request(db, key, at=audit.utc_now() - dt.timedelta(minutes=3))
    elif case == "ahead":
        rid = _request(db, key, at=audit.utc_now() + dt.timedelta(minutes=5))
    elif case == "not_a_command":
        rid = _request(db, key, command="add")
    else:
        rid = _request(db, key)
        path = admin_requests.folder(db) / f"{rid}.request.json"
        path.write_bytes(path.read_bytes().replace(LEAD.encode(), b"other@nhs.net"))
    answer = _answer(db, rid)
    assert not answer.ok and "Nothing was changed" in answer.message
    assert not disabled(con)
    assert [a for _, a, _ in audit_of(con, rid)] == ["admin_request_refused"]


def test_a_request_put_back_is_not_applied_twice(writer):
    con, db = writer
    key = admin_requests.read_key(db)
    rid = _request(db, key, command="enable")
    raw = (admin_requests.folder(db) / f"{rid}.request.json").read_bytes()
    assert _answer(db, rid).ok
    assert admin_requests.submit(db, "disable", LEAD, "cli:operator", wait=10).ok
    (admin_requests.folder(db) / f"{rid}.request.json").write_bytes(raw)  # the enable, replayed
    assert "not applied twice" in _answer(db, rid).message
    assert disabled(con)
    assert [a for _, a, _ in audit_of(con, rid)] == ["user_enabled"]


def test_with_no_writer_the_request_is_withdrawn_and_nothing_changes(template, tmp_path):
    db = tmp_path / "w.duckdb"
    shutil.copyfile(template, db)
    admin_requests.ensure_key(db)
    with pytest.raises(admin_requests.AdminRequestError, match="no pswbench writer answered within 0.3 s"):
        admin_requests.submit(db, "disable", LEAD, "cli:operator", wait=0.3)
    assert list(admin_requests.folder(db).iterdir()) == []  # withdrawn: a writer started later sees nothing
    con = database.connect(db)
    try:
        assert admin_requests.take(con, db) == []
        assert not disabled(con)
    finally:
        con.close()


def test_a_missing_key_file_says_what_to_do(tmp_path):
    with pytest.raises(admin_requests.AdminRequestError, match="does not exist.*writer"):
        admin_requests.submit(tmp_path / "x.duckdb", "disable", LEAD, "cli:x", wait=1)
