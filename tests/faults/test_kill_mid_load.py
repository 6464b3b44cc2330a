"""A loading process killed (SIGKILL) mid-load or just after COMMIT: all-or-nothing on reopen."""

from __future__ import annotations

import datetime as dt
import json
import signal

import pytest

from pswbench.store import database, publish
from tests.helpers.demo_data import EXAMPLE_FILE
from tests.helpers.faultkit import demo_copy, start, stop, tables, wait_for_line

pytestmark = pytest.mark.faults

# The child loads the example return (RX4, 2025-09-30: a new version over the demo's one) through
# pswbench.store.loader, the path the CLI and the app use, into its own copy of the demo database.
CHILD = """
import sys, time
from pathlib import Path
from pswbench.store import database, loader
db, example = sys.argv[1], Path(sys.argv[2])
con = database.connect(db)
(out,) = loader.load_files(con, [("killed.csv", example.read_bytes())], "fault:test")
print("COMMITTED", out.status, out.version, flush=True)
time.sleep(120)
"""


ROWS = len([line for line in EXAMPLE_FILE.read_text().splitlines()[1:] if line.strip()])


def child(db, env=None):
    code = CHILD.replace("sys.argv[1]", repr(str(db))).replace("sys.argv[2]", repr(str(EXAMPLE_FILE)))
    return start(code, env)


def test_killed_before_commit_leaves_no_trace_and_every_earlier_return_intact(tmp_path):
    db = demo_copy(tmp_path)
    before = tables(db)
    proc = child(db, {"PSWBENCH_FAULT_PAUSE_AFTER_ROWS": "120"})
    try:
        wait_for_line(proc, proc.stderr, "PSWBENCH_FAULT paused after rows written")
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(proc)

    con = database.connect(db)  # opens, as the app would, after the crash
    try:
        after = {t: rows for t, rows in tables_of(con).items()}
        assert con.execute("SELECT count(*) FROM submission WHERE file_name = 'killed.csv'").fetchone()[0] == 0
        assert (
            con.execute(
                "SELECT max(version) FROM return_version WHERE trust_code = 'RX4' AND period_end = DATE '2025-09-30'"
            ).fetchone()[0]
            == 1
        )
    finally:
        con.close()
    assert after == before, "the killed load left something behind or changed earlier data"
    assert not publish.snapshot_path(db).exists(), "nothing was committed, so nothing may be published"


def test_killed_after_commit_keeps_the_whole_return(tmp_path):
    db = demo_copy(tmp_path)
    before = tables(db)
    proc = child(db)
    try:
        line = wait_for_line(proc, proc.stdout, "COMMITTED")
        assert line.split()[1:] == ["accepted", "2"]
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        stop(proc)
    # Never closed, so never checkpointed: the committed load lives only in the write-ahead log.
    assert db.with_name(db.name + ".wal").exists()

    con = database.connect(db)
    try:
        after = tables_of(con)
        sub = con.execute(
            "SELECT submission_id, status, version, row_count FROM submission WHERE file_name = 'killed.csv'"
        ).fetchall()
        assert len(sub) == 1 and sub[0][1:] == ("accepted", 2, ROWS)
        sid = sub[0][0]
        assert con.execute("SELECT count(*) FROM return_row WHERE submission_id = ?", [sid]).fetchone()[0] == ROWS
        assert con.execute(
            "SELECT submission_id FROM return_version WHERE trust_code = 'RX4' AND period_end = ? AND is_current",
            [dt.date(2025, 9, 30)],
        ).fetchall() == [(sid,)]
        version = database.data_version(con)
    finally:
        con.close()
    # Every earlier row is still there, unchanged, except the old version no longer being current.
    for table, rows in before.items():
        if table == "return_version":
            assert len(after[table]) == len(rows) + 1
            continue
        if table == "data_version":
            continue
        missing = set(rows) - set(after[table])
        assert not missing, f"{table} lost rows: {sorted(missing)[:3]}"
    # The snapshot was published after the commit, and holds the new version.
    manifest = json.loads(publish.manifest_path(db).read_text())
    assert manifest["data_version"] == version
    assert len(tables(publish.snapshot_path(db))["return_row"]) == len(before["return_row"]) + ROWS


def tables_of(con):
    from tests.helpers.faultkit import table_rows

    return table_rows(con)
