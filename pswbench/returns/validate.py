"""Validating returns: read each file into its sections, run the GX rules and the cross-row checks on the
workforce section, the annual sections' rules against the trust's workforce total, one verdict per section
and per file.

An upload is one return: every file and section in it is for one trust and one period. validate_upload
checks several files as one upload; validate_many checks several files, each its own upload, with one
Great Expectations run over all their workforce rows (the demo and the CLI's load).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from pswbench.returns import contract, cross_checks, gx_rules, section_rules
from pswbench.returns.findings import Finding, capped, error
from pswbench.returns.reader import RawReturn, read_sections
from pswbench.returns.section_rules import WorkforceTotal

# (trust_code, period_end) -> (previous loaded period_end, its total headcount) or None
PreviousHeadcount = Callable[[str, dt.date], "tuple[dt.date, int] | None"]
# (trust_code, period_end) -> (total headcount, version) of the current loaded workforce version, or None
LoadedTotal = Callable[[str, dt.date], "tuple[int, int] | None"]
ANNUAL_CHECKS = {
    contract.DEMOGRAPHICS: section_rules.check_demographics,
    contract.ORGANISATION: section_rules.check_organisation,
}


@dataclass
class SectionResult:
    """One section of a file (a workbook sheet, or a whole CSV file) and its verdict."""

    section: str | None  # None: the sheet or file could not be told to be any section
    sheet: str | None
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    clean: pl.DataFrame | None = None  # typed rows, ready to load, when valid
    raw: pl.DataFrame | None = None  # the text cells as read, for checking an annual section again at load time
    trust_code: str | None = None
    period_end: dt.date | None = None
    total: WorkforceTotal | None = None  # the workforce total an annual section was checked against
    # The trust reference and day an annual section was checked with, so the loader's re-check applies the same.
    checked_with: tuple[cross_checks.TrustReference | None, dt.date | None] = (None, None)
    file_findings: list[Finding] = field(default_factory=list)  # the reader's, and the upload's, for this section

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.all_findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.all_findings if f.severity == "warning"]

    @property
    def all_findings(self) -> list[Finding]:
        stamped = [replace(f, section=f.section or self.section, sheet=f.sheet or self.sheet) for f in self.findings]
        return capped(stamped)

    @property
    def valid(self) -> bool:
        return self.section is not None and not self.errors

    @property
    def content_sha256(self) -> str | None:
        """Of the checked rows (not the file): a section unchanged inside a changed workbook is a duplicate."""
        if self.clean is None:
            return None
        text = self.clean.drop("line").write_csv()
        return hashlib.sha256(f"{self.section}\n{text}".encode()).hexdigest()

    def as_json(self) -> dict:
        return {
            "section": self.section,
            "sheet": self.sheet,
            "valid": self.valid,
            "rows": self.rows,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
        }


@dataclass
class ValidationResult:
    file_name: str
    sha256: str
    size_bytes: int
    trust_code: str | None = None
    period_end: dt.date | None = None
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)  # every finding of the file, its sections' included
    clean: pl.DataFrame | None = None  # the workforce section's typed rows, ready to load, when it is valid
    sections: list[SectionResult] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        """Valid only when every section read from it is (and at least one was)."""
        return not self.errors and bool(self.sections) and all(s.valid for s in self.sections)

    def section(self, name: str) -> SectionResult | None:
        return next((s for s in self.sections if s.section == name), None)

    def refresh(self) -> None:
        """Gather the sections' findings, totals and identity into the file's (after any check changed them)."""
        self.findings = capped([f for s in self.sections for f in s.all_findings])
        self.rows = sum(s.rows for s in self.sections)
        known = [s for s in self.sections if s.trust_code]
        if known:
            self.trust_code, self.period_end = known[0].trust_code, known[0].period_end
        workforce = self.section(contract.WORKFORCE)
        self.clean = workforce.clean if workforce is not None and workforce.valid else None

    def as_json(self) -> dict:
        return {
            "file": self.file_name,
            "valid": self.valid,
            "trust_code": self.trust_code,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "rows": self.rows,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
            "sections": [s.as_json() for s in self.sections],
        }


@dataclass
class UploadResult:
    """Several files checked as one return."""

    files: list[ValidationResult]

    @property
    def valid(self) -> bool:
        return bool(self.files) and all(f.valid for f in self.files)

    def sections(self) -> list[SectionResult]:
        return [s for f in self.files for s in f.sections]


def validate_bytes(
    file_name: str,
    data: bytes,
    previous: PreviousHeadcount | None = None,
    today: dt.date | None = None,
    loaded_total: LoadedTotal | None = None,
) -> ValidationResult:
    return validate_upload([(file_name, data)], previous, today, loaded_total=loaded_total).files[0]


def validate_upload(
    files: list[tuple[str, bytes]],
    previous: PreviousHeadcount | None = None,
    today: dt.date | None = None,
    trust_reference: cross_checks.TrustReference | None = None,
    loaded_total: LoadedTotal | None = None,
) -> UploadResult:
    """Validate several files as one upload: one trust, one period, each section at most once."""
    results = _check_files(files, previous, today, trust_reference)
    _one_return(results)
    for s in _annual_sections(results):
        check_annual(s, total_for(results, s, loaded_total), trust_reference, today)
    for r in results:
        r.refresh()
    return UploadResult(results)


def validate_many(
    files: list[tuple[str, bytes]],
    previous: PreviousHeadcount | None = None,
    today: dt.date | None = None,
    trust_reference: cross_checks.TrustReference | None = None,
    loaded_total: LoadedTotal | None = None,
) -> list[ValidationResult]:
    """Validate several files, each its own upload, with one Great Expectations run over all of them.

    trust_reference overrides the reference file's trusts (see checks.trust_known_and_open)."""
    results = _check_files(files, previous, today, trust_reference)
    for r in results:
        _one_return([r])
        for s in _annual_sections([r]):
            check_annual(s, total_for([r], s, loaded_total), trust_reference, today)
        r.refresh()
    return results


def check_annual(
    s: SectionResult,
    total: WorkforceTotal | None,
    trust_reference: cross_checks.TrustReference | None = None,
    today: dt.date | None = None,
) -> None:
    """(Re)check an annual section against a workforce total; the loader calls it again inside its
    transaction, where the current loaded version may have changed since the file was checked."""
    checked = ANNUAL_CHECKS[s.section](s.raw, total, trust_reference, today)
    s.findings = list(s.file_findings) + list(checked.findings)
    s.clean = checked.clean if not [f for f in s.findings if f.severity == "error"] else None
    s.trust_code, s.period_end, s.rows, s.total = checked.trust_code, checked.period_end, checked.rows, total
    s.checked_with = (trust_reference, today)


def _check_files(
    files: list[tuple[str, bytes]],
    previous: PreviousHeadcount | None,
    today: dt.date | None,
    trust_reference: cross_checks.TrustReference | None,
) -> list[ValidationResult]:
    results: list[ValidationResult] = []
    workforce: list[tuple[SectionResult, pl.DataFrame]] = []
    for name, data in files:
        result = ValidationResult(name, hashlib.sha256(data).hexdigest(), len(data))
        results.append(result)
        for raw in read_sections(name, data):
            s = _section_from(raw)
            result.sections.append(s)
            if s.section == contract.WORKFORCE and raw.frame is not None:
                workforce.append((s, raw.frame))
    _check_workforce(workforce, previous, today, trust_reference)
    return results


def _section_from(raw: RawReturn) -> SectionResult:
    s = SectionResult(raw.section, raw.sheet, file_findings=list(raw.findings), raw=raw.frame)
    s.findings = list(s.file_findings)
    if raw.frame is not None:
        s.rows = raw.frame.height
        if s.section in ANNUAL_CHECKS:
            s.trust_code, s.period_end = section_rules.section_identity(raw.frame)
    return s


def _check_workforce(
    sections: list[tuple[SectionResult, pl.DataFrame]],
    previous: PreviousHeadcount | None,
    today: dt.date | None,
    trust_reference: cross_checks.TrustReference | None,
) -> None:
    """The workforce sections of every file together: one GX run over all their rows."""
    if not sections:
        return
    frames = [frame.with_columns(pl.lit(i, dtype=pl.Int64).alias("__part")) for i, (_s, frame) in enumerate(sections)]
    # The parsed columns are row by row, so they are added once for every section's rows together.
    everything = gx_rules.prepare(pl.concat(frames, how="vertical"))
    for index, finding in gx_rules.run(everything, today):
        sections[everything["__part"][index]][0].findings.append(finding)
    by_part = {key[0]: part.drop("__part") for key, part in everything.partition_by("__part", as_dict=True).items()}
    for i, (s, _frame) in enumerate(sections):
        _whole_workforce_checks(s, by_part[i], previous, trust_reference)


def _whole_workforce_checks(
    s: SectionResult,
    frame: pl.DataFrame,
    previous: PreviousHeadcount | None,
    trust_reference: cross_checks.TrustReference | None = None,
) -> None:
    frame = frame.with_columns(pl.col("trust_code").str.to_uppercase())
    f = s.findings
    f += cross_checks.single_value(frame, "trust_code", "mixed_trust_codes", "trust code")
    f += cross_checks.single_value(frame, "period_end__date", "mixed_periods", "period")
    f += cross_checks.duplicate_cells(frame)
    first = frame.row(0, named=True)
    s.trust_code = first["trust_code"]
    s.period_end = first["period_end__date"]
    f += cross_checks.trust_known_and_open(s.trust_code, s.period_end, first["line"], trust_reference)
    f += cross_checks.fte_days_mismatch(frame, s.period_end)
    f += cross_checks.trust_rates(frame)
    if previous and s.trust_code and s.period_end:
        headcount = frame["headcount__num"].sum()
        f += cross_checks.headcount_change(headcount, previous(s.trust_code, s.period_end))
    if not [x for x in f if x.severity == "error"]:
        s.clean = _clean(frame)


def _annual_sections(results: list[ValidationResult]) -> list[SectionResult]:
    return [s for r in results for s in r.sections if s.section in ANNUAL_CHECKS and s.raw is not None]


def total_for(
    results: list[ValidationResult], s: SectionResult, loaded_total: LoadedTotal | None
) -> WorkforceTotal | None:
    """The workforce total an annual section must add up to: the same upload's valid workforce section
    for its trust and quarter, otherwise the current loaded version, otherwise none."""
    for r in results:
        w = r.section(contract.WORKFORCE)
        if w is not None and w.valid and (w.trust_code, w.period_end) == (s.trust_code, s.period_end):
            return WorkforceTotal(int(w.clean["headcount"].sum()), "upload", None)
    if loaded_total and s.trust_code and s.period_end:
        found = loaded_total(s.trust_code, s.period_end)
        if found is not None:
            return WorkforceTotal(int(found[0]), "loaded", int(found[1]))
    return None


def _one_return(results: list[ValidationResult]) -> None:
    """An upload is one return: one trust and one period in every file and section, each section once."""
    identities: dict[tuple[str, dt.date], list[str]] = {}
    for r in results:
        for s in r.sections:
            if s.trust_code and s.period_end:
                names = identities.setdefault((s.trust_code, s.period_end), [])
                if r.file_name not in names:
                    names.append(r.file_name)
    if len(identities) > 1:
        said = "; ".join(
            f"{code} for the quarter ending {period:%d %B %Y} in {', '.join(names)}"
            for (code, period), names in identities.items()
        )
        for r in results:
            for s in r.sections:
                if s.trust_code:
                    s.file_findings.append(
                        error(
                            "mixed_returns",
                            f"The files uploaded together hold more than one return: {said}. An upload is one "
                            "trust's return for one quarter: upload each return on its own.",
                            column="trust_code",
                            value=f"{s.trust_code} {s.period_end}",
                        )
                    )
                    s.findings.append(s.file_findings[-1])
    seen: dict[str, list[tuple[ValidationResult, SectionResult]]] = {}
    for r in results:
        for s in r.sections:
            if s.section:
                seen.setdefault(s.section, []).append((r, s))
    for section, holders in seen.items():
        if len(holders) < 2:
            continue
        where = " and ".join(f"'{r.file_name}'" + (f" (sheet '{s.sheet}')" if s.sheet else "") for r, s in holders)
        for _r, s in holders:
            s.file_findings.append(
                error(
                    "section_twice",
                    f"The {contract.SECTION_LABELS[section]} section is in more than one file of this upload: "
                    f"{where}. Keep it in one file and upload again.",
                    value=section,
                )
            )
            s.findings.append(s.file_findings[-1])


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "line",
        "trust_code",
        pl.col("period_end__date").alias("period_end"),
        pl.col("service_setting__norm").alias("service_setting"),
        pl.col("afc_band__norm").alias("afc_band"),
        *[pl.col(f"{c}__num").cast(pl.Int32).alias(c) for c in contract.INTEGER_COLUMNS],
        *[pl.col(f"{c}__num").alias(c) for c in contract.REQUIRED_DECIMAL_COLUMNS + contract.OPTIONAL_DECIMAL_COLUMNS],
        pl.col("contacts__num").cast(pl.Int32).alias("contacts"),
        "notes",
    )
