"""The one door to the data: a user-bound Scope is all a page, a chart or a download gets.

Every frame a Scope returns has already passed disclosure control for its user (docs/disclosure.md):
* other trusts appear under a per-quarter peer label, never by code or name (access.disclose);
* another trust's figure built on fewer than 5 people is a typed null, listed in the row's `suppressed`;
* every aggregate (pooled region and England figures, counts of trusts, medians, quartiles, ranks,
  peer groups) is computed only from the trust figures this user may see, so nothing hidden can be
  worked back out of it by subtraction, a median or the order of rows.
Analysts see every trust named and in full; for them the same code pools every trust.

The raw queries (pswbench.reports.queries) stay behind this module; tests/unit/access/test_data_door.py fails if a
page imports them or opens a connection.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from pswbench.access import demographic_disclosure, disclosure, permissions
from pswbench.access.auth import User
from pswbench.access.disclosure import hidden
from pswbench.reports import submissions
from pswbench.reports.definitions import (
    BY_NAME,
    INDICATORS,
    activity_suppression_rules,
    condition_suppression_rules,
    suppression_rules,
)
from pswbench.returns import uploads
from pswbench.statistics import ambition, funnel, spc

PEER_GROUPS = {"england": "All England", "region": "Own region", "nearest": "10 trusts nearest in PSW WTE"}
NEAREST_N = 10


@dataclass(frozen=True)
class Position:
    indicator: str
    value: float | None
    n: int  # trusts in the group with a figure this user may see (own included)
    q1: float | None
    median: float | None
    q3: float | None
    percentile_rank: float | None  # 0 = lowest value, 1 = highest
    quartile: int | None  # 1 = lowest quarter of values ... 4 = highest

    def quartile_words(self) -> str:
        if self.quartile is None:
            return "no position (no value)"
        spec = BY_NAME[self.indicator]
        where = {1: "lowest quarter", 2: "second quarter", 3: "third quarter", 4: "highest quarter"}[self.quartile]
        return f"{where} of trusts ({spec.direction_words})"


def position_of(indicator: str, value: float | None, values: pl.Series) -> Position:
    """Where value sits among values (which include it): quartiles, percentile rank and quartile."""
    values = values.drop_nulls()
    stats = dict(q1=None, median=None, q3=None)
    if values.len():
        stats = {
            k: float(values.quantile(p, interpolation="linear"))
            for k, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75))
        }
    rank = quartile = None
    if value is not None and values.len() > 1:
        rank = int((values < value).sum()) / (values.len() - 1)
        quartile = 1 if value <= stats["q1"] else 2 if value <= stats["median"] else 3 if value <= stats["q3"] else 4
    return Position(
        indicator,
        None if value is None else float(value),
        int(values.len()),
        **stats,
        percentile_rank=rank,
        quartile=quartile,
    )


class Scope:
    """What one signed-in user may see, and the only data access pages have."""

    def __init__(self, user: User, cached, raw):
        # cached: queries cached per data version (ui.CachedQueries); raw: the same queries uncached,
        # for work on frames that cannot be cache keys. Neither leaves this object.
        self.user = user
        self._q = cached
        self._raw = raw
        # A Scope lives for one script run of one user: the frames it builds are kept for that run, so a
        # page that asks for the same rows or pooled figures again (one SPC chart per region) pays once.
        self._memo: dict[tuple, pl.DataFrame] = {}

    def _kept(self, key: tuple, make) -> pl.DataFrame:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    @property
    def is_analyst(self) -> bool:
        return self.user.role == "analyst"

    @property
    def data_version(self) -> int:
        return self._q.version

    # ---- public reference data ---------------------------------------------------------------

    def periods(self) -> list[dt.date]:
        return self._q.periods()

    def regions(self) -> pl.DataFrame:
        return self._q.regions()

    def trusts(self) -> pl.DataFrame:
        """The trust reference list this user may see named: every trust for analysts, else their own."""
        df = self._q.trusts()
        return df if self.is_analyst else df.filter(pl.col("trust_code") == (self.user.trust_code or ""))

    def trust(self, code: str | None) -> dict | None:
        """A trust's reference row, if this user may see it named (access.NotPermitted otherwise)."""
        code = require_trust(self.user, code)
        df = self._q.trusts().filter(pl.col("trust_code") == code)
        return df.row(0, named=True) if df.height else None

    # ---- trust figures -----------------------------------------------------------------------

    def trust_rows(self, period: dt.date | None) -> pl.DataFrame:
        """Every trust with a return in the quarter (None: every quarter), as this user may see it."""
        return self._kept(("trust_rows", period), lambda: self._disclosed(period))

    def _disclosed(self, period: dt.date | None) -> pl.DataFrame:
        return disclosure.disclose(
            self._q.trust_indicators(period),
            self.user,
            self._q.salt(),
            self._q.trusts()["trust_code"].to_list(),
            suppression_rules(),
        )

    def has_return(self, period: dt.date, trust_code: str) -> bool:
        code = require_trust(self.user, trust_code)
        return bool(self.trust_rows(period).filter(self.row_of(code)).height)

    def own_rows(self, trust_code: str) -> pl.DataFrame:
        """One trust's rows over every quarter (a trust this user may see named)."""
        code = require_trust(self.user, trust_code)
        return self.trust_rows(None).filter(self.row_of(code))

    def peer_rows(self, period: dt.date, trust_code: str, group: str) -> pl.DataFrame:
        """The trust and its peer group for the quarter. The nearest-in-size group is chosen among
        trusts whose WTE this user may see, so membership says nothing about a hidden figure."""
        code = require_trust(self.user, trust_code)
        rows = self.trust_rows(period)
        me = rows.filter(self.row_of(code))
        if group == "england" or me.height == 0:
            return rows
        mine = me.row(0, named=True)
        if group == "region":
            return rows.filter(pl.col("region_code") == mine["region_code"])
        if group == "nearest":
            nearest = (
                rows.filter(~self.row_of(code) & pl.col("wte_in_post").is_not_null())
                .with_columns((pl.col("wte_in_post") - mine["wte_in_post"]).abs().alias("_gap"))
                .sort("_gap", "label")
                .head(NEAREST_N)["label"]
                .to_list()
            )
            return rows.filter(self.row_of(code) | pl.col("label").is_in(nearest))
        raise ValueError(f"unknown peer group {group!r}")

    def positions(self, period: dt.date, trust_code: str, group: str) -> dict[str, Position]:
        """The trust's value, peer quartiles, percentile rank and quartile on every indicator, over
        the figures of the group this user may see."""
        rows = self.peer_rows(period, trust_code, group)
        mine = rows.filter(self.row_of(trust_code))
        return {
            spec.name: position_of(spec.name, mine[spec.name][0] if mine.height else None, rows[spec.name])
            for spec in INDICATORS
        }

    def medians_over_time(self, indicator: str, regions: dict[str, str | None]) -> pl.DataFrame:
        """Median of the trust figures this user may see, per quarter, for each named scope
        (a region_code, or None for England): columns period_end, value, series."""
        rows = self.trust_rows(None)
        frames = []
        for series, region in regions.items():
            part = rows if region is None else rows.filter(pl.col("region_code") == region)
            frames.append(
                part.group_by("period_end")
                .agg(pl.col(indicator).median().alias("value"))
                .with_columns(pl.lit(series).alias("series"))
            )
        return pl.concat(frames).sort("series", "period_end")

    def row_of(self, trust_code: str) -> pl.Expr:
        """True on the rows of this trust (for a non-analyst, their own trust)."""
        return pl.col("is_own") if not self.is_analyst else pl.col("trust_code") == trust_code

    # ---- pooled figures ----------------------------------------------------------------------

    def pooled(self, level: str, period: dt.date | None) -> pl.DataFrame:
        return self._kept(("pooled", level, period), lambda: self._pooled(level, period))

    def _pooled(self, level: str, period: dt.date | None) -> pl.DataFrame:
        """Region ('region') or England ('national') figures, pooled (sums over sums) over the trust
        figures this user may see; for analysts over every trust, as the indicators CLI prints them.
        Adds n_left_out: trusts with a return whose figures are hidden from this user and so left out."""
        if self.is_analyst:  # every trust: the marts themselves (tests check pooled_over agrees)
            marts = self._q.national_indicators(period) if level == "national" else self._q.region_indicators(period)
            if level in ("national", "region"):
                return marts.with_columns(pl.lit(0, dtype=pl.UInt32).alias("n_left_out"))
        rows = self.trust_rows(period)
        pooled = self._raw.pooled_over(rows.filter(~hidden("headcount")))
        all_counts = rows.group_by("period_end", "region_code").len("n_returned")
        if level == "national":
            out = pooled.filter(pl.col("scope") == "national").drop("scope")
            counts = all_counts.group_by("period_end").agg(pl.col("n_returned").sum())
            return (
                out.join(counts, on="period_end", how="left")
                .with_columns((pl.col("n_returned") - pl.col("n_trusts")).alias("n_left_out"))
                .drop("n_returned")
                .sort("period_end")
            )
        if level == "region":
            names = self.regions().select("region_code", "region_name")
            out = (
                pooled.filter(pl.col("scope") != "national")
                .rename({"scope": "region_code"})
                .join(names, on="region_code", how="left")
            )
            return (
                out.join(all_counts, on=["period_end", "region_code"], how="left")
                .with_columns((pl.col("n_returned") - pl.col("n_trusts")).alias("n_left_out"))
                .drop("n_returned")
                .sort("period_end", "region_name")
            )
        raise ValueError(f"level must be 'region' or 'national', not {level!r}")

    # ---- statistics over what this user may see ----------------------------------------------

    def funnel(self, period: dt.date, indicator: str) -> tuple[funnel.Fit | None, pl.DataFrame]:
        """Every trust in England with a figure this user may see for the quarter, with its z-scores
        and place against the funnel's limits; the fit (target, overdispersion) is over those trusts
        only, so a hidden figure shapes neither the limits nor anyone's position."""
        spec = BY_NAME[indicator]
        if not spec.is_rate:
            raise ValueError(f"{indicator} is not a rate: a funnel plot needs a numerator and denominator")
        return funnel.assess(self.trust_rows(period), indicator, spec.denominator)

    def spc(self, indicator: str, level: str, code: str | None = None, until: dt.date | None = None) -> spc.Chart:
        """The XmR chart of England's pooled series ('national'), a region's pooled series ('region',
        code = region_code) or a trust's own series ('trust', a trust this user may see named), over
        every loaded quarter up to `until` (default: the latest), pooled over the figures this user may see."""
        spec = BY_NAME[indicator]
        if level == "national":
            frame = self.pooled("national", None)
        elif level == "region":
            frame = self.pooled("region", None).filter(pl.col("region_code") == (code or ""))
        elif level == "trust":
            frame = self.own_rows(code)
        else:
            raise ValueError(f"level must be one of {', '.join(spc.LEVELS)}, not {level!r}")
        if until is not None:
            frame = frame.filter(pl.col("period_end") <= until)
        series = list(zip(frame["period_end"].to_list(), frame[indicator].to_list()))
        return spc.xmr(series, spec.better)

    def ambitions(self) -> list[ambition.Ambition]:
        """The national ambitions (public reference data), soonest first."""
        return [ambition.Ambition(**row) for row in self._q.ambitions().iter_rows(named=True)]

    def ambition_progress(self) -> list[ambition.Progress]:
        """Each ambition against England's pooled headcount over the figures this user may see."""
        national = self.pooled("national", None)
        return [p for a in self.ambitions() if (p := ambition.progress(a, national)) is not None]

    def fair_shares(self, target: ambition.Ambition) -> pl.DataFrame:
        """Each region's population share of England's latest figure and of the ambition."""
        national = self.pooled("national", None).filter(pl.col(target.measure).is_not_null()).sort("period_end")
        latest = national["period_end"][-1]
        return ambition.fair_shares(
            target, self.regions(), self.pooled("region", latest), float(national[target.measure][-1])
        ).with_columns(pl.lit(latest).alias("period_end"))

    # ---- demographics (issue 12; docs/disclosure.md "Demographics") -----------------------------

    def demographic_periods(self) -> list[dt.date]:
        """The 30 September quarters with demographics, latest first (public: which quarters exist)."""
        return self._q.demographic_periods()

    def demographic_places(self, period: dt.date) -> pl.DataFrame:
        """The places (level, code, name) this user may pick for the quarter: England, the regions they
        may see pooled, and the trusts they may see named that sent demographics."""
        national = self.demographics(period, "national")
        if self.is_analyst:
            regions = demographic_disclosure.analyst_pool(self._q.demographics("region", period), "region")
        else:
            regions = self._demographic_pools(period).frame.filter(pl.col("level") == "region")
        trusts = self._q.demographics("trust", period)
        if not self.is_analyst:
            trusts = trusts.filter(pl.col("trust_code") == (self.user.trust_code or ""))
        parts = [
            national.select("level", "code", "name").unique(maintain_order=True),
            regions.select("level", "code", "name").unique(maintain_order=True).sort("name"),
            trusts.select(
                pl.lit("trust").alias("level"), pl.col("trust_code").alias("code"), pl.col("trust_name").alias("name")
            )
            .unique(maintain_order=True)
            .sort("name"),
        ]
        return pl.concat(parts)

    def demographics(self, period: dt.date, level: str, code: str | None = None) -> pl.DataFrame:
        """One quarter's demographics for England ('national'), a region ('region', code = region_code)
        or a trust ('trust', a trust this user may see named), as this user may receive them
        (demographic_disclosure.OUT_COLUMNS; rows in the return's order). A region or England this user
        may not see pooled gives no rows; another trust raises NotPermitted."""
        from pswbench.reports.demographics import in_return_order

        if level == "trust":
            code = require_trust(self.user, code)
            rows = self._q.demographics("trust", period).filter(pl.col("trust_code") == code)
            name = rows["trust_name"][0] if rows.height else code
            if self.user.role == "board":
                out = demographic_disclosure.own_trust_for_board(rows, name)
            else:
                out = demographic_disclosure.own_trust_in_full(rows, name)
        elif level in ("national", "region"):
            if self.is_analyst:
                out = demographic_disclosure.analyst_pool(self._q.demographics(level, period), level)
            else:
                out = self._demographic_pools(period).frame.filter(pl.col("level") == level)
            if level == "region":
                out = out.filter(pl.col("code") == (code or ""))
        else:
            raise ValueError(f"level must be 'national', 'region' or 'trust', not {level!r}")
        return in_return_order(out, ["level", "code"])

    def demographic_withheld(self, period: dt.date) -> dict[str, int]:
        """Regions this user may not see pooled for the quarter (too few trusts besides theirs): code -> trusts."""
        return {} if self.is_analyst else self._demographic_pools(period).withheld

    def _demographic_pools(self, period: dt.date) -> demographic_disclosure.Pools:
        def make():
            rows = self._q.demographics("trust", period)
            # Only trusts whose headcount this user may see, and whose demographics still add up to it:
            # otherwise a pool minus the visible headcounts would give a hidden headcount back.
            workforce = self._q.trust_indicators(period).select("trust_code", "headcount")
            own = self.user.trust_code or ""
            visible = workforce.filter(
                (pl.col("headcount") >= disclosure.SMALL_NUMBER_THRESHOLD) | (pl.col("trust_code") == own)
            )["trust_code"]
            rows = rows.filter(pl.col("trust_code").is_in(visible.to_list()) & pl.col("matches_workforce"))
            names = dict(self.regions().select("region_code", "region_name").iter_rows())
            return demographic_disclosure.pools_for(rows, own, names)

        key = ("demographic_pools", period)
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    # ---- demographics: end ---------------------------------------------------------------------

    # ---- submissions (coverage counts are safe for all; the detail is for analysts) ------------

    def coverage_counts(self, period: dt.date) -> tuple[int, int]:
        """(trusts with an accepted return, trusts open) for the quarter."""
        df = self._q.coverage(period)
        return int((df["status"] == "accepted").sum()), df.height

    def coverage(self, period: dt.date) -> pl.DataFrame:
        permissions.require_page(self.user, "submissions")
        return self._q.coverage(period)

    def failing_rules(self, period: dt.date | None) -> pl.DataFrame:
        with self._raw.cursor() as cur:
            return submissions.failing_rules(cur, self.user, period)

    def annual_section_quality(self, period: dt.date) -> pl.DataFrame:
        with self._raw.cursor() as cur:
            return submissions.annual_section_quality(cur, self.user, period)

    def submission_history(self, trust_code: str, period: dt.date | None = None) -> pl.DataFrame:
        with self._raw.cursor() as cur:
            return submissions.submission_history(cur, self.user, trust_code, period)

    def versions(self, trust_code: str, period: dt.date) -> pl.DataFrame:
        with self._raw.cursor() as cur:
            return submissions.versions(cur, self.user, trust_code, period)

    def version_diff(self, old_submission: int, new_submission: int) -> submissions.VersionDiff:
        with self._raw.cursor() as cur:
            return submissions.version_diff(cur, self.user, old_submission, new_submission)

    # ---- uploads -----------------------------------------------------------------------------

    def uploadable_trusts(self) -> list[str]:
        return uploads.uploadable_trusts(self.user, self._q.trusts()["trust_code"].to_list())

    def check_upload_files(self, target: str, files: list[tuple[str, bytes]]) -> uploads.Check:
        """The files of one return (a workbook, or a CSV file per section), checked for target; only a
        trust the user may upload for (uploads.require_upload), whatever the page offered."""
        with self._raw.cursor() as cur:
            return uploads.check_files(cur, self.user, target, files)

    def submit(self, chk: uploads.Check):
        with self._raw.cursor() as cur:
            return uploads.submit(cur, self.user, chk)

    # ---- organisational conditions and activity (issue 12; docs/disclosure.md) -------------------

    def condition_periods(self) -> list[dt.date]:
        """The 30 Septembers with an organisation section loaded, newest first."""
        return self._q.condition_periods()

    def _condition_rows(self, period: dt.date | None) -> pl.DataFrame:
        return self._kept(
            ("condition_rows", period),
            lambda: disclosure.disclose(
                self._q.conditions("trust", period),
                self.user,
                self._q.salt(),
                self._q.trusts()["trust_code"].to_list(),
                condition_suppression_rules(),
            ),
        )

    def conditions(self, period: dt.date | None, level: str, code: str | None = None) -> pl.DataFrame:
        """The conditions of peer work per trust ('trust'; code: one trust this user may see named),
        region ('region'; code: one region_code) or England ('national'). Another trust under 5 PSWs has
        every figure hidden; region and England are pooled over the trust figures this user may see, with
        n_left_out the trusts left out."""
        rows = self._condition_rows(period)
        if level == "trust":
            return rows if code is None else rows.filter(self.row_of(require_trust(self.user, code)))
        if level not in ("region", "national"):
            raise ValueError(f"level must be 'trust', 'region' or 'national', not {level!r}")
        if self.is_analyst:  # every trust: the marts themselves
            out = self._q.conditions(level, period).with_columns(pl.lit(0, dtype=pl.UInt32).alias("n_left_out"))
        else:
            pooled = self._raw.conditions_pooled_over(rows.filter(~hidden("headcount")))
            out = self._left_out(pooled, rows, level)
        if level == "region" and code is not None:
            out = out.filter(pl.col("region_code") == code)
        return out

    def _left_out(self, pooled: pl.DataFrame, rows: pl.DataFrame, level: str) -> pl.DataFrame:
        """Pooled rows by scope, with n_left_out: trusts with a section whose figures this user may not see."""
        counts = rows.group_by("period_end", "region_code").len("n_returned")
        if level == "national":
            out = pooled.filter(pl.col("scope") == "national").drop("scope")
            counts = counts.group_by("period_end").agg(pl.col("n_returned").sum())
            keys = ["period_end"]
        else:
            names = self.regions().select("region_code", "region_name")
            out = (
                pooled.filter(pl.col("scope") != "national")
                .rename({"scope": "region_code"})
                .join(names, on="region_code", how="left")
            )
            keys = ["period_end", "region_code"]
        return (
            out.join(counts, on=keys, how="left")
            .with_columns((pl.col("n_returned") - pl.col("n_trusts")).alias("n_left_out"))
            .drop("n_returned")
            .sort(keys)
        )

    def activity(
        self, period: dt.date | None, level: str, by_setting: bool = False, code: str | None = None
    ) -> pl.DataFrame:
        """Contacts per PSW WTE with its coverage (period None: every quarter) per trust ('trust'),
        region ('region', code = region_code) or England ('national'), over all settings or per setting.
        For a non-analyst every figure is pooled from the trust-by-setting cells they may see (another
        trust's cell recording contacts for fewer than 5 PSWs is left out), so a trust's own total less its
        settings gives nothing hidden back. Trust rows carry label and is_own."""
        if level not in ("trust", "region", "national"):
            raise ValueError(f"level must be 'trust', 'region' or 'national', not {level!r}")
        if level == "trust" and code is not None:
            code = require_trust(self.user, code)
        out = self._kept(("activity", period, level, by_setting), lambda: self._activity(period, level, by_setting))
        # A non-analyst's own trust keeps its code (disclose), so one filter serves every role.
        return out if code is None or level == "national" else out.filter(pl.col("code") == code)

    def _activity(self, period: dt.date | None, level: str, by_setting: bool) -> pl.DataFrame:
        cells = disclosure.disclose(
            self._q.activity_cells(period),
            self.user,
            self._q.salt(),
            self._q.trusts()["trust_code"].to_list(),
            activity_suppression_rules(),
        )
        if self.is_analyst:
            pooled = self._q.activity(level, period, by_setting)
        else:
            pooled = self._raw.activity_pooled_over(cells).filter(
                (pl.col("level") == level) & ((pl.col("service_setting") == "all") != by_setting)
            )
            pooled = pooled.drop("level")
        if level != "trust":
            return pooled.sort("period_end", "code", "service_setting")
        who = cells.select(
            "period_end", pl.col("trust_code").alias("code"), "trust_name", "region_code", "label", "is_own"
        ).unique(["period_end", "code"])
        return pooled.join(who, on=["period_end", "code"], how="left").sort("period_end", "label", "service_setting")


def require_trust(user: User, trust_code: str | None) -> str:
    """The trust whose detail is asked for, if this user may see it named; NotPermitted otherwise."""
    if not trust_code or not permissions.can_view_trust_named(user, trust_code):
        raise permissions.NotPermitted(
            "You can see detail for your own trust only. Other trusts appear as anonymised peers in the comparisons."
        )
    return trust_code
