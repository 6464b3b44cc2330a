"""`outliers`, `spc` and `ambition`: the funnel-plot, SPC and ambition figures the pages show, printed for an analyst.

Both read through the same door as the pages (access.scope.Scope, as an analyst: every trust named
and in full), so what they print is what the analyst's pages show."""

from __future__ import annotations

import json
import sys

import polars as pl

from pswbench.reports.definitions import BY_NAME, RATES

CLI_ANALYST = "cli@pswbench.local"


def _scope(con):
    from pswbench.access.auth import User
    from pswbench.access.scope import Scope
    from pswbench.reports.queries import Queries

    q = Queries(con)
    return Scope(User(CLI_ANALYST, "analyst", None), q, q)


def _open(db: str, what: str):
    """Read-only; while the app holds the database, its published snapshot (said so on stderr)."""
    from pswbench.store import publish

    con, source_note = publish.connect_read_only(db, what)
    if source_note:
        print(source_note, file=sys.stderr)
    return con


def _print(frame: pl.DataFrame, fmt: str, extra: dict | None = None) -> None:
    if fmt == "json":
        body = frame.to_dicts() if extra is None else {**extra, "points": frame.to_dicts()}
        print(json.dumps(body, default=str, indent=2))
    else:
        sys.stdout.write(frame.write_csv())


def outliers_frame(scope, period, indicator: str) -> pl.DataFrame:
    """Every trust's value, denominator, z-scores, the overdispersion and its place against the limits."""
    from pswbench.statistics import funnel

    spec = BY_NAME[indicator]
    fit, rows = scope.funnel(period, indicator)
    fit_columns = {
        "pooled_rate": None if fit is None else fit.target,
        "overdispersion_factor": None if fit is None else fit.phi,
        "overdispersed": None if fit is None else fit.overdispersed,
        "tau2": None if fit is None else fit.tau2,
    }
    return rows.select(
        "period_end",
        pl.lit(indicator).alias("indicator"),
        "trust_code",
        "trust_name",
        "region_name",
        pl.col(indicator).alias("value"),
        "numerator",
        pl.col(spec.denominator).alias("denominator"),
        pl.lit(spec.denominator).alias("denominator_name"),
        pl.col("z").alias("z_score"),
        "z_adjusted",
        *(pl.lit(v).alias(k) for k, v in fit_columns.items()),
        *funnel.POSITION_COLUMNS,
    ).sort("trust_code")


def cmd_outliers(args) -> int:
    con = _open(args.db, "the funnel figures")
    try:
        scope = _scope(con)
        period = args.period or max(scope.periods())
        frame = outliers_frame(scope, period, args.indicator)
    finally:
        con.close()
    _print(frame, args.format)
    return 0


def spc_frame(scope, indicator: str, level: str, code: str | None) -> tuple[pl.DataFrame, dict]:
    """Every point of the chart with its mean, limits and rules; and the latest point's icon."""
    from pswbench.statistics import spc

    chart = scope.spc(indicator, level, code)
    head = {"level": level, "code": code, "indicator": indicator}
    latest = {"latest_icon": chart.icon, "latest_icon_words": chart.icon_words, "limits": chart.limits_kind}
    frame = pl.DataFrame(
        spc.rows(chart),
        schema={
            "period_end": pl.Date,
            "value": pl.Float64,
            "mean": pl.Float64,
            "lower_limit": pl.Float64,
            "upper_limit": pl.Float64,
            "lower_2_sigma": pl.Float64,
            "upper_2_sigma": pl.Float64,
            "limits": pl.String,
            "rules": pl.String,
            "point_type": pl.String,
        },
    )
    frame = frame.select(*(pl.lit(v).alias(k) for k, v in head.items()), pl.all())
    return frame.with_columns(pl.lit(chart.icon).alias("latest_icon")), {**head, **latest}


def cmd_spc(args) -> int:
    if args.level != "national" and not args.code:
        print(f"--level {args.level} needs --code (a {args.level} code).", file=sys.stderr)
        return 2
    con = _open(args.db, "the SPC figures")
    try:
        scope = _scope(con)
        if args.level == "region" and args.code not in scope.regions()["region_code"].to_list():
            print(f"{args.code} is not an NHS England region code: see `indicators --level region`.", file=sys.stderr)
            return 2
        if args.level == "trust" and args.code not in scope.trusts()["trust_code"].to_list():
            print(f"{args.code} is not in the reference list of mental health trusts.", file=sys.stderr)
            return 2
        frame, head = spc_frame(scope, args.indicator, args.level, args.code)
    finally:
        con.close()
    _print(frame, args.format, head)
    return 0


def ambition_frame(scope, level: str) -> pl.DataFrame:
    """national: each ambition with England's progress; region: each region's population share of it."""
    if level == "national":
        return pl.DataFrame(
            [
                {
                    "ambition_id": p.ambition.ambition_id,
                    "measure": p.ambition.measure,
                    "target": p.ambition.target,
                    "target_date": p.ambition.target_date,
                    "source_kind": p.ambition.source_kind,
                    "confidence": p.ambition.confidence,
                    "period_end": p.period,
                    "value": p.value,
                    "wte_in_post": p.wte,
                    "share_of_target": p.share_of_target,
                    "value_at_target_date": p.value_at_target_date,
                    "annual_growth": p.annual_growth,
                    "slowest_quarter_growth": min(p.quarterly_growth, default=None),
                    "fastest_quarter_growth": max(p.quarterly_growth, default=None),
                    "growth_needed": None if p.is_past else p.growth_needed,
                    "reach_date": None if p.is_past else p.reach_date,
                    "reach_earliest": None if p.is_past else p.reach_earliest,
                    "reach_latest": None if p.is_past else p.reach_latest,
                }
                for p in scope.ambition_progress()
            ],
            infer_schema_length=None,
        )
    frames = [
        scope.fair_shares(a).select(pl.lit(a.ambition_id).alias("ambition_id"), pl.all()) for a in scope.ambitions()
    ]
    return pl.concat(frames)


def cmd_ambition(args) -> int:
    con = _open(args.db, "the ambition figures")
    try:
        frame = ambition_frame(_scope(con), args.level)
    finally:
        con.close()
    _print(frame, args.format)
    return 0


def add_arguments(sub, date_type) -> None:
    p = sub.add_parser("ambition", help="progress to the national ambition (national) or regional fair shares")
    p.add_argument("--db", required=True)
    p.add_argument("--level", choices=("national", "region"), default="national")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=cmd_ambition)

    p = sub.add_parser("outliers", help="funnel-plot z-scores and positions of every trust for a rate")
    p.add_argument("--db", required=True)
    p.add_argument("--period", type=date_type, default=None, help="quarter end (default: the latest loaded)")
    p.add_argument("--indicator", required=True, choices=RATES)
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=cmd_outliers)

    p = sub.add_parser("spc", help="Making Data Count XmR chart of an indicator's series")
    p.add_argument("--db", required=True)
    p.add_argument("--indicator", required=True, choices=tuple(BY_NAME))
    p.add_argument("--level", choices=("national", "region", "trust"), default="national")
    p.add_argument("--code", default=None, help="region or trust code for --level region|trust")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    p.set_defaults(func=cmd_spc)
