"""The upload flow below the page: refusing another trust's return, recording every attempt, conflicts."""

from __future__ import annotations

import json

import duckdb
import pytest

from pswbench.access import auth, permissions
from pswbench.paths import EXAMPLES_DIR
from pswbench.returns import uploads
from pswbench.store import loader
from tests.helpers.demo_data import EXAMPLE
from tests.helpers.returns_kit import TODAY


@pytest.fixture
def lead(con):
    return auth.add_user(con, "lead@rx4.nhs.uk", "trust_lead", "RX4", "a-long-password-1")


@pytest.fixture
def analyst(con):
    return auth.add_user(con, "analyst@hee.nhs.uk", "analyst", None, "a-long-password-2")


def submissions(con):
    return con.execute(
        "SELECT trust_code, status, version, submitted_by FROM submission ORDER BY submission_id"
    ).fetchall()


def test_valid_return_is_only_saved_on_submit_then_identical_resubmission_is_a_duplicate(con, lead):
    chk = uploads.check(con, lead, "RX4", "q3.csv", EXAMPLE, TODAY)
    assert chk.can_submit and submissions(con) == []
    out = uploads.submit(con, lead, chk)
    assert (out.status, out.version) == ("accepted", 1)
    assert not chk.can_submit  # a second click cannot load it twice
    assert chk.same_as_version is None  # nothing was current when it was checked
    again = uploads.check(con, lead, "RX4", "q3-again.csv", EXAMPLE, TODAY)
    assert again.same_as_version == 1 and again.can_submit  # said before Submit; submitting is recorded
    assert "identical to the current return for RX4" in uploads.duplicate_notice(again)
    assert uploads.submit(con, lead, again).status == "duplicate"
    assert "duplicate of version 1" in uploads.outcome_words(again.outcome)
    assert submissions(con) == [("RX4", "accepted", 1, lead.email), ("RX4", "duplicate", 1, lead.email)]


def test_return_with_errors_is_recorded_as_rejected_at_once_and_cannot_be_submitted(con, lead):
    bad = (EXAMPLES_DIR / "wte_exceeds_headcount.csv").read_bytes().replace(b"RT1,", b"RX4,")
    chk = uploads.check(con, lead, "RX4", "bad.csv", bad, TODAY)
    assert chk.outcome.status == "rejected" and not chk.can_submit
    table = chk.findings_table()
    assert table.row(0, named=True)["severity"] == "error" and table["line"][0] == 4
    with pytest.raises(ValueError):
        uploads.submit(con, lead, chk)
    assert submissions(con) == [("RX4", "rejected", None, lead.email)]


def test_another_trusts_return_is_refused_and_recorded_with_finding_and_audit(con, lead):
    rmy = EXAMPLE.replace(b"RX4,", b"RMY,")
    chk = uploads.check(con, lead, "RX4", "rmy.csv", rmy, TODAY)
    assert chk.refusal == "This return is for RMY; you can upload returns for RX4 only."
    assert not chk.can_submit
    # Filed under the uploader's trust, so RMY does not look as if it had tried and failed.
    assert submissions(con) == [("RX4", "rejected", None, lead.email)]
    rule, value = con.execute(
        "SELECT rule, value FROM finding WHERE submission_id = ? ORDER BY rule", [chk.refused_submission_id]
    ).fetchone()
    assert (rule, value) == ("not_your_trust", "RMY")
    action, trust, detail = con.execute(
        "SELECT action, trust_code, detail FROM audit_log WHERE action = 'upload_refused'"
    ).fetchone()
    assert (action, trust, json.loads(detail)["file_trust_code"]) == ("upload_refused", "RX4", "RMY")
    assert con.execute("SELECT count(*) FROM return_row").fetchone()[0] == 0


def test_refusal_does_not_quote_markdown_from_the_file(con, lead):
    odd = EXAMPLE.replace(b"RX4,", b"[x](javascript:alert),")
    chk = uploads.check(con, lead, "RX4", "odd.csv", odd, TODAY)
    assert chk.refusal and "javascript" not in chk.refusal and "[" not in chk.refusal


def test_analyst_is_refused_when_the_file_is_not_for_the_trust_they_chose(con, analyst):
    chk = uploads.check(con, analyst, "RMY", "rx4.csv", EXAMPLE, TODAY)
    assert "but you chose to upload for RMY" in chk.refusal
    ok = uploads.check(con, analyst, "RX4", "rx4.csv", EXAMPLE, TODAY)
    assert uploads.submit(con, analyst, ok).status == "accepted"


def test_a_lead_cannot_upload_for_another_trust_or_read_its_history(con, lead):
    with pytest.raises(permissions.NotPermitted):
        uploads.check(con, lead, "RMY", "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"), TODAY)
    assert uploads.uploadable_trusts(lead, ["RMY", "RX4", "RT1"]) == ["RX4"]
    board = auth.add_user(con, "board@rx4.nhs.uk", "board", "RX4", "a-long-password-3")
    with pytest.raises(permissions.NotPermitted):
        uploads.check(con, board, "RX4", "rx4.csv", EXAMPLE, TODAY)


def test_headcount_warning_never_quotes_another_trusts_earlier_figure(con, lead, analyst):
    earlier = EXAMPLE.replace(b"RX4,", b"RMY,").replace(b"2025-09-30", b"2025-06-30")
    loader.load_files(con, [("rmy-q2.csv", earlier.replace(b",12,", b",120,"))], "x", today=TODAY)
    chk = uploads.check(con, lead, "RX4", "rmy.csv", EXAMPLE.replace(b"RX4,", b"RMY,"), TODAY)
    assert not [f for f in chk.result.findings if f.rule == "headcount_change"]


def test_size_limit_message_only_above_5_mb():
    assert uploads.size_problem(uploads.MAX_BYTES) is None
    assert "at most 5 MB" in uploads.size_problem(uploads.MAX_BYTES + 1)


def test_transaction_conflict_becomes_a_plain_message(con, lead, monkeypatch):
    chk = uploads.check(con, lead, "RX4", "q3.csv", EXAMPLE, TODAY)

    def conflict(*args, **kwargs):
        raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")

    monkeypatch.setattr(loader, "load_upload", conflict)
    with pytest.raises(uploads.SaveConflict, match="nothing was lost. Please submit again"):
        uploads.submit(con, lead, chk)
    assert chk.can_submit  # they can press Submit again


def test_a_fault_while_saving_is_reported_as_a_fault_with_a_reference_and_logged_in_full(con, lead, caplog):
    import polars as pl

    chk = uploads.check(con, lead, "RX4", "q3.csv", EXAMPLE, TODAY)
    workforce = chk.result.section("workforce")
    workforce.clean = workforce.clean.with_columns(pl.lit(None, pl.Int32).alias("headcount"))
    with pytest.raises(uploads.SaveFailed) as failed:
        uploads.submit(con, lead, chk)
    message, reference = str(failed.value), failed.value.reference
    assert message == uploads.FAULT_MESSAGE.format(reference=reference)
    assert "fault in the service, not in your file" in message and "Another upload" not in message
    assert isinstance(failed.value, uploads.NotSaved) and not isinstance(failed.value, uploads.SaveConflict)
    (record,) = [r for r in caplog.records if r.name == "pswbench.returns.uploads"]
    assert reference in record.getMessage() and "'q3.csv'" in record.getMessage()
    assert "NOT NULL constraint failed: return_row.headcount" in caplog.text  # the detail, for the log only
    assert "NOT NULL" not in message
    assert submissions(con) == []


def test_the_issues_headcount_in_arabic_indic_digits_is_rejected_when_checked(con, lead):
    chk = uploads.check(con, lead, "RX4", "q3.csv", EXAMPLE.replace(b",12,", b",\xd9\xa1\xd9\xa2,", 1), TODAY)
    assert [(f.rule, f.value) for f in chk.result.errors] == [("non_ascii_digit", "١٢")]
    assert chk.outcome.status == "rejected" and not chk.can_submit
