"""Validating returns: read the file, run the GX rules and the cross-row checks, one verdict per file."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from pswbench.returns import contract, cross_checks, gx_rules
from pswbench.returns.findings import Finding, capped
from pswbench.returns.reader import read_return

# (trust_code, period_end) -> (previous loaded period_end, its total headcount) or None
PreviousHeadcount = Callable[[str, dt.date], "tuple[dt.date, int] | None"]


@dataclass
class ValidationResult:
    file_name: str
    sha256: str
    size_bytes: int
    trust_code: str | None = None
    period_end: dt.date | None = None
    rows: int = 0
    findings: list[Finding] = field(default_factory=list)
    clean: pl.DataFrame | None = None  # typed rows, ready to load, when valid

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {
            "file": self.file_name,
            "valid": self.valid,
            "trust_code": self.trust_code,
            "period_end": self.period_end.isoformat() if self.period_end else None,
            "rows": self.rows,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
        }


def validate_bytes(
    file_name: str, data: bytes, previous: PreviousHeadcount | None = None, today: dt.date | None = None
) -> ValidationResult:
    return validate_many([(file_name, data)], previous, today)[0]


def validate_many(
    files: list[tuple[str, bytes]],
    previous: PreviousHeadcount | None = None,
    today: dt.date | None = None,
    trust_reference: cross_checks.TrustReference | None = None,
) -> list[ValidationResult]:
    """Validate several files with one Great Expectations run over all their rows.

    trust_reference overrides the reference file's trusts (see checks.trust_known_and_open)."""
    results, frames = [], []
    for name, data in files:
        raw = read_return(name, data)
        result = ValidationResult(name, hashlib.sha256(data).hexdigest(), len(data), findings=list(raw.findings))
        results.append(result)
        if raw.frame is not None:
            result.rows = raw.frame.height
            frames.append(raw.frame.with_columns(pl.lit(len(results) - 1, dtype=pl.Int64).alias("__file")))
    by_file: dict[int, pl.DataFrame] = {}
    if frames:
        # The parsed columns are row by row, so they are added once for every file's rows together.
        everything = gx_rules.prepare(pl.concat(frames, how="vertical"))
        for index, finding in gx_rules.run(everything, today):
            results[everything["__file"][index]].findings.append(finding)
        by_file = {key[0]: part.drop("__file") for key, part in everything.partition_by("__file", as_dict=True).items()}
    for i, result in enumerate(results):
        if i in by_file:
            _whole_file_checks(result, by_file[i], previous, trust_reference)
            result.findings = [f if f.section else replace(f, section=contract.WORKFORCE) for f in result.findings]
        result.findings = capped(result.findings)
    return results


def _whole_file_checks(
    result: ValidationResult,
    frame: pl.DataFrame,
    previous: PreviousHeadcount | None,
    trust_reference: cross_checks.TrustReference | None = None,
) -> None:
    frame = frame.with_columns(pl.col("trust_code").str.to_uppercase())
    f = result.findings
    f += cross_checks.single_value(frame, "trust_code", "mixed_trust_codes", "trust code")
    f += cross_checks.single_value(frame, "period_end__date", "mixed_periods", "period")
    f += cross_checks.duplicate_cells(frame)
    first = frame.row(0, named=True)
    result.trust_code = first["trust_code"]
    result.period_end = first["period_end__date"]
    f += cross_checks.trust_known_and_open(result.trust_code, result.period_end, first["line"], trust_reference)
    f += cross_checks.fte_days_mismatch(frame, result.period_end)
    f += cross_checks.trust_rates(frame)
    if previous and result.trust_code and result.period_end:
        headcount = frame["headcount__num"].sum()
        f += cross_checks.headcount_change(headcount, previous(result.trust_code, result.period_end))
    if result.valid:
        result.clean = _clean(frame)


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        "line",
        "trust_code",
        pl.col("period_end__date").alias("period_end"),
        pl.col("service_setting__norm").alias("service_setting"),
        pl.col("afc_band__norm").alias("afc_band"),
        *[pl.col(f"{c}__num").cast(pl.Int32).alias(c) for c in contract.INTEGER_COLUMNS],
        *[pl.col(f"{c}__num").alias(c) for c in contract.REQUIRED_DECIMAL_COLUMNS + contract.OPTIONAL_DECIMAL_COLUMNS],
        (pl.col("contacts__num") if "contacts__num" in frame.columns else pl.lit(None))
        .cast(pl.Int32)
        .alias("contacts"),
        "notes",
    )
