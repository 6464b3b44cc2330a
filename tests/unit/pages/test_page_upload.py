"""Upload page, driven as a trust lead: check, findings, acknowledging warnings, submit, duplicates, refusals."""

from __future__ import annotations

import json

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from pswbench.access import auth
from pswbench.paths import DATA_DIR, EXAMPLES_DIR, ROOT
from pswbench.returns.contract import SECTION_LABELS
from pswbench.store import database, loader
from tests.helpers.apptest_helpers import sign_in_as
from tests.helpers.demo_data import EXAMPLE
from tests.helpers.returns_kit import valid_rows
from tests.helpers.workbook_kit import XLSX, return_table, workbook_of

CORRECTED = EXAMPLE.replace(b"RX4,2025-09-30,crisis,4,8,", b"RX4,2025-09-30,crisis,4,9,")
LEAD = "lead@rx4.nhs.uk"


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database holding RX4's return for 2025-09-30 as version 1, and the users."""
    path = tmp_path / "up.duckdb"
    monkeypatch.setenv("PSWBENCH_DB", str(path))
    con = database.connect(path)
    loader.load_files(con, [("rx4.csv", EXAMPLE)], "loader@nhs.uk")
    users = {
        "trust_lead": auth.add_user(con, LEAD, "trust_lead", "RX4", None),
        "analyst": auth.add_user(con, "analyst@hee.nhs.uk", "analyst", None, None),
        "board": auth.add_user(con, "board@rx4.nhs.uk", "board", "RX4", None),
    }
    con.close()
    return path, users


def upload_page(db, role="trust_lead") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    sign_in_as(at, db[1][role].email)
    at.run()
    return at.switch_page("pages/upload.py").run()


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, data, "text/csv"))
    return at.run()


def submit_button(at):
    return [b for b in at.button if b.label == "Submit return"]


def query(db, text, params=()):
    con = duckdb.connect(str(db[0]))
    try:
        return con.execute(text, list(params)).fetchall()
    finally:
        con.close()


def test_valid_return_is_accepted_as_the_next_version_and_a_resend_is_a_duplicate(db):
    at = upload(upload_page(db), "corrected.csv", CORRECTED)
    assert not at.exception and not at.error
    assert query(db, "SELECT count(*) FROM submission")[0][0] == 1  # checking alone saves nothing
    submit_button(at)[0].click().run()
    assert at.success[0].value.startswith("Accepted: this return is now version 2 for RX4")
    assert not submit_button(at)
    upload(at, "corrected-again.csv", CORRECTED)
    assert "identical to the current return for RX4" in at.info[0].value and "(version 2)" in at.info[0].value
    assert query(db, "SELECT count(*) FROM submission")[0][0] == 2  # told before anything is recorded
    submit_button(at)[0].click().run()
    assert "duplicate of version 2" in at.info[0].value
    history = at.dataframe[-1].value
    assert list(history["status"][:3]) == ["duplicate", "accepted", "accepted"]
    assert list(history["file_name"][:2]) == ["corrected-again.csv", "corrected.csv"]


def test_invalid_return_lists_findings_with_lines_and_offers_no_submit(db):
    bad = (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes().replace(b"RT1,", b"RX4,")
    at = upload(upload_page(db), "bad.csv", bad)
    assert not at.exception
    assert at.error[0].value.startswith("Rejected with 1 error")
    findings = at.dataframe[0].value
    assert findings[["severity", "line", "column", "rule"]].iloc[0].tolist() == [
        "error",
        4,
        "wte_in_post",
        "wte_exceeds_headcount",
    ]
    assert not submit_button(at)
    assert query(db, "SELECT status, error_count FROM submission WHERE file_name = 'bad.csv'") == [("rejected", 1)]


def test_warnings_must_be_acknowledged_before_submitting(db):
    warn = (EXAMPLES_DIR / "high_sickness_warning.csv").read_bytes().replace(b"RT1,", b"RX4,")
    at = upload(upload_page(db), "sick.csv", warn)
    assert at.dataframe[0].value["severity"].tolist() == ["warning"]
    assert submit_button(at)[0].disabled
    at.checkbox[0].check().run()
    assert not submit_button(at)[0].disabled
    submit_button(at)[0].click().run()
    assert at.success[0].value.startswith("Accepted: this return is now version 2")


def test_another_trusts_return_is_refused_and_recorded(db):
    at = upload(upload_page(db), "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"))
    assert "This return is for RMY; you can upload returns for RX4 only" in at.error[0].value
    assert not submit_button(at)
    assert at.dataframe[0].value["rule"].iloc[0] == "not_your_trust"
    assert query(db, "SELECT trust_code, status FROM submission WHERE file_name = 'rmy.csv'") == [("RX4", "rejected")]
    ((detail,),) = query(db, "SELECT detail FROM audit_log WHERE action = 'upload_refused' AND actor = ?", [LEAD])
    assert json.loads(detail)["file_trust_code"] == "RMY"
    assert query(db, "SELECT count(*) FROM return_version WHERE trust_code = 'RMY'") == [(0,)]


def test_file_over_5_mb_gets_a_message_and_is_not_checked(db):
    at = upload(upload_page(db), "huge.csv", EXAMPLE + b"x" * (5 * 1024 * 1024))
    assert "at most 5 MB" in at.error[0].value
    assert query(db, "SELECT count(*) FROM submission") == [(1,)]


def test_analyst_chooses_the_trust_and_uploads_for_it(db):
    at = upload_page(db, "analyst")
    at.selectbox(key="upload_trust").set_value("RMY").run()
    upload(at, "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"))
    submit_button(at)[0].click().run()
    assert at.success[0].value.startswith("Accepted: this return is now version 1 for RMY")
    assert at.dataframe[-1].value["file_name"].tolist() == ["rmy.csv"]


def test_board_members_cannot_open_the_upload_page(db):
    at = upload_page(db, "board")
    assert at.error[0].value.startswith("Not permitted")
    assert not at.file_uploader and not at.dataframe


def test_findings_show_the_fix_first_and_wide_and_can_be_downloaded(db):
    bad = (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes().replace(b"RT1,", b"RX4,")
    at = upload(upload_page(db), "bad.csv", bad)
    table = at.dataframe[0]
    assert list(table.value.columns) == ["message", "severity", "line", "column", "value", "rule"]
    config = json.loads(table.proto.columns)
    widths = {c: config[c]["width"] for c in table.value.columns}
    assert widths["message"] == max(widths.values()) >= 500
    assert config["rule"]["width"] <= 100 and config["message"]["label"] == "What to fix"
    labels = [b.label for b in at.get("download_button")]
    assert "Download findings (CSV)" in labels and "Download findings (XLSX)" in labels


def test_before_submit_the_page_says_which_version_it_replaces(db):
    at = upload(upload_page(db), "corrected.csv", CORRECTED)
    (notice,) = [i.value for i in at.info if "Submitting will replace" in i.value]
    assert notice.startswith("Submitting will replace version 1 (submitted ")
    assert "by loader@nhs.uk) as the current return for RX4, quarter ending 30 September 2025." in notice
    new_quarter = CORRECTED.replace(b"2025-09-30", b"2025-06-30")
    at = upload(upload_page(db), "june.csv", new_quarter)
    assert "This will be the first return for RX4, quarter ending 30 June 2025." in [i.value for i in at.info]


def test_the_page_says_truly_what_checking_records(db):
    at = upload_page(db)
    assert any("is recorded at once as a rejected attempt" in m.value for m in at.markdown)
    assert not any("nothing is saved until you submit" in m.value for m in at.markdown)
    upload(at, "corrected.csv", CORRECTED)
    assert query(db, "SELECT count(*) FROM submission") == [(1,)]  # a passing file: nothing until Submit
    bad = (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes().replace(b"RT1,", b"RX4,")
    upload(upload_page(db), "bad.csv", bad)
    ((sid, size, rows, who),) = query(
        db, "SELECT submission_id, size_bytes, row_count, submitted_by FROM submission WHERE file_name = 'bad.csv'"
    )
    assert size == len(bad) and rows > 0 and who == LEAD
    assert query(db, "SELECT count(*) FROM finding WHERE submission_id = ?", [sid]) == [(1,)]
    assert query(db, "SELECT count(*) FROM return_version WHERE submission_id = ?", [sid]) == [(0,)]


# ---- several files, or a workbook of sections, as one upload --------------------------------------------

WORKBOOK = (DATA_DIR / "example_return.xlsx").read_bytes()  # RX4, 30 September 2026, all three sections
SECTION_CSVS = [
    (f"example_{s}.csv", (DATA_DIR / f"example_{s}.csv").read_bytes(), "text/csv")
    for s in ("workforce", "demographics", "organisation")
]


def upload_many(at: AppTest, files: list[tuple[str, bytes, str]]) -> AppTest:
    at.file_uploader(key="upload_file").set_value(files)
    return at.run()


def table_named(at: AppTest, *columns: str):
    """The first table on the page with these columns (tables render in page order)."""
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


@pytest.mark.parametrize(
    "files",
    [[("return.xlsx", WORKBOOK, XLSX)], SECTION_CSVS],
    ids=["workbook", "three-csv-files"],
)
def test_a_return_of_several_sections_is_shown_and_saved_section_by_section(db, files):
    at = upload_many(upload_page(db), files)
    assert not at.exception
    plan = table_named(at, "section", "verdict")
    assert sorted(plan["section"]) == sorted(SECTION_LABELS.values())
    verdicts = dict(zip(plan["section"], plan["verdict"]))
    # RX4 has no return for 30 September 2026; the example's annual sections add up to its workforce section.
    assert verdicts == dict.fromkeys(SECTION_LABELS.values(), "passes: will be version 1")
    assert query(db, "SELECT count(*) FROM submission") == [(1,)]  # nothing recorded before Submit
    assert not [d for d in at.dataframe if "message" in d.value.columns]  # no findings, so no findings table
    submit_button(at)[0].click().run()
    assert not at.exception
    result = table_named(at, "section", "status")
    by_section = dict(zip(result["section"], zip(result["status"], map(str, result["version"]))))
    assert by_section == dict.fromkeys(SECTION_LABELS.values(), ("accepted", "1"))
    saved = query(db, "SELECT section, status, version FROM submission WHERE period_end = '2026-09-30' ORDER BY 1")
    assert saved == [("demographics", "accepted", 1), ("organisation", "accepted", 1), ("workforce", "accepted", 1)]
    assert query(db, "SELECT count(DISTINCT upload_id) FROM submission WHERE period_end = '2026-09-30'") == [(1,)]
    assert not submit_button(at)


def test_the_same_return_again_says_each_section_is_a_duplicate_before_and_after_submit(db):
    at = upload_many(upload_page(db), [SECTION_CSVS[0]])
    submit_button(at)[0].click().run()
    at = upload_many(upload_page(db), [("again.xlsx", WORKBOOK, XLSX)])
    verdicts = dict(zip(*[table_named(at, "section", "verdict")[c] for c in ("section", "verdict")]))
    assert verdicts["workforce"] == "duplicate of version 1: nothing will change"
    submit_button(at)[0].click().run()
    result = table_named(at, "section", "status")
    assert dict(zip(result["section"], result["status"]))["workforce"] == "duplicate"
    assert query(db, "SELECT count(*) FROM return_version WHERE period_end = '2026-09-30'") == [(1,)]


@pytest.mark.parametrize(
    ("files", "rule"),
    [
        ([SECTION_CSVS[0], ("workforce-again.csv", SECTION_CSVS[0][1], "text/csv")], "section_twice"),
        ([SECTION_CSVS[0], ("june.csv", CORRECTED, "text/csv")], "mixed_returns"),
    ],
    ids=["a-section-twice", "two-quarters"],
)
def test_an_upload_that_is_not_one_return_gets_the_validators_message_and_nothing_is_loaded(db, files, rule):
    at = upload_many(upload_page(db), files)
    assert not at.exception
    findings = table_named(at, "message", "rule")
    assert rule in set(findings["rule"])
    assert not submit_button(at)
    assert at.error  # said to be rejected
    assert query(db, "SELECT count(*) FROM return_version") == [(1,)]  # only the fixture's


def test_an_unrecognised_file_in_an_upload_is_named_and_rejected_while_the_rest_can_be_submitted(db):
    unknown = ("notes.csv", b"colour,size\nblue,3\n", "text/csv")
    at = upload_many(upload_page(db), [SECTION_CSVS[0], unknown])
    assert not at.exception
    plan = table_named(at, "section", "verdict")
    rows = dict(zip(plan["file"], plan["verdict"]))
    assert rows["notes.csv"].startswith("rejected") and rows["example_workforce.csv"].startswith("passes")
    findings = table_named(at, "message", "rule")
    assert "notes.csv" in set(findings["file"]) and findings["severity"][0] == "error"
    submit_button(at)[0].click().run()
    saved = query(
        db, "SELECT file_name, status FROM submission WHERE file_name IN ('notes.csv', 'example_workforce.csv')"
    )
    assert sorted(saved) == [("example_workforce.csv", "accepted"), ("notes.csv", "rejected")]


def test_a_trust_lead_cannot_send_another_trusts_section_among_their_own(db):
    other = [(n, d.replace(b"RX4,", b"RMY,"), m) for n, d, m in SECTION_CSVS[1:]]
    at = upload_many(upload_page(db), [SECTION_CSVS[0], *other])
    assert "This return is for RMY; you can upload returns for RX4 only" in at.error[0].value
    assert not submit_button(at)
    saved = query(db, "SELECT DISTINCT trust_code, status FROM submission WHERE period_end = '2026-09-30'")
    assert saved == [("RX4", "rejected")]
    assert query(db, "SELECT count(*) FROM return_version WHERE trust_code = 'RMY'") == [(0,)]


def test_a_hidden_sheet_is_named_with_the_readers_warning_and_the_visible_sheet_is_checked(db):
    rows = [{**r, "period_end": "2025-06-30"} for r in valid_rows()]
    book = workbook_of([("Workforce", return_table(rows), "hidden"), ("Return", return_table(rows), "visible")])
    at = upload_many(upload_page(db), [("hidden.xlsx", book, XLSX)])
    assert not at.exception
    findings = table_named(at, "message", "rule")
    assert "hidden_sheet" in set(findings["rule"])
    assert any("The return passed every rule but has warnings" in w.value for w in at.warning)
    assert submit_button(at)[0].disabled  # the warning is to be acknowledged first
