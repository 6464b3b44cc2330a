"""Ground truth for the disclosure checks: the demo database read as an analyst reads it.

Every trust's indicators and components come from pswbench.reports.queries.Queries on a read-only
connection. Which of them a non-analyst may see follows the policy (docs: notes/POLICY.md): another
trust's figure is suppressed when the people behind it (its basis column, from
pswbench.reports.definitions.suppression_rules) are fewer than access.SMALL_NUMBER_THRESHOLD; the user's own
trust is never suppressed. Pooled region and England figures are computed here from the trust
components, sums over sums as pswbench/reports/definitions.py states them, once over every trust and once
over only the trusts the user may see for that quantity, independently of the app's SQL and views.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from pswbench.access import disclosure
from pswbench.reports.definitions import BY_NAME, INDICATORS, suppression_rules
from pswbench.reports.queries import Queries

THRESHOLD = disclosure.SMALL_NUMBER_THRESHOLD
ENGLAND = "England"

# Policy point 1: leaver counts rest on min(headcount, leavers), as leaver rates do.
BASIS_OVERRIDES = {"leavers": "leaver_basis", "leavers_12m": "leaver_basis_12m"}

# Pooled figures as definitions.py writes them: (numerator, denominator or None, scale).
# A rate's numerator and denominator are its Indicator fields; the two others are spelled out from
# their formula text ("Σ WTE in post ÷ population × 100,000", "Σ WTE in post ÷ Σ headcount").
POOLED: dict[str, tuple[str, str | None, float]] = {
    **{i.name: (i.name, None, 1.0) for i in INDICATORS if i.kind == "count" and i.unit in ("people", "WTE")},
    **{i.name: (i.numerator, i.denominator, 1.0) for i in INDICATORS if i.is_rate},
    "wte_per_100k_population": ("wte_in_post", "population", 100_000.0),
    "mean_wte_per_head": ("wte_in_post", "headcount", 1.0),
}


def basis_rules() -> dict[str, str]:
    """Value column -> the column of people behind it (suppression_rules with policy point 1)."""
    return {**suppression_rules(), **BASIS_OVERRIDES}


def is_rate(column: str) -> bool:
    spec = BY_NAME.get(column)
    return bool(spec and spec.is_rate)


def labels_for(con: duckdb.DuckDBPyConnection, period: dt.date) -> dict[str, str]:
    """{trust code: peer label} for a quarter, as the app labels peers (access.peer_labels)."""
    with con.cursor() as cur:
        salt = cur.execute("SELECT value FROM app_setting WHERE key = 'peer_salt'").fetchone()[0]
        codes = [r[0] for r in cur.execute("SELECT trust_code FROM trust").fetchall()]
    return disclosure.peer_labels(codes, salt, period)


@dataclass(frozen=True)
class Figure:
    """One trust's figure in one quarter: value in raw units (rates as fractions)."""

    period: dt.date
    trust: str
    column: str
    value: float

    @property
    def rate(self) -> bool:
        return is_rate(self.column)

    @property
    def integral(self) -> bool:
        return float(self.value).is_integer()

    def __str__(self) -> str:
        return f"{self.trust} {self.column} {self.period} = {self.value!r}"


@dataclass(frozen=True)
class Pooled:
    period: dt.date
    scope: str
    quantity: str
    all_trusts: float | None
    visible: float | None
    left_out: tuple[str, ...]  # trusts in scope whose figure for quantity the user may not see

    def __str__(self) -> str:
        return (
            f"{self.scope} {self.quantity} {self.period} pooled over all trusts = {self.all_trusts!r}, "
            f"over the visible ones = {self.visible!r} (left out: {', '.join(self.left_out) or 'none'})"
        )

    @property
    def differs(self) -> bool:
        a, v = self.all_trusts, self.visible
        if a is None or v is None:
            return a is not v
        return abs(a - v) > 1e-9 * max(abs(a), abs(v), 1e-12)


@dataclass
class Truth:
    """Everything the checks compare received figures with."""

    own: str
    periods: list[dt.date]
    trusts: pl.DataFrame  # reference list: code, name, region, dates
    suppressed: list[Figure] = field(default_factory=list)
    visible: dict[dt.date, list[Figure]] = field(default_factory=dict)
    pooled: list[Pooled] = field(default_factory=list)
    labels: dict[dt.date, dict[str, str]] = field(default_factory=dict)  # quarter -> {code: label}
    returned: dict[dt.date, set[str]] = field(default_factory=dict)  # quarter -> trusts with a return
    # Figures a user may see that are built on visible figures only: pooled figures over the
    # visible trusts and the quartiles of visible trusts' figures, per region and England (the
    # "trust" of such a Figure names it: "pooled London", "median England").
    derived: dict[dt.date, list[Figure]] = field(default_factory=dict)

    def other_trusts(self) -> pl.DataFrame:
        return self.trusts.filter(pl.col("trust_code") != self.own)

    def region_of(self) -> dict[str, str]:
        return dict(self.trusts.select("trust_code", "region_name").iter_rows())


def load(db_path, own: str) -> Truth:
    """Read the ground truth for a user of trust own from the database at db_path (read-only)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q = Queries(con)
        periods = sorted(q.periods())
        trusts = q.trusts()
        regions = q.regions()
        truth = Truth(own, periods, trusts)
        rules = basis_rules()
        for period in periods:
            df = q.trust_indicators(period)
            truth.returned[period] = set(df["trust_code"].to_list())
            truth.labels[period] = labels_for(con, period)
            _split(truth, period, df, rules)
            pooled = _pooled(period, df, regions, own, rules)
            truth.pooled.extend(pooled)
            truth.derived[period] = [
                Figure(period, f"pooled {p.scope}", p.quantity, p.visible) for p in pooled if p.visible is not None
            ]
            truth.derived[period] += _quartiles(period, df, own, rules)
        return truth
    finally:
        con.close()


def _visible_mask(df: pl.DataFrame, own: str, basis: str) -> pl.Series:
    return (df["trust_code"] == own) | (df[basis].fill_null(-1) >= THRESHOLD)


def _split(truth: Truth, period: dt.date, df: pl.DataFrame, rules: dict[str, str]) -> None:
    visible = truth.visible.setdefault(period, [])
    for column, basis in rules.items():
        if column not in df.columns:
            continue
        shown = _visible_mask(df, truth.own, basis).to_list()
        for code, value, ok in zip(df["trust_code"].to_list(), df[column].to_list(), shown):
            if value is None:
                continue
            fig = Figure(period, code, column, float(value))
            (visible if ok else truth.suppressed).append(fig)


NEAREST = 10  # the peer group "10 trusts nearest in PSW WTE"


def _quartiles(period: dt.date, df: pl.DataFrame, own: str, rules: dict[str, str]) -> list[Figure]:
    """Lower quartile, median and upper quartile of the visible trusts' figures, per region, for
    England and for the own trust's nearest peers by WTE in post, for every indicator (linear
    interpolation, as the app's statistics use)."""
    out = []
    scopes = {name: df.filter(pl.col("region_name") == name) for name in df["region_name"].drop_nulls().unique()}
    scopes[ENGLAND] = df
    mine = df.filter(pl.col("trust_code") == own)
    if mine.height:
        gap = (pl.col("wte_in_post") - mine["wte_in_post"][0]).abs()
        nearest = df.filter(pl.col("trust_code") != own).sort([gap, "trust_code"]).head(NEAREST)
        scopes[f"{NEAREST} nearest"] = pl.concat([mine, nearest])
    for scope, part in scopes.items():
        for spec in INDICATORS:
            values = part.filter(_visible_mask(part, own, rules[spec.name]))[spec.name].drop_nulls()
            if values.len():
                for name, q in (("lower quartile", 0.25), ("median", 0.5), ("upper quartile", 0.75)):
                    out.append(
                        Figure(period, f"{name} {scope}", spec.name, float(values.quantile(q, interpolation="linear")))
                    )
    return out


def _pooled(period: dt.date, df: pl.DataFrame, regions: pl.DataFrame, own: str, rules: dict[str, str]) -> list[Pooled]:
    populations = dict(regions.select("region_name", "population").iter_rows())
    populations[ENGLAND] = sum(populations.values())
    scopes = {name: df.filter(pl.col("region_name") == name) for name in populations if name != ENGLAND}
    scopes[ENGLAND] = df.filter(pl.col("region_name").is_not_null())
    out = []
    for scope, part in scopes.items():
        if part.is_empty():
            continue
        for quantity, (num, den, scale) in POOLED.items():
            shown = _visible_mask(part, own, rules[quantity])
            left_out = tuple(part.filter(~shown)["trust_code"].to_list())
            out.append(
                Pooled(
                    period,
                    scope,
                    quantity,
                    _ratio(part, num, den, scale, populations[scope]),
                    _ratio(part.filter(shown), num, den, scale, populations[scope]),
                    left_out,
                )
            )
    return out


def _ratio(part: pl.DataFrame, num: str, den: str | None, scale: float, population: float) -> float | None:
    """Σ numerator ÷ Σ denominator × scale, nulls left out as SQL's sum leaves them out."""
    if part.is_empty() or part[num].drop_nulls().len() == 0:
        return None
    top = float(part[num].drop_nulls().sum())
    if den is None:
        return top
    bottom = float(population) if den == "population" else float(part[den].drop_nulls().sum())
    return None if bottom == 0 else top / bottom * scale
