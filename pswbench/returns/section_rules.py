"""The annual sections' rules (demographics, organisational conditions).

Until their rules land, an annual section is read and identified but not accepted: it gets one error
saying so (never a traceback), and nothing of it is loaded. The workforce section is unaffected.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import polars as pl

from pswbench.returns import contract
from pswbench.returns.findings import Finding, error


@dataclass(frozen=True)
class WorkforceTotal:
    headcount: int  # the trust's total PSW headcount for the quarter
    source: str  # "upload" (a valid workforce section of the same upload) or "loaded" (the current version)
    version: int | None  # the loaded version, when source == "loaded"


@dataclass
class SectionCheck:
    findings: list[Finding] = field(default_factory=list)
    clean: pl.DataFrame | None = None
    trust_code: str | None = None
    period_end: dt.date | None = None
    rows: int = 0


def section_identity(frame: pl.DataFrame) -> tuple[str | None, dt.date | None]:
    """The trust code and period of a raw section frame, when every row gives the same readable one."""
    codes = {contract.strip_invisible(c).upper() for c in frame["trust_code"].drop_nulls()}
    periods = {contract.parse_period(p) for p in frame["period_end"].drop_nulls()}
    code = codes.pop() if len(codes) == 1 else None
    period = periods.pop() if len(periods) == 1 else None
    return code, period


def _not_yet(section: str):
    def check(frame: pl.DataFrame, total=None, trust_reference=None, today=None) -> SectionCheck:
        code, period = section_identity(frame)
        return SectionCheck(
            [
                error(
                    "section_not_accepted_yet",
                    f"The {contract.SECTION_LABELS[section]} section (line 2 onwards) is not accepted by the service "
                    "yet. Nothing from it was loaded; the workforce section is checked and loaded as usual.",
                    line=int(frame["line"][0]) if frame.height else None,
                    value=section,
                )
            ],
            None,
            code,
            period,
            frame.height,
        )

    return check


check_demographics = _not_yet(contract.DEMOGRAPHICS)
check_organisation = _not_yet(contract.ORGANISATION)
