"""The board snapshot: one trust, one quarter, a card per indicator against a peer group.

Built on the user's pswbench.access.scope.Scope, so a trust lead or board member asking for another trust is
refused here whatever route the request came by, and every peer statistic (median, position, counts
of trusts above and below) is over the peer figures this user may see.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from pswbench.access.scope import NEAREST_N, Position, Scope
from pswbench.reports.definitions import TRUST_LEVEL, Indicator
from pswbench.returns.contract import quarter_ends
from pswbench.statistics import spc

SPARK_QUARTERS = 8
# Making Data Count's variation icons, as a board member would say them.
BOARD_WORDS = {
    "improvement": "a real improvement, not chance",
    "concern": "a real change for the worse, not chance",
    "neither": "a real change, not chance (neither better nor worse in itself)",
    "common_cause": "within normal variation",
}


class UnknownTrust(ValueError):
    """A trust code that is not in the reference list (only analysts can get this far with one)."""


@dataclass(frozen=True)
class Card:
    spec: Indicator
    value: float | None
    position: Position
    lower: int  # other trusts in the peer group with a figure below this trust's
    same: int
    higher: int
    series: tuple[tuple[dt.date, float | None], ...]  # the last eight quarters, oldest first
    variation: spc.Chart  # the trust's own series up to this quarter (Making Data Count)

    @property
    def variation_text(self) -> str:
        """The SPC reading of the latest quarter in a board member's words."""
        c = self.variation
        if c.limits_kind == "none":
            return f"Too few quarters ({len(c.points)}) to tell a real change from normal variation."
        trial = " (a provisional reading: fewer than 12 quarters)" if c.limits_kind == "trial" else ""
        return f"Over {len(c.points)} quarters, this quarter is {BOARD_WORDS[c.icon]}{trial}."

    @property
    def value_text(self) -> str:
        return self.spec.format(self.value)

    @property
    def previous(self) -> float | None:
        return self.series[-2][1] if len(self.series) > 1 else None

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous

    @property
    def change_text(self) -> str | None:
        return self.spec.format_change(self.change)

    @property
    def change_is_zero(self) -> bool:
        return self.spec.is_zero_change(self.change)

    @property
    def delta_colour(self) -> str:
        return self.spec.delta_colour

    @property
    def median_text(self) -> str:
        return self.spec.format(self.position.median)

    @property
    def others(self) -> int:
        return self.lower + self.same + self.higher

    def series_table(self) -> pl.DataFrame:
        """The sparkline's numbers, rates as percentages so the table reads like the card."""
        scale = 100 if self.spec.is_rate else 1
        unit = "%" if self.spec.is_rate else self.spec.unit
        return pl.DataFrame(
            {
                "Quarter ending": [d for d, _ in self.series],
                f"{self.spec.label} ({unit})": [None if v is None else round(v * scale, 2) for _, v in self.series],
            },
            schema={"Quarter ending": pl.Date, f"{self.spec.label} ({unit})": pl.Float64},
        )


@dataclass(frozen=True)
class Conditions:
    """The trust's organisation section for one 30 September, with England's pooled shares (over the
    trust figures this user may see)."""

    period: dt.date
    trust: dict  # a row of Scope.conditions(period, "trust", code)
    england: dict  # the row of Scope.conditions(period, "national")


def conditions_part(scope: Scope, period: dt.date, trust_code: str) -> Conditions | None:
    """The trust's latest organisation section at or before the quarter, or None."""
    for year in scope.condition_periods():  # newest first
        if year <= period:
            mine = scope.conditions(year, "trust", trust_code)
            if mine.height:
                england = scope.conditions(year, "national")
                return Conditions(year, mine.row(0, named=True), england.row(0, named=True) if england.height else {})
    return None


@dataclass(frozen=True)
class Snapshot:
    trust_code: str
    trust_name: str
    period: dt.date
    group: str  # key of scope.PEER_GROUPS actually used
    group_short: str  # "England", "North East and Yorkshire", "10 nearest trusts"
    group_where: str  # completes "the other trusts ...": "in England", "closest in size by PSW WTE"
    has_return: bool
    cards: tuple[Card, ...]
    # organisational conditions and activity (issue 12): the latest 30 September organisation section
    # at or before this quarter, None when the trust has none loaded.
    conditions: Conditions | None = None

    @property
    def quarter_text(self) -> str:
        return f"Quarter ending {self.period:%d %B %Y}"

    def caption(self, card: Card) -> str:
        """The line under a card: the peer median and the quartile position in words."""
        if card.position.median is None:
            return "No trust in the comparison has a figure for this quarter."
        if card.value is None:
            where = "none, as this trust has no figure this quarter"
        elif card.position.quartile is None:
            where = "none, as no other trust in the comparison has a figure"
        else:
            where = card.position.quartile_words()
        return f"Median, {self.group_short}: {card.median_text}. Position: {where}."

    def card(self, name: str) -> Card:
        return next(c for c in self.cards if c.spec.name == name)

    def file_name(self) -> str:
        code = re.sub(r"[^A-Za-z0-9]+", "", self.trust_code) or "trust"
        return f"pswbench-board-pack-{code}-{self.period.isoformat()}.html"


def _group_words(group: str, region_name: str | None) -> tuple[str, str]:
    if group == "region" and region_name:
        return region_name, f"in {region_name}"
    if group == "nearest":
        return f"{NEAREST_N} nearest trusts", "closest in size by PSW WTE"
    return "England", "in England"


def _series(own: pl.DataFrame, name: str, period: dt.date) -> tuple[tuple[dt.date, float | None], ...]:
    quarters = quarter_ends(dt.date(period.year - 2, 1, 1), period)[-SPARK_QUARTERS:]
    by_quarter = dict(zip(own["period_end"].to_list(), own[name].to_list()))
    return tuple((d, None if by_quarter.get(d) is None else float(by_quarter[d])) for d in quarters)


def build(scope: Scope, period: dt.date, trust_code: str | None, group: str = "england") -> Snapshot:
    """The snapshot of a trust the user may see named; access.NotPermitted for any other."""
    ref = scope.trust(trust_code)
    if ref is None:
        # The code may have come from a link: it is not echoed back onto the screen.
        raise UnknownTrust("There is no trust with that code. Choose a trust from the list.")
    trust_code = ref["trust_code"]
    has_return = scope.has_return(period, trust_code)
    # Without a return there is nothing to place in a region or size group: compare with England.
    group = group if has_return else "england"
    places = scope.positions(period, trust_code, group)
    peers = scope.peer_rows(period, trust_code, group).filter(~scope.row_of(trust_code))
    own = scope.own_rows(trust_code)
    upto = own.filter(pl.col("period_end") <= period)  # as Scope.spc reads a trust's series

    cards = []
    for spec in TRUST_LEVEL:  # no card for a figure no trust can have (WTE per 100,000 population)
        place = places[spec.name]
        others = peers[spec.name].drop_nulls()
        v = place.value
        cards.append(
            Card(
                spec=spec,
                value=v,
                position=place,
                lower=0 if v is None else int((others < v).sum()),
                same=0 if v is None else int((others == v).sum()),
                higher=0 if v is None else int((others > v).sum()),
                series=_series(own, spec.name, period),
                variation=spc.xmr(list(zip(upto["period_end"], upto[spec.name])), spec.better),
            )
        )
    short, where = _group_words(group, ref["region_name"])
    return Snapshot(
        trust_code,
        ref["trust_name"],
        period,
        group,
        short,
        where,
        has_return,
        tuple(cards),
        conditions_part(scope, period, trust_code),
    )
