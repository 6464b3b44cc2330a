"""Uploading a return from the app: check it, refuse another trust's return, record every attempt, save it.

Kept free of Streamlit so the upload rules hold below the page, whatever calls them. Great
Expectations is imported only when a file is validated (pswbench.returns.gx_rules imports it lazily).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import polars as pl

from pswbench.access import permissions
from pswbench.access.auth import User
from pswbench.returns import contract, findings
from pswbench.returns.findings import counted
from pswbench.returns.validate import ValidationResult, validate_bytes
from pswbench.store import audit, database, loader, viewer_mode
from pswbench.store.database import sql

log = logging.getLogger(__name__)
MAX_BYTES = contract.MAX_FILE_BYTES
REFUSED_RULE = "not_your_trust"
CONFLICT_MESSAGE = "Another upload was being saved at the same moment; nothing was lost. Please submit again."
FAULT_MESSAGE = (
    "The return could not be saved because of a fault in the service, not in your file; "
    "nothing was saved. The fault has been logged as reference {reference}: please send that "
    "reference to the HEE data team. Submitting again will not help until it is fixed."
)
# What checking a file records, said on the page before anything is uploaded (uploads.check does this).
WHAT_IS_RECORDED = (
    "The file is checked as soon as you upload it. A file that passes every rule is saved only when you "
    "press Submit. A file with errors, or another trust's return, is recorded at once as a rejected "
    "attempt in the upload history below: its name, size, number of rows, who uploaded it and when, and "
    "each finding with the value it quotes. No figure from it is loaded."
)
# A trust code from the file goes into a sentence rendered as Markdown; anything that does not look
# like an ODS code is described instead of quoted, so the file cannot format the page.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9]{1,10}")


class NotSaved(RuntimeError):
    """Saving failed and nothing was saved; str() is the message for the user."""


class SaveConflict(NotSaved):
    """Another session changed the same rows at the same moment; the user should submit again."""


class SaveFailed(NotSaved):
    """Saving failed for any other reason: a fault in the service, logged with the reference shown."""

    def __init__(self, reference: str):
        super().__init__(FAULT_MESSAGE.format(reference=reference))
        self.reference = reference


@dataclass
class Check:
    """A validated upload and what has happened to it so far."""

    result: ValidationResult
    target: str  # the trust the user is uploading for
    refusal: str | None = None  # why the file was refused, when it is another trust's
    outcome: loader.LoadOutcome | None = None  # set once the attempt is recorded
    refused_submission_id: int | None = None
    same_as_version: int | None = None  # the current version, when the file is identical to it
    current_version: int | None = None  # the trust's current version for the quarter, when there is one
    current_submission_id: int | None = None  # the submission that made it

    @property
    def can_submit(self) -> bool:
        return self.refusal is None and self.outcome is None and self.result.valid

    def findings_table(self) -> pl.DataFrame:
        """Every finding, errors first (the validator's order), as text a table shows inertly: the
        message (what to fix) first, the rule id last (FINDINGS_WIDTHS sizes the columns)."""
        rows = [(f.message, f.severity, f.line, f.column, f.value, f.rule) for f in self.result.findings]
        return pl.DataFrame(rows, schema=FINDINGS_SCHEMA, orient="row")


FINDINGS_SCHEMA = {
    "message": pl.String,
    "severity": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
}
# Widths of the findings table's columns (st.column_config): the plain-English fix takes the room.
# Pixels, 930 in all: every column fits beside the sidebar in a 1,400 px window (the rule id too), the
# message has more than half, and what a wider screen adds is shared among the columns.
FINDINGS_WIDTHS = {"message": 500, "severity": 70, "line": 50, "column": 130, "value": 90, "rule": 90}
FINDINGS_LABELS = {"message": "What to fix", "value": "Value in the file", "rule": "Rule id"}


def size_problem(size: int) -> str | None:
    """A message when a file is over the limit; checked on the size before the bytes are read."""
    if size > MAX_BYTES:
        return (
            f"The file is {size / 1_048_576:.1f} MB; a return may be at most 5 MB. A return has one row "
            "per service setting and band, so a larger file is probably the wrong file."
        )
    return None


def uploadable_trusts(user: User, trust_codes: list[str]) -> list[str]:
    """The trusts this user may upload for, from the reference list."""
    return [c for c in trust_codes if permissions.can_upload_for(user, c)]


def require_upload(user: User, trust_code: str | None) -> str:
    viewer_mode.require_writer("uploading a return")  # a read-only viewer refuses, whatever page calls
    if not permissions.can_upload_for(user, trust_code):
        raise permissions.NotPermitted("You cannot upload returns for this trust.")
    return trust_code


@contextmanager
def _saving(what: str):
    """Saving, as the user hears of a failure: a write conflict is theirs to retry; anything else
    (a constraint the validator should have caught, a full disk, a bug) is a fault, logged in full
    under a reference and never passed off as someone else saving."""
    try:
        yield
    except Exception as exc:
        if loader.is_write_conflict(exc):
            raise SaveConflict(CONFLICT_MESSAGE) from exc
        reference = secrets.token_hex(4)
        log.exception("saving %s failed (reference %s)", what, reference)
        raise SaveFailed(reference) from exc


def _refusal_message(user: User, file_code: str, target: str) -> str:
    shown = file_code if _PLAIN_CODE.fullmatch(file_code) else "a trust code we do not recognise"
    if user.role == "analyst":
        return (
            f"This return is for {shown}, but you chose to upload for {target}. "
            "Choose the trust the return is for and upload it again."
        )
    return f"This return is for {shown}; you can upload returns for {target} only."


def check(
    con: duckdb.DuckDBPyConnection, user: User, target: str, file_name: str, data: bytes, today: dt.date | None = None
) -> Check:
    """Validate a file for the target trust; record it at once when it is refused or has errors."""
    require_upload(user, target)
    lookup = loader.previous_headcount_lookup(con)
    # The headcount-change warning quotes the trust's earlier headcount: never another trust's.
    result = validate_bytes(file_name, data, lambda t, p: lookup(t, p) if t == target else None, today)
    if result.trust_code is None:
        # An unreadable file names no trust; the attempt belongs in the uploading trust's history.
        result.trust_code = target
    chk = Check(result, target)
    if result.trust_code != target:
        chk.refusal = _refusal_message(user, result.trust_code, target)
        result.findings.insert(
            0, findings.error(REFUSED_RULE, chk.refusal, column="trust_code", value=result.trust_code)
        )
        chk.refused_submission_id = _record_refusal(con, user, result, target)
    elif not result.valid:
        with _saving(f"the rejected upload {file_name!r} for {target}"):
            chk.outcome = loader.load_result(con, result, user.email)
    else:
        # Said before Submit; the loader still decides at submit time (another upload may come first).
        current = con.execute(
            sql("queries/current_version"), {"trust_code": result.trust_code, "period_end": result.period_end}
        ).fetchall()
        if current:
            chk.current_version, chk.current_submission_id = int(current[0][0]), int(current[0][1])
            if current[0][2] == result.sha256:
                chk.same_as_version = chk.current_version
    return chk


def _record_refusal(con, user: User, result: ValidationResult, target: str) -> int:
    """A rejected submission under the uploader's trust, its findings and an audit row, together.

    It is filed under the trust the user uploads for, not the file's: the attempt is theirs, and
    filing it under the other trust would make that trust look as if it had tried and failed.
    """
    with _saving(f"the refused upload {result.file_name!r} for {target}"):
        with database.transaction(con):
            submission_id = con.execute(sql("queries/next_submission_id")).fetchone()[0]
            con.execute(
                sql("queries/insert_submission"),
                {
                    "submission_id": submission_id,
                    "trust_code": target,
                    "period_end": result.period_end,
                    "file_name": result.file_name,
                    "sha256": result.sha256,
                    "size_bytes": result.size_bytes,
                    "row_count": result.rows,
                    "submitted_by": user.email,
                    "submitted_at": dt.datetime.now(),
                    "status": "rejected",
                    "version": None,
                    "error_count": len(result.errors),
                    "warning_count": len(result.warnings),
                    # The whole file is refused, whatever sections it holds: one attempt, no section.
                    "section": None,
                    "sheet": None,
                    "upload_id": None,
                    "content_sha256": None,
                },
            )
            con.executemany(
                sql("queries/insert_finding"),
                [loader.finding_row(submission_id, f) for f in result.findings],
            )
            audit.record(
                con,
                user.email,
                "upload_refused",
                target,
                {
                    "submission_id": submission_id,
                    "file_name": result.file_name,
                    "file_trust_code": result.trust_code,
                    "period_end": result.period_end,
                },
            )
    return int(submission_id)


def submit(con: duckdb.DuckDBPyConnection, user: User, chk: Check) -> loader.LoadOutcome:
    """Load a checked, valid return: accepted as a new version, or a duplicate of the current one."""
    require_upload(user, chk.result.trust_code)
    if not chk.can_submit:
        raise ValueError("This return cannot be submitted: it was refused, has errors or is already saved.")
    with _saving(f"the return {chk.result.file_name!r} for {chk.result.trust_code} {chk.result.period_end}"):
        chk.outcome = loader.load_result(con, chk.result, user.email)
    return chk.outcome


def replace_notice(chk: Check, history: pl.DataFrame | None) -> str:
    """What Submit will do to the trust's current return for the quarter, said before it is pressed.

    history: the trust's upload history when the user may see it (then the current version's date
    and uploader are named), else None. The loader still decides at submit time."""
    r = chk.result
    quarter = f"{r.trust_code}, quarter ending {r.period_end:%d %B %Y}"
    if chk.current_version is None:
        return f"This will be the first return for {quarter}."
    made = None
    if history is not None and "submission_id" in history.columns:
        made = history.filter(pl.col("submission_id") == chk.current_submission_id)
    if made is not None and made.height:
        when, who = made["submitted_at"][0], made["submitted_by"][0]
        when = f"{when:%d %B %Y at %H:%M}" if isinstance(when, dt.datetime) else str(when)
        by = f"submitted {when} by {who}"
        return f"Submitting will replace version {chk.current_version} ({by}) as the current return for {quarter}."
    return f"Submitting will replace version {chk.current_version} as the current return for {quarter}."


def duplicate_notice(chk: Check) -> str:
    r = chk.result
    return (
        f"This file is identical to the current return for {r.trust_code}, quarter ending "
        f"{r.period_end:%d %B %Y} (version {chk.same_as_version}). Submitting it records the attempt "
        "and changes nothing; to change the figures, upload the corrected file instead."
    )


def outcome_words(outcome: loader.LoadOutcome) -> str:
    if outcome.status == "accepted":
        return (
            f"Accepted: this return is now version {outcome.version} for {outcome.trust_code}, quarter ending "
            f"{outcome.period_end:%d %B %Y}."
        )
    if outcome.status == "duplicate":
        return (
            f"Not added: this file is identical to the current return (duplicate of version {outcome.version}). "
            "Nothing has changed."
        )
    return (
        f"Rejected with {counted(outcome.errors, 'error')}: nothing was loaded. "
        "Correct the file and upload it again; the attempt is recorded in the history below."
    )
