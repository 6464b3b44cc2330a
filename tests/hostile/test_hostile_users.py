"""Hostile sign-ins through the real sign-in form (AppTest): guessing until locked, injection-shaped
emails and passwords, and a disabled account. pswbench.access.auth's own rules are unit-tested in
tests/unit/access/test_auth.py; here the form, the session and the database are checked around them."""

from __future__ import annotations

import pytest

from pswbench.access import auth
from pswbench.store import database
from tests.helpers.apptest_helpers import SIGN_IN_TITLE, audit_count, cursor, new_app, submit_sign_in
from tests.hostile.hostile_helpers import assert_not_in_markdown, markdown_texts

EMAIL = "lead@rx4.nhs.uk"
PASSWORD = "correct-horse-battery-1"
DISABLED = "gone@rx4.nhs.uk"
DISABLED_PASSWORD = "a-long-enough-password-2"
HOSTILE_PASSWORDS = [
    "' OR '1'='1",
    "'; DROP TABLE app_user; --",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "x" * 256,
]
HOSTILE_EMAILS = [
    "' OR '1'='1",
    "' OR 1=1 --@nhs.uk",
    f"{EMAIL}' --",
    "<script>alert(1)</script>@nhs.uk",
    "=cmd|' /C calc'!A0@nhs.uk",
    "*",
]


@pytest.fixture
def users_db(tmp_path, monkeypatch):
    path = tmp_path / "users.duckdb"
    monkeypatch.setenv("PSWBENCH_DB", str(path))
    con = database.connect(path)
    auth.add_user(con, EMAIL, "trust_lead", "RX4", PASSWORD)
    auth.add_user(con, DISABLED, "board", "RX4", DISABLED_PASSWORD)
    auth.set_disabled(con, DISABLED, True)
    con.close()
    return path


def table_counts() -> dict[str, int]:
    """Rows per table, but the two every attempt may write: the audit log and the failure counts."""
    with cursor() as cur:
        names = [
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
            ).fetchall()
        ]
        return {
            n: cur.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0]
            for n in names
            if n not in ("audit_log", "sign_in_throttle")
        }


def account(email: str) -> tuple:
    """(failures counted for the email, locked, disabled); disabled is None when no account has it."""
    with cursor() as cur:
        failures = auth.failures(cur, email)
        disabled = cur.execute("SELECT disabled FROM app_user WHERE email = ?", [email]).fetchall()
        return failures.count, failures.locked_until is not None, disabled[0][0] if disabled else None


def assert_still_signed_out(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert "user" not in at.session_state
    assert [t.label for t in at.text_input] == ["Email address", "Password"]
    assert not at.dataframe and not at.metric and not at.sidebar.page_link


def test_guessing_locks_the_account_and_then_even_the_right_password_is_refused(users_db):
    at = new_app().run()
    counts = table_counts()
    shown = []
    for password in HOSTILE_PASSWORDS:  # five wrong guesses, each shaped to break something
        submit_sign_in(at, EMAIL, password)
        assert_still_signed_out(at)
        shown.append([e.value for e in at.error])
        assert_not_in_markdown(at, password if len(password) < 256 else "x" * 20, "<script", "DROP TABLE")
    assert shown[:4] == [[auth.SIGN_IN_FAILED_MESSAGE]] * 4
    assert len(shown[4]) == 1 and shown[4][0].startswith("This account is locked after 5 failed sign-ins.")
    assert account(EMAIL) == (5, True, False)

    submit_sign_in(at, EMAIL, PASSWORD)  # the right password, while locked
    assert_still_signed_out(at)
    assert [e.value for e in at.error][0].startswith("This account is locked after 5 failed sign-ins.")
    assert audit_count("sign_in_failed", EMAIL, '%"wrong_password"%') == 5
    assert audit_count("sign_in_locked", EMAIL) == 1
    assert audit_count("sign_in", EMAIL) == 0
    assert table_counts() == counts  # no table lost or gained a row (but the audit log)


def test_injection_shaped_emails_get_the_plain_refusal_and_touch_no_account(users_db):
    at = new_app().run()
    counts = table_counts()
    for email in HOSTILE_EMAILS:
        submit_sign_in(at, email, PASSWORD)  # the real account's password, with a hostile email
        assert_still_signed_out(at)
        assert [e.value for e in at.error] == [auth.SIGN_IN_FAILED_MESSAGE], email
        assert_not_in_markdown(at, email)
        assert all("<script" not in t for t in markdown_texts(at))
    assert account(EMAIL) == (0, False, False)  # the real account was not matched or locked
    for email in HOSTILE_EMAILS:  # each typed email counted as itself, no account made
        assert account(email) == (1, False, None), email
    assert audit_count("sign_in", EMAIL) == 0
    assert table_counts() == counts


def test_a_disabled_account_is_refused_with_its_message_even_with_the_right_password(users_db):
    at = new_app().run()
    submit_sign_in(at, DISABLED, DISABLED_PASSWORD)
    assert_still_signed_out(at)
    assert [e.value for e in at.error] == [auth.DISABLED_MESSAGE]
    assert audit_count("sign_in_failed", DISABLED, '%"disabled"%') == 1
    assert audit_count("sign_in", DISABLED) == 0
    # The same form still signs in an enabled user: the refusal was about the account, not the app.
    submit_sign_in(at, EMAIL, PASSWORD)
    assert not at.exception and at.session_state["user"].email == EMAIL
