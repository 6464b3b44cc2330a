"""Submissions and data quality: upload history, the rules trusts trip over, and what changed between versions.

Read straight from the database rather than the data-version cache: a rejected attempt does not
change the figures, so it does not bump the data version, yet it must show here at once.
Access is checked here, below the pages: the quality views are for analysts, and a trust's upload
history is for those who may upload for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import plotly.graph_objects as go
import polars as pl

from pswbench.access import permissions
from pswbench.access.auth import User
from pswbench.reports import charts
from pswbench.reports.charts import GREY, PALETTE
from pswbench.returns import contract
from pswbench.returns import rules as rule_registry
from pswbench.returns.contract import as_period
from pswbench.returns.findings import counted
from pswbench.store.database import sql

KEY = ("service_setting", "afc_band")
STATUS_ORDER = ("accepted", "rejected only", "missing")


def dates_as_text(df: pl.DataFrame) -> pl.DataFrame:
    """Dates as ISO text and times to the second: the table widget otherwise shows dates with a midnight time."""
    return df.with_columns(
        [pl.col(pl.Date).dt.strftime("%Y-%m-%d"), pl.col(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S")]
    )


def _query(con: duckdb.DuckDBPyConnection, name: str, **params) -> pl.DataFrame:
    if "period" in params:
        params["period"] = as_period(params["period"])
    return con.sql(sql(f"queries/{name}"), params=params).pl()


def submission_history(con, user: User, trust_code: str, period: dt.date | None = None) -> pl.DataFrame:
    """Every upload attempt for a trust, newest first: for those who may upload for it, and analysts."""
    if not (user.role == "analyst" or permissions.can_upload_for(user, trust_code)):
        raise permissions.NotPermitted("You can see the upload history of your own trust only.")
    return _query(con, "submission_history", trust_code=trust_code, period=period)


def status_counts(coverage: pl.DataFrame) -> dict[str, int]:
    """Trusts in each submission status, every status present (0 when none)."""
    counts = dict(coverage.group_by("status").len().iter_rows())
    return {s: int(counts.get(s, 0)) for s in STATUS_ORDER}


def non_submitters(coverage: pl.DataFrame) -> pl.DataFrame:
    return (
        coverage.filter(pl.col("status") != "accepted")
        .select("trust_code", "trust_name", "region_name", "status", "attempts", "rejected_attempts", "last_attempt_at")
        .sort("status", "trust_name")
    )


def failing_rules(con, user: User, period: dt.date | None) -> pl.DataFrame:
    """Rules by number of findings, for a quarter or (period None) every attempt so far."""
    permissions.require_page(user, "submissions")
    return _query(con, "failing_rules", period=period)


ANNUAL_SECTIONS = (contract.DEMOGRAPHICS, contract.ORGANISATION)


def annual_section_quality(con, user: User, period: dt.date) -> pl.DataFrame:
    """For a 30 September quarter, each open trust's annual sections: where each stands, whether a
    current one still matches the trust's current workforce total, and what to ask the trust (`action`,
    empty when nothing). Empty for any other quarter: the annual sections are for 30 September only."""
    permissions.require_page(user, "submissions")
    df = _query(con, "annual_section_quality", period=period)
    if not contract.is_annual_period(as_period(period)):
        df = df.clear()
    return df.with_columns(pl.Series("action", [section_action(r) for r in df.iter_rows(named=True)], dtype=pl.String))


def section_action(row: dict) -> str:
    """What to ask a trust about one annual section, in a sentence; empty when it is in and still matches."""
    label = contract.SECTION_LABELS[row["section"]]
    if row["status"] == "missing":
        return f"No {label} return has been sent: ask the trust to send it."
    if row["status"] == "rejected only":
        return (
            f"Every {label} upload was rejected ({counted(row['rejected_attempts'], 'attempt')}): ask the trust "
            "to correct it and send it again."
        )
    if row["matches_workforce"]:
        return _not_stated_action(row)
    checked = f"{label.capitalize()} were checked against {counted(row['checked_headcount'], 'PSW')}"
    if row["workforce_headcount"] is None:
        return f"{checked}; there is no current workforce return for the quarter: ask the trust to send it."
    return (
        f"{checked}; the current workforce return says {row['workforce_headcount']:,}: ask the trust to send "
        f"the {label} again."
    )


# At one PSW in five unrecorded in a dimension, a trust's shares say little about its peer workforce
# (England's not-stated share in the demo is 4% to 5%); below it, the share is shown and not chased.
NOT_STATED_FOLLOW_UP = 0.2


def _not_stated_action(row: dict) -> str:
    """For current demographics: ask about the dimension with the most PSWs not stated, when that is a
    fifth of the PSWs or more; empty otherwise."""
    n, total = row.get("most_not_stated"), row.get("demographics_headcount")
    if row["section"] != contract.DEMOGRAPHICS or not n or not total or n / total < NOT_STATED_FOLLOW_UP:
        return ""
    label = contract.DEMOGRAPHIC_DIMENSIONS[row["most_not_stated_dimension"]][0].lower()
    return (
        f"{n:,} of {counted(total, 'PSW')} ({n / total:.0%}) have no {label} stated: ask the trust whether "
        "it can record more."
    )


def follow_ups(quality: pl.DataFrame) -> pl.DataFrame:
    """The annual sections to ask trusts about: missing, rejected only, no longer matching, or with a
    fifth or more of the PSWs not stated in a dimension."""
    return quality.filter(pl.col("action") != "").select(
        "trust_code", "trust_name", section_words("section"), "status", "current_version", "action"
    )


def section_words(column: str = "section") -> pl.Expr:
    """A section's code ('organisation') as the words a user reads ('Organisational conditions')."""
    words = {code: label[0].upper() + label[1:] for code, label in contract.SECTION_LABELS.items()}
    return pl.col(column).replace_strict(words, default=pl.col(column))


@dataclass(frozen=True)
class AnnualCount:
    section: str
    sent: int  # open trusts with a current version
    trusts: int  # open trusts
    no_longer_match: int  # of those sent, checked against a workforce total that is no longer current

    def words(self) -> str:
        match = f"{self.no_longer_match:,} no longer match{'es' if self.no_longer_match == 1 else ''}"
        return (
            f"{self.sent:,} of {counted(self.trusts, 'trust')} sent {contract.SECTION_LABELS[self.section]}; "
            f"{match} the current workforce return."
        )


def annual_counts(quality: pl.DataFrame) -> list[AnnualCount]:
    """Per annual section: trusts that sent it, open trusts, and how many of those sent no longer match."""
    out = []
    for section in ANNUAL_SECTIONS:
        d = quality.filter(pl.col("section") == section)
        sent = d.filter(pl.col("status") == "current")
        out.append(AnnualCount(section, sent.height, d.height, int((~sent["matches_workforce"]).sum())))
    return out


def rule_chart(rules: pl.DataFrame, top: int = 15) -> go.Figure:
    """Horizontal bars of findings per rule; errors and warnings differ by pattern and label, not colour alone."""
    d = rules.head(top).reverse()
    # In words (the registry's title), with the rule id a trust quotes on hover.
    labels = [f"{rule_registry.title(r)} ({s})" for r, s in zip(d["rule"], d["severity"])]
    is_error = [s == "error" for s in d["severity"]]
    fig = charts.figure(
        go.Bar(
            x=d["findings"].to_list(),
            y=labels,
            orientation="h",
            marker_color=[PALETTE[5] if e else GREY for e in is_error],
            marker_pattern_shape=["x" if e else "" for e in is_error],
            text=[f"{n:,} in {s:,} submission{'s' if s != 1 else ''}" for n, s in zip(d["findings"], d["submissions"])],
            # Outside the bar, dark on white: inside a hatched orange bar no text colour reaches 4.5:1.
            textposition="outside",
            textfont=dict(color=charts.DARK),
            cliponaxis=False,
            customdata=d["rule"].to_list(),
            hovertemplate="%{y}: %{x} findings (rule %{customdata})<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(
        title=f"Most frequent validation findings (top {min(top, rules.height)})",
        **charts.HOUSE_LAYOUT,
        height=120 + 32 * max(d.height, 1),
    )
    # Whole-number ticks: half a finding means nothing.
    most = int(d["findings"].max()) if d.height else 1
    fig.update_xaxes(
        title="Findings (count)",
        range=[0, most * 1.6],  # room for the words beside the longest bar
        tickformat=",d",
        dtick=1 if d.height and d["findings"].max() <= 10 else None,
    )
    fig.update_yaxes(title="Rule (severity)")
    return fig


def versions(con, user: User, trust_code: str, period: dt.date) -> pl.DataFrame:
    permissions.require_page(user, "submissions")
    return _query(con, "return_versions", trust_code=trust_code, period=period)


def submission_rows(con, user: User, submission_id: int) -> pl.DataFrame:
    permissions.require_page(user, "submissions")
    return _query(con, "submission_rows", submission_id=submission_id)


@dataclass(frozen=True)
class VersionDiff:
    added: pl.DataFrame  # rows only in the newer version
    removed: pl.DataFrame  # rows only in the older version
    changed: pl.DataFrame  # service_setting, afc_band, column, old, new (as text)

    @property
    def is_empty(self) -> bool:
        return self.added.is_empty() and self.removed.is_empty() and self.changed.is_empty()


def _as_text(col: str) -> pl.Expr:
    # A blank bank/agency cell means "not recorded", which differs from 0; say so rather than show nothing.
    return pl.col(col).cast(pl.String).fill_null("(blank)")


def diff(old: pl.DataFrame, new: pl.DataFrame) -> VersionDiff:
    """Rows added and removed, and cells changed, between two versions matched on service setting and band."""
    values = [c for c in old.columns if c not in KEY]
    added = new.join(old.select(KEY), on=KEY, how="anti").sort(KEY)
    removed = old.join(new.select(KEY), on=KEY, how="anti").sort(KEY)
    both = old.join(new, on=KEY, how="inner", suffix="__new")
    changed = [
        both.filter(pl.col(c).ne_missing(pl.col(f"{c}__new"))).select(
            *KEY, pl.lit(c).alias("column"), _as_text(c).alias("old"), _as_text(f"{c}__new").alias("new")
        )
        for c in values
    ]
    schema = {**{k: pl.String for k in KEY}, "column": pl.String, "old": pl.String, "new": pl.String}
    # Concatenated in column order; a stable sort on the key keeps each row's cells in that order.
    changed_df = pl.concat(changed).sort(KEY, maintain_order=True) if changed else pl.DataFrame(schema=schema)
    return VersionDiff(added, removed, changed_df)


def version_diff(con, user: User, old_submission: int, new_submission: int) -> VersionDiff:
    return diff(submission_rows(con, user, old_submission), submission_rows(con, user, new_submission))
