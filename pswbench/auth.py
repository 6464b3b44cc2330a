"""Dashboard users and password sign-in.

Passwords are hashed with argon2 (argon2-cffi). Sign-in rules:

* an unknown email and a wrong password get the same message (we do not reveal which);
* after ``MAX_FAILED_ATTEMPTS`` failures in a row the account is locked for ``LOCK_DURATION``;
  while it is locked even the correct password is refused;
* a disabled account is refused;
* a successful sign-in resets the failure count.

Every attempt is written to audit_log ('sign_in', 'sign_in_failed' or 'sign_in_locked'), in the
same transaction as the change to the user's row. Times are stored as naive UTC.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import audit

ROLES = ("analyst", "trust_lead", "board")
ROLES_WITH_TRUST = ("trust_lead", "board")
MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_EMAIL_LENGTH = 254
DISPLAY_ZONE = ZoneInfo("Europe/London")

SIGN_IN_FAILED_MESSAGE = "The email address or password is not right. Check them and try again."
DISABLED_MESSAGE = "This account has been disabled. Ask an HEE analyst if you need access."
LOCKED_MESSAGE = (
    "This account is locked after {n} failed sign-ins. "
    "Try again after {time}, or ask an HEE analyst to unlock it."
)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _hasher() -> PasswordHasher:
    """The password hasher. Default (production) argon2 parameters; tests may monkeypatch this."""
    return PasswordHasher()


class SignInError(Exception):
    """Sign-in refused. str(exc) is a plain message that can be shown to the person signing in."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UserError(ValueError):
    """A user-management request that cannot be carried out; str(exc) says why in plain words."""


@dataclass(frozen=True)
class User:
    email: str
    role: str
    trust_code: str | None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role in ROLES_WITH_TRUST and not self.trust_code:
            raise ValueError(f"a {self.role} user must belong to a trust")
        if self.role == "analyst" and self.trust_code is not None:
            raise ValueError("an analyst user has no trust")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _validate_email(email: str) -> str:
    e = normalise_email(email)
    if len(e) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(e):
        raise UserError(f"{email!r} does not look like an email address (name@organisation.nhs.uk).")
    return e


def _transaction(con: duckdb.DuckDBPyConnection):
    class _Tx:
        def __enter__(self):
            con.execute("BEGIN TRANSACTION")
            return con

        def __exit__(self, exc_type, exc, tb):
            if exc_type is None:
                con.execute("COMMIT")
            else:
                con.execute("ROLLBACK")
            return False

    return _Tx()


def _user_row(con: duckdb.DuckDBPyConnection, email: str):
    rows = con.execute(
        "SELECT email, role, trust_code, password_hash, disabled, failed_attempts, locked_until "
        "FROM app_user WHERE email = ?",
        [email],
    ).fetchall()
    return rows[0] if rows else None


def add_user(
    con: duckdb.DuckDBPyConnection,
    email: str,
    role: str,
    trust_code: str | None,
    password: str | None,
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> User:
    """Create a user. password None makes an OIDC-only user (no password sign-in).

    Raises UserError for a bad email, role, trust, a short password, or an existing user.
    """
    e = _validate_email(email)
    if role not in ROLES:
        raise UserError(f"Role must be one of {', '.join(ROLES)}; got {role!r}.")
    code = trust_code.strip().upper() if trust_code else None
    if role == "analyst":
        if code is not None:
            raise UserError("An analyst sees every trust, so must not be given a trust code.")
    else:
        if code is None:
            raise UserError(f"A {role} user needs a trust code (for example RX4).")
        if not con.execute("SELECT 1 FROM trust WHERE trust_code = ?", [code]).fetchall():
            raise UserError(f"Trust code {code} is not in the trust reference list.")
    password_hash = None
    if password is not None:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise UserError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
        password_hash = _hasher().hash(password)
    at = audit.as_utc_naive(now)
    with _transaction(con):
        if _user_row(con, e) is not None:
            raise UserError(f"A user with email {e} already exists.")
        con.execute(
            "INSERT INTO app_user (email, role, trust_code, password_hash, disabled, "
            "failed_attempts, locked_until, created_at) VALUES (?, ?, ?, ?, false, 0, NULL, ?)",
            [e, role, code, password_hash, at],
        )
        audit.record(
            con, actor, "user_added", code,
            {"email": e, "role": role, "password": password_hash is not None}, at=at,
        )
    return User(e, role, code)


def set_disabled(
    con: duckdb.DuckDBPyConnection,
    email: str,
    disabled: bool,
    *,
    actor: str = "system",
    now: datetime | None = None,
) -> None:
    """Disable or enable a user. Enabling also clears any lock and failure count."""
    e = normalise_email(email)
    at = audit.as_utc_naive(now)
    with _transaction(con):
        row = _user_row(con, e)
        if row is None:
            raise UserError(f"There is no user with email {e}.")
        if disabled:
            con.execute("UPDATE app_user SET disabled = true WHERE email = ?", [e])
        else:
            con.execute(
                "UPDATE app_user SET disabled = false, failed_attempts = 0, locked_until = NULL "
                "WHERE email = ?",
                [e],
            )
        audit.record(
            con, actor, "user_disabled" if disabled else "user_enabled", row[2], {"email": e}, at=at
        )


def unlock(
    con: duckdb.DuckDBPyConnection, email: str, *, actor: str = "system", now: datetime | None = None
) -> None:
    """Clear a sign-in lock and the failure count (does not change disabled)."""
    e = normalise_email(email)
    at = audit.as_utc_naive(now)
    with _transaction(con):
        row = _user_row(con, e)
        if row is None:
            raise UserError(f"There is no user with email {e}.")
        con.execute(
            "UPDATE app_user SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [e]
        )
        audit.record(con, actor, "user_unlocked", row[2], {"email": e}, at=at)


def list_users(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every user, by email, without password hashes (has_password says whether one is set)."""
    return con.sql(
        "SELECT email, role, trust_code, password_hash IS NOT NULL AS has_password, disabled, "
        "failed_attempts, locked_until, created_at FROM app_user ORDER BY email"
    ).pl()


def account_for_email(con: duckdb.DuckDBPyConnection, email: str | None) -> tuple[User, bool] | None:
    """The user for an email and whether the account is disabled, or None when there is none."""
    e = normalise_email(email or "")
    row = _user_row(con, e) if e else None
    return None if row is None else (User(row[0], row[1], row[2]), bool(row[4]))


def user_for_email(con: duckdb.DuckDBPyConnection, email: str | None) -> User | None:
    """The user for an email, or None when unknown or disabled."""
    found = account_for_email(con, email)
    return None if found is None or found[1] else found[0]


def _display_time(utc_naive: datetime) -> str:
    return utc_naive.replace(tzinfo=ZoneInfo("UTC")).astimezone(DISPLAY_ZONE).strftime("%H:%M")


def locked_message(locked_until: datetime) -> str:
    """The message for a locked account; the time is shown in UK time (Europe/London)."""
    return LOCKED_MESSAGE.format(n=MAX_FAILED_ATTEMPTS, time=_display_time(locked_until))


def authenticate(
    con: duckdb.DuckDBPyConnection, email: str, password: str, now: datetime | None = None
) -> User:
    """Check an email and password; return the User or raise SignInError with a plain message.

    now: the time of the attempt (naive = UTC), for tests; default the current time.
    """
    at = audit.as_utc_naive(now)
    e = normalise_email(email)
    actor = e[:MAX_EMAIL_LENGTH] or "(blank)"
    hasher = _hasher()
    password = password or ""

    row = _user_row(con, e) if e else None
    if row is None or row[3] is None:
        # Spend the same effort as a real check so timing does not reveal unknown emails.
        hasher.hash(password or "x")
        reason = "unknown_email" if row is None else "no_password"
        with _transaction(con):
            audit.record(con, actor, "sign_in_failed", row[2] if row else None,
                         {"reason": reason}, at=at)
        raise SignInError(SIGN_IN_FAILED_MESSAGE)

    _, role, trust_code, password_hash, disabled, failed, locked_until = row
    if locked_until is not None and locked_until > at:
        with _transaction(con):
            audit.record(con, actor, "sign_in_locked", trust_code,
                         {"locked_until": locked_until.isoformat()}, at=at)
        raise SignInError(locked_message(locked_until))

    try:
        ok = hasher.verify(password_hash, password)
        bad_hash = False
    except InvalidHashError:
        ok, bad_hash = False, True
    except VerificationError:
        ok, bad_hash = False, False

    if ok and not disabled:
        new_hash = hasher.hash(password) if hasher.check_needs_rehash(password_hash) else password_hash
        with _transaction(con):
            con.execute(
                "UPDATE app_user SET failed_attempts = 0, locked_until = NULL, password_hash = ? "
                "WHERE email = ?",
                [new_hash, e],
            )
            audit.record(con, actor, "sign_in", trust_code, {"method": "password"}, at=at)
        return User(e, role, trust_code)

    if ok and disabled:
        with _transaction(con):
            audit.record(con, actor, "sign_in_failed", trust_code, {"reason": "disabled"}, at=at)
        raise SignInError(DISABLED_MESSAGE)

    # Wrong password. Re-read the counters inside the transaction so concurrent attempts all count.
    with _transaction(con):
        current = _user_row(con, e)
        if current is not None:
            failed, locked_until = current[5], current[6]
        if locked_until is not None and locked_until > at:
            # Another attempt locked the account while this password was being checked.
            audit.record(con, actor, "sign_in_locked", trust_code,
                         {"locked_until": locked_until.isoformat()}, at=at)
            new_lock = locked_until
        else:
            # A lock that has run out starts the count again.
            attempts = (0 if locked_until is not None else failed) + 1
            new_lock = at + LOCK_DURATION if attempts >= MAX_FAILED_ATTEMPTS else None
            con.execute(
                "UPDATE app_user SET failed_attempts = ?, locked_until = ? WHERE email = ?",
                [attempts, new_lock, e],
            )
            detail = {"reason": "invalid_hash" if bad_hash else "wrong_password",
                      "failed_attempts": attempts}
            if new_lock is not None:
                detail["locked_until"] = new_lock.isoformat()
            audit.record(con, actor, "sign_in_failed", trust_code, detail, at=at)
    if new_lock is not None:
        raise SignInError(locked_message(new_lock))
    raise SignInError(SIGN_IN_FAILED_MESSAGE)
