"""Funnel-plot statistics: limits on the arcsine scale worked out by hand, the Winsorised overdispersion
factor, the additive random-effects variance, and positions above, within or below the limits."""

import math

import polars as pl
import pytest

from pswbench.statistics import funnel


def frame(rates, denominators):
    return pl.DataFrame({"trust_code": [f"T{i:02d}" for i in range(len(rates))], "rate": rates, "n": denominators})


def test_limits_without_overdispersion_are_the_binomial_ones_on_the_arcsine_scale():
    fit = funnel.Fit(target=0.25, trusts=20, phi=1.0, overdispersed=False, tau2=0.0)
    # asin(sqrt(.25)) = pi/6; at n = 100 the 95% half-width is 1.96 / (2 sqrt(100)) = 0.0980
    lo, hi = fit.limits(100, 0.95)
    assert lo == pytest.approx(math.sin(math.pi / 6 - 0.0979982) ** 2, abs=1e-6)
    assert hi == pytest.approx(math.sin(math.pi / 6 + 0.0979982) ** 2, abs=1e-6)
    assert (round(lo, 4), round(hi, 4)) == (0.1705, 0.3391)
    wide = funnel.Fit(target=0.25, trusts=20, phi=5.0, overdispersed=True, tau2=0.01)
    lo2, hi2 = wide.limits(100, 0.95)
    assert lo2 < lo and hi2 > hi  # tau2 widens them
    # and the widening stays at large denominators: the limits tend to target ± z * tau
    _, hi_big = wide.limits(1e9, 0.95)
    assert hi_big == pytest.approx(math.sin(math.pi / 6 + 1.959964 * 0.1) ** 2, abs=1e-5)


def test_trusts_that_vary_only_by_chance_are_not_called_overdispersed():
    # every trust exactly on the pooled rate, apart from a little rounding
    rates = [0.1, 0.1, 0.1005, 0.0995] * 5
    fit, rows = funnel.assess(frame(rates, [1000] * 20), "rate", "n")
    assert fit.phi < 1 and not fit.overdispersed and fit.tau2 == 0
    assert set(rows["position_99_8"]) == {"within"}


def test_real_differences_between_trusts_widen_the_limits_so_fewer_are_flagged():
    # rates spread from 2% to 10% on 5,000 FTE days each: far more than binomial chance
    rates = [0.02 + 0.08 * i / 19 for i in range(20)]
    fit, rows = funnel.assess(frame(rates, [5000] * 20), "rate", "n")
    assert fit.phi > 10 and fit.overdispersed and fit.tau2 > 0
    plain = [funnel.position(z, 0.998) for z in rows["z"]]
    assert plain.count("within") < 10  # as binomial limits, most trusts look like outliers
    assert set(rows["position_99_8"]) == {"within"}  # against the widened limits, none does


def test_the_random_effects_variance_matches_the_dersimonian_laird_formula():
    rates = [0.02 + 0.08 * i / 19 for i in range(20)]
    ns = [2000 + 300 * i for i in range(20)]
    fit, rows = funnel.assess(frame(rates, ns), "rate", "n")
    y0 = math.asin(math.sqrt(sum(r * n for r, n in zip(rates, ns)) / sum(ns)))
    z = sorted((math.asin(math.sqrt(r)) - y0) * 2 * math.sqrt(n) for r, n in zip(rates, ns))
    # 10% Winsorisation of 20 values: type-7 quantiles at 0.1 and 0.9 lie between z[1], z[2] and z[17], z[18]
    lo, hi = z[1] + 0.9 * (z[2] - z[1]), z[17] + 0.1 * (z[18] - z[17])
    phi = sum(min(hi, max(lo, v)) ** 2 for v in z) / 20
    w = [4 * n for n in ns]
    tau2 = (20 * phi - 19) / (sum(w) - sum(x * x for x in w) / sum(w))
    assert fit.phi == pytest.approx(phi) and fit.tau2 == pytest.approx(tau2)
    adj = [(math.asin(math.sqrt(r)) - y0) / math.sqrt(1 / (4 * n) + tau2) for r, n in zip(rates, ns)]
    assert rows["z_adjusted"].to_list() == pytest.approx(adj)


def test_winsorising_keeps_one_extreme_trust_from_hiding_itself():
    rates = [0.05] * 9 + [0.051, 0.049] * 5 + [0.40]
    fit, rows = funnel.assess(frame(rates, [4000] * 20), "rate", "n")
    assert rows.filter(pl.col("rate") == 0.40)["position_99_8"].to_list() == ["above"]
    assert rows.filter(pl.col("rate") != 0.40)["position_99_8"].unique().to_list() == ["within"]


def test_high_and_low_are_told_apart_at_both_levels():
    assert funnel.position(3.2, 0.998) == "above" and funnel.position(-3.2, 0.998) == "below"
    assert funnel.position(2.5, 0.998) == "within" and funnel.position(2.5, 0.95) == "above"
    assert funnel.against_limits_words("above", "above") == "above the 99.8% limit"
    assert funnel.against_limits_words("below", "within") == "below the 95% limit (within 99.8%)"
    assert funnel.against_limits_words("within", "within") == "within the 95% limits"


def test_rows_without_a_rate_or_denominator_are_left_out_and_few_trusts_are_not_widened():
    df = frame([0.1, None, 0.3, 0.2, 0.9], [100, 100, 0, None, 50])
    fit, rows = funnel.assess(df, "rate", "n")
    assert rows["trust_code"].to_list() == ["T00", "T04"]
    assert fit.trusts == 2 and not fit.overdispersed and fit.tau2 == 0
    assert "not widened" in fit.method_words()
    none_fit, empty = funnel.assess(df.filter(pl.col("n") == 0), "rate", "n")
    assert none_fit is None and empty.height == 0 and "position_99_8" in empty.columns
