"""What a signed-in user may see: every page reads data through these functions.

Access rules are applied here, below the pages: other trusts are anonymised and their small
numbers suppressed for anyone but an analyst, and a trust lead or board member asking for
another trust's detail is refused whatever route the request came by.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from . import access
from .auth import User
from .definitions import BY_NAME, INDICATORS, suppression_rules

PEER_GROUPS = {"england": "All England", "region": "Own region", "nearest": "10 trusts nearest in PSW WTE"}
NEAREST_N = 10


def require_trust(user: User, trust_code: str | None) -> str:
    """The trust whose detail is asked for, if this user may see it named; NotPermitted otherwise."""
    if not trust_code or not access.can_view_trust_named(user, trust_code):
        raise access.NotPermitted("You can see detail for your own trust only. Other trusts appear as "
                                  "anonymised peers in the comparisons.")
    return trust_code


def default_trust(user: User, trusts: list[str]) -> str | None:
    return user.trust_code if user.trust_code else (trusts[0] if trusts else None)


def present(q, user: User, df: pl.DataFrame) -> pl.DataFrame:
    """Anonymise and suppress a frame of trust rows for this user (strings where suppressed)."""
    df = access.present_trusts(df, user, q.salt(), q.trusts()["trust_code"].to_list())
    return access.suppress_small_numbers(df, user, suppression_rules())


def trust_table(q, user: User, period: dt.date | None) -> pl.DataFrame:
    """Every trust's indicators for display, as this user may see them."""
    return present(q, user, q.trust_indicators(period))


def trust_values(q, user: User, period: dt.date | None) -> pl.DataFrame:
    """Numbers for charts: the same rows, suppressed values as null, with 'label' and 'is_own'.

    The percentile rank and peer statistics are computed on the full data before this step,
    so suppression hides numbers from the viewer without changing anyone's position.
    """
    raw = q.trust_indicators(period)
    shown = present(q, user, raw)
    names = [i.name for i in INDICATORS]
    numeric = shown.with_columns(pl.col(n).cast(pl.Float64, strict=False) for n in names if n in shown.columns)
    own = raw["trust_code"] == (user.trust_code or "")
    # After present(), another trust's name is already its peer label for non-analysts.
    return numeric.with_columns(own.alias("is_own"), pl.col("trust_name").alias("label"))


def peer_codes(q, period: dt.date, trust_code: str | None, group: str) -> set[str]:
    """The trusts in a peer group for a quarter (always including the trust itself)."""
    df = q.trust_indicators(period)
    if group == "england" or trust_code is None or trust_code not in df["trust_code"].to_list():
        return set(df["trust_code"].to_list())
    me = df.filter(pl.col("trust_code") == trust_code).row(0, named=True)
    if group == "region":
        return set(df.filter(pl.col("region_code") == me["region_code"])["trust_code"].to_list())
    if group == "nearest":
        others = (df.filter(pl.col("trust_code") != trust_code)
                  .with_columns((pl.col("wte_in_post") - me["wte_in_post"]).abs().alias("gap"))
                  .sort(["gap", "trust_code"]).head(NEAREST_N))
        return {trust_code, *others["trust_code"].to_list()}
    raise ValueError(f"unknown peer group {group!r}")


@dataclass(frozen=True)
class Position:
    indicator: str
    value: float | None
    n: int
    q1: float | None
    median: float | None
    q3: float | None
    percentile_rank: float | None   # 0 = lowest value, 1 = highest
    quartile: int | None            # 1 = lowest quarter of values ... 4 = highest

    def quartile_words(self) -> str:
        if self.quartile is None:
            return "no position (no value)"
        spec = BY_NAME[self.indicator]
        where = {1: "lowest quarter", 2: "second quarter", 3: "third quarter", 4: "highest quarter"}[self.quartile]
        return f"{where} of trusts ({spec.direction_words})"


def positions(q, period: dt.date, trust_code: str, codes: set[str]) -> dict[str, Position]:
    """The trust's value, peer quartiles, percentile rank and quartile on every indicator."""
    df = q.trust_indicators(period).filter(pl.col("trust_code").is_in(list(codes)))
    mine = df.filter(pl.col("trust_code") == trust_code)
    out = {}
    for spec in INDICATORS:
        values = df[spec.name].drop_nulls()
        value = mine[spec.name][0] if mine.height else None
        stats = dict(q1=None, median=None, q3=None)
        if values.len():
            stats = {k: float(values.quantile(p, interpolation="linear"))
                     for k, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))}
        rank = quartile = None
        if value is not None and values.len() > 1:
            below = int((values < value).sum())
            rank = below / (values.len() - 1)
            quartile = 1 if value <= stats["q1"] else 2 if value <= stats["median"] else 3 if value <= stats["q3"] else 4
        elif value is not None:
            rank, quartile = None, None
        out[spec.name] = Position(spec.name, None if value is None else float(value), int(values.len()),
                                  **stats, percentile_rank=rank, quartile=quartile)
    return out


def peer_medians_over_time(q, codes_by_scope: dict[str, set[str] | None], indicator: str) -> pl.DataFrame:
    """Median of trust values per quarter for each scope (None = all trusts)."""
    df = q.trust_indicators(None)
    frames = []
    for scope, codes in codes_by_scope.items():
        part = df if codes is None else df.filter(pl.col("trust_code").is_in(list(codes)))
        frames.append(part.group_by("period_end").agg(pl.col(indicator).median().alias("value"))
                      .with_columns(pl.lit(scope).alias("series")))
    return pl.concat(frames).sort(["series", "period_end"])


def coverage(q, user: User, period: dt.date) -> pl.DataFrame:
    """Submission status of every open trust (analysts only: it names non-submitters)."""
    access.require_page(user, "submissions")
    return q.coverage(period)


def coverage_counts(q, period: dt.date) -> tuple[int, int]:
    """(trusts with an accepted return, trusts open) for the quarter: safe for every role."""
    df = q.coverage(period)
    return int((df["status"] == "accepted").sum()), df.height


@dataclass(frozen=True)
class Change:
    value: float | None
    value_text: str
    quarter_text: str | None      # change on the previous quarter, in units
    year_text: str                # change on the same quarter a year before
    delta_colour: str             # for st.metric: "normal", "inverse" or "off"
    unchanged: bool               # the change rounds to nothing: no arrow


def _shift(period: dt.date, quarters: int) -> dt.date:
    from .contract import quarter_ends

    ends = quarter_ends(dt.date(period.year - 3, 1, 1), period)
    return ends[-1 - quarters] if len(ends) > quarters else None


def national_changes(series: pl.DataFrame, period: dt.date, names) -> dict[str, Change]:
    """Each indicator's value for the quarter with its change on the previous quarter and a year before."""
    by_period = {r["period_end"]: r for r in series.iter_rows(named=True)}
    now = by_period.get(period, {})
    prev = by_period.get(_shift(period, 1), {})
    year = by_period.get(_shift(period, 4), {})
    out = {}
    for name in names:
        spec = BY_NAME[name]
        q_diff = spec.format_change(_minus(now.get(name), prev.get(name)))
        y_diff = spec.format_change(_minus(now.get(name), year.get(name)))
        out[name] = Change(now.get(name), spec.format(now.get(name)),
                           q_diff,
                           f"{y_diff} on the same quarter a year before" if y_diff else
                           "no figure for the same quarter a year before",
                           spec.delta_colour, spec.is_zero_change(_minus(now.get(name), prev.get(name))))
    return out


def _minus(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before
