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
st.write(
    "Start from the template and read the specification. One upload is one trust's return for one quarter: "
    "the workforce section every quarter, and the demographics and organisation sections too for 30 September."
)
st.write(uploads.WHAT_IS_RECORDED)
# Wide enough for each button's whole label (at [1, 1, 1, 2] the workbook's was cut short).
c0, c1, c2, _ = st.columns([1.6, 1.1, 1.5, 0.8])
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

files = st.file_uploader(
    uploads.UPLOADER_LABEL,
    type=["csv", "xlsx"],
    accept_multiple_files=True,
    max_upload_size=5,
    key="upload_file",
)
if files:
    for file in files:
        if problem := uploads.size_problem(file.size):
            st.error(f"{file.name}: {problem}" if len(files) > 1 else problem)
            st.stop()
    contents = [(file.name, file.getvalue()) for file in files]
    # A new upload (even of the same bytes) gets new file_ids: checked afresh, so a resubmission shows
    # as a duplicate; reruns of the same upload reuse the stored check.
    ids = ",".join(f"{file.file_id}:{hashlib.sha256(data).hexdigest()}" for file, (_n, data) in zip(files, contents))
    key = f"upload:{target}:{hashlib.sha256(ids.encode()).hexdigest()}"
    if key not in st.session_state:
        with st.spinner("Checking the return..."):
            try:
                st.session_state[key] = data.check_upload_files(target, contents)
            except uploads.NotSaved as exc:
                st.error(str(exc))
                st.stop()
    chk = st.session_state[key]
    for result in chk.upload.files:
        st.text(
            f"File: {result.file_name}  ({uploads.counted(result.rows, 'data row')}; "
            f"{uploads.counted(len(result.errors), 'error')}, {uploads.counted(len(result.warnings), 'warning')})"
        )

    if chk.refusal:
        st.error(f"Refused. {chk.refusal} The attempt has been recorded.")
    elif chk.outcomes and chk.several:
        status, words = uploads.upload_words(chk)
        {"accepted": st.success, "duplicate": st.info, "rejected": st.error}[status](words)
    elif chk.outcomes:
        show = {"accepted": st.success, "duplicate": st.info, "rejected": st.error}[chk.outcome.status]
        show(uploads.outcome_words(chk.outcome))
    elif chk.same_as_version or chk.warnings or chk.errors:
        if chk.same_as_version:
            st.info(uploads.duplicate_notice(chk))
        if chk.errors:
            st.error(
                "Some sections have errors: Submit saves the sections that pass and records the others as "
                "rejected. To send them too, correct them and upload the whole return again."
            )
        if chk.warnings:
            st.warning(
                ("There are warnings too." if chk.errors else "The return passed every rule but has warnings.")
                + " Check each figure below; if one is wrong, correct the file and upload it again."
            )
    else:
        st.success("The return passed every check. Submit it to save it.")

    if chk.several:
        if chk.outcomes:
            st.subheader("Result for each section")
            ui.table(uploads.outcomes_table(chk), f"Upload result {target}", user, key=f"{key}:outcomes")
        else:
            st.subheader("Sections")
            st.caption("Each section is checked on its own; what Submit will do with it is in the verdict.")
            ui.table(chk.sections_table(), f"Upload sections {target}", user, key=f"{key}:sections")

    if chk.findings:
        st.subheader("Findings")
        st.caption(
            "Errors first. Line numbers are Excel rows: the header is line 1. No line number means the "
            "finding is about the whole file or sheet."
        )
        findings = chk.findings_table()
        st.dataframe(
            findings.to_arrow(),
            hide_index=True,
            width="stretch",
            column_config={
                c: st.column_config.TextColumn(uploads.FINDINGS_LABELS.get(c), width=w)
                for c, w in uploads.FINDINGS_WIDTHS.items()
                if c in findings.columns
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
        workforce = chk.workforce_plan
        # An identical workforce section is said to be so above (or in the sections table).
        if workforce is not None and workforce.same_as_version is None:
            try:
                seen = data.submission_history(target, chk.result.period_end)
            except permissions.NotPermitted:
                seen = None  # the notice then names the version without its date and uploader
            st.info(uploads.replace_notice(chk, seen))
        acknowledged = not chk.warnings or st.checkbox(
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
            submissions.section_words(),
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
