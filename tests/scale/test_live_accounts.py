"""Disabling, enabling and unlocking an account while the app runs: a writer and a read-only viewer
are running (`python -m pswbench.app.server run app.py`, as `make run`), and `python -m pswbench users ...`
is run against the database the writer holds.

* `users disable` answers "is now disabled" (exit 0) within SPOOL_SECONDS plus a publish, and from
  then on both the writer and the viewer refuse the account's sign-in with the disabled message;
  the time from the command's start to its answer and to each refusal is measured and printed;
* `users enable` lets it in again at both; `users unlock` clears a lock made at the writer;
* the changes are audited under the command's user, via the admin request;
* with a process holding the database that is not a writer, the command gives up after --wait with
  a clear message and exit 3, and nothing changes.

Sign-ins speak Streamlit's websocket protocol (tests/helpers/st_protocol.py), as the load script does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
from pathlib import Path

from pswbench.access import auth
from pswbench.paths import ROOT
from pswbench.store import database
from tests.helpers import app_server, demo_data, faultkit, st_protocol
from tests.helpers.demo_data import DEMO_ACCOUNTS

ARTIFACTS = ROOT / "artifacts" / "scale"
SPOOL_SECONDS = 5.0  # the default PSWBENCH_SPOOL_SECONDS, left unset for the writer
ANSWER_BOUND_S = SPOOL_SECONDS + 10.0  # one watcher period, a publish, and a loaded 2-core machine
LEAD, LEAD_PASSWORD = DEMO_ACCOUNTS["trust_lead"]


async def _sign_in(url: str, email: str, password: str) -> tuple[bool, list[str]]:
    """Signs in as a browser does (form, redirect to the sign-in route, cookie, new websocket)."""
    async with st_protocol.Session(url, timeout_s=90) as session:
        try:
            run = await session.sign_in(email, password)
        except st_protocol.SignInRefused as refused:
            assert refused.run is not None, str(refused)  # a page with no form is not a refusal
            run = refused.run
        assert st_protocol.ok(run), run.problems()
        signed_in = any(k == "markdown" and f"Signed in as {email}" in e.body for k, e in run.sidebar)
        errors = [e.body for k, e in run.main if k == "alert" and e.format == st_protocol.ALERT_ERROR]
        return signed_in, errors


def sign_in(url: str, password: str = LEAD_PASSWORD) -> tuple[bool, list[str]]:
    """A fresh session signs in as the trust lead: (signed in, error messages shown)."""
    # In a thread of its own: a full run already has Playwright's loop in the main thread.
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _sign_in(url, LEAD, password)).result()


def users(*args, db: Path, timeout: float = 120):
    t0 = time.perf_counter()
    done = faultkit.cli("users", *args, "--db", db, timeout=timeout)
    return done, time.perf_counter() - t0


def refused_after(url: str, t0: float, message: str, limit: float = 60) -> tuple[float, int]:
    """(seconds from t0, attempts) until a fresh sign-in at url shows message (each attempt a new session)."""
    attempts = 0
    while True:
        attempts += 1
        ok, errors = sign_in(url)
        if not ok and errors == [message]:
            return round(time.perf_counter() - t0, 2), attempts
        assert time.perf_counter() - t0 < limit, f"{url} still answers {ok, errors} after {limit} s"


def test_disable_enable_unlock_while_the_writer_and_a_viewer_run(tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = demo_data.build_demo_db(tmp_path / "live.duckdb")
    report = {}
    with contextlib.ExitStack() as stack:
        writer, writer_proc = stack.enter_context(
            app_server.app_process(db, ARTIFACTS / "accounts-writer.log", timeout=90, env={"PSWBENCH_MODE": "writer"})
        )
        viewer, _ = stack.enter_context(
            app_server.app_process(db, ARTIFACTS / "accounts-viewer.log", timeout=90, env={"PSWBENCH_MODE": "viewer"})
        )
        assert sign_in(writer) == (True, [])  # the writer's first page starts its spool watcher
        assert sign_in(viewer) == (True, [])

        # The CLI cannot open the database the writer holds: it sends a request and prints the answer.
        done, took = users("disable", LEAD, db=db)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"{LEAD} is now disabled.", done.stdout
        report["disable_answer_s"] = round(took, 2)
        # Refused by the first sign-in after the answer, at the viewer too: the writer published the
        # snapshot before it answered, and a viewer looks for a new snapshot at every script run.
        t1 = time.perf_counter()
        report["viewer_refuses_s_after_answer"], viewer_attempts = refused_after(viewer, t1, auth.DISABLED_MESSAGE)
        t1 = time.perf_counter()
        report["writer_refuses_s_after_answer"], writer_attempts = refused_after(writer, t1, auth.DISABLED_MESSAGE)
        assert viewer_attempts == writer_attempts == 1, report

        done, took = users("enable", LEAD, db=db)
        assert done.returncode == 0 and "is now enabled" in done.stdout, done.stderr
        report["enable_answer_s"] = round(took, 2)
        assert sign_in(viewer) == (True, []) and sign_in(writer) == (True, [])

        for _ in range(auth.MAX_FAILED_ATTEMPTS):
            ok, errors = sign_in(writer, "not the password at all")
            assert not ok
        assert errors[0].startswith("This account is locked after 5 failed sign-ins.")
        ok, errors = sign_in(writer)
        assert not ok and errors[0].startswith("This account is locked")
        done, took = users("unlock", LEAD, db=db)
        assert done.returncode == 0 and "is now unlocked" in done.stdout, done.stderr
        report["unlock_answer_s"] = round(took, 2)
        assert sign_in(writer) == (True, []) and sign_in(viewer) == (True, [])

        done, _ = users("disable", "ghost@nhs.net", db=db)
        assert done.returncode == 1 and "There is no user with email ghost@nhs.net" in done.stderr

        done, _ = users("list", db=db)  # read from the snapshot while the writer holds the file
        assert done.returncode == 0 and LEAD in done.stdout and "published snapshot" in done.stdout
        assert writer_proc.poll() is None

    answers = [report[k] for k in ("disable_answer_s", "enable_answer_s", "unlock_answer_s")]
    report.update(
        median_answer_s=round(statistics.median(answers), 2), bound_s=ANSWER_BOUND_S, spool_seconds=SPOOL_SECONDS
    )
    (ARTIFACTS / "accounts.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("live account changes:", report)
    assert max(answers) <= ANSWER_BOUND_S, report
    for name in ("accounts-writer", "accounts-viewer"):
        text = (ARTIFACTS / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text, f"{name}.log:\n{text[-3000:]}"

    con = database.connect(db, read_only=True)
    try:
        rows = con.execute(
            "SELECT actor, action, detail FROM audit_log WHERE action IN "
            "('user_disabled', 'user_enabled', 'user_unlocked') ORDER BY audit_id"
        ).fetchall()
    finally:
        con.close()
    assert [a for _, a, _ in rows] == ["user_disabled", "user_enabled", "user_unlocked"]
    assert all(actor.startswith("cli") and json.loads(d)["via"] == "admin_request" for actor, _, d in rows)


def test_with_no_writer_holding_it_the_command_gives_up_and_changes_nothing(tmp_path):
    db = faultkit.demo_copy(tmp_path)
    from pswbench.store import admin_requests

    admin_requests.ensure_key(db)  # as a writer of this version would have made it
    with faultkit.holder(db):
        done, took = users("disable", LEAD, "--wait", "2", db=db)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert "no pswbench writer answered within 2 s. Nothing was changed." in done.stderr
    assert "Traceback" not in done.stderr and took < 30
    assert list(admin_requests.folder(db).iterdir()) == []
    con = database.connect(db)
    try:
        assert con.execute("SELECT disabled FROM app_user WHERE email = ?", [LEAD]).fetchone()[0] is False
    finally:
        con.close()
