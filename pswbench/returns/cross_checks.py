"""Rules Great Expectations cannot express: across rows, against reference data, and trust totals.

Each takes the prepared frame of one return and yields findings in the same shape as the GX rules.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import duckdb
import polars as pl

from pswbench.paths import REFERENCE_DIR
from pswbench.reports.definitions import BY_NAME
from pswbench.returns import contract
from pswbench.returns.findings import Finding, error, warning
from pswbench.store.database import sql

FTE_DAYS_TOLERANCE = 0.20
SICKNESS_WARN = 0.15
VACANCY_WARN = 0.40
LEAVER_WARN = 0.25
HEADCOUNT_CHANGE_SHARE = 0.50
HEADCOUNT_CHANGE_PEOPLE = 10


@cache
def trust_reference() -> dict[str, tuple[str, dt.date | None, dt.date | None]]:
    """trust_code -> (name, open_date, close_date), from the same file the database loads."""
    ref = pl.read_csv(REFERENCE_DIR / "mental_health_trusts.csv", infer_schema=False)
    parse = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    return {
        r["trust_code"]: (r["trust_name"], parse(r["open_date"]), parse(r["close_date"]))
        for r in ref.iter_rows(named=True)
    }


def single_value(frame: pl.DataFrame, column: str, rule: str, what: str) -> list[Finding]:
    """A return is for one trust and one quarter: every row must carry the same value."""
    values = (
        frame.filter(pl.col(column).is_not_null())
        .group_by(column, maintain_order=True)
        .agg(pl.col("line").min().alias("first_line"))
    )
    if values.height <= 1:
        return []
    listed = ", ".join(f"'{v}' (first on line {n})" for v, n in values.iter_rows())
    return [
        error(
            rule,
            f"The file holds more than one {what}: {listed}. A return is for one trust and one "
            "quarter; split it into one file each.",
            column=column.split("__")[0],  # the file's column
            value=values[column][1],
        )
    ]


def duplicate_cells(frame: pl.DataFrame) -> list[Finding]:
    keyed = frame.filter(
        pl.col("service_setting__norm").is_not_null()
        & pl.col("afc_band__norm").ne("?")
        & pl.col("afc_band__norm").is_not_null()
    )
    out = []
    for (setting, band), group in keyed.group_by(["service_setting__norm", "afc_band__norm"], maintain_order=True):
        lines = sorted(group["line"].to_list())
        for later in lines[1:]:
            out.append(
                error(
                    "duplicate_cell",
                    f"Line {later} repeats service_setting {setting} and afc_band {band} from line {lines[0]}: "
                    "give each setting and band one row (add the figures together).",
                    line=later,
                    column="afc_band",
                    value=f"{setting} / {band}",
                )
            )
    return out


TrustReference = dict[str, tuple[str, "dt.date | None", "dt.date | None"]]


def trust_known_and_open(
    trust_code: str | None, period: dt.date | None, line: int, reference: TrustReference | None = None
) -> list[Finding]:
    """reference: trust_code -> (name, open_date, close_date) to check against instead of the
    reference file (for a database whose trust table holds more, e.g. synthetic scale-test trusts)."""
    if trust_code is None:
        return []
    ref = (trust_reference() if reference is None else reference).get(trust_code.upper())
    if ref is None:
        return [
            error(
                "unknown_trust_code",
                f"trust_code '{trust_code}' on line {line} is not an NHS mental health trust ODS code we "
                "know. Use your trust's ODS code: 3 or 5 characters, such as RX4 or G6V2S.",
                line=line,
                column="trust_code",
                value=trust_code,
            )
        ]
    name, opened, closed = ref
    if period and ((opened and period < opened) or (closed and period > closed)):
        span = f"open {opened or 'before 2019'} to {closed or 'now'}"
        return [
            error(
                "trust_not_open",
                f"trust_code {trust_code} ({name}) on line {line} was not open on {period.isoformat()} ({span}). "
                "Check the code and the period; a merged trust reports under its new code.",
                line=line,
                column="trust_code",
                value=trust_code,
            )
        ]
    return []


def fte_days_mismatch(frame: pl.DataFrame, period: dt.date | None) -> list[Finding]:
    if period is None:
        return []
    days = contract.days_in_quarter(period)
    expected = pl.col("wte_in_post__num") * days
    # A hair of slack so a figure exactly 20% off (0.72 against 0.9) is not flagged by float rounding.
    off = frame.filter(
        (expected > 0) & ((pl.col("fte_days_available__num") - expected).abs() > FTE_DAYS_TOLERANCE * expected + 1e-9)
    )
    return [
        warning(
            "fte_days_mismatch",
            f"fte_days_available {r['fte_days_available']} on line {r['line']} differs by more than 20% "
            f"from wte_in_post {r['wte_in_post']} x {days} days in the quarter "
            f"({r['wte_in_post__num'] * days:,.1f}). Check both figures.",
            line=r["line"],
            column="fte_days_available",
            value=r["fte_days_available"],
        )
        for r in off.iter_rows(named=True)
    ]


@cache
def _formulas() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB holding the indicator formulas (sql/macros/rates.sql), the same macros
    the trust and pooled models use, so a return is checked with the figures it will be shown with."""
    con = duckdb.connect()
    con.execute(sql("macros/rates"))
    return con


WARNED_RATES = ("sickness_rate", "vacancy_rate", "leaver_rate_quarter")


def return_rates(totals: dict[str, float]) -> dict[str, float | None]:
    """A return's average headcount and its WARNED_RATES, each computed by the registry's SQL for it
    over the return's totals (keys as in sql/queries/return_totals.sql); None where the denominator
    is zero."""
    rates = ", ".join(f"{BY_NAME[name].sql} AS {name}" for name in WARNED_RATES)
    query = f"SELECT average_headcount, {rates} FROM ({sql('queries/return_totals')})"
    cur = _formulas().cursor()  # a cursor per call: checks may run in several threads at once
    try:
        row = cur.execute(query, {k: float(v) for k, v in totals.items()}).fetchone()
        return dict(zip(("average_headcount", *WARNED_RATES), row, strict=True))
    finally:
        cur.close()


def trust_rates(frame: pl.DataFrame) -> list[Finding]:
    t = frame.select(
        pl.col("headcount__num").sum().alias("h"),
        pl.col("wte_in_post__num").sum().alias("w"),
        pl.col("vacancy_wte__num").sum().alias("v"),
        pl.col("sickness_fte_days_lost__num").sum().alias("lost"),
        pl.col("fte_days_available__num").sum().alias("avail"),
        pl.col("leavers_headcount__num").sum().alias("l"),
        pl.col("joiners_headcount__num").sum().alias("j"),
    ).row(0, named=True)
    rates = return_rates(t)
    out = []
    if rates["sickness_rate"] is not None and rates["sickness_rate"] > SICKNESS_WARN:
        out.append(
            warning(
                "high_sickness_rate",
                f"The trust's sickness rate is {rates['sickness_rate']:.1%} (days lost {t['lost']:,.1f} of "
                f"{t['avail']:,.1f} available), above 15%. Check the figures; if right, say why in notes.",
                column="sickness_fte_days_lost",
                value=f"{rates['sickness_rate']:.1%}",  # as the message says it, not 0.2124
            )
        )
    if rates["vacancy_rate"] is not None and rates["vacancy_rate"] > VACANCY_WARN:
        out.append(
            warning(
                "high_vacancy_rate",
                f"The trust's vacancy rate is {rates['vacancy_rate']:.1%} (vacancy {t['v']:,.2f} WTE of "
                f"{t['w'] + t['v']:,.2f} WTE establishment), above 40%. Check the figures.",
                column="vacancy_wte",
                value=f"{rates['vacancy_rate']:.1%}",
            )
        )
    # No leaver warning on an average headcount of zero or below (nonsense figures have errors of their own).
    if rates["average_headcount"] > 0 and rates["leaver_rate_quarter"] > LEAVER_WARN:
        out.append(
            warning(
                "high_leaver_rate",
                f"The trust's leaver rate this quarter is {rates['leaver_rate_quarter']:.1%} ({t['l']:.0f} leavers "
                f"against an average headcount of {rates['average_headcount']:,.1f}), above 25%. Check the figures.",
                column="leavers_headcount",
                value=f"{rates['leaver_rate_quarter']:.1%}",
            )
        )
    return out


def headcount_change(headcount: float, previous: tuple[dt.date, int] | None) -> list[Finding]:
    """Compare with the trust's previous loaded quarter (looked up by the caller in the database)."""
    if previous is None:
        return []
    when, before = previous
    change = headcount - before
    if abs(change) > HEADCOUNT_CHANGE_PEOPLE and (before == 0 or abs(change) / before > HEADCOUNT_CHANGE_SHARE):
        share = "" if before == 0 else f" ({change / before:+.0%})"
        return [
            warning(
                "headcount_change",
                f"Total headcount is {headcount:.0f}, against {before} at {when.isoformat()}: a change of "
                f"{change:+.0f}{share}. Check the figures; if right, say why in notes.",
                column="headcount",
                value=f"{headcount:.0f}",
            )
        ]
    return []
