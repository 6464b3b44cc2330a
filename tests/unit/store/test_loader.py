"""Loading: versions, duplicates, rejections, atomicity and the record of every attempt."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import pytest

from pswbench.returns.validate import validate_bytes
from pswbench.store import database, loader
from tests.helpers.demo_data import EXAMPLE
from tests.helpers.returns_kit import TODAY


def load(con, data: bytes, name="return.csv", user="lead@trust.nhs.uk"):
    return loader.load_files(con, [(name, data)], user, today=TODAY)[0]


def snapshot(con) -> dict[str, list]:
    """Every row of every table, to compare the database before and after."""
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' ORDER BY 1"
        ).fetchall()
    ]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}


def current_rows(con, trust="RX4", period=dt.date(2025, 9, 30)):
    return con.execute(
        "SELECT service_setting, afc_band, headcount FROM int_current_return_rows "
        "WHERE trust_code = ? AND period_end = ? ORDER BY 1, 2",
        [trust, period],
    ).fetchall()


def test_accepted_return_is_version_1_with_its_rows(con):
    out = load(con, EXAMPLE)
    assert (out.status, out.version, out.trust_code, out.period_end) == ("accepted", 1, "RX4", dt.date(2025, 9, 30))
    assert len(current_rows(con)) == out.result.rows == 8
    sub = con.execute(
        "SELECT status, version, sha256, size_bytes, row_count, submitted_by, error_count FROM submission"
    ).fetchall()
    assert sub == [("accepted", 1, out.result.sha256, len(EXAMPLE), 8, "lead@trust.nhs.uk", 0)]


def test_new_return_supersedes_and_old_version_stays_readable(con):
    load(con, EXAMPLE)
    changed = EXAMPLE.replace(b"\nRX4,2025-09-30,crisis", b"\nRX4,2025-09-30,forensic", 1)
    assert changed != EXAMPLE
    out = load(con, changed, "corrected.csv")
    assert (out.status, out.version) == ("accepted", 2)
    versions = con.execute("SELECT version, is_current FROM return_version ORDER BY version").fetchall()
    assert versions == [(1, False), (2, True)]
    settings_now = {r[0] for r in current_rows(con)}
    assert "forensic" in settings_now
    v1 = con.execute(
        "SELECT count(*) FROM return_row JOIN return_version USING (submission_id) WHERE version = 1"
    ).fetchone()[0]
    assert v1 == 8


def test_identical_file_is_a_duplicate_and_adds_nothing(con):
    load(con, EXAMPLE)
    rows_before = con.execute("SELECT count(*) FROM return_row").fetchone()[0]
    out = load(con, EXAMPLE, "again.csv")
    assert (out.status, out.version) == ("duplicate", 1)
    assert con.execute("SELECT count(*) FROM return_row").fetchone()[0] == rows_before
    assert con.execute("SELECT count(*) FROM return_version").fetchone()[0] == 1
    statuses = con.execute("SELECT status FROM submission ORDER BY submission_id").fetchall()
    assert statuses == [("accepted",), ("duplicate",)]


def test_rejected_upload_never_touches_accepted_data(con):
    load(con, EXAMPLE)
    before = current_rows(con)
    broken = EXAMPLE.replace(b"RX4,2025-09-30,adult_community,4,", b"RX4,2025-09-30,adult_community,4,-", 1)
    assert broken != EXAMPLE
    out = load(con, broken, "broken.csv")
    assert out.status == "rejected" and out.errors >= 1
    assert current_rows(con) == before
    rec = con.execute(
        "SELECT status, version, error_count FROM submission WHERE submission_id = ?", [out.submission_id]
    ).fetchone()
    assert rec == ("rejected", None, out.errors)
    findings = con.execute(
        "SELECT line, column_name, rule FROM finding WHERE submission_id = ?", [out.submission_id]
    ).fetchall()
    assert ("negative_value" in {f[2] for f in findings}) and all(f[0] for f in findings if f[2] == "negative_value")


def test_unreadable_upload_is_recorded_too(con):
    out = load(con, b"\x89PNG\r\n\x1a\n\x00\x00binary", "picture.png")
    assert out.status == "rejected"
    rec = con.execute("SELECT trust_code, file_name, status FROM submission").fetchone()
    assert rec == (None, "picture.png", "rejected")


def test_load_is_atomic_when_it_fails_after_writing_rows(con, monkeypatch):
    load(con, EXAMPLE)
    before = snapshot(con)

    def boom(_con):
        # The rows are written by now: prove it, then fail.
        assert _con.execute("SELECT count(*) FROM return_row").fetchone()[0] == 16
        raise RuntimeError("power cut")

    monkeypatch.setattr(loader, "_after_rows_written", boom)
    changed = EXAMPLE.replace(b"crisis", b"forensic", 1)
    with pytest.raises(RuntimeError, match="power cut"):
        load(con, changed)
    assert snapshot(con) == before


def test_data_version_changes_only_when_a_return_is_accepted(con):
    v0 = database.data_version(con)
    load(con, EXAMPLE)
    v1 = database.data_version(con)
    load(con, EXAMPLE)  # duplicate
    load(con, b"not,a,return\n1,2,3\n")  # rejected
    assert v1 == v0 + 1 and database.data_version(con) == v1


def test_headcount_change_warning_uses_previous_loaded_quarter(con):
    lines = EXAMPLE.decode().splitlines()
    load(con, "\n".join(lines).replace("2025-09-30", "2025-06-30").encode(), "june.csv")
    header, first, rest = lines[0], lines[1].split(","), lines[2:]
    first[4] = str(int(first[4]) + 40)  # headcount +40
    first[9] = "0"
    bigger = "\n".join([header, ",".join(first), *rest]).encode()
    out = load(con, bigger, "september.csv")
    assert out.status == "accepted"
    assert "headcount_change" in {f.rule for f in out.result.warnings}


# ---------------------------------------------------------------------------------------------------------
# Only a real write conflict is retried; any other failure is raised at once, as itself


def unloadable():
    """A valid new return whose typed rows break a NOT NULL constraint: what a validator bug would let through."""
    result = validate_bytes("r.csv", EXAMPLE.replace(b"crisis", b"forensic", 1), today=TODAY)
    workforce = result.section("workforce")
    workforce.clean = workforce.clean.with_columns(pl.lit(None, pl.Int32).alias("headcount"))
    return result


@pytest.fixture
def attempts(monkeypatch):
    """How many times the loader opened a transaction for the load (loading its one file each time),
    with no waiting between them."""
    calls = []
    original = loader._load_file

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(loader, "_load_file", counted)
    monkeypatch.setattr(loader.time, "sleep", lambda s: None)
    return calls


def test_a_constraint_failure_is_raised_as_itself_after_one_attempt_and_keeps_nothing(con, attempts):
    load(con, EXAMPLE)
    before, attempts[:] = snapshot(con), []
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL constraint failed: return_row.headcount"):
        loader.load_result(con, unloadable(), "lead@trust.nhs.uk", publish=False)
    assert len(attempts) == 1
    assert snapshot(con) == before
    assert load(con, EXAMPLE.replace(b"crisis", b"perinatal", 1)).status == "accepted"  # the session goes on


@pytest.mark.parametrize(
    "error, retried",
    [
        (duckdb.TransactionException("TransactionContext Error: Conflict on update!"), True),
        (duckdb.TransactionException("TransactionContext Error: Conflict on tuple deletion!"), True),
        (
            duckdb.TransactionException(
                "TransactionContext Error: Failed to commit: PRIMARY KEY or UNIQUE constraint "
                'violation: duplicate key "5"'
            ),
            True,
        ),
        (
            duckdb.TransactionException("TransactionContext Error: Current transaction is aborted (please ROLLBACK)"),
            False,
        ),
        (duckdb.ConstraintException("Constraint Error: NOT NULL constraint failed: return_row.headcount"), False),
        (duckdb.IOException("IO Error: No space left on device"), False),
        (RuntimeError("a bug"), False),
    ],
    ids=["update", "deletion", "same-key", "aborted", "not-null", "disk", "bug"],
)
def test_only_a_write_conflict_is_retried(con, monkeypatch, attempts, error, retried):
    def fail(*args):
        attempts.append(1)
        raise error

    monkeypatch.setattr(loader, "_load_file", fail)
    with pytest.raises(type(error)):
        load(con, EXAMPLE)
    assert len(attempts) == (loader.ATTEMPTS if retried else 1)
    assert loader.is_write_conflict(error) == retried
