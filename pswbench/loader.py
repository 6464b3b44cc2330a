"""Loading validated returns: versions, duplicates and the record of every attempt, all-or-nothing."""
from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

import duckdb

from . import database
from .database import sql
from .validate import ValidationResult, validate_many


@dataclass(frozen=True)
class LoadOutcome:
    file_name: str
    status: str                 # accepted, rejected or duplicate
    submission_id: int
    trust_code: str | None
    period_end: dt.date | None
    version: int | None         # the new version (accepted) or the current one (duplicate)
    errors: int
    warnings: int
    result: ValidationResult

    def summary(self) -> str:
        what = {"accepted": f"accepted as version {self.version}",
                "duplicate": f"duplicate of current version {self.version}; nothing added",
                "rejected": "rejected"}[self.status]
        who = f"{self.trust_code or '?'} {self.period_end or '?'}"
        return f"{self.file_name}: {what} ({who}; {self.result.rows} rows, {self.errors} errors, {self.warnings} warnings)"


def default_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli:unknown"


def previous_headcount_lookup(con: duckdb.DuckDBPyConnection):
    def lookup(trust_code: str, period_end: dt.date):
        row = con.execute(sql("queries/previous_quarter_headcount"),
                          {"trust_code": trust_code, "period_end": period_end}).fetchone()
        return (row[0], row[1]) if row else None
    return lookup


def load_files(con: duckdb.DuckDBPyConnection, files: list[tuple[str, bytes]], user: str | None = None,
               today: dt.date | None = None, meta: list[tuple[int, str]] | None = None) -> list[LoadOutcome]:
    """Validate then load each file in turn, each in its own transaction.

    meta, when given, is each file's true (size, SHA-256): the caller read only the start of a huge file.
    """
    user = user or default_user()
    if len(files) == 1:
        results = validate_many(files, previous_headcount_lookup(con), today)
    else:
        # One GX run for the batch; the headcount-change warning needs the earlier quarters loaded
        # first, so it is checked per file at load time instead.
        results = validate_many(files, None, today)
    for r, (size, sha) in zip(results, meta or []):
        r.size_bytes, r.sha256 = size, sha
    return [load_result(con, r, user, check_headcount_change=len(files) > 1) for r in results]


def _after_rows_written(con: duckdb.DuckDBPyConnection) -> None:
    """A seam for the atomicity test, which makes the load fail here, after the rows are written."""


def load_result(con: duckdb.DuckDBPyConnection, result: ValidationResult, user: str,
                check_headcount_change: bool = False) -> LoadOutcome:
    con.execute("BEGIN TRANSACTION")
    try:
        outcome = _load_in_transaction(con, result, user, check_headcount_change)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return outcome


def _load_in_transaction(con, result: ValidationResult, user: str, check_headcount_change: bool) -> LoadOutcome:
    from . import audit, checks

    key = {"trust_code": result.trust_code, "period_end": result.period_end}
    current = con.execute(sql("queries/current_version"), key).fetchone() if result.valid else None
    if result.valid and check_headcount_change:
        total = int(result.clean["headcount"].sum())
        result.findings += checks.headcount_change(total, previous_headcount_lookup(con)(**key))
    if not result.valid:
        status, version = "rejected", None
    elif current and current[2] == result.sha256:
        status, version = "duplicate", current[0]
    else:
        status, version = "accepted", None
    submission_id = con.execute(sql("queries/next_submission_id")).fetchone()[0]
    if status == "accepted":
        con.execute(sql("queries/retire_current_version"), key)
        version = con.execute(sql("queries/insert_return_version"),
                              {**key, "submission_id": submission_id}).fetchone()[0]
        con.register("new_return_rows", result.clean)
        try:
            con.execute(sql("queries/insert_return_rows"), {"submission_id": submission_id})
        finally:
            con.unregister("new_return_rows")
        database.bump_data_version(con)
    con.execute(sql("queries/insert_submission"), {
        **key, "submission_id": submission_id, "file_name": result.file_name, "sha256": result.sha256,
        "size_bytes": result.size_bytes, "row_count": result.rows, "submitted_by": user,
        "submitted_at": dt.datetime.now(), "status": status,
        "version": version, "error_count": len(result.errors), "warning_count": len(result.warnings),
    })
    if result.findings:
        con.executemany(sql("queries/insert_finding"),
                        [[submission_id, f.severity, f.line, f.column, f.rule, f.value, f.message]
                         for f in result.findings])
    audit.record(con, user, f"upload_{status}", result.trust_code,
                 {"submission_id": submission_id, "file_name": result.file_name, "version": version})
    _after_rows_written(con)
    return LoadOutcome(result.file_name, status, submission_id, result.trust_code, result.period_end, version,
                       len(result.errors), len(result.warnings), result)
