"""The organisational conditions section's rules: one row of counts, each a whole number, those of PSWs
in post no more than the trust's total PSW headcount, and a yes or no for a peer leadership post.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from pswbench.returns import contract, cross_checks
from pswbench.returns.findings import Finding, error, lines_text
from pswbench.returns.section_common import SectionCheck, WorkforceTotal, count, identity_findings, no_total, shown


def check_organisation(
    frame: pl.DataFrame,
    total: WorkforceTotal | None,
    trust_reference: cross_checks.TrustReference | None = None,
    today: dt.date | None = None,
) -> SectionCheck:
    found, code, period = identity_findings(frame, trust_reference, today or dt.date.today())
    if total is None:
        found.append(no_total(contract.ORGANISATION, frame, code, period))
    if frame.height > 1:
        lines = frame["line"].to_list()
        found.append(
            error(
                "too_many_organisation_rows",
                f"The organisational conditions section has {frame.height} rows ({lines_text(lines)}); it takes "
                "exactly one, for the whole trust: add the figures together into one row and delete the others.",
                line=int(lines[1]),
                column="trust_code",
                value=frame.height,
            )
        )
    typed = [_row(r, total, found) for r in frame.iter_rows(named=True)]
    clean = None
    if not [f for f in found if f.severity == "error"]:
        clean = pl.DataFrame(
            [
                {"line": r["line"], "trust_code": code, "period_end": period, **t}
                for r, t in zip(frame.iter_rows(named=True), typed, strict=True)
            ],
            schema={
                "line": pl.Int64,
                "trust_code": pl.String,
                "period_end": pl.Date,
                **{c: pl.Int32 for c in contract.ORGANISATION_COUNT_COLUMNS},
                "peer_leadership_post": pl.Boolean,
                "notes": pl.String,
            },
        )
    return SectionCheck(found, clean, code, period, frame.height)


def _row(r: dict, total: WorkforceTotal | None, found: list[Finding]) -> dict:
    line = int(r["line"])
    counts: dict[str, int | None] = {}
    for column in contract.ORGANISATION_COUNT_COLUMNS:
        counts[column], bad = count(r.get(column), line, column, "teams" if column.startswith("teams") else "people")
        if bad:
            found.append(bad)
    if total is not None:
        found += _against_headcount(counts, line, r, total)
    teams, single = counts["teams_with_psw"], counts["teams_with_single_psw"]
    if teams is not None and single is not None and single > teams:
        found.append(
            error(
                "single_psw_teams_exceed_teams",
                f"teams_with_single_psw {single} on line {line} is more than teams_with_psw {teams}: a team with a "
                "single PSW is one of the teams with PSWs. Check both figures.",
                line=line,
                column="teams_with_single_psw",
                value=r["teams_with_single_psw"],
            )
        )
    return {
        **counts,
        "peer_leadership_post": _yes_no(r.get("peer_leadership_post"), line, found),
        "notes": _notes(r.get("notes"), line, found),
    }


def _against_headcount(counts: dict, line: int, r: dict, total: WorkforceTotal) -> list[Finding]:
    out = []
    where = f"the trust's total PSW headcount for the quarter, {total.headcount:,}, from {total.said()}"
    teams = counts["teams_with_psw"]
    if teams == 0 and total.headcount > 0:
        out.append(
            error(
                "no_teams_with_psw",
                f"teams_with_psw is 0 on line {line}, but {where}: a PSW in post works in at least one team. Give "
                "the number of teams with at least one PSW (or correct the workforce section).",
                line=line,
                column="teams_with_psw",
                value=r["teams_with_psw"],
            )
        )
    for column in contract.ORGANISATION_AT_MOST_HEADCOUNT:
        value = counts[column]
        if value is not None and value > total.headcount:
            what = "teams with a PSW" if column == "teams_with_psw" else "PSWs"
            out.append(
                error(
                    "count_exceeds_headcount",
                    f"{column} {value} on line {line} is more than {where}: there cannot be more {what} than PSWs "
                    "in post. Check the figure (bank-only PSWs go in bank_only_psw_headcount).",
                    line=line,
                    column=column,
                    value=r[column],
                )
            )
    return out


def _yes_no(value: str | None, line: int, found: list[Finding]) -> bool | None:
    if value is None:
        found.append(
            error(
                "required_value",
                f"peer_leadership_post is blank on line {line}: say yes or no.",
                line=line,
                column="peer_leadership_post",
            )
        )
        return None
    key = contract.matching_key(value)
    if key in contract.YES_NO:
        return key == "yes"
    found.append(
        error(
            "not_yes_no",
            f"peer_leadership_post '{shown(value)}' on line {line} is not yes or no: write yes if the trust has a "
            "senior peer or lived-experience leadership post at band 7 or above, otherwise no."
            + contract.invisible_advice(value),
            line=line,
            column="peer_leadership_post",
            value=value,
        )
    )
    return None


def _notes(value: str | None, line: int, found: list[Finding]) -> str | None:
    if value is not None and len(value) > contract.MAX_NOTES_CHARS:
        found.append(
            error(
                "notes_too_long",
                f"notes on line {line} are {len(value):,} characters, longer than {contract.MAX_NOTES_CHARS} "
                "characters: shorten them.",
                line=line,
                column="notes",
                value=value,
            )
        )
    return value
