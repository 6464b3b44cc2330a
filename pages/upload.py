"""Upload return: check a quarterly return, see every finding, submit it, and see the trust's history."""

import hashlib

import streamlit as st

from pswbench.access import permissions
from pswbench.app import ui
from pswbench.paths import DATA_DIR, ROOT
from pswbench.reports import submissions
from pswbench.returns import uploads

user, data = ui.page("upload")
st.title("Upload a quarterly return")
st.write("Start from the template and read the specification: one file is one trust and one quarter.")
st.write(uploads.WHAT_IS_RECORDED)
c0, c1, c2, _ = st.columns([1, 1, 1, 2])
c0.download_button(
    "Template (Excel workbook)",
    (DATA_DIR / "template.xlsx").read_bytes(),
    "psw-return-template.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="template_xlsx",
)
c1.download_button(
    "Template (CSV)", (DATA_DIR / "template.csv").read_bytes(), "psw-return-template.csv", "text/csv", key="template"
)
c2.download_button(
    "Specification (Markdown)",
    (ROOT / "docs" / "return-spec.md").read_bytes(),
    "psw-return-specification.md",
    "text/markdown",
    key="spec",
)

trusts = data.trusts().sort("trust_name")
names = dict(trusts.select("trust_code", "trust_name").iter_rows())
choices = data.uploadable_trusts()
if user.role == "analyst":
    target = st.selectbox("Uploading for", choices, format_func=lambda c: f"{names[c]} ({c})", key="upload_trust")
else:
    target = user.trust_code
    st.write(f"Uploading for **{names.get(target, target)} ({target})**.")

file = st.file_uploader(
    "Return file (CSV or Excel .xlsx, at most 5 MB)", type=["csv", "xlsx"], max_upload_size=5, key="upload_file"
)
if file is not None:
    if problem := uploads.size_problem(file.size):
        st.error(problem)
        st.stop()
    content = file.getvalue()
    # A new upload (even of the same bytes) gets a new file_id: checked afresh, so a resubmission
    # shows as a duplicate; reruns of the same upload reuse the stored check.
    key = f"upload:{target}:{file.file_id}:{hashlib.sha256(content).hexdigest()}"
    if key not in st.session_state:
        with st.spinner("Checking the return..."):
            try:
                st.session_state[key] = data.check_upload(target, file.name, content)
            except uploads.NotSaved as exc:
                st.error(str(exc))
                st.stop()
    chk = st.session_state[key]
    result = chk.result
    st.text(
        f"File: {result.file_name}  ({uploads.counted(result.rows, 'data row')}; "
        f"{uploads.counted(len(result.errors), 'error')}, {uploads.counted(len(result.warnings), 'warning')})"
    )

    if chk.refusal:
        st.error(f"Refused. {chk.refusal} The attempt has been recorded.")
    elif chk.outcome:
        show = {"accepted": st.success, "duplicate": st.info, "rejected": st.error}[chk.outcome.status]
        show(uploads.outcome_words(chk.outcome))
    elif chk.same_as_version or result.warnings:
        if chk.same_as_version:
            st.info(uploads.duplicate_notice(chk))
        if result.warnings:
            st.warning(
                "The return passed every rule but has warnings. Check each figure below; if one is "
                "wrong, correct the file and upload it again."
            )
    else:
        st.success("The return passed every check. Submit it to save it.")

    if result.findings:
        st.subheader("Findings")
        st.caption(
            "Errors first. Line numbers count the header as line 1; no line number means the finding is "
            "about the whole file."
        )
        findings = chk.findings_table()
        st.dataframe(
            findings.to_arrow(),
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.TextColumn(uploads.FINDINGS_LABELS.get(c), width=w)
                for c, w in uploads.FINDINGS_WIDTHS.items()
            },
        )
        d1, d2, _ = st.columns([1, 1, 4])
        for box, fmt, mime in (
            (d1, "csv", "text/csv"),
            (d2, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ):
            box.download_button(
                f"Download findings ({fmt.upper()})",
                ui.export_file(findings, f"Upload findings {target}", user, fmt),
                f"findings-{target}.{fmt}",
                mime,
                key=f"{key}:findings-{fmt}",
                on_click="ignore",
            )

    if chk.can_submit:
        if not chk.same_as_version:  # an identical file is said to be so above
            try:
                seen = data.submission_history(target, chk.result.period_end)
            except permissions.NotPermitted:
                seen = None  # the notice then names the version without its date and uploader
            st.info(uploads.replace_notice(chk, seen))
        acknowledged = not result.warnings or st.checkbox(
            "I have checked the warnings and the figures are right.", key=f"{key}:ack"
        )
        if st.button("Submit return", type="primary", disabled=not acknowledged, key=f"{key}:submit"):
            try:
                data.submit(chk)
            except uploads.NotSaved as exc:
                st.error(str(exc))
                st.stop()
            st.rerun()

st.subheader(f"Upload history: {names.get(target, target)}")
try:
    history = data.submission_history(target)
except permissions.NotPermitted as exc:
    ui.refuse(user, f"upload_history:{target}", exc)
if history.is_empty():
    st.info("No returns have been uploaded for this trust yet.")
else:
    st.caption("Every attempt, newest first: accepted, rejected (including refused files) and duplicates.")
    ui.table(
        submissions.dates_as_text(history).select(
            "submitted_at",
            "submitted_by",
            "file_name",
            "period_end",
            "status",
            "version",
            "error_count",
            "warning_count",
        ),
        f"Upload history {target}",
        user,
        key="upload-history",
    )
