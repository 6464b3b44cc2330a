"""Submissions and data quality (analysts): who has sent the quarter's return, what fails, and what changed."""

import streamlit as st

from pswbench.app import ui
from pswbench.reports import submissions
from pswbench.returns import contract

user, data = ui.page("submissions")
st.title("Submissions and data quality")
period = ui.period_picker(data)

coverage = data.coverage(period)
counts = submissions.status_counts(coverage)
st.subheader(f"Returns for the quarter ending {period:%d %B %Y}")
cols = st.columns(4)
cols[0].metric("Open trusts", coverage.height, border=True)
cols[1].metric("Accepted", counts["accepted"], border=True, help="A current accepted version is loaded.")
cols[2].metric(
    "Rejected only",
    counts["rejected only"],
    border=True,
    help="Every attempt for the quarter was rejected; nothing is loaded.",
)
cols[3].metric("Missing", counts["missing"], border=True, help="No attempt at all for the quarter.")

st.markdown("**Trusts without an accepted return** (missing, or every attempt rejected)")
late = submissions.non_submitters(coverage)
if late.is_empty():
    st.success("Every open trust has an accepted return for this quarter.")
else:
    ui.table(submissions.dates_as_text(late), f"Trusts without an accepted return {period}", user, key="non-submitters")
with st.expander("Every open trust's status"):
    ui.table(
        submissions.dates_as_text(coverage).select(
            "trust_code",
            "trust_name",
            "region_name",
            "status",
            "current_version",
            "accepted_at",
            "accepted_by",
            "attempts",
            "rejected_attempts",
        ),
        f"Submission status {period}",
        user,
        key="coverage",
    )

if contract.is_annual_period(period):
    st.subheader("Annual sections: demographics and organisation")
    st.caption(
        "Each annual section was checked against the trust's workforce total when it was sent; a later "
        "workforce version can change that total, and then the section no longer matches it."
    )
    quality = data.annual_section_quality(period)
    for count in submissions.annual_counts(quality):
        st.markdown(f"- {count.words()}")
    needs = submissions.follow_ups(quality)
    if needs.is_empty():
        st.success("Every open trust has sent both annual sections, and each matches its workforce return.")
    else:
        st.markdown("**Annual sections to ask trusts about**")
        ui.table(
            needs,
            f"Annual sections to follow up {period}",
            user,
            key="annual-follow-up",
        )
    with st.expander("Every open trust's annual sections"):
        ui.table(
            submissions.dates_as_text(quality)
            .drop("action", "most_not_stated_dimension", "most_not_stated", "demographics_headcount")
            .with_columns(submissions.section_words()),
            f"Annual sections {period}",
            user,
            key="annual-sections",
        )

st.subheader("Most frequent validation findings")
scope = st.radio(
    "Over",
    ["quarter", "all"],
    horizontal=True,
    key="rules_scope",
    format_func={"quarter": "This quarter", "all": "Every upload so far"}.get,
)
rules = data.failing_rules(period if scope == "quarter" else None)
if rules.is_empty():
    st.info("No findings: every upload in this scope passed every rule.")
else:
    ui.chart(submissions.rule_chart(rules), rules, "Validation findings by rule", user, key="rules")

st.subheader("Versions of a return")
trusts = data.trusts().sort("trust_name")
names = dict(trusts.select("trust_code", "trust_name").iter_rows())
c1, c2 = st.columns(2)
trust = c1.selectbox(
    "Trust", trusts["trust_code"].to_list(), format_func=lambda c: f"{names[c]} ({c})", key="versions_trust"
)
periods = data.periods()
quarter = c2.selectbox(
    "Quarter ending",
    periods,
    index=periods.index(period),
    format_func=lambda d: d.strftime("%d %B %Y"),
    key="versions_period",
)
attempts = data.submission_history(trust, quarter)
versions = data.versions(trust, quarter)
if attempts.is_empty():
    st.info("No upload for this trust and quarter.")
    st.stop()
ui.table(
    submissions.dates_as_text(attempts).drop("trust_code", "period_end").with_columns(submissions.section_words()),
    f"Uploads {trust} {quarter}",
    user,
    key="attempts",
)
if versions.height < 2:
    st.info("Only one accepted version (or none): nothing to compare.")
    st.stop()

by_version = dict(versions.select("version", "submission_id").iter_rows())
numbers = list(by_version)
c1, c2 = st.columns(2)
old = c1.selectbox("Compare version", numbers, index=len(numbers) - 2, key="diff_old")
new = c2.selectbox("with version", numbers, index=len(numbers) - 1, key="diff_new")
diff = data.version_diff(by_version[old], by_version[new])
if diff.is_empty:
    st.info(f"Versions {old} and {new} hold the same figures.")
for key, label, frame in (
    ("cells-changed", f"Cells changed (version {old} → {new})", diff.changed),
    ("rows-added", f"Rows added in version {new}", diff.added),
    ("rows-removed", f"Rows removed since version {old}", diff.removed),
):
    if not frame.is_empty():
        st.markdown(f"**{label}**")
        ui.table(frame, f"{label} {trust} {quarter}", user, key=key)
