"""Failed sign-ins per email, the same for every email whether or not an account has it.

Keeping the count on the account (as app_user.failed_attempts once did) made only real accounts
lock, so a lock told an attacker which emails exist. Here the record is keyed by the email as typed
(normalised), in one table, with one rule and the same statements for every email:

* a failure more than FAILURE_WINDOW after the previous one starts the count again, and so does a
  failure after a lock has run out;
* the MAX_FAILED_ATTEMPTS-th failure locks the email for LOCK_DURATION; failures while it is locked
  change nothing (the lock is not extended);
* a record that can no longer lock or count anything is deleted (prune), and records of emails no
  account has are capped at MAX_TRACKED_UNKNOWN, oldest last failure evicted first, so a spray of
  made-up emails cannot grow the table without bound. Accounts' records are never evicted, so the
  spray cannot wipe a real account's count either.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from pswbench.store import database

log = logging.getLogger(__name__)

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
FAILURE_WINDOW = timedelta(minutes=15)
# Enough for every unknown email an attacker can try within FAILURE_WINDOW at argon2's pace on a
# few cores (about 4 checks a second per core: 10,000 is ~40 core-minutes of guessing), and small.
MAX_TRACKED_UNKNOWN = 10_000


@dataclass(frozen=True)
class Failures:
    """One email's failed sign-ins: how many in the current run, the last one, and any lock."""

    count: int = 0
    last_failed_at: datetime | None = None
    locked_until: datetime | None = None

    def locked(self, at: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > at

    def current(self, at: datetime) -> Failures:
        """As counted at `at`: a run of failures that has gone quiet, or a lock run out, is forgotten."""
        if self.locked(at):
            return self
        if self.locked_until is not None or self.last_failed_at is None or at - self.last_failed_at > FAILURE_WINDOW:
            return Failures()
        return self

    def after_failure(self, at: datetime) -> Failures:
        """The record after one more failure at `at` (unchanged while locked)."""
        now = self.current(at)
        if now.locked(at):
            return now
        count = now.count + 1
        last = max(at, now.last_failed_at) if now.last_failed_at else at
        return Failures(count, last, at + LOCK_DURATION if count >= MAX_FAILED_ATTEMPTS else None)

    def stricter(self, other: Failures, at: datetime) -> Failures:
        """Whichever of two views of the same email counts more at `at` (a viewer's own and its snapshot's)."""
        a, b = self.current(at), other.current(at)
        if a.locked(at) or b.locked(at):
            return max((x for x in (a, b) if x.locked(at)), key=lambda x: x.locked_until)
        return a if (a.count, a.last_failed_at or datetime.min) >= (b.count, b.last_failed_at or datetime.min) else b


def read(con: duckdb.DuckDBPyConnection, key: str) -> Failures:
    """The stored record for key; none stored (or a snapshot older than this table) is no failures."""
    try:
        rows = con.execute(database.sql("queries/sign_in_failures"), {"email": key}).fetchall()
    except duckdb.CatalogException:
        return Failures()
    return Failures(*rows[0]) if rows else Failures()


def write(con: duckdb.DuckDBPyConnection, key: str, record: Failures) -> None:
    """Store key's record inside the caller's transaction (no failures left: the row is deleted)."""
    if record.count == 0 and record.locked_until is None:
        forget(con, key)
        return
    con.execute(
        database.sql("queries/save_sign_in_failures"),
        {
            "email": key,
            "failures": record.count,
            "last_failed_at": record.last_failed_at,
            "locked_until": record.locked_until,
        },
    )


def count_failure(con: duckdb.DuckDBPyConnection, key: str, at: datetime) -> tuple[Failures, Failures]:
    """Add one failure for key at `at`, in the caller's transaction; returns (before, after)."""
    before = read(con, key)
    after = before.after_failure(at)
    if after != before:
        write(con, key, after)
    return before, after


def prune(con: duckdb.DuckDBPyConnection, at: datetime) -> int:
    """Delete records that no longer count, then cap unknown emails' records; returns rows deleted.

    Its own transaction, and best effort: two attempts pruning at once conflict in DuckDB, and the
    one that loses leaves the work to the next failure."""
    try:
        with database.transaction(con):
            gone = con.execute(
                database.sql("queries/prune_sign_in_failures"), {"window": FAILURE_WINDOW, "at": at}
            ).fetchone()[0]
            if con.execute(database.sql("queries/count_unknown_sign_in_failures")).fetchone()[0] > MAX_TRACKED_UNKNOWN:
                gone += con.execute(
                    database.sql("queries/evict_unknown_sign_in_failures"), {"keep": MAX_TRACKED_UNKNOWN}
                ).fetchone()[0]
        return gone
    except duckdb.TransactionException:  # rolled back by database.transaction
        log.debug("pruning sign-in failure records conflicted with another attempt; the next one prunes")
        return 0


def forget(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """Clear key's failures and lock (an analyst's unlock or enable; the writer's own verified sign-in)."""
    con.execute(database.sql("queries/forget_sign_in_failures"), {"email": key})
