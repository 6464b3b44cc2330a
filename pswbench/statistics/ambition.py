"""Progress to the national ambition for the PSW workforce.

For each ambition (data/reference/ambition.csv: a headcount target and its date): where England stands,
the growth of the last four quarters, the growth a year needed to reach the target on time, and the
year the current trend would reach it. The trend is compound growth at the last four quarters' rate;
its uncertainty is given as the range of dates the slowest and the fastest of those four quarters'
growth (each as a yearly rate) would give. Regions get a fair share of the national figure by
population (Census 2021 usual residents, approximate for NHS regions).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

QUARTERS_A_YEAR = 4


@dataclass(frozen=True)
class Ambition:
    ambition_id: str
    measure: str
    target: float
    target_date: dt.date
    target_label: str
    source: str
    source_kind: str
    confidence: str
    note: str | None


def _years(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def _reach(now: float, target: float, growth: float | None, start: dt.date) -> dt.date | None:
    """When compound growth at `growth` a year takes `now` to `target` (None: never, or no rate)."""
    if growth is None or now <= 0:
        return None
    if now >= target:
        return start
    if growth <= 0:
        return None
    years = math.log(target / now) / math.log(1 + growth)
    if years > 200:
        return None
    return start + dt.timedelta(days=round(years * 365.25))


@dataclass(frozen=True)
class Progress:
    ambition: Ambition
    period: dt.date  # the latest quarter with a national figure
    value: float  # the measure now (PSW headcount)
    wte: float | None  # WTE in post now, shown beside it
    value_at_target_date: float | None  # the measure in the target's quarter, if loaded (a past target)
    annual_growth: float | None  # over the last four quarters
    quarterly_growth: tuple[float, ...]  # each of the last four quarters, as a yearly rate
    growth_needed: float | None  # a year, compound, from now to the target date (None: date passed)
    reach_date: dt.date | None  # at annual_growth
    reach_earliest: dt.date | None  # at the fastest of the four quarters
    reach_latest: dt.date | None  # at the slowest (None: that rate would never get there)

    @property
    def share_of_target(self) -> float:
        return self.value / self.ambition.target

    @property
    def is_past(self) -> bool:
        return self.ambition.target_date <= self.period

    @property
    def wte_needed(self) -> float | None:
        """The target in WTE at today's WTE per person."""
        return None if not self.wte or not self.value else self.ambition.target * self.wte / self.value

    def projection(self, points: int = 24) -> list[tuple[dt.date, float, float, float]]:
        """(date, at the trend, at the slowest quarter, at the fastest) from now to the later of the
        target date and the date the trend reaches it: the line and band the chart draws."""
        if self.annual_growth is None or self.is_past:
            return []
        end = max(d for d in (self.ambition.target_date, self.reach_date) if d is not None)
        slow, fast = min(self.quarterly_growth), max(self.quarterly_growth)
        out = []
        for i in range(points + 1):
            d = self.period + (end - self.period) * i / points
            years = _years(self.period, d)
            out.append((d, *(self.value * (1 + g) ** years for g in (self.annual_growth, slow, fast))))
        return out

    def sentences(self) -> list[str]:
        """Plain English: where England stands, what growth is needed and when the trend gets there."""
        a = self.ambition
        out = [
            f"Ambition: {a.target:,.0f} PSWs in post by {a.target_label} ({a.source_kind} source, "
            f"{a.confidence} confidence: {a.source}). {a.note or ''}".strip()
        ]
        if self.is_past:
            at = self.value_at_target_date
            out.append(
                f"The target date ({a.target_date:%d %B %Y}) has passed. "
                + (
                    f"England then had {at:,.0f} PSWs in these returns, {at / a.target:.0%} of the ambition."
                    if at is not None
                    else "No returns for that quarter are loaded."
                )
            )
            return out
        out.append(
            f"England has {self.value:,.0f} PSWs ({self.share_of_target:.0%} of the ambition) in the quarter ending "
            f"{self.period:%d %B %Y}"
            + (
                f", {self.wte:,.1f} WTE; at today's WTE per person the ambition is about {self.wte_needed:,.0f} WTE."
                if self.wte_needed
                else "."
            )
        )
        if self.annual_growth is None:
            out.append("Fewer than five quarters are loaded, so there is no growth over the last four quarters yet.")
            return out
        out.append(
            f"Reaching it by {a.target_date:%B %Y} needs growth of {self.growth_needed:+.1%} a year; over the "
            f"last four quarters the number grew {self.annual_growth:+.1%}."
        )
        if self.reach_date is None:
            out.append("At that rate the number would not reach the ambition.")
        else:
            on_time = "in time" if self.reach_date <= a.target_date else "late"
            out.append(
                f"If that growth carried on, England would reach the ambition in {self.reach_date.year} ({on_time}). "
                + self.uncertainty_words()
            )
        return out

    def uncertainty_words(self) -> str:
        slow, fast = min(self.quarterly_growth), max(self.quarterly_growth)
        span = f"between {slow:+.0%} and {fast:+.0%} a year"
        if self.reach_earliest is None:
            return f"Growth in single quarters ranged {span}, so no date can be given with any confidence."
        if self.reach_latest is None:
            return (
                f"That is uncertain: growth in single quarters ranged {span}; at the slowest the ambition would "
                f"never be reached, at the fastest it would be in {self.reach_earliest.year}."
            )
        if self.reach_earliest.year == self.reach_latest.year:
            return f"Growth in single quarters ranged {span}, which gives the same year."
        return (
            f"That is uncertain: growth in single quarters ranged {span}, which would mean any year from "
            f"{self.reach_earliest.year} to {self.reach_latest.year}. A trend is not a forecast."
        )


def progress(ambition: Ambition, national: pl.DataFrame) -> Progress | None:
    """The ambition against England's series (columns period_end, headcount, wte_in_post: pooled)."""
    series = national.filter(pl.col(ambition.measure).is_not_null()).sort("period_end")
    if series.height == 0:
        return None
    dates = series["period_end"].to_list()
    values = [float(v) for v in series[ambition.measure].to_list()]
    period, now = dates[-1], values[-1]
    wte = series["wte_in_post"][-1] if "wte_in_post" in series.columns else None
    at_target = dict(zip(dates, values)).get(ambition.target_date)
    annual = quarterly = None
    if len(values) > QUARTERS_A_YEAR and values[-1 - QUARTERS_A_YEAR] > 0:
        annual = now / values[-1 - QUARTERS_A_YEAR] - 1
        last = values[-1 - QUARTERS_A_YEAR :]
        quarterly = tuple((b / a) ** QUARTERS_A_YEAR - 1 for a, b in zip(last, last[1:]) if a > 0)
    years_left = _years(period, ambition.target_date)
    needed = (ambition.target / now) ** (1 / years_left) - 1 if years_left > 0 and now > 0 else None
    return Progress(
        ambition,
        period,
        now,
        None if wte is None else float(wte),
        at_target,
        annual,
        quarterly or (),
        needed,
        _reach(now, ambition.target, annual, period),
        _reach(now, ambition.target, max(quarterly), period) if quarterly else None,
        _reach(now, ambition.target, min(quarterly), period) if quarterly else None,
    )


def fair_shares(ambition: Ambition, regions: pl.DataFrame, pooled: pl.DataFrame, national_value: float) -> pl.DataFrame:
    """Each region's headcount against its population share of England's headcount now and of the
    ambition (regions: region_code, region_name, population; pooled: the latest quarter's region figures)."""
    total = regions["population"].sum()
    now = pooled.select("region_code", pl.col(ambition.measure).alias("value"))
    return (
        regions.select("region_code", "region_name", "population")
        .join(now, on="region_code", how="left")
        .with_columns((pl.col("population") / total).alias("population_share"))
        .with_columns(
            (pl.col("population_share") * national_value).alias("fair_share_now"),
            (pl.col("population_share") * ambition.target).alias("fair_share_of_ambition"),
        )
        .with_columns(
            (pl.col("value") - pl.col("fair_share_now")).alias("above_fair_share_now"),
            (pl.col("value") / pl.col("fair_share_of_ambition")).alias("share_of_ambition"),
        )
        .sort("region_name")
    )
