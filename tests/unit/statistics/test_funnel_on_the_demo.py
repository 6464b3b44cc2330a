"""On the synthetic demo, the funnel for each rate flags the deliberate outliers and no more than a
handful of other trusts: the point of widening the limits for overdispersion."""

from __future__ import annotations

import polars as pl

from pswbench.access.auth import User
from pswbench.reports.definitions import RATES
from pswbench.returns.contract import quarter_ends
from pswbench.synthetic.trust_returns import OUTLIERS

ANALYST = User("a@nhs.uk", "analyst", None)
HANDFUL = 3  # other trusts outside the 99.8% limits on any one chart


def deliberate() -> set[tuple[str, str, object]]:
    """(trust, indicator, quarter) built to stand out, and what follows from them: a quarter's leavers stay
    in the 12-month leaver rate for four quarters; a wrong FTE-days figure moves the sickness rate."""
    out = set()
    for (trust, period), kind in OUTLIERS.items():
        if kind in RATES:
            out.add((trust, kind, period))
        if kind == "leaver_rate_quarter":
            after = quarter_ends(period, period.replace(year=period.year + 1))[:4]
            out |= {(trust, "leaver_rate_12m", q) for q in after}
        if kind == "fte_days_available":
            out.add((trust, "sickness_rate", period))
    return out


def test_deliberate_outliers_are_flagged_and_few_others(scope_for, q):
    scope = scope_for(ANALYST)
    built = deliberate()
    others: dict[tuple[str, object], list[str]] = {}
    seen_deliberate = set()
    for period in q.periods():
        for indicator in RATES:
            fit, rows = scope.funnel(period, indicator)
            if fit is None:
                continue
            out = rows.filter(pl.col("position_99_8") != "within")["trust_code"].to_list()
            for code in out:
                if (code, indicator, period) in built:
                    seen_deliberate.add((code, indicator, period))
            others[(indicator, period)] = [c for c in out if (c, indicator, period) not in built]
    rate_outliers = {(t, k, p) for (t, p), k in OUTLIERS.items() if k in RATES and t != "RNK"}
    # RNK's 100% vacancy rate is 1 vacant WTE in an establishment of 1: no funnel can call that unusual.
    assert rate_outliers and rate_outliers <= seen_deliberate
    worst = max(len(v) for v in others.values())
    assert worst <= HANDFUL, {k: v for k, v in others.items() if len(v) > HANDFUL}
