"""Backups and restores through the CLI, and the published snapshot they fall back on.

A backup round trip must give back every table row for row; a backup while the app holds the file
comes from the last published snapshot and says so; a restore never writes over an existing file.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from pswbench.store import backup, database, loader, publish
from tests.helpers.demo_data import EXAMPLE_FILE
from tests.helpers.faultkit import cli, demo_copy, holder, sha256, tables

pytestmark = pytest.mark.faults


def sequences(db) -> dict[str, int]:
    """Each sequence's next value (a restored sequence starts there, with no last value yet)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return dict(
            con.execute(
                "SELECT sequence_name, coalesce(last_value + increment_by, start_value) FROM duckdb_sequences()"
            ).fetchall()
        )
    finally:
        con.close()


def current_rows(db) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return sorted(con.execute("SELECT * FROM int_current_return_rows").fetchall(), key=repr)
    finally:
        con.close()


def test_round_trip_gives_back_every_table_row_for_row(tmp_path):
    db = demo_copy(tmp_path)
    original = tables(db)
    r = cli("backup", "--db", db, "--out", tmp_path / "bk")
    assert r.returncode == 0, r.stderr
    assert "from the database itself" in r.stdout and "data version" in r.stdout
    manifest = json.loads((tmp_path / "bk" / backup.MANIFEST).read_text())
    assert manifest["source"] == "database" and manifest["tables"] == {t: len(v) for t, v in original.items()}

    restored = tmp_path / "restored.duckdb"
    r = cli("restore", "--from", tmp_path / "bk", "--db", restored)
    assert r.returncode == 0, r.stderr
    assert tables(restored) == original  # every table, every row
    assert sequences(restored) == sequences(db)  # new ids carry on, never reused
    assert current_rows(restored) == current_rows(db)  # the views came back and work
    database.connect(restored).close()  # and the app's own open accepts it


def test_restore_refuses_to_overwrite_an_existing_file(tmp_path):
    db = demo_copy(tmp_path)
    assert cli("backup", "--db", db, "--out", tmp_path / "bk").returncode == 0
    existing = tmp_path / "existing.duckdb"
    existing.write_bytes(b"someone's data")
    r = cli("restore", "--from", tmp_path / "bk", "--db", existing)
    assert r.returncode == 2 and "already exists" in r.stderr and "Traceback" not in r.stderr
    assert existing.read_bytes() == b"someone's data"
    before = sha256(db)
    r = cli("restore", "--from", tmp_path / "bk", "--db", db)  # the live database itself
    assert r.returncode == 2 and sha256(db) == before


def test_restore_from_something_that_is_not_a_backup_exits_2_and_writes_nothing(tmp_path):
    (tmp_path / "notabackup").mkdir()
    r = cli("restore", "--from", tmp_path / "notabackup", "--db", tmp_path / "new.duckdb")
    assert r.returncode == 2 and "not a pswbench backup" in r.stderr
    assert not (tmp_path / "new.duckdb").exists()


def test_backup_into_a_folder_that_is_not_empty_exits_2(tmp_path):
    db = demo_copy(tmp_path)
    out = tmp_path / "full"
    out.mkdir()
    (out / "keep.txt").write_text("keep")
    r = cli("backup", "--db", db, "--out", out)
    assert r.returncode == 2 and "not an empty folder" in r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_backup_while_the_app_holds_the_database_comes_from_the_snapshot(tmp_path):
    db = demo_copy(tmp_path)
    before = tables(db)
    with duckdb.connect(str(db), read_only=True) as con:
        version_before = con.execute(database.sql("queries/data_version")).fetchone()[0]
    # An accepted load publishes the snapshot (the demo copy has none yet).
    r = cli("load", EXAMPLE_FILE, "--db", db, "--user", "analyst@faults.nhs.uk")
    assert r.returncode == 0 and "accepted" in r.stdout, r
    published = tables(db)
    manifest = publish.read_manifest(db)
    # Each accepted load is one data version (a rejected section, such as the demo's RT2 demographics, none).
    assert len(published["submission"]) == len(before["submission"]) + 1
    assert manifest["data_version"] == version_before + 1

    with holder(db):
        r = cli("backup", "--db", db, "--out", tmp_path / "bk")
        assert r.returncode == 0, r.stderr
        assert "in use by another process" in r.stdout and "last published snapshot" in r.stdout
        assert f"data version {manifest['data_version']}" in r.stdout and manifest["published_at"] in r.stdout
    restored = tmp_path / "restored.duckdb"
    assert cli("restore", "--from", tmp_path / "bk", "--db", restored).returncode == 0
    assert tables(restored) == published


def test_backup_while_held_and_never_published_exits_3_and_says_why(tmp_path):
    db = demo_copy(tmp_path)
    with holder(db):
        r = cli("backup", "--db", db, "--out", tmp_path / "bk")
    assert r.returncode == 3 and "no published snapshot" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "bk").exists()


def test_a_failed_publish_keeps_the_load_and_the_next_publish_catches_up(tmp_path, monkeypatch):
    db = demo_copy(tmp_path)
    con = database.connect(db)
    try:

        def broken(_con):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(publish, "publish", broken)
        (out,) = loader.load_files(con, [("first.csv", EXAMPLE_FILE.read_bytes())], "fault:test")
        assert out.status == "accepted"
        assert con.execute("SELECT count(*) FROM submission WHERE file_name = 'first.csv'").fetchone()[0] == 1
        assert not publish.snapshot_path(db).exists()
        monkeypatch.undo()

        changed = EXAMPLE_FILE.read_bytes().replace(b",\n", b",second\n", 1)
        (out,) = loader.load_files(con, [("second.csv", changed)], "fault:test")
        assert out.status == "accepted"
        version = database.data_version(con)
    finally:
        con.close()
    snap = tables(publish.snapshot_path(db))
    with duckdb.connect(str(publish.snapshot_path(db)), read_only=True) as s:
        files = {r[0] for r in s.execute("SELECT file_name FROM submission").fetchall()}
    assert {"first.csv", "second.csv"} <= files
    assert publish.read_manifest(db)["data_version"] == version
    assert snap == tables(db)  # nothing changed since, so the snapshot is the whole database
