"""Dashboard users and password sign-in.

Passwords are hashed with argon2 (argon2-cffi). Sign-in rules, the same for an email no account has
as for a real account, so neither the messages nor the time taken say which emails exist:

* an unknown email, an account without a password (single sign-on only) and a wrong password get the
  same message, after the same argon2 work (an email with no hash is checked against a dummy hash);
* ``MAX_FAILED_ATTEMPTS`` failures for an email, each within ``FAILURE_WINDOW`` of the one before,
  lock that email for ``LOCK_DURATION``, known or not (pswbench.access.throttle keeps the count per email);
  while it is locked even the correct password is refused, and no password is checked;
* a disabled account is refused (with its own message, only when the password is right);
* a successful sign-in at the writer resets the count (a viewer's never does: pswbench.store.viewer_mode).

check_password decides an attempt without writing anything; authenticate (the writer) and
viewer.authenticate (read-only viewers) both use it and differ only in where the outcome is kept.
Every attempt is written to audit_log ('sign_in', 'sign_in_failed' or 'sign_in_locked'), in the
same transaction as the change to the failure count. Times are stored as naive UTC.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pswbench.access import passwords, throttle, unsafe_text
from pswbench.access.throttle import MAX_FAILED_ATTEMPTS, Failures
from pswbench.store import audit, database

ROLES = ("analyst", "trust_lead", "board")
ROLES_WITH_TRUST = ("trust_lead", "board")
MAX_EMAIL_LENGTH = 254
DISPLAY_ZONE = ZoneInfo("Europe/London")
# Where a browser asked to go before it was signed in (a shared link such as /snapshot?trust=RT1):
# the sign-in route sends it there afterwards, when safe_next allows the path.
NEXT_PARAM = "next"
NEXT_KEY = "pswbench_next_path"  # session state: the requested path, kept while the sign-in screen shows
# One page of this app (a lowercase first letter: never //host, /\host, /_stcore or /_pswbench) and a
# query of plain URL characters (no scheme, host, slash, backslash or fragment), at most 500 of them.
_SAFE_NEXT = re.compile(r"/[a-z][a-z0-9_-]{0,63}(?:\?[A-Za-z0-9_.~%=&+-]{0,500})?")


def safe_next(path: str | None) -> str | None:
    """path when it is a same-site page of this app with its query, else None (never an open redirect)."""
    return path if path and _SAFE_NEXT.fullmatch(path) else None


def requested_next(url_path: str, query: dict[str, str]) -> str | None:
    """The page and query a signed-out browser asked for, as a path safe_next accepts, or None for
    the default page (the role's landing page is right then)."""
    from urllib.parse import urlencode

    if not url_path:
        return None
    return safe_next(f"/{url_path}" + (f"?{urlencode(query)}" if query else ""))


_RETRIES = 3  # a write that conflicts with a concurrent attempt's is tried again this often

SIGN_IN_FAILED_MESSAGE = "The email address or password is not right. Check them and try again."
DISABLED_MESSAGE = "This account has been disabled. Ask an HEE analyst if you need access."
LOCKED_MESSAGE = (
    "This account is locked after {n} failed sign-ins. Try again after {time}, or ask an HEE analyst to unlock it."
)

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def password_hasher() -> PasswordHasher:
    """The password hasher. Default (production) argon2 parameters; tests may monkeypatch this."""
    return PasswordHasher()


@lru_cache(maxsize=4)
def _dummy_for(params: tuple) -> str:
    return PasswordHasher(*params).hash(secrets.token_hex(16))


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash with hasher's parameters whose password nobody knows: verified when an email has none,
    so that attempt costs what a real check costs."""
    return _dummy_for(
        (
            hasher.time_cost,
            hasher.memory_cost,
            hasher.parallelism,
            hasher.hash_len,
            hasher.salt_len,
            "utf-8",
            hasher.type,
        )
    )


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


def attempt_key(email: str) -> str:
    """The email of a sign-in attempt as recorded: audit actor and failure-count key alike."""
    return normalise_email(email)[:MAX_EMAIL_LENGTH] or "(blank)"


def _validate_email(email: str) -> str:
    e = normalise_email(email)
    hidden = unsafe_text.hidden_characters(e)
    if hidden:
        where = ", ".join(f"{name} at character {i}" for i, name in hidden[:3])
        raise UserError(
            f"'{unsafe_text.escape(email)}' contains a character that does not show as itself "
            f"({where}{', ...' if len(hidden) > 3 else ''}). Type the address again by hand."
        )
    if len(e) > MAX_EMAIL_LENGTH or not _EMAIL_RE.match(e):
        raise UserError(
            f"'{unsafe_text.escape(email)}' does not look like an email address (name@organisation.nhs.uk)."
        )
    return e


def user_row(con: duckdb.DuckDBPyConnection, email: str):
    """(email, role, trust_code, password_hash, disabled) of the account with this email, or None."""
    rows = con.execute(database.sql("queries/user_by_email"), {"email": email}).fetchall()
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

    Raises UserError for a bad email, role, trust, a weak password (pswbench.access.passwords), or an
    existing user.
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
        if not con.execute(database.sql("queries/trust_exists"), {"trust_code": code}).fetchall():
            raise UserError(f"Trust code {code} is not in the trust reference list.")
    password_hash = None
    if password is not None:
        try:
            passwords.check(password, e, code, role)
        except passwords.WeakPassword as exc:
            raise UserError(str(exc)) from None
        password_hash = password_hasher().hash(password)
    at = audit.as_utc_naive(now)
    with database.transaction(con):
        if user_row(con, e) is not None:
            raise UserError(f"A user with email {e} already exists.")
        con.execute(
            database.sql("queries/insert_user"),
            {"email": e, "role": role, "trust_code": code, "password_hash": password_hash, "created_at": at},
        )
        audit.record(
            con,
            actor,
            "user_added",
            code,
            {"email": e, "role": role, "password": password_hash is not None},
            at=at,
        )
    return User(e, role, code)


def set_disabled(
    con: duckdb.DuckDBPyConnection,
    email: str,
    disabled: bool,
    *,
    actor: str = "system",
    now: datetime | None = None,
    detail: dict | None = None,
) -> None:
    """Disable or enable a user. Enabling also clears any lock and failure count.

    detail: more to say in the audit row (an admin request's id, for example)."""
    e = normalise_email(email)
    at = audit.as_utc_naive(now)
    with database.transaction(con):
        row = user_row(con, e)
        if row is None:
            raise UserError(f"There is no user with email {e}.")
        con.execute(database.sql("queries/set_user_disabled"), {"disabled": disabled, "email": e})
        if not disabled:
            throttle.forget(con, e)
        audit.record(
            con, actor, "user_disabled" if disabled else "user_enabled", row[2], {"email": e, **(detail or {})}, at=at
        )


def unlock(
    con: duckdb.DuckDBPyConnection,
    email: str,
    *,
    actor: str = "system",
    now: datetime | None = None,
    detail: dict | None = None,
) -> None:
    """Clear a sign-in lock and the failure count (does not change disabled)."""
    e = normalise_email(email)
    at = audit.as_utc_naive(now)
    with database.transaction(con):
        row = user_row(con, e)
        if row is None:
            raise UserError(f"There is no user with email {e}.")
        throttle.forget(con, e)
        audit.record(con, actor, "user_unlocked", row[2], {"email": e, **(detail or {})}, at=at)


def list_users(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every user, by email, without password hashes (has_password says whether one is set), with
    the failures counted for that email and any lock."""
    return con.sql(database.sql("queries/users_with_failures")).pl()


def failures(con: duckdb.DuckDBPyConnection, email: str) -> Failures:
    """The failed sign-ins stored for an email (known or not)."""
    return throttle.read(con, attempt_key(email))


def account_for_email(con: duckdb.DuckDBPyConnection, email: str | None) -> tuple[User, bool] | None:
    """The user for an email and whether the account is disabled, or None when there is none."""
    e = normalise_email(email or "")
    row = user_row(con, e) if e else None
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


# ---- one sign-in attempt ------------------------------------------------------------------------

COUNTED_REASONS = ("wrong_password", "invalid_hash", "unknown_email", "no_password")


@dataclass(frozen=True)
class Attempt:
    """What one sign-in attempt came to, before anything is stored."""

    key: str  # attempt_key(email): the audit actor and the failure-count key
    action: str  # 'sign_in', 'sign_in_failed' or 'sign_in_locked'
    trust_code: str | None
    detail: dict = field(default_factory=dict)
    user: User | None = None  # set when signed in
    message: str | None = None  # shown when refused
    rehash: str | None = None  # a new hash of the password, when the hasher's parameters changed

    @property
    def counts(self) -> bool:
        """A failure that counts towards the lock: a wrong password for any email (not 'disabled')."""
        return self.action == "sign_in_failed" and self.detail.get("reason") in COUNTED_REASONS

    def counted(self, before: Failures, after: Failures, at: datetime) -> Attempt:
        """This failure once added to the email's record (before -> after)."""
        if before.locked(at):  # another attempt locked the email while this password was checked
            return locked_attempt(self.key, self.trust_code, before.locked_until)
        detail = {**self.detail, "failed_attempts": after.count}
        if after.locked(at):
            detail["locked_until"] = after.locked_until.isoformat()
            return replace(self, detail=detail, message=locked_message(after.locked_until))
        return replace(self, detail=detail)


def locked_attempt(key: str, trust_code: str | None, until: datetime) -> Attempt:
    return Attempt(
        key, "sign_in_locked", trust_code, {"locked_until": until.isoformat()}, message=locked_message(until)
    )


def check_password(row, seen: Failures, key: str, password: str, at: datetime) -> Attempt:
    """Decide one attempt: row is user_row's answer (or None), seen the email's failures so far.

    Writes nothing. A locked email is refused without checking the password; every other attempt
    costs one argon2 verification, against the account's hash or a dummy one."""
    trust_code = row[2] if row else None
    if seen.locked(at):
        return locked_attempt(key, trust_code, seen.locked_until)
    hasher = password_hasher()
    dummy = _dummy_hash(hasher)
    stored = row[3] if row else None
    ok = bad_hash = False
    try:
        ok = hasher.verify(stored or dummy, password) and stored is not None
    except InvalidHashError:
        bad_hash = True
        try:  # the same work as a good hash, so a damaged one does not answer sooner
            hasher.verify(dummy, password)
        except VerificationError:
            pass
    except VerificationError:
        pass
    if ok and not row[4]:
        user = User(row[0], row[1], row[2])
        rehash = hasher.hash(password) if hasher.check_needs_rehash(stored) else None
        return Attempt(key, "sign_in", trust_code, {"method": "password"}, user=user, rehash=rehash)
    if ok:
        return Attempt(key, "sign_in_failed", trust_code, {"reason": "disabled"}, message=DISABLED_MESSAGE)
    reason = (
        "unknown_email"
        if row is None
        else "no_password"
        if stored is None
        else "invalid_hash"
        if bad_hash
        else "wrong_password"
    )
    return Attempt(key, "sign_in_failed", trust_code, {"reason": reason}, message=SIGN_IN_FAILED_MESSAGE)


def _store(con: duckdb.DuckDBPyConnection, attempt: Attempt, at: datetime) -> Attempt:
    """Keep a writer's attempt: the failure count and the audit row in one transaction."""
    for n in range(_RETRIES):
        try:
            with database.transaction(con):
                if attempt.counts:
                    attempt = attempt.counted(*throttle.count_failure(con, attempt.key, at), at)
                elif attempt.user is not None:
                    throttle.forget(con, attempt.key)
                    if attempt.rehash:
                        con.execute(
                            database.sql("queries/set_password_hash"),
                            {"password_hash": attempt.rehash, "email": attempt.user.email},
                        )
                audit.record(con, attempt.key, attempt.action, attempt.trust_code, attempt.detail, at=at)
            return attempt
        except duckdb.TransactionException:
            if n == _RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def decide(
    con: duckdb.DuckDBPyConnection, email: str, password: str, at: datetime, failures_seen: Callable[[str], Failures]
) -> tuple[Attempt, Failures]:
    """One sign-in attempt decided, nothing written: (the attempt, the failures counted before it).

    failures_seen(key) gives the email's failures so far: the writer's count, or for a read-only
    viewer the stricter of the snapshot's and its own (pswbench.store.viewer_mode.authenticate)."""
    e, key = normalise_email(email), attempt_key(email)
    row = user_row(con, e) if e else None
    seen = failures_seen(key)
    return check_password(row, seen, key, password or "", at), seen


def signed_in_user(attempt: Attempt) -> User:
    """The attempt's user, or SignInError with its plain message."""
    if attempt.user is not None:
        return attempt.user
    raise SignInError(attempt.message)


def authenticate(con: duckdb.DuckDBPyConnection, email: str, password: str, now: datetime | None = None) -> User:
    """Check an email and password; return the User or raise SignInError with a plain message.

    now: the time of the attempt (naive = UTC), for tests; default the current time.
    """
    at = audit.as_utc_naive(now)
    decided, _ = decide(con, email, password, at, lambda key: throttle.read(con, key))
    attempt = _store(con, decided, at)
    if attempt.action == "sign_in_failed":
        throttle.prune(con, at)
    return signed_in_user(attempt)
