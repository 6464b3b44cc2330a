"""Loading validated returns: versions, duplicates and the record of every attempt, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import sys
import time
from dataclasses import dataclass

import duckdb

from pswbench.returns.findings import counted
from pswbench.returns.validate import ValidationResult, validate_many
from pswbench.store import database
from pswbench.store.database import sql

log = logging.getLogger(__name__)
# A load that meets another session's write (the single data_version row, or the same trust and
# quarter) is retried this many times in all; a load re-reads the current version each time.
ATTEMPTS = 5  # waits 0.05 + 0.1 + 0.2 + 0.4 s between them: far longer than a load takes
ROWS_VIEW = "new_return_rows"  # the typed rows being loaded, as sql/queries/insert_return_rows reads them
# What DuckDB says when two transactions wrote the same rows ("Conflict on update!", "Conflict on tuple
# deletion!", a catalog write-write conflict) or both inserted the same key and one committed first.
# Its other TransactionExceptions are not conflicts: "Current transaction is aborted" follows an
# earlier error in the same transaction, which retrying would only repeat.
_CONFLICT_WORDS = ("conflict", "failed to commit: primary key or unique constraint")


def is_write_conflict(exc: BaseException) -> bool:
    """True when exc is another session's concurrent write, which a retry (or Submit again) resolves."""
    return isinstance(exc, duckdb.TransactionException) and any(w in str(exc).lower() for w in _CONFLICT_WORDS)


@dataclass(frozen=True)
class LoadOutcome:
    file_name: str
    status: str  # accepted, rejected or duplicate
    submission_id: int
    trust_code: str | None
    period_end: dt.date | None
    version: int | None  # the new version (accepted) or the current one (duplicate)
    errors: int
    warnings: int
    result: ValidationResult

    def summary(self) -> str:
        what = {
            "accepted": f"accepted as version {self.version}",
            "duplicate": f"duplicate of current version {self.version}; nothing added",
            "rejected": "rejected",
        }[self.status]
        who = f"{self.trust_code or '?'} {self.period_end or '?'}"
        return (
            f"{self.file_name}: {what} ({who}; {counted(self.result.rows, 'row')}, {counted(self.errors, 'error')}, "
            f"{counted(self.warnings, 'warning')})"
        )


def default_user() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no login name in some containers
        return "cli:unknown"


def previous_headcount_lookup(con: duckdb.DuckDBPyConnection):
    def lookup(trust_code: str, period_end: dt.date):
        row = con.execute(
            sql("queries/previous_quarter_headcount"), {"trust_code": trust_code, "period_end": period_end}
        ).fetchone()
        return (row[0], row[1]) if row else None

    return lookup


def load_files(
    con: duckdb.DuckDBPyConnection,
    files: list[tuple[str, bytes]],
    user: str | None = None,
    today: dt.date | None = None,
    meta: list[tuple[int, str]] | None = None,
    publish: bool = True,
) -> list[LoadOutcome]:
    """Validate then load each file in turn, each in its own transaction.

    meta, when given, is each file's true (size, SHA-256): the caller read only the start of a huge file.
    publish=False leaves publishing the read-only snapshot to the caller (the demo build publishes
    once, after adding its accounts).
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
    outcomes = [load_result(con, r, user, check_headcount_change=len(files) > 1, publish=False) for r in results]
    if publish and any(o.status == "accepted" for o in outcomes):
        _publish(con)  # once for the batch, after the last commit
    return outcomes


def _after_rows_written(con: duckdb.DuckDBPyConnection) -> None:
    """A seam for the atomicity tests: the rows are written, the transaction is not yet committed.

    TEST-ONLY: PSWBENCH_FAULT_PAUSE_AFTER_ROWS=<seconds> makes the load announce itself on stderr
    and sleep here, so tests/faults can SIGKILL the process before COMMIT. Never set it in service.
    """
    pause = os.environ.get("PSWBENCH_FAULT_PAUSE_AFTER_ROWS")
    if pause:
        sys.stderr.write("PSWBENCH_FAULT paused after rows written\n")
        sys.stderr.flush()
        time.sleep(float(pause))


def _publish(con: duckdb.DuckDBPyConnection) -> None:
    """Publish the read-only snapshot; a failure is logged, never raised: the load is already committed."""
    from pswbench.store import publish

    publish.publish_quietly(con)


def load_result(
    con: duckdb.DuckDBPyConnection,
    result: ValidationResult,
    user: str,
    check_headcount_change: bool = False,
    publish: bool = True,
) -> LoadOutcome:
    """Load one validated return in one transaction, then (when accepted) publish the snapshot.

    A write conflict with another session's load (is_write_conflict) is retried, ATTEMPTS in all;
    if it still conflicts, that duckdb.TransactionException is raised. Any other failure is raised at
    once, as itself. Either way nothing of this load is kept.
    """
    findings = list(result.findings)  # a retry starts from the validator's findings again
    for attempt in range(1, ATTEMPTS + 1):
        result.findings[:] = findings
        try:
            with database.transaction(con):  # rolled back on any failure, a failed COMMIT included
                if result.clean is not None:
                    con.register(ROWS_VIEW, result.clean)
                outcome = _load_in_transaction(con, result, user, check_headcount_change)
        except BaseException as exc:
            if not is_write_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("load of %s met a concurrent write; retrying (%d/%d)", result.file_name, attempt, ATTEMPTS)
            time.sleep(0.05 * 2 ** (attempt - 1))
            continue
        finally:
            # Only now the transaction has ended: unregistering inside one an error has aborted raises
            # "Current transaction is aborted", which would hide the error itself.
            if result.clean is not None:
                con.unregister(ROWS_VIEW)
        break
    if publish and outcome.status == "accepted":
        _publish(con)
    return outcome


def finding_row(submission_id: int, f) -> dict:
    """The parameters of sql/queries/insert_finding for one finding of a submission."""
    return {
        "submission_id": submission_id,
        "severity": f.severity,
        "line": f.line,
        "column_name": f.column,
        "rule": f.rule,
        "value": f.value,
        "message": f.message,
    }


def _load_in_transaction(con, result: ValidationResult, user: str, check_headcount_change: bool) -> LoadOutcome:
    from pswbench.returns import cross_checks
    from pswbench.store import audit

    key = {"trust_code": result.trust_code, "period_end": result.period_end}
    current = con.execute(sql("queries/current_version"), key).fetchone() if result.valid else None
    if result.valid and check_headcount_change:
        total = int(result.clean["headcount"].sum())
        result.findings += cross_checks.headcount_change(total, previous_headcount_lookup(con)(**key))
    if not result.valid:
        status, version = "rejected", None
    elif current and current[2] == result.sha256:
        status, version = "duplicate", current[0]
    else:
        status, version = "accepted", None
    submission_id = con.execute(sql("queries/next_submission_id")).fetchone()[0]
    if status == "accepted":
        if current:  # no current version, nothing to retire (read in this transaction)
            con.execute(sql("queries/retire_current_version"), key)
        version = con.execute(sql("queries/insert_return_version"), {**key, "submission_id": submission_id}).fetchone()[
            0
        ]
        con.execute(sql("queries/insert_return_rows"), {"submission_id": submission_id})
        database.bump_data_version(con)
    con.execute(
        sql("queries/insert_submission"),
        {
            **key,
            "submission_id": submission_id,
            "file_name": result.file_name,
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "row_count": result.rows,
            "submitted_by": user,
            "submitted_at": dt.datetime.now(),
            "status": status,
            "version": version,
            "error_count": len(result.errors),
            "warning_count": len(result.warnings),
        },
    )
    if result.findings:
        con.executemany(
            sql("queries/insert_finding"),
            [finding_row(submission_id, f) for f in result.findings],
        )
    audit.record(
        con,
        user,
        f"upload_{status}",
        result.trust_code,
        {"submission_id": submission_id, "file_name": result.file_name, "version": version},
    )
    _after_rows_written(con)
    return LoadOutcome(
        result.file_name,
        status,
        submission_id,
        result.trust_code,
        result.period_end,
        version,
        len(result.errors),
        len(result.warnings),
        result,
    )
