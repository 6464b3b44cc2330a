"""Making Data Count statistical process control: XmR charts, special-cause rules, variation icons.

As NHS England's Making Data Count guidance and the NHS-R NHSRplotthedots package draw them:
* centre line: the mean of the points; moving range: |x_t - x_(t-1)|; process limits: mean ± 2.66 ×
  mean moving range (3 sigma); 2 sigma is two thirds of the way out (mean ± 1.773 × mean moving range);
* special cause, each rule flagging the points that make it up:
  - "outside_limits": a point above the upper or below the lower process limit;
  - "shift": 7 or more points in a row above the mean, or below it (a point on the mean breaks a run);
  - "trend": 7 or more points in a row each higher than the one before, or each lower (a tie breaks it);
  - "two_of_three": 2 of 3 points in a row beyond 2 sigma on the same side of the mean;
* the variation icon is read from the latest point: common cause, or special cause of improvement or
  of concern by the indicator's direction of good (high for outside/shift/two-of-three is the side of
  the mean; for a trend, its direction), or special cause "neither" where neither direction is better;
* fewer than 12 points: limits are trial limits (shown, and said so); fewer than 6: no limits and no icon.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

LIMIT = 2.66  # 3 sigma in mean moving ranges (3 / d2, d2 = 1.128)
NEAR = 2 * LIMIT / 3  # 2 sigma
RUN = 7
LEVELS = ("national", "region", "trust")  # the series a chart can be drawn for
MIN_POINTS = 6
FULL_POINTS = 12
RULES = ("outside_limits", "two_of_three", "shift", "trend")  # the order an icon's cause is read in
RULE_WORDS = {
    "outside_limits": "outside the process limits",
    "two_of_three": "2 of 3 points beyond 2 sigma",
    "shift": f"{RUN} points in a row on one side of the mean",
    "trend": f"{RUN} points in a row rising or falling",
}
ICON_WORDS = {
    "improvement": "a real improvement (special cause)",
    "concern": "a real change for the worse (special cause of concern)",
    "neither": "a real change, neither better nor worse in itself (special cause)",
    "common_cause": "within normal variation (common cause)",
    "none": "too few quarters to tell",
}


@dataclass(frozen=True)
class Point:
    period_end: dt.date
    value: float
    rules: tuple[str, ...]  # special-cause rules this point is part of
    side: int  # +1 high, -1 low, 0: the direction of the special cause it shows (first rule in RULES)


@dataclass(frozen=True)
class Chart:
    points: tuple[Point, ...]
    mean: float | None
    mean_moving_range: float | None
    lower: float | None  # process limits (None with fewer than MIN_POINTS points)
    upper: float | None
    lower_2s: float | None
    upper_2s: float | None
    icon: str  # improvement, concern, neither, common_cause or none: the latest point
    better: str  # "higher", "lower" or "neither"

    @property
    def limits_kind(self) -> str:
        """'none' (fewer than 6 points), 'trial' (6 to 11) or 'full' (12 or more)."""
        n = len(self.points)
        return "none" if n < MIN_POINTS else "trial" if n < FULL_POINTS else "full"

    @property
    def icon_words(self) -> str:
        return ICON_WORDS[self.icon]

    def point_type(self, p: Point) -> str:
        """What a point shows: 'improvement', 'concern', 'neither' or 'common_cause'."""
        return _kind(p.side, self.better) if p.rules else "common_cause"

    def summary(self) -> str:
        """The latest point in a sentence, with how sure the limits are."""
        if self.limits_kind == "none":
            return f"Only {len(self.points)} quarters: too few to tell a real change from noise (6 are needed)."
        latest = self.points[-1]
        text = f"Latest quarter ({latest.period_end:%b %Y}): {self.icon_words}"
        if latest.rules:
            text += " — " + "; ".join(RULE_WORDS[r] for r in latest.rules)
        text += "."
        if self.limits_kind == "trial":
            text += f" Trial limits: only {len(self.points)} quarters (12 give settled limits)."
        return text


def _kind(side: int, better: str) -> str:
    if better == "neither":
        return "neither"
    good = 1 if better == "higher" else -1
    return "improvement" if side == good else "concern"


def _runs(flags: list[int], length: int) -> list[int]:
    """For a list of -1/0/+1, the sign of the run of `length` or more equal non-zero values each
    position belongs to (0 where it is in none)."""
    out = [0] * len(flags)
    start = 0
    for i in range(1, len(flags) + 1):
        if i == len(flags) or flags[i] != flags[start]:
            if flags[start] != 0 and i - start >= length:
                out[start:i] = [flags[start]] * (i - start)
            start = i
    return out


def xmr(series: list[tuple[dt.date, float | None]], better: str) -> Chart:
    """The XmR chart of a series (quarters with no figure are left out, in date order)."""
    pts = sorted((d, float(v)) for d, v in series if v is not None)
    values = [v for _, v in pts]
    n = len(values)
    if n < MIN_POINTS:
        mean = sum(values) / n if n else None
        return Chart(tuple(Point(d, v, (), 0) for d, v in pts), mean, None, None, None, None, None, "none", better)
    mean = sum(values) / n
    mr = sum(abs(b - a) for a, b in zip(values, values[1:])) / (n - 1)
    upper, lower = mean + LIMIT * mr, mean - LIMIT * mr
    upper_2s, lower_2s = mean + NEAR * mr, mean - NEAR * mr
    sides = [1 if v > mean else -1 if v < mean else 0 for v in values]

    hits: list[dict[str, int]] = [{} for _ in values]
    for i, v in enumerate(values):
        if v > upper or v < lower:
            hits[i]["outside_limits"] = sides[i]
    beyond = [1 if v > upper_2s else -1 if v < lower_2s else 0 for v in values]
    for i in range(n - 2):
        for side in (1, -1):
            window = [j for j in range(i, i + 3) if beyond[j] == side]
            if len(window) >= 2:
                for j in window:
                    hits[j]["two_of_three"] = side
    for i, s in enumerate(_runs(sides, RUN)):
        if s:
            hits[i]["shift"] = s
    # A trend of 7 points is 6 steps in one direction: mark the steps, then the points they join.
    steps = [1 if b > a else -1 if b < a else 0 for a, b in zip(values, values[1:])]
    for i, s in enumerate(_runs(steps, RUN - 1)):
        if s:
            hits[i]["trend"] = s
            hits[i + 1]["trend"] = s

    points = []
    for (d, v), h in zip(pts, hits):
        rules = tuple(r for r in RULES if r in h)
        points.append(Point(d, v, rules, h[rules[0]] if rules else 0))
    last = points[-1]
    icon = _kind(last.side, better) if last.rules else "common_cause"
    return Chart(tuple(points), mean, mr, lower, upper, lower_2s, upper_2s, icon, better)


def rows(chart: Chart) -> list[dict]:
    """Every point with the chart's mean and limits and the rules it triggers (for tables and the CLI)."""
    return [
        {
            "period_end": p.period_end,
            "value": p.value,
            "mean": chart.mean,
            "lower_limit": chart.lower,
            "upper_limit": chart.upper,
            "lower_2_sigma": chart.lower_2s,
            "upper_2_sigma": chart.upper_2s,
            "limits": chart.limits_kind,
            "rules": ",".join(p.rules),
            "point_type": chart.point_type(p),
        }
        for p in chart.points
    ]
