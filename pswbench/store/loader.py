"""Loading validated returns: versions, duplicates and the record of every attempt, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import os
import sys
import time
import uuid
from dataclasses import dataclass

import duckdb

from pswbench.returns import contract, cross_checks, validate
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
class SectionOutcome:
    """What happened to one section of an upload: each has its own submission, version and findings."""

    section: str | None
    sheet: str | None
    status: str  # accepted, rejected or duplicate
    submission_id: int
    version: int | None
    errors: int
    warnings: int

    def words(self) -> str:
        what = contract.SECTION_LABELS.get(self.section, "unidentified") + (
            f" (sheet '{self.sheet}')" if self.sheet else ""
        )
        return {
            "accepted": f"{what}: accepted as version {self.version}",
            "duplicate": f"{what}: duplicate of current version {self.version}; nothing added",
            "rejected": f"{what}: rejected ({counted(self.errors, 'error')})",
        }[self.status]


@dataclass(frozen=True)
class LoadOutcome:
    """One file of an upload. status is the file's as a whole: accepted when any section was, duplicate
    when none was accepted and none rejected, else rejected; sections says each one's."""

    file_name: str
    status: str  # accepted, rejected or duplicate
    submission_id: int
    trust_code: str | None
    period_end: dt.date | None
    version: int | None  # the new version (accepted) or the current one (duplicate)
    errors: int
    warnings: int
    result: ValidationResult
    sections: tuple[SectionOutcome, ...] = ()

    def summary(self) -> str:
        what = {
            "accepted": f"accepted as version {self.version}",
            "duplicate": f"duplicate of current version {self.version}; nothing added",
            "rejected": "rejected",
        }[self.status]
        if len(self.sections) > 1:
            what = "; ".join(o.words() for o in self.sections)
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


def loaded_total_lookup(con: duckdb.DuckDBPyConnection):
    """(trust, period) -> (total headcount, version) of the current loaded workforce section, or None."""

    def lookup(trust_code: str, period_end: dt.date):
        rows = con.execute(
            sql("queries/current_workforce_total"), {"trust_code": trust_code, "period_end": period_end}
        ).fetchall()
        return (int(rows[0][0]), int(rows[0][1])) if rows else None

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
        results = validate_many(files, previous_headcount_lookup(con), today, loaded_total=loaded_total_lookup(con))
    else:
        # One GX run for the batch; the headcount-change warning and the annual sections' totals need
        # the earlier files loaded first, so they are checked per file at load time instead.
        results = validate_many(files, None, today, loaded_total=loaded_total_lookup(con))
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
    """Load one validated file as one upload (see load_upload)."""
    return load_upload(con, [result], user, check_headcount_change, publish)[0]


def load_upload(
    con: duckdb.DuckDBPyConnection,
    results: list[ValidationResult],
    user: str,
    check_headcount_change: bool = False,
    publish: bool = True,
) -> list[LoadOutcome]:
    """Load the files of one upload in one transaction, then (when any section was accepted) publish.

    Each section is accepted, a duplicate or rejected on its own and gets its own submission; the
    accepted ones are loaded together or not at all. A write conflict with another session's load
    (is_write_conflict) is retried, ATTEMPTS in all; if it still conflicts, that
    duckdb.TransactionException is raised. Any other failure is raised at once, as itself. Either way
    nothing of this upload is kept.
    """
    # A retry starts from the validator's findings and rows again.
    saved = [(r, [(s, list(s.findings), s.clean, s.total) for s in r.sections]) for r in results]
    upload_id = uuid.uuid4().hex
    for attempt in range(1, ATTEMPTS + 1):
        for r, sections in saved:
            for s, findings, clean, total in sections:
                s.findings, s.clean, s.total = list(findings), clean, total
            r.refresh()
        registered: list[str] = []
        try:
            with database.transaction(con):  # rolled back on any failure, a failed COMMIT included
                outcomes = [
                    _load_file(con, r, user, check_headcount_change, upload_id, results, registered) for r in results
                ]
                _after_rows_written(con)
        except BaseException as exc:
            if not is_write_conflict(exc) or attempt == ATTEMPTS:
                raise
            log.info("load of %s met a concurrent write; retrying (%d/%d)", results[0].file_name, attempt, ATTEMPTS)
            time.sleep(0.05 * 2 ** (attempt - 1))
            continue
        finally:
            # Only now the transaction has ended: unregistering inside one an error has aborted raises
            # "Current transaction is aborted", which would hide the error itself.
            for view in registered:
                con.unregister(view)
        break
    if publish and any(o.status == "accepted" for o in outcomes):
        _publish(con)
    return outcomes


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
        "section": f.section,
        "sheet": f.sheet,
    }


ROWS_VIEWS = {
    contract.WORKFORCE: ROWS_VIEW,
    contract.DEMOGRAPHICS: "new_demographic_rows",
    contract.ORGANISATION: "new_organisation_rows",
}
INSERT_ROWS = {
    contract.WORKFORCE: "queries/insert_return_rows",
    contract.DEMOGRAPHICS: "queries/insert_demographic_rows",
    contract.ORGANISATION: "queries/insert_organisation_rows",
}


def _load_file(
    con,
    result: ValidationResult,
    user: str,
    check_headcount_change: bool,
    upload_id: str,
    upload: list[ValidationResult],
    registered: list[str],
) -> LoadOutcome:
    """Every section of one file, inside the upload's transaction; the workforce section first, since
    the annual sections of the same upload are checked against it."""
    from pswbench.store import audit

    done: list[SectionOutcome] = []
    order = sorted(result.sections, key=lambda s: s.section != contract.WORKFORCE)
    for s in order:
        if (
            s.section in validate.ANNUAL_CHECKS
            and s.raw is not None
            and (s.total is None or s.total.source != "upload")
        ):
            # Checked against the loaded version when the file was read; another load may have changed it.
            validate.check_annual(s, validate.total_for(upload, s, loaded_total_lookup(con)), *s.checked_with)
        if s.section == contract.WORKFORCE and s.valid and check_headcount_change:
            total = int(s.clean["headcount"].sum())
            s.findings += cross_checks.headcount_change(
                total, previous_headcount_lookup(con)(s.trust_code, s.period_end)
            )
        done.append(_load_section(con, result, s, user, upload_id, registered))
        audit.record(
            con,
            user,
            f"upload_{done[-1].status}",
            s.trust_code or result.trust_code,
            {
                "submission_id": done[-1].submission_id,
                "file_name": result.file_name,
                "section": s.section,
                "version": done[-1].version,
            },
        )
    if not order:  # nothing could be read: one rejected attempt for the file
        done.append(_load_section(con, result, None, user, upload_id, registered))
        audit.record(
            con,
            user,
            "upload_rejected",
            result.trust_code,
            {"submission_id": done[-1].submission_id, "file_name": result.file_name, "version": None},
        )
    result.refresh()
    statuses = {o.status for o in done}
    status = "accepted" if "accepted" in statuses else "duplicate" if statuses == {"duplicate"} else "rejected"
    main = next((o for o in done if o.section == contract.WORKFORCE), done[0])
    return LoadOutcome(
        result.file_name,
        status,
        done[0].submission_id,
        result.trust_code,
        result.period_end,
        main.version,
        len(result.errors),
        len(result.warnings),
        result,
        tuple(done),
    )


def _load_section(con, result: ValidationResult, s, user: str, upload_id: str, registered: list[str]) -> SectionOutcome:
    section = s.section if s is not None else None
    trust_code = (s.trust_code if s is not None else None) or result.trust_code
    period_end = (s.period_end if s is not None else None) or result.period_end
    key = {"trust_code": trust_code, "period_end": period_end}
    findings = s.all_findings if s is not None else list(result.findings)
    valid = s is not None and s.valid
    content_sha = s.content_sha256 if valid else None
    annual = section in validate.ANNUAL_CHECKS
    current = None
    if valid:
        found = (
            con.execute(sql("queries/current_section_version"), {**key, "section": section}).fetchall()
            if annual
            else con.execute(sql("queries/current_version"), key).fetchall()
        )
        current = found[0] if found else None
    single = len(result.sections) == 1
    if not valid:
        status, version = "rejected", None
    elif current and ((single and current[2] == result.sha256) or (content_sha and current[3] == content_sha)):
        status, version = "duplicate", current[0]
    else:
        status, version = "accepted", None
    # fetchall, not fetchone: registering the rows below needs no result left open on the connection.
    submission_id = con.execute(sql("queries/next_submission_id")).fetchall()[0][0]
    if status == "accepted":
        view = ROWS_VIEWS[section]
        con.register(view, s.clean)
        registered.append(view)
        if annual:
            if current:
                con.execute(sql("queries/retire_current_section_version"), {**key, "section": section})
            version = con.execute(
                sql("queries/insert_section_version"),
                {**key, "section": section, "submission_id": submission_id, "checked_headcount": s.total.headcount},
            ).fetchall()[0][0]
        else:
            if current:  # no current version, nothing to retire (read in this transaction)
                con.execute(sql("queries/retire_current_version"), key)
            version = con.execute(
                sql("queries/insert_return_version"), {**key, "submission_id": submission_id}
            ).fetchall()[0][0]
        con.execute(sql(INSERT_ROWS[section]), {"submission_id": submission_id})
        database.bump_data_version(con)
    errors = [f for f in findings if f.severity == "error"]
    con.execute(
        sql("queries/insert_submission"),
        {
            **key,
            "submission_id": submission_id,
            "file_name": result.file_name,
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "row_count": s.rows if s is not None else result.rows,
            "submitted_by": user,
            "submitted_at": dt.datetime.now(),
            "status": status,
            "version": version,
            "error_count": len(errors),
            "warning_count": len(findings) - len(errors),
            "section": section,
            "sheet": s.sheet if s is not None else None,
            "upload_id": upload_id,
            "content_sha256": content_sha,
        },
    )
    if findings:
        con.executemany(sql("queries/insert_finding"), [finding_row(submission_id, f) for f in findings])
    return SectionOutcome(
        section,
        s.sheet if s is not None else None,
        status,
        int(submission_id),
        version,
        len(errors),
        len(findings) - len(errors),
    )
