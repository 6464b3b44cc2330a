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
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pswbench.access import permissions
from pswbench.access.auth import User
from pswbench.returns import contract, findings
from pswbench.returns.findings import Finding, counted
from pswbench.returns.validate import SectionResult, UploadResult, ValidationResult, validate_upload
from pswbench.store import audit, database, loader, viewer_mode
from pswbench.store.database import sql

log = logging.getLogger(__name__)
MAX_BYTES = contract.MAX_FILE_BYTES
# The Upload page's file picker; the load script (benchmarks/load_viewers.py) finds it by this label.
UPLOADER_LABEL = (
    "Return files: one Excel workbook (.xlsx) with its Workforce, Demographics and Organisation sheets, or "
    "up to three CSV files, one per section (each at most 5 MB)"
)
REFUSED_RULE = "not_your_trust"
CONFLICT_MESSAGE = "Another upload was being saved at the same moment; nothing was lost. Please submit again."
FAULT_MESSAGE = (
    "The return could not be saved because of a fault in the service, not in your file; "
    "nothing was saved. The fault has been logged as reference {reference}: please send that "
    "reference to the HEE data team. Submitting again will not help until it is fixed."
)
# What checking a file records, said on the page before anything is uploaded (uploads.check does this).
WHAT_IS_RECORDED = (
    "The files are checked as soon as you upload them: one return, as a workbook with its sheets or up to "
    "three CSV files, one per section. Sections that pass every rule are saved only when you press Submit; "
    "the sections with errors are then recorded as rejected. A return in which no section passes, or "
    "another trust's return, is recorded at once as a rejected attempt in the upload history below: its "
    "name, size, number of rows, who uploaded it and when, and each finding with the value it quotes. No "
    "figure from a rejected section is loaded."
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
class SectionPlan:
    """One section of a checked upload, as the page lists it before Submit."""

    file_name: str
    section: str | None
    sheet: str | None
    rows: int
    errors: int
    warnings: int
    valid: bool
    current_version: int | None = None  # the section's current loaded version, when there is one
    same_as_version: int | None = None  # that version, when this section's content is identical to it

    @property
    def verdict(self) -> str:
        """What Submit will do with the section (the loader still decides at submit time)."""
        if not self.valid:
            return "rejected: correct the errors and upload again"
        if self.same_as_version is not None:
            return f"duplicate of version {self.same_as_version}: nothing will change"
        return f"passes: will be version {(self.current_version or 0) + 1}"


@dataclass
class Check:
    """A validated upload (one or more files of one return) and what has happened to it so far."""

    upload: UploadResult
    target: str  # the trust the user is uploading for
    refusal: str | None = None  # why the upload was refused, when it is another trust's
    outcomes: list[loader.LoadOutcome] | None = None  # one per file, set once the attempt is recorded
    refused_submission_ids: list[int] = field(default_factory=list)
    plans: list[SectionPlan] = field(default_factory=list)  # every section, in the files' order
    same_as_version: int | None = None  # the current version, when a one-file upload is identical to it
    current_version: int | None = None  # the trust's current workforce version for the quarter, if any
    current_submission_id: int | None = None  # the submission that made it

    @property
    def result(self) -> ValidationResult:
        """The first file: the return's trust and quarter (one for every file) and, for a one-file
        upload, the file itself."""
        return self.upload.files[0]

    @property
    def outcome(self) -> loader.LoadOutcome | None:
        return self.outcomes[0] if self.outcomes else None

    @property
    def refused_submission_id(self) -> int | None:
        return self.refused_submission_ids[0] if self.refused_submission_ids else None

    @property
    def several(self) -> bool:
        """More than one section or file: the page then lists each section and labels each finding's."""
        return len(self.upload.files) > 1 or len(self.upload.sections()) > 1

    @property
    def can_submit(self) -> bool:
        """Any section passes: Submit loads those and records the others as rejected."""
        return self.refusal is None and self.outcomes is None and any(s.valid for s in self.upload.sections())

    @property
    def workforce_plan(self) -> SectionPlan | None:
        """The upload's workforce section when it passes: replace_notice is about it."""
        return next((p for p in self.plans if p.section == contract.WORKFORCE and p.valid), None)

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.upload.files)

    @property
    def findings(self) -> list[Finding]:
        """Every finding of every file, errors first, then each file's in the validator's order."""
        return [f for _file, f in self._findings_with_files()]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def findings_table(self) -> pl.DataFrame:
        """Every finding, errors first, as text a table shows inertly: the message (what to fix) first,
        the rule id last (FINDINGS_WIDTHS sizes the columns); for an upload of several sections, the
        file, section and sheet each finding is in."""
        several = self.several
        rows = [
            (f.message, f.severity, f.line, f.column, f.value, f.rule)
            + ((file_name, _section_label(f.section), f.sheet) if several else ())
            for file_name, f in self._findings_with_files()
        ]
        schema = FINDINGS_SCHEMA | (SECTION_SCHEMA if several else {})
        return pl.DataFrame(rows, schema=schema, orient="row")

    def _findings_with_files(self) -> list[tuple[str, Finding]]:
        every = [(r.file_name, f) for r in self.upload.files for f in r.findings]
        return [x for x in every if x[1].severity == "error"] + [x for x in every if x[1].severity != "error"]

    def sections_table(self) -> pl.DataFrame:
        """One row per section: where it is, its rows, errors and warnings, and what Submit will do."""
        rows = [
            (p.file_name, _section_label(p.section), p.sheet, p.rows, p.verdict, p.errors, p.warnings)
            for p in self.plans
        ]
        return pl.DataFrame(rows, schema=SECTIONS_SCHEMA, orient="row")


def _section_label(section: str | None) -> str:
    return contract.SECTION_LABELS.get(section, "not recognised") if section else "not recognised"


FINDINGS_SCHEMA = {
    "message": pl.String,
    "severity": pl.String,
    "line": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "rule": pl.String,
}
SECTION_SCHEMA = {"file": pl.String, "section": pl.String, "sheet": pl.String}
SECTIONS_SCHEMA = {
    "file": pl.String,
    "section": pl.String,
    "sheet": pl.String,
    "rows": pl.Int64,
    "verdict": pl.String,
    "errors": pl.Int64,
    "warnings": pl.Int64,
}
# Widths of the findings table's columns (st.column_config): the plain-English fix takes the room.
# Pixels, 930 in all: every column fits beside the sidebar in a 1,400 px window (the rule id too), the
# message has more than half, and what a wider screen adds is shared among the columns. The file,
# section and sheet of an upload of several sections follow, scrolled to on a narrow screen.
FINDINGS_WIDTHS = {
    "message": 500,
    "severity": 70,
    "line": 50,
    "column": 130,
    "value": 90,
    "rule": 90,
    "file": 140,
    "section": 110,
    "sheet": 100,
}
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
    """Validate one file for the target trust (see check_files)."""
    return check_files(con, user, target, [(file_name, data)], today)


def check_files(
    con: duckdb.DuckDBPyConnection,
    user: User,
    target: str,
    files: list[tuple[str, bytes]],
    today: dt.date | None = None,
) -> Check:
    """Validate the files of one upload for the target trust; record it at once when it is refused or
    when no section passes. A return with some sections passing waits for Submit."""
    require_upload(user, target)
    lookup = loader.previous_headcount_lookup(con)
    totals = loader.loaded_total_lookup(con)
    # The headcount-change warning quotes the trust's earlier headcount, and an annual section is checked
    # against the trust's loaded workforce total: never another trust's.
    upload = validate_upload(
        files,
        lambda t, p: lookup(t, p) if t == target else None,
        today,
        loaded_total=lambda t, p: totals(t, p) if t == target else None,
    )
    for result in upload.files:
        if result.trust_code is None:
            # An unreadable file names no trust; the attempt belongs in the uploading trust's history.
            result.trust_code = target
    chk = Check(upload, target)
    other = next((s.trust_code for s in upload.sections() if s.trust_code and s.trust_code != target), None)
    if other is not None:
        chk.refusal = _refusal_message(user, other, target)
        for result in upload.files:
            result.findings.insert(0, findings.error(REFUSED_RULE, chk.refusal, column="trust_code", value=other))
        chk.refused_submission_ids = _record_refusal(con, user, upload.files, target, other)
    elif not chk.can_submit:
        names = ", ".join(repr(r.file_name) for r in upload.files)
        with _saving(f"the rejected upload {names} for {target}"):
            chk.outcomes = loader.load_upload(con, upload.files, user.email)
    else:
        _plan(con, chk)
    if not chk.plans:
        chk.plans = [_plan_of(r, s) for r in upload.files for s in r.sections]
    return chk


def _plan_of(result: ValidationResult, s: SectionResult) -> SectionPlan:
    return SectionPlan(result.file_name, s.section, s.sheet, s.rows, len(s.errors), len(s.warnings), s.valid)


def _plan(con, chk: Check) -> None:
    """What Submit will do with each section, said before it is pressed: the current versions read now,
    the duplicates found as the loader finds them (by content, or the same file for a one-section file)."""
    for result in chk.upload.files:
        for s in result.sections:
            plan = _plan_of(result, s)
            chk.plans.append(plan)
            if not plan.valid:
                continue
            key = {"trust_code": s.trust_code, "period_end": s.period_end}
            if s.section == contract.WORKFORCE:
                current = con.execute(sql("queries/current_version"), key).fetchall()
            else:
                current = con.execute(sql("queries/current_section_version"), {**key, "section": s.section}).fetchall()
            if not current:
                continue
            version, submission_id, sha, content_sha = current[0]
            plan.current_version = int(version)
            single = len(result.sections) == 1
            if (single and sha == result.sha256) or (content_sha and content_sha == s.content_sha256):
                plan.same_as_version = int(version)
            if s.section == contract.WORKFORCE:
                chk.current_version, chk.current_submission_id = int(version), int(submission_id)
    if len(chk.plans) == 1:
        chk.same_as_version = chk.plans[0].same_as_version


def _record_refusal(con, user: User, results: list[ValidationResult], target: str, file_code: str) -> list[int]:
    """A rejected submission per file under the uploader's trust, its findings and an audit row, together.

    It is filed under the trust the user uploads for, not the file's: the attempt is theirs, and
    filing it under the other trust would make that trust look as if it had tried and failed.
    """
    ids: list[int] = []
    names = ", ".join(repr(r.file_name) for r in results)
    with _saving(f"the refused upload {names} for {target}"):
        with database.transaction(con):
            for result in results:
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
                        "file_trust_code": file_code,
                        "period_end": result.period_end,
                    },
                )
                ids.append(int(submission_id))
    return ids


def submit(con: duckdb.DuckDBPyConnection, user: User, chk: Check) -> loader.LoadOutcome:
    """Load a checked upload: each section accepted as a new version, a duplicate of the current one, or
    rejected (its errors recorded); the accepted ones together or not at all. Returns the first file's
    outcome; chk.outcomes holds every file's."""
    require_upload(user, chk.result.trust_code)
    if not chk.can_submit:
        raise ValueError("This return cannot be submitted: it was refused, has errors or is already saved.")
    names = ", ".join(repr(r.file_name) for r in chk.upload.files)
    with _saving(f"the return {names} for {chk.result.trust_code} {chk.result.period_end}"):
        chk.outcomes = loader.load_upload(con, chk.upload.files, user.email)
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


def outcomes_table(chk: Check) -> pl.DataFrame:
    """After Submit (or at once, when nothing passed): what happened to each section of the upload."""
    rows = [
        (o.file_name, _section_label(s.section), s.sheet, s.status, s.version, section_words(s), s.errors, s.warnings)
        for o in chk.outcomes or []
        for s in o.sections
    ]
    return pl.DataFrame(rows, schema=OUTCOMES_SCHEMA, orient="row")


OUTCOMES_SCHEMA = {
    "file": pl.String,
    "section": pl.String,
    "sheet": pl.String,
    "status": pl.String,
    "version": pl.Int64,
    "result": pl.String,
    "errors": pl.Int64,
    "warnings": pl.Int64,
}


def section_words(s: loader.SectionOutcome) -> str:
    if s.status == "accepted":
        return f"Accepted as version {s.version}."
    if s.status == "duplicate":
        return f"Duplicate of version {s.version}: nothing changed."
    return f"Rejected with {counted(s.errors, 'error')}: nothing loaded. Correct it and upload the return again."


def upload_words(chk: Check) -> tuple[str, str]:
    """The headline after an upload of several sections is recorded: (status, sentence); status is the
    upload's as a whole, as LoadOutcome.status is a file's."""
    every = [s for o in chk.outcomes or [] for s in o.sections]
    counts = {k: sum(s.status == k for s in every) for k in ("accepted", "duplicate", "rejected")}
    said = ", ".join(f"{counted(n, 'section')} {k}" for k, n in counts.items() if n)
    if counts["accepted"]:
        status = "accepted"
    elif counts["rejected"]:
        status = "rejected"
    else:
        status = "duplicate"
    tail = {
        "accepted": "The accepted sections are saved; the table says each section's version."
        + (" Correct the rejected sections and upload them again." if counts["rejected"] else ""),
        "duplicate": "Nothing has changed: every section is identical to its current version.",
        "rejected": "Nothing was loaded. Correct the sections with errors and upload the return again.",
    }[status]
    return status, f"{said.capitalize()}. {tail}"
