"""database.transaction: COMMIT at the end, ROLLBACK on any exception, and the caller always gets the
exception that ended the block (not a failure of the ROLLBACK after it)."""

from __future__ import annotations

import logging

import duckdb
import pytest

from pswbench.store import database


@pytest.fixture
def kv(tmp_path):
    c = duckdb.connect(str(tmp_path / "t.duckdb"))
    c.execute("CREATE TABLE kv (k INTEGER PRIMARY KEY, v INTEGER)")
    yield c
    c.close()


def rows(c) -> list[tuple]:
    return c.execute("SELECT k, v FROM kv ORDER BY k").fetchall()


def test_commits_when_the_block_ends(kv):
    with database.transaction(kv) as c:
        c.execute("INSERT INTO kv VALUES (1, 1)")
    assert rows(kv) == [(1, 1)]
    kv.execute("BEGIN TRANSACTION")  # no transaction is left open
    kv.execute("ROLLBACK")


@pytest.mark.parametrize("error", [ValueError("no"), KeyboardInterrupt()])
def test_rolls_back_and_re_raises_any_exception(kv, error):
    with pytest.raises(type(error)):
        with database.transaction(kv):
            kv.execute("INSERT INTO kv VALUES (1, 1)")
            raise error
    assert rows(kv) == []


def test_a_failed_statement_is_raised_as_itself(kv):
    kv.execute("INSERT INTO kv VALUES (1, 1)")
    with pytest.raises(duckdb.ConstraintException):
        with database.transaction(kv):
            kv.execute("INSERT INTO kv VALUES (2, 2)")
            kv.execute("INSERT INTO kv VALUES (1, 3)")
    assert rows(kv) == [(1, 1)]


def test_a_failed_commit_is_raised_as_itself(kv, caplog):
    """DuckDB ends the transaction when COMMIT fails; the ROLLBACK that follows finds none, quietly."""
    other = kv.cursor()
    with caplog.at_level(logging.WARNING), pytest.raises(duckdb.TransactionException, match="commit"):
        with database.transaction(kv):
            kv.execute("INSERT INTO kv VALUES (5, 1)")
            other.execute("INSERT INTO kv VALUES (5, 2)")  # autocommits first: a duplicate key at COMMIT
    assert rows(kv) == [(5, 2)]
    assert not caplog.records
    with database.transaction(kv):  # the connection is usable again
        kv.execute("INSERT INTO kv VALUES (6, 6)")


def test_a_failing_rollback_does_not_hide_the_error(kv, caplog):
    class Closing(RuntimeError):
        pass

    with caplog.at_level(logging.WARNING), pytest.raises(Closing):
        with database.transaction(kv):
            kv.close()  # ROLLBACK then fails: the connection is closed
            raise Closing("the block's own error")
    assert "ROLLBACK failed" in caplog.text
