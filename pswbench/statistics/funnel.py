"""Funnel plots for rates, with limits widened for overdispersion (Spiegelhalter 2005).

Method, as NHS indicators such as SHMI and the NHS-R FunnelPlotR package apply it to proportions:
* each trust's rate p_i = numerator / denominator n_i is put on the arcsine square-root scale,
  y_i = asin(sqrt(p_i)), whose sampling standard error is s_i = 1 / (2 sqrt(n_i)) whatever the rate;
  the target is the pooled rate over the trusts in the plot, y0 = asin(sqrt(Σ numerators / Σ n));
* z_i = (y_i - y0) / s_i; the z-scores are Winsorised at their 10th and 90th centiles (so a few real
  outliers do not inflate the estimate) and the overdispersion factor is phi = mean of squared
  Winsorised z (1 when trusts vary only as binomial chance predicts);
* the data are overdispersed when I * phi exceeds the 95th centile of chi-squared on I - 1 degrees of
  freedom (I trusts); then a between-trust variance is added (DerSimonian-Laird additive random
  effects): tau2 = (I * phi - (I - 1)) / (Σ w - Σ w^2 / Σ w), w = 1 / s^2;
* limits at level L are y0 ± z_L sqrt(s^2 + tau2), turned back into rates with sin^2, and a trust's
  adjusted z-score is (y_i - y0) / sqrt(s_i^2 + tau2).

Denominators are those of the indicator registry (FTE days for sickness, establishment WTE for
vacancies, average headcount for leavers, WTE worked for temporary staffing). A rate on FTE days or
WTE is not a count of independent people, which is one reason such data are overdispersed; the
additive term absorbs it, and the page says how large it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl
from scipy.stats import chi2

WINSOR = 0.10  # Winsorise z-scores at the 10th and 90th centiles
LEVELS = (0.95, 0.998)
MIN_TRUSTS_FOR_OVERDISPERSION = 10  # fewer and phi says too little to widen the limits


def z_of(level: float) -> float:
    return NormalDist().inv_cdf(0.5 + level / 2)


@dataclass(frozen=True)
class Fit:
    target: float  # pooled rate over the trusts in the plot
    trusts: int
    phi: float  # overdispersion factor: mean squared Winsorised z-score (1 = binomial variation)
    overdispersed: bool  # trusts * phi above the 95th centile of chi-squared(trusts - 1)
    tau2: float  # between-trust variance on the arcsine scale (0 when not overdispersed)

    @property
    def target_scale(self) -> float:
        return math.asin(math.sqrt(self.target))

    def limits(self, denominator: float, level: float) -> tuple[float, float]:
        """The lower and upper limit (as rates) for a trust with this denominator."""
        half = z_of(level) * math.sqrt(1 / (4 * denominator) + self.tau2)
        lo = max(0.0, self.target_scale - half)
        hi = min(math.pi / 2, self.target_scale + half)
        return math.sin(lo) ** 2, math.sin(hi) ** 2

    def method_words(self) -> str:
        """One plain paragraph for under the chart: how the limits were drawn and how overdispersed."""
        base = (
            f"Limits around the pooled rate of the {self.trusts} trusts shown, on the arcsine square-root "
            f"scale (Spiegelhalter 2005). Overdispersion factor {self.phi:.1f} "
            "(the spread of trusts against chance alone, from z-scores Winsorised at 10%; 1 means no more "
            "spread than chance)."
        )
        if self.overdispersed:
            return base + (
                f" The trusts vary more than chance explains, so the limits are widened by a between-trust "
                f"variance (additive random effects, tau² = {self.tau2:.2g}): a trust outside them differs "
                "by more than the ordinary variation between trusts."
            )
        if self.trusts < MIN_TRUSTS_FOR_OVERDISPERSION:
            return base + f" With fewer than {MIN_TRUSTS_FOR_OVERDISPERSION} trusts the limits are not widened."
        return base + " That is within chance, so the limits are not widened."


def _quantile(values: list[float], q: float) -> float:
    """Linear-interpolation quantile (R's type 7, as FunnelPlotR uses)."""
    s = sorted(values)
    h = (len(s) - 1) * q
    lo = math.floor(h)
    return s[lo] + (h - lo) * (s[min(lo + 1, len(s) - 1)] - s[lo])


def fit(numerators: list[float], denominators: list[float]) -> Fit | None:
    """The funnel for these trusts (denominators > 0); None when there are none."""
    pairs = [(x, n) for x, n in zip(numerators, denominators) if x is not None and n is not None and n > 0]
    if not pairs:
        return None
    target = min(1.0, max(0.0, sum(x for x, _ in pairs) / sum(n for _, n in pairs)))
    y0 = math.asin(math.sqrt(target))
    z = [(math.asin(math.sqrt(min(1.0, max(0.0, x / n)))) - y0) * 2 * math.sqrt(n) for x, n in pairs]
    k = len(z)
    lo, hi = _quantile(z, WINSOR), _quantile(z, 1 - WINSOR)
    phi = sum(min(hi, max(lo, v)) ** 2 for v in z) / k
    overdispersed = k >= MIN_TRUSTS_FOR_OVERDISPERSION and k * phi > chi2.ppf(0.95, k - 1)
    tau2 = 0.0
    if overdispersed:
        w = [4 * n for _, n in pairs]  # 1 / s^2
        tau2 = max(0.0, (k * phi - (k - 1)) / (sum(w) - sum(v * v for v in w) / sum(w)))
    return Fit(target, k, phi, overdispersed, tau2)


def position(z: float, level: float) -> str:
    """'above', 'below' or 'within' the limits at this level, from an (adjusted) z-score."""
    bound = z_of(level)
    return "above" if z > bound else "below" if z < -bound else "within"


def level_name(level: float) -> str:
    return f"{level * 100:g}%"


def assess(rows: pl.DataFrame, value: str, denominator: str) -> tuple[Fit | None, pl.DataFrame]:
    """Every row with a rate and a denominator > 0, with z-scores and its place against the limits.

    Adds: numerator (rate x denominator), z (unadjusted), z_adjusted (with tau2), and
    position_95 / position_99_8 ('above', 'within', 'below'). Row order is kept."""
    d = rows.filter(pl.col(value).is_not_null() & pl.col(denominator).is_not_null() & (pl.col(denominator) > 0))
    nums = (d[value] * d[denominator]).to_list()
    result = fit(nums, d[denominator].to_list())
    if result is None:
        return None, d.with_columns(
            pl.lit(None, pl.Float64).alias(c) for c in ("numerator", "z", "z_adjusted")
        ).with_columns(pl.lit(None, pl.String).alias(f"position_{_col(level)}") for level in LEVELS)
    y0 = result.target_scale
    zs, zadj = [], []
    for p, n in zip(d[value].to_list(), d[denominator].to_list()):
        diff = math.asin(math.sqrt(min(1.0, max(0.0, p)))) - y0
        zs.append(diff * 2 * math.sqrt(n))
        zadj.append(diff / math.sqrt(1 / (4 * n) + result.tau2))
    out = d.with_columns(
        pl.Series("numerator", nums, pl.Float64),
        pl.Series("z", zs, pl.Float64),
        pl.Series("z_adjusted", zadj, pl.Float64),
    )
    return result, out.with_columns(
        pl.Series(f"position_{_col(level)}", [position(v, level) for v in zadj], pl.String) for level in LEVELS
    )


def _col(level: float) -> str:
    return f"{level * 100:g}".replace(".", "_")


POSITION_COLUMNS = tuple(f"position_{_col(level)}" for level in LEVELS)


def limit_curve(result: Fit, n_max: float, points: int = 120) -> pl.DataFrame:
    """The limit lines for a chart: for each level, lower and upper limit at denominators up to n_max."""
    ns = [max(1.0, n_max * (i / points) ** 2) for i in range(1, points + 1)]
    rows = [(level_name(level), n, *result.limits(n, level)) for level in LEVELS for n in ns]
    return pl.DataFrame(rows, schema=["limit", "denominator", "lower", "upper"], orient="row")


def against_limits_words(pos95: str, pos998: str) -> str:
    """'above the 99.8% limit', 'above the 95% limit (within 99.8%)', 'within the 95% limits', ..."""
    if pos998 != "within":
        return f"{pos998} the 99.8% limit"
    if pos95 != "within":
        return f"{pos95} the 95% limit (within 99.8%)"
    return "within the 95% limits"
