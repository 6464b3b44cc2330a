"""Users, password sign-in, lockout, audit records and the `users` CLI."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from argon2 import PasswordHasher

from pswbench.access import auth, throttle, unsafe_text
from pswbench.access.auth import SignInError, User, UserError
from pswbench.cli import users
from pswbench.store import audit, database

PW = "correct horse battery"
T0 = datetime(2026, 1, 12, 9, 0)  # winter: UK time == UTC
PRODUCTION_HASHER = auth.password_hasher  # captured before the fixture swaps in a cheap one


# Cheap argon2 parameters for every test here (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fast_hasher")


@pytest.fixture
def lead(con):
    return auth.add_user(con, "Lead@NHS.net", "trust_lead", "RX4", PW, now=T0)


def audit_rows(con, action=None):
    q = "SELECT actor, action, trust_code, detail, event_at FROM audit_log"
    params = []
    if action:
        q += " WHERE action = ?"
        params.append(action)
    return con.execute(q + " ORDER BY audit_id", params).fetchall()


def user_row(con, email):
    """(failures counted, locked until, disabled) for an email; disabled is None when no account has it."""
    f = auth.failures(con, email)
    disabled = con.execute("SELECT disabled FROM app_user WHERE email = ?", [email]).fetchall()
    return f.count, f.locked_until, disabled[0][0] if disabled else None


def fail(con, email, n, now=T0, password="wrong password!"):
    msgs = []
    for _ in range(n):
        with pytest.raises(SignInError) as ei:
            auth.authenticate(con, email, password, now=now)
        msgs.append(str(ei.value))
    return msgs


# --- schema ---------------------------------------------------------------------------------


def test_schema_is_idempotent_and_checks_role_and_trust(con):
    con.execute(database.sql("schema_users"))
    ins = "INSERT INTO app_user (email, role, trust_code, created_at) VALUES (?, ?, ?, ?)"
    with pytest.raises(duckdb.ConstraintException):
        con.execute(ins, ["a@x.nhs.uk", "admin", None, T0])
    with pytest.raises(duckdb.ConstraintException):
        con.execute(ins, ["b@x.nhs.uk", "trust_lead", None, T0])
    with pytest.raises(duckdb.ConstraintException):
        con.execute(ins, ["c@x.nhs.uk", "analyst", "RX4", T0])
    with pytest.raises(duckdb.ConstraintException):
        con.execute(ins, ["Upper@x.nhs.uk", "analyst", None, T0])
    con.execute(ins, ["d@x.nhs.uk", "analyst", None, T0])
    assert con.execute("SELECT disabled FROM app_user").fetchall() == [(False,)]


# --- audit.record ---------------------------------------------------------------------------


def test_audit_record_text_and_dict_detail(con):
    a = audit.record(con, "x@nhs.net", "export", "RX4", "plain text", at=T0)
    b = audit.record(con, "x@nhs.net", "export", None, {"rows": 3, "file": "a'; DROP TABLE trust;--"})
    assert b > a
    rows = audit_rows(con, "export")
    assert rows[0] == ("x@nhs.net", "export", "RX4", "plain text", T0)
    assert json.loads(rows[1][3]) == {"rows": 3, "file": "a'; DROP TABLE trust;--"}
    assert rows[1][2] is None
    assert con.execute("SELECT count(*) FROM trust").fetchall()[0][0] > 0


def test_audit_record_rejects_blank_actor_and_odd_detail(con):
    with pytest.raises(ValueError):
        audit.record(con, " ", "x")
    with pytest.raises(ValueError):
        audit.record(con, "a", "")
    with pytest.raises(TypeError):
        audit.record(con, "a", "x", detail=object())


def test_audit_record_joins_callers_transaction(con):
    con.execute("BEGIN TRANSACTION")
    audit.record(con, "a", "x")
    con.execute("ROLLBACK")
    assert audit_rows(con, "x") == []


def test_aware_now_is_converted_to_utc(con):
    aware = datetime(2026, 7, 1, 10, 0, tzinfo=timezone(timedelta(hours=1)))
    audit.record(con, "a", "tz", at=aware)
    assert audit_rows(con, "tz")[0][4] == datetime(2026, 7, 1, 9, 0)


# --- add_user / validation ------------------------------------------------------------------


def test_add_user_stores_lower_case_and_argon2_hash(con, lead):
    assert lead == User("lead@nhs.net", "trust_lead", "RX4")
    (h,) = con.execute("SELECT password_hash FROM app_user").fetchall()[0]
    assert h.startswith("$argon2id$") and PW not in h
    assert audit_rows(con, "user_added")[0][2] == "RX4"


def test_add_user_trust_code_is_normalised(con):
    assert auth.add_user(con, "b@nhs.net", "board", " rmy ", PW).trust_code == "RMY"


@pytest.mark.parametrize(
    "email", ["", "no-at-sign", "a@b", "a b@nhs.net", "@nhs.net", "a@@nhs.net", "x" * 250 + "@nhs.net"]
)
def test_add_user_rejects_bad_email(con, email):
    with pytest.raises(UserError):
        auth.add_user(con, email, "analyst", None, PW)


def test_add_user_rejects_bad_role(con):
    with pytest.raises(UserError, match="Role"):
        auth.add_user(con, "a@nhs.net", "admin", None, PW)


@pytest.mark.parametrize("role", ["trust_lead", "board"])
def test_trust_roles_need_a_known_trust(con, role):
    with pytest.raises(UserError, match="needs a trust"):
        auth.add_user(con, "a@nhs.net", role, None, PW)
    with pytest.raises(UserError, match="not in the trust reference"):
        auth.add_user(con, "a@nhs.net", role, "ZZZ", PW)
    assert auth.add_user(con, "a@nhs.net", role, "R1L", PW).trust_code == "R1L"


def test_analyst_must_not_have_trust(con):
    with pytest.raises(UserError, match="analyst"):
        auth.add_user(con, "a@nhs.net", "analyst", "RX4", PW)
    assert auth.add_user(con, "a@nhs.net", "analyst", None, PW).trust_code is None


def test_duplicate_email_refused_case_insensitively(con, lead):
    with pytest.raises(UserError, match="already exists"):
        auth.add_user(con, " LEAD@nhs.net ", "board", "RT1", PW)
    assert auth.list_users(con).height == 1


def test_short_password_refused(con):
    with pytest.raises(UserError, match="at least 12"):
        auth.add_user(con, "a@nhs.net", "analyst", None, "otter-quart")  # 11 characters
    auth.add_user(con, "a@nhs.net", "analyst", None, "otter-quartz")  # 12, two uncommon words


@pytest.mark.parametrize(
    "password,needle",
    [
        (" " * 12, "only spaces"),  # 12 characters, no secret
        ("\t \u00a0\u3000" * 4, "only spaces"),  # other blanks too
        ("Password1234", "too easy to guess"),  # on zxcvbn's common-password list
        ("iloveyou1234", "too easy to guess"),
        ("qwertyuiopas", "too easy to guess"),  # a keyboard row
        ("xxxxxxxxxxxx", "too easy to guess"),  # a repeat
        ("abcdefghijkl", "too easy to guess"),  # a sequence
        ("lead@nhs.net2026", "too easy to guess"),  # the account's own email
        ("pswbench2026", "too easy to guess"),  # the service's name
        ("x" * 257, "at most 256"),  # could never be typed into the sign-in form
    ],
)
def test_weak_passwords_refused_and_nothing_added(con, password, needle):
    with pytest.raises(UserError, match=needle):
        auth.add_user(con, "lead@nhs.net", "trust_lead", "RX4", password)
    assert auth.list_users(con).height == 0
    assert audit_rows(con, "user_added") == []


def test_three_random_words_and_long_passphrases_accepted(con):
    auth.add_user(con, "a@nhs.net", "analyst", None, "mango zebra kettle")
    auth.add_user(con, "b@nhs.net", "analyst", None, "a fairly long passphrase about tulips " * 5)  # > 72
    assert auth.list_users(con).height == 2


@pytest.mark.parametrize(
    "email",
    [
        "lead\u202e@nhs.net",  # right-to-left override: prints as another address
        "le\u200bad@nhs.net",  # zero-width space
        "lead@nhs.net\u2066",  # left-to-right isolate
        "\ufeffa@nhs.net",  # byte-order mark
        "a\x1b[2J@nhs.net",  # terminal escape: clears the screen of whoever lists users
        "a\x07@nhs.net",  # bell
        "a\u00ad@nhs.net",  # soft hyphen
        "a\u3164@nhs.net",  # Hangul filler, shows as blank
        "a\ue000@nhs.net",  # private use
    ],
)
def test_emails_with_hidden_characters_refused(con, email):
    with pytest.raises(UserError, match="does not show as itself") as ei:
        auth.add_user(con, email, "analyst", None, PW)
    assert all(not unsafe_text.is_hidden(ch) for ch in str(ei.value))  # the message itself is safe
    assert auth.list_users(con).height == 0


def test_user_dataclass_is_frozen_and_validated():
    u = User("a@nhs.net", "analyst", None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        u.role = "board"  # type: ignore[misc]
    with pytest.raises(ValueError):
        User("a@nhs.net", "trust_lead", None)
    with pytest.raises(ValueError):
        User("a@nhs.net", "analyst", "RX4")
    with pytest.raises(ValueError):
        User("a@nhs.net", "root", None)


def test_list_users_has_no_hashes(con, lead):
    auth.add_user(con, "a@nhs.net", "analyst", None, None)
    df = auth.list_users(con)
    assert "password_hash" not in df.columns
    assert df["email"].to_list() == ["a@nhs.net", "lead@nhs.net"]
    assert df["has_password"].to_list() == [False, True]


# --- authenticate ---------------------------------------------------------------------------


def test_success_returns_user_and_audits(con, lead):
    u = auth.authenticate(con, " LEAD@nhs.net", PW, now=T0)
    assert u == lead
    rows = audit_rows(con, "sign_in")
    assert rows == [("lead@nhs.net", "sign_in", "RX4", json.dumps({"method": "password"}), T0)]


def test_unknown_email_and_wrong_password_same_message(con, lead):
    with pytest.raises(SignInError) as unknown:
        auth.authenticate(con, "nobody@nhs.net", PW, now=T0)
    with pytest.raises(SignInError) as wrong:
        auth.authenticate(con, "lead@nhs.net", "not the password", now=T0)
    assert str(unknown.value) == str(wrong.value) == auth.SIGN_IN_FAILED_MESSAGE
    reasons = [json.loads(r[3])["reason"] for r in audit_rows(con, "sign_in_failed")]
    assert reasons == ["unknown_email", "wrong_password"]


def test_oidc_only_user_cannot_use_password(con):
    auth.add_user(con, "sso@nhs.net", "analyst", None, None)
    for pw in ("", PW):
        with pytest.raises(SignInError, match="not right"):
            auth.authenticate(con, "sso@nhs.net", pw, now=T0)


def test_four_failures_do_not_lock(con, lead):
    msgs = fail(con, "lead@nhs.net", 4)
    assert all(m == auth.SIGN_IN_FAILED_MESSAGE for m in msgs)
    assert user_row(con, "lead@nhs.net")[:2] == (4, None)
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead


def test_fifth_failure_locks_for_15_minutes(con, lead):
    msgs = fail(con, "lead@nhs.net", 5)
    assert msgs[4] == (
        "This account is locked after 5 failed sign-ins. Try again after 09:15, or ask an HEE analyst to unlock it."
    )
    assert user_row(con, "lead@nhs.net")[:2] == (5, T0 + timedelta(minutes=15))


def test_correct_password_refused_while_locked(con, lead):
    fail(con, "lead@nhs.net", 5)
    for minutes in (0, 1, 14, 14.99):
        with pytest.raises(SignInError, match="locked after 5 failed sign-ins. Try again after 09:15"):
            auth.authenticate(con, "lead@nhs.net", PW, now=T0 + timedelta(minutes=minutes))
    assert len(audit_rows(con, "sign_in_locked")) == 4
    assert audit_rows(con, "sign_in") == []


def test_wrong_password_while_locked_does_not_extend_lock(con, lead):
    fail(con, "lead@nhs.net", 5)
    fail(con, "lead@nhs.net", 3, now=T0 + timedelta(minutes=10))
    assert user_row(con, "lead@nhs.net")[1] == T0 + timedelta(minutes=15)


def test_lock_expires_after_15_minutes(con, lead):
    fail(con, "lead@nhs.net", 5)
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0 + timedelta(minutes=15)) == lead
    assert user_row(con, "lead@nhs.net")[:2] == (0, None)


def test_after_lock_expires_count_starts_again(con, lead):
    fail(con, "lead@nhs.net", 5)
    later = T0 + timedelta(minutes=16)
    msgs = fail(con, "lead@nhs.net", 4, now=later)
    assert all(m == auth.SIGN_IN_FAILED_MESSAGE for m in msgs)
    assert fail(con, "lead@nhs.net", 1, now=later)[0].startswith("This account is locked")


def test_success_resets_counter(con, lead):
    fail(con, "lead@nhs.net", 4)
    auth.authenticate(con, "lead@nhs.net", PW, now=T0)
    assert user_row(con, "lead@nhs.net")[0] == 0
    msgs = fail(con, "lead@nhs.net", 4)
    assert all(m == auth.SIGN_IN_FAILED_MESSAGE for m in msgs)


def test_lock_time_shown_in_uk_time_in_summer(con, lead):
    summer = datetime(2026, 7, 1, 9, 0)  # 10:00 BST
    msgs = fail(con, "lead@nhs.net", 5, now=summer)
    assert "Try again after 10:15" in msgs[-1]


def test_disabled_account_refused_even_with_correct_password(con, lead):
    auth.set_disabled(con, "lead@nhs.net", True)
    with pytest.raises(SignInError, match="disabled"):
        auth.authenticate(con, "lead@nhs.net", PW, now=T0)
    # A wrong password on a disabled account gets the ordinary message.
    with pytest.raises(SignInError) as ei:
        auth.authenticate(con, "lead@nhs.net", "wrong password!", now=T0)
    assert str(ei.value) == auth.SIGN_IN_FAILED_MESSAGE
    assert json.loads(audit_rows(con, "sign_in_failed")[0][3]) == {"reason": "disabled"}
    auth.set_disabled(con, "lead@nhs.net", False)
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead


def test_enable_and_unlock_clear_lock(con, lead):
    fail(con, "lead@nhs.net", 5)
    auth.unlock(con, "lead@nhs.net")
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead
    fail(con, "lead@nhs.net", 5)
    auth.set_disabled(con, "lead@nhs.net", True)
    auth.set_disabled(con, "lead@nhs.net", False)
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead
    actions = [r[1] for r in audit_rows(con)]
    assert {"user_unlocked", "user_disabled", "user_enabled"} <= set(actions)


def test_set_disabled_unknown_user(con):
    with pytest.raises(UserError, match="no user"):
        auth.set_disabled(con, "ghost@nhs.net", True)
    with pytest.raises(UserError):
        auth.unlock(con, "ghost@nhs.net")


def test_every_attempt_is_audited(con, lead):
    auth.authenticate(con, "lead@nhs.net", PW, now=T0)
    fail(con, "lead@nhs.net", 5)
    fail(con, "lead@nhs.net", 1, password=PW)
    fail(con, "who@nhs.net", 1)
    actions = [r[1] for r in audit_rows(con) if r[1].startswith("sign_in")]
    assert actions == ["sign_in"] + ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in_failed"]


def test_state_change_rolled_back_with_audit_failure(con, lead, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", boom)
    with pytest.raises(RuntimeError):
        auth.authenticate(con, "lead@nhs.net", "wrong password!", now=T0)
    assert user_row(con, "lead@nhs.net")[0] == 0  # the counter change was rolled back too


def test_rehash_when_parameters_change(con, lead, monkeypatch):
    old = con.execute("SELECT password_hash FROM app_user").fetchall()[0][0]
    monkeypatch.setattr(auth, "password_hasher", lambda: PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    auth.authenticate(con, "lead@nhs.net", PW, now=T0)
    new = con.execute("SELECT password_hash FROM app_user").fetchall()[0][0]
    assert new != old and "m=16,t=2" in new
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead


def test_default_hasher_uses_library_defaults():
    h, default = PRODUCTION_HASHER(), PasswordHasher()
    assert (h.time_cost, h.memory_cost, h.parallelism) == (default.time_cost, default.memory_cost, default.parallelism)


# --- user_for_email (OIDC) ------------------------------------------------------------------


def test_user_for_email(con, lead):
    assert auth.user_for_email(con, "  Lead@NHS.NET ") == lead
    assert auth.user_for_email(con, "nobody@nhs.net") is None
    assert auth.user_for_email(con, None) is None
    assert auth.user_for_email(con, "") is None
    auth.set_disabled(con, "lead@nhs.net", True)
    assert auth.user_for_email(con, "lead@nhs.net") is None


# --- users CLI ------------------------------------------------------------------------------


class FakeStdin(io.StringIO):
    def __init__(self, text, tty=False):
        super().__init__(text)
        self._tty = tty

    def isatty(self):
        return self._tty


def cli(argv, monkeypatch, stdin_text="", tty=False):
    parser = argparse.ArgumentParser(prog="pswbench")
    sub = parser.add_subparsers(dest="command", required=True)
    users.add_arguments(sub)
    args = parser.parse_args(argv)
    monkeypatch.setattr("sys.stdin", FakeStdin(stdin_text, tty))
    return users.run(args)


def test_cli_add_list_disable_enable(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "c.duckdb")
    assert (
        cli(
            ["users", "add", "Lead@nhs.net", "--role", "trust_lead", "--trust", "RX4", "--db", db],
            monkeypatch,
            PW + "\nignored second line\n",
        )
        == 0
    )
    assert "Added lead@nhs.net as trust_lead for trust RX4" in capsys.readouterr().out
    assert cli(["users", "add", "hee@nhs.net", "--role", "analyst", "--no-password", "--db", db], monkeypatch) == 0
    assert cli(["users", "list", "--db", db], monkeypatch) == 0
    out = capsys.readouterr().out
    assert "lead@nhs.net" in out and "RX4" in out and "single sign-on only" in out and "$argon2" not in out
    assert cli(["users", "disable", "lead@nhs.net", "--db", db], monkeypatch) == 0
    cli(["users", "list", "--db", db], monkeypatch)
    assert "disabled" in capsys.readouterr().out
    assert cli(["users", "enable", "lead@nhs.net", "--db", db], monkeypatch) == 0
    assert cli(["users", "unlock", "lead@nhs.net", "--db", db], monkeypatch) == 0
    c = database.connect(db)
    try:
        assert auth.authenticate(c, "lead@nhs.net", PW) == User("lead@nhs.net", "trust_lead", "RX4")
    finally:
        c.close()


def test_cli_password_from_stdin_strips_only_newline(tmp_path, monkeypatch):
    db = str(tmp_path / "c.duckdb")
    assert (
        cli(["users", "add", "a@nhs.net", "--role", "analyst", "--db", db], monkeypatch, " spaced password \r\n") == 0
    )
    c = database.connect(db)
    try:
        assert auth.authenticate(c, "a@nhs.net", " spaced password ").role == "analyst"
    finally:
        c.close()


def test_cli_password_from_terminal_asks_twice(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "c.duckdb")
    answers = iter([PW, PW + "x"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": next(answers))
    assert cli(["users", "add", "a@nhs.net", "--role", "analyst", "--db", db], monkeypatch, tty=True) == 1
    assert "do not match" in capsys.readouterr().err
    answers = iter([PW, PW])
    assert cli(["users", "add", "a@nhs.net", "--role", "analyst", "--db", db], monkeypatch, tty=True) == 0


@pytest.mark.parametrize(
    "argv,stdin,needle",
    [
        (["users", "add", "a@nhs.net", "--role", "analyst"], "", "No password"),
        (["users", "add", "a@nhs.net", "--role", "analyst"], "\n", "No password"),
        (["users", "add", "a@nhs.net", "--role", "analyst"], "short\n", "at least 12"),
        (["users", "add", "bad-email", "--role", "analyst"], PW, "email address"),
        (["users", "add", "a@nhs.net", "--role", "trust_lead"], PW, "needs a trust"),
        (["users", "add", "a@nhs.net", "--role", "board", "--trust", "NOPE"], PW, "not in the trust"),
        (["users", "disable", "ghost@nhs.net"], "", "no user"),
        (["users", "enable", "ghost@nhs.net"], "", "no user"),
    ],
)
def test_cli_errors_exit_1_with_message(tmp_path, monkeypatch, capsys, argv, stdin, needle):
    db = str(tmp_path / "c.duckdb")
    assert cli(argv + ["--db", db], monkeypatch, stdin) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and needle in err


def test_cli_unreadable_database(tmp_path, monkeypatch, capsys):
    bad = tmp_path / "not-a-db.duckdb"
    bad.write_bytes(b"this is not duckdb" * 100)
    assert cli(["users", "list", "--db", str(bad)], monkeypatch) == 1
    assert "could not be opened" in capsys.readouterr().err


def test_cli_duplicate_user(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "c.duckdb")
    args = ["users", "add", "a@nhs.net", "--role", "analyst", "--db", db]
    assert cli(args, monkeypatch, PW) == 0
    assert cli(args, monkeypatch, PW) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_role_choices_enforced_by_parser(monkeypatch):
    with pytest.raises(SystemExit):
        cli(["users", "add", "a@nhs.net", "--role", "admin"], monkeypatch)


# --- the same lockout for every email -----------------------------------------------------------

SEQUENCE = [(0, "wrong password!")] * 5 + [
    (1, PW),
    (14, "wrong password!"),
    (16, "wrong password!"),
    (16, "still wrong!"),
    (40, "wrong again!"),
]


def messages(con, email):
    """What the person signing in sees at each step of SEQUENCE (minutes after T0, password)."""
    out = []
    for minutes, password in SEQUENCE:
        with pytest.raises(SignInError) as ei:
            auth.authenticate(con, email, password, now=T0 + timedelta(minutes=minutes))
        out.append(str(ei.value))
    return out


def test_unknown_and_known_emails_get_identical_messages_and_lock_alike(con, lead):
    auth.add_user(con, "sso@nhs.net", "analyst", None, None)  # single sign-on only: no password
    known, unknown, sso = messages(con, "lead@nhs.net"), messages(con, "nobody@nhs.net"), messages(con, "sso@nhs.net")
    assert known == unknown == sso
    assert known[:4] == [auth.SIGN_IN_FAILED_MESSAGE] * 4
    assert known[4] == known[5] == known[6] == auth.locked_message(T0 + timedelta(minutes=15))
    assert known[7:] == [auth.SIGN_IN_FAILED_MESSAGE] * 3  # the lock ran out: counting starts again
    assert user_row(con, "nobody@nhs.net")[:2] == user_row(con, "lead@nhs.net")[:2] == (1, None)


def test_an_unknown_email_is_locked_without_creating_an_account(con, lead):
    fail(con, "nobody@nhs.net", 5)
    assert auth.failures(con, "nobody@nhs.net").locked_until == T0 + timedelta(minutes=15)
    assert auth.list_users(con)["email"].to_list() == ["lead@nhs.net"]
    assert auth.failures(con, "lead@nhs.net").count == 0  # another email is untouched


def test_failures_are_forgotten_fifteen_minutes_after_the_last(con, lead):
    for email in ("lead@nhs.net", "nobody@nhs.net"):
        fail(con, email, 4)
        fail(con, email, 1, now=T0 + timedelta(minutes=15, seconds=1))  # a new run of one
        assert user_row(con, email)[:2] == (1, None)
        fail(con, email, 4, now=T0 + timedelta(minutes=20))  # ... and five in a row lock
        assert user_row(con, email)[1] == T0 + timedelta(minutes=35)


def test_every_password_attempt_costs_one_argon2_verification(con, lead, monkeypatch):
    auth.add_user(con, "sso@nhs.net", "analyst", None, None)
    con.execute("INSERT INTO app_user VALUES ('broken@nhs.net', 'analyst', NULL, 'not-a-hash', false, ?)", [T0])
    verified = []
    real = auth.password_hasher()

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash == auth._dummy_hash(real))
            return real.verify(hash, password)

    counting = Counting(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(auth, "password_hasher", lambda: counting)
    for email in ("lead@nhs.net", "nobody@nhs.net", "sso@nhs.net", "broken@nhs.net", ""):
        verified.clear()
        fail(con, email, 1)
        assert len(verified) == 1 + (email == "broken@nhs.net"), email  # a damaged hash: plus one dummy
    verified.clear()
    assert auth.authenticate(con, "lead@nhs.net", PW, now=T0) == lead
    assert verified == [False]


def test_unknown_emails_tracked_are_bounded_and_accounts_never_evicted(con, lead, monkeypatch):
    monkeypatch.setattr(throttle, "MAX_TRACKED_UNKNOWN", 3)
    fail(con, "lead@nhs.net", 4)
    for i in range(8):
        fail(con, f"spray{i}@nhs.net", 1, now=T0 + timedelta(seconds=i))
    tracked = [r[0] for r in con.execute("SELECT email FROM sign_in_throttle ORDER BY email").fetchall()]
    assert tracked == ["lead@nhs.net", "spray5@nhs.net", "spray6@nhs.net", "spray7@nhs.net"]
    assert auth.failures(con, "lead@nhs.net").count == 4


def test_records_that_no_longer_count_are_pruned(con, lead):
    fail(con, "nobody@nhs.net", 5)  # locked until 09:15
    fail(con, "other@nhs.net", 1, now=T0 + timedelta(minutes=10))
    fail(con, "late@nhs.net", 1, now=T0 + timedelta(minutes=15))
    assert auth.failures(con, "nobody@nhs.net").count == 0  # its lock ran out at 09:15: row deleted
    assert con.execute("SELECT email FROM sign_in_throttle ORDER BY 1").fetchall() == [
        ("late@nhs.net",),
        ("other@nhs.net",),
    ]


def test_a_database_from_before_the_throttle_table_keeps_its_locks(tmp_path):
    path = tmp_path / "old.duckdb"
    c = database.connect(path)
    c.execute("DROP TABLE sign_in_throttle")
    c.execute("ALTER TABLE app_user ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0")
    c.execute("ALTER TABLE app_user ADD COLUMN locked_until TIMESTAMP")
    c.execute(
        "INSERT INTO app_user VALUES ('old@nhs.net', 'analyst', NULL, NULL, false, ?, 5, ?)", [T0, datetime(2999, 1, 1)]
    )
    c.close()
    c = database.connect(path)
    try:
        assert auth.failures(c, "old@nhs.net").locked_until == datetime(2999, 1, 1)
        cols = [r[0] for r in c.execute("DESCRIBE app_user").fetchall()]
        assert "failed_attempts" not in cols and "locked_until" not in cols
    finally:
        c.close()


def test_users_list_prints_no_raw_control_character(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "c.duckdb")
    c = database.connect(db)
    # Rows from before emails were checked: inserted directly, as an old version could have.
    for email in ("a\x1b[2j\x1b]0;owned\x07@nhs.net", "lead\u202e@nhs.net", "b\u200b@nhs.net"):
        c.execute("INSERT INTO app_user VALUES (?, 'analyst', NULL, NULL, false, ?)", [email, T0])
    c.close()
    assert cli(["users", "list", "--db", db], monkeypatch) == 0
    out = capsys.readouterr().out
    assert [ch for ch in out if unsafe_text.is_hidden(ch) and ch != "\n"] == []
    assert "a\\x1b[2j\\x1b]0;owned\\x07@nhs.net" in out and "lead\\u202e@nhs.net" in out and "b\\u200b@nhs.net" in out
