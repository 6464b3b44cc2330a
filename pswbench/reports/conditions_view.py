"""The "Conditions for peer work" page's content, built on the user's Scope (so every figure has
passed disclosure control): a trust's conditions against its region and England, the research's
reason for each, its peer leadership post, and contacts per PSW WTE with how many trusts record them.
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import polars as pl

from pswbench.access.scope import Scope
from pswbench.reports import charts
from pswbench.reports.definitions import ACTIVITY_INDICATORS, CONDITION_INDICATORS
from pswbench.returns.contract import SERVICE_SETTING_LABELS, SERVICE_SETTINGS

TRUST_CONDITIONS = tuple(i for i in CONDITION_INDICATORS if i.has_trust_figure)
CONTACTS = ACTIVITY_INDICATORS[0]
NO_SECTION = (
    "No organisation section has been loaded yet, so there are no figures on the conditions for peer work. "
    "They come from the annual return for 30 September."
)
NO_CONTACTS = "No trust has recorded contacts in its workforce returns yet, so there are no activity figures."


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def _one(df: pl.DataFrame) -> dict | None:
    return df.row(0, named=True) if df.height else None


def comparison(scope: Scope, period: dt.date, trust_code: str) -> pl.DataFrame:
    """One row per condition: the trust's numerator, denominator and share, its region's and England's
    share (pooled over the trust figures this user may see), and the research's reason."""
    mine = _one(scope.conditions(period, "trust", trust_code)) or {}
    region = _one(scope.conditions(period, "region", mine.get("region_code"))) or {}
    england = _one(scope.conditions(period, "national")) or {}
    return pl.DataFrame(
        [
            {
                "Condition": spec.label,
                "Trust: number": mine.get(spec.numerator),
                "Trust: out of": mine.get(spec.denominator),
                "Trust (%)": _pct(mine.get(spec.name)),
                "Region (%)": _pct(region.get(spec.name)),
                "England (%)": _pct(england.get(spec.name)),
                "Why it matters": spec.reason,
            }
            for spec in TRUST_CONDITIONS
        ],
        schema={
            "Condition": pl.String,
            "Trust: number": pl.Int64,
            "Trust: out of": pl.Int64,
            "Trust (%)": pl.Float64,
            "Region (%)": pl.Float64,
            "England (%)": pl.Float64,
            "Why it matters": pl.String,
        },
    )


REGION_COLOUR = "#E69F00"  # Okabe-Ito orange: told apart from NHS Blue and dark grey by colour-blind readers


def comparison_chart(table: pl.DataFrame, trust_name: str) -> go.Figure:
    """A dot per place and condition; the trust in NHS Blue, and every place has its own marker shape."""
    # The trust is drawn last, so its dot is on top where the places' figures coincide; the legend
    # still lists it first.
    places = (("England (%)", "England", charts.DARK, "square"), ("Region (%)", "Region", REGION_COLOUR, "diamond"))
    places += (("Trust (%)", trust_name, charts.NHS_BLUE, "circle"),)
    traces = [
        go.Scatter(
            x=table[col].to_list(),
            y=table["Condition"].to_list(),
            mode="markers",
            name=name,
            marker=dict(color=colour, symbol=symbol, size=12),
            hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>",
        )
        for col, name, colour, symbol in places
    ]
    fig = charts.figure(*traces, title="Conditions for peer work: the trust against its region and England")
    fig.update_layout(legend=dict(traceorder="reversed"))
    fig.update_xaxes(title="Share (%)", range=[0, 100])
    fig.update_yaxes(title="", autorange="reversed")
    return fig


def leadership_text(scope: Scope, period: dt.date, trust_code: str) -> str:
    mine = _one(scope.conditions(period, "trust", trust_code))
    england = _one(scope.conditions(period, "national"))
    if mine is None:
        return "This trust has no organisation section for this year."
    has = {True: "has", False: "does not have"}.get(mine["peer_leadership_post"])
    own = f"{mine['trust_name']} {has} a senior peer leadership post." if has else "No answer on a leadership post."
    if england and england["n_trusts_leadership_known"]:
        own += (
            f" In England, {england['n_trusts_with_leadership_post']} of {england['n_trusts_leadership_known']} "
            "trusts in the figures have one."
        )
    return own


def coverage_text(row: dict | None, pooled_over_what_you_see: bool = False) -> str:
    """'recorded by 31 of 48 trusts (62% of PSW WTE)'. A non-analyst's figures leave out other trusts'
    settings of fewer than 5 PSWs, so their count of trusts recording is of the figures they see."""
    if not row:
        return "no returns"
    share = "" if row["wte_coverage"] is None else f" ({row['wte_coverage']:.0%} of PSW WTE)"
    scope = (
        " in the figures you can see (small settings of other trusts are left out)" if pooled_over_what_you_see else ""
    )
    return f"recorded by {row['n_trusts_recording']} of {row['n_trusts_returned']} trusts{share}{scope}"


def activity_over_time(scope: Scope, trust_code: str | None) -> pl.DataFrame:
    """Contacts per WTE per quarter for England and, when a trust is given, the trust and its region:
    period_end, series, value."""
    national = scope.activity(None, "national").with_columns(pl.lit("England").alias("series"))
    frames = [national]
    if trust_code:
        own = scope.activity(None, "trust", code=trust_code).with_columns(pl.lit("This trust").alias("series"))
        frames.append(own.select(national.columns))
        region = (scope.trust(trust_code) or {}).get("region_code")
        if region:
            pooled = scope.activity(None, "region", code=region).with_columns(pl.lit("Region").alias("series"))
            frames.append(pooled.select(national.columns))
    keep = ["period_end", "series", "contacts_per_wte", "contacts", "wte_recorded", "n_trusts_recording"]
    return pl.concat([f.select(keep) for f in frames]).sort("series", "period_end")


def activity_chart(over_time: pl.DataFrame) -> go.Figure:
    """Contacts per WTE over quarters: the trust in NHS Blue with circles, its region in orange diamonds,
    England in dark squares."""
    style = {
        "This trust": (charts.NHS_BLUE, "circle", 3),
        "Region": (REGION_COLOUR, "diamond", 2),
        "England": (charts.DARK, "square", 2),
    }
    fig = charts.figure(title="Contacts per PSW WTE per quarter, over the rows that record contacts")
    for series, (colour, symbol, width) in style.items():
        # A quarter before any trust recorded contacts has no figure: left out, not drawn as an empty axis.
        part = over_time.filter((pl.col("series") == series) & pl.col("contacts_per_wte").is_not_null())
        part = part.sort("period_end")
        if part.height:
            fig.add_trace(
                go.Scatter(
                    x=part["period_end"].to_list(),
                    y=part["contacts_per_wte"].to_list(),
                    name=series,
                    mode="lines+markers",
                    marker=dict(symbol=symbol, size=8, color=colour),
                    line=dict(color=colour, width=width),
                )
            )
    fig.update_xaxes(title="Quarter ending")
    fig.update_yaxes(title=f"{CONTACTS.label} ({CONTACTS.unit})", rangemode="tozero")
    return fig


def by_setting(scope: Scope, period: dt.date, trust_code: str | None) -> pl.DataFrame:
    """Contacts per WTE per service setting for the trust (first, beside the setting's name: a narrow
    screen shows it without scrolling) and England, for one quarter, settings in the return's order."""
    per_wte = "contacts per WTE (contacts per WTE per quarter)"
    england = scope.activity(period, "national", by_setting=True).select(
        pl.col("service_setting"),
        pl.col("contacts_per_wte").alias(f"England: {per_wte}"),
        pl.col("n_trusts_recording").alias("England: trusts recording (trusts)"),
        pl.col("n_trusts_returned").alias("England: trusts with a return (trusts)"),
    )
    if trust_code:
        own = scope.activity(period, "trust", by_setting=True, code=trust_code).select(
            "service_setting", pl.col("contacts_per_wte").alias(f"Trust: {per_wte}")
        )
        england = own.join(england, on="service_setting", how="right").select(
            "service_setting", f"Trust: {per_wte}", *england.columns[1:]
        )
    order = {code: i for i, code in enumerate(SERVICE_SETTINGS)}
    return england.sort(pl.col("service_setting").replace_strict(order, default=len(order))).with_columns(
        pl.col("service_setting").replace(SERVICE_SETTING_LABELS)
    )


def all_trusts(scope: Scope, period: dt.date) -> pl.DataFrame:
    """Every trust's conditions for the year, shares in percent under "label (unit)" headings; a hidden
    value keeps its place in `suppressed` under its new heading, so the table says why it is missing."""
    rows = scope.conditions(period, "trust")
    shares = {s.name: f"{s.label} ({s.unit})" for s in TRUST_CONDITIONS}
    headings = {**shares, "peer_leadership_post": "Senior peer leadership post"}
    return rows.select(
        "label",
        "region_name",
        "headcount",
        *[(pl.col(name) * 100).round(1).alias(heading) for name, heading in shares.items()],
        pl.col("peer_leadership_post")
        .replace_strict({True: "yes", False: "no"}, default=None, return_dtype=pl.String)
        .alias(headings["peer_leadership_post"]),
        pl.col("suppressed").list.eval(pl.element().replace(headings)),
    ).sort("label")
