"""Backups (DuckDB EXPORT DATABASE, Parquet) and restores (IMPORT DATABASE into a new file only).

A backup is taken from the database itself when no other process holds it; while the app holds it,
from the last published snapshot (pswbench.store.publish), and the report says which and as of when.
The backup folder is a plain DuckDB export (schema.sql, load.sql, one Parquet file per table) plus
pswbench_backup.json (what it reflects and each table's row count, checked on restore).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pswbench.store import database, durable_files, publish

MANIFEST = "pswbench_backup.json"
_MODEL = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMP(ORARY)?\s+)?(VIEW|MACRO)\b", re.IGNORECASE)


class BackupError(RuntimeError):
    """Bad arguments or an unreadable source: nothing was written (CLI exit 2)."""


@dataclass(frozen=True)
class BackupReport:
    out: Path
    source: str  # "database" or "snapshot"
    data_version: int
    data_changed_at: str
    published_at: str | None  # when the snapshot was published (snapshot backups)
    tables: dict[str, int]

    def summary(self) -> str:
        if self.source == "database":
            return (
                f"Backup written to {self.out} from the database itself: data version {self.data_version} "
                f"(data last changed {self.data_changed_at}), {sum(self.tables.values()):,} rows "
                f"in {len(self.tables)} tables."
            )
        return (
            f"The database is in use by another process (the running app), so this backup was taken from "
            f"the last published snapshot instead. Backup written to {self.out}: it reflects the data as "
            f"published at {self.published_at or 'an unknown time'} (data version {self.data_version}, "
            f"data last changed {self.data_changed_at}). Anything recorded after that publish (for example "
            f"sign-ins and audit entries since the last accepted return) is not in it."
        )


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    names = [r[0] for r in con.execute(database.sql("queries/exported_table_names")).fetchall()]
    return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in names}


def _with_models(schema_sql: str) -> str:
    """schema.sql with its macros and views replaced by today's models, in build order.

    DuckDB exports views alphabetically, and IMPORT DATABASE fails on a view that uses a later one.
    Macros and views are code, not data: the tables, sequences and everything else come from the
    export, then every model of database.MODELS in the order it is built, so a restore never
    depends on names (a view retired since the database was last written is not carried over).
    """
    statements = [s.query.strip().rstrip(";") for s in duckdb.extract_statements(schema_sql)]
    others = [s for s in statements if not _MODEL.match(s)]
    models = [s.query.strip().rstrip(";") for m in database.MODELS for s in duckdb.extract_statements(database.sql(m))]
    return "".join(s + ";\n" for s in others + models)


def _open_source(db: Path) -> tuple[duckdb.DuckDBPyConnection, str, dict | None]:
    if not db.exists():
        raise BackupError(f"There is no database at {db}. Check the path given with --db.")
    try:
        return database.connect(db, read_only=True), "database", None
    except database.DatabaseLocked:
        snap = publish.snapshot_path(db)
        if not snap.exists():
            raise database.DatabaseLocked(
                f"The database {db} is in use by another process (for example the running app) and no "
                f"published snapshot ({snap.name}) exists to back up instead. Nothing was written. Stop that "
                "process and run the backup again, or load a return so the app publishes a snapshot."
            ) from None
        return database.connect(snap, read_only=True), "snapshot", publish.read_manifest(db)


def backup(db: str | Path, out: str | Path) -> BackupReport:
    """Export a consistent copy of db into the new (or empty) folder out."""
    db, out = Path(db), Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupError(f"{out} already exists and is not an empty folder; choose a new folder for the backup.")
    con, source, manifest = _open_source(db)
    partial = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:8]}")
    try:
        try:
            version, changed_at = con.execute(database.sql("queries/data_version_and_change")).fetchone()
            tables = _tables(con)
            con.execute(f"EXPORT DATABASE {database.literal(str(partial))} (FORMAT parquet)")
        finally:
            con.close()
        schema = partial / "schema.sql"
        schema.write_text(_with_models(schema.read_text(encoding="utf-8")), encoding="utf-8")
        published_at = manifest.get("published_at") if manifest and manifest.get("data_version") == version else None
        if source == "snapshot" and published_at is None:  # manifest missing or from another publish
            published_at = dt.datetime.fromtimestamp(publish.snapshot_path(db).stat().st_mtime, dt.UTC).isoformat(
                timespec="seconds"
            )
        report = BackupReport(
            out, source, int(version), changed_at.isoformat(sep=" ", timespec="seconds"), published_at, tables
        )
        (partial / MANIFEST).write_text(
            json.dumps(
                {
                    "source": source,
                    "database": str(db.absolute()),
                    "data_version": report.data_version,
                    "data_changed_at": report.data_changed_at,
                    "published_at": published_at,
                    "taken_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "duckdb_version": duckdb.__version__,
                    "tables": tables,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
        for f in partial.iterdir():
            durable_files.fsync(f)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(partial, out)
        durable_files.fsync(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return report


def restore(src: str | Path, db: str | Path) -> dict[str, int]:
    """Rebuild a database from the backup folder src into db, which must not exist yet.

    Built in a temporary file next to db, checked against the backup's row counts, then linked into
    place (os.link never overwrites), so db is either the whole restored database or absent.
    """
    src, db = Path(src).absolute(), Path(db)
    for p in (db, db.with_name(db.name + ".wal")):
        if p.exists() or p.is_symlink():
            raise BackupError(
                f"{p} already exists; restore only into a new path (nothing was changed). "
                "Choose another --db, or move the existing file away first."
            )
    if not db.parent.is_dir():
        raise BackupError(f"The folder {db.parent} does not exist; create it or choose another --db.")
    if not (src / "schema.sql").is_file() or not (src / "load.sql").is_file():
        raise BackupError(f"{src} is not a pswbench backup folder (it has no schema.sql and load.sql).")
    expected = None
    if (src / MANIFEST).is_file():
        try:
            expected = json.loads((src / MANIFEST).read_text(encoding="utf-8"))["tables"]
        except (OSError, ValueError, KeyError) as exc:
            raise BackupError(f"{src / MANIFEST} cannot be read ({exc}); the backup may be damaged.") from exc
    tmp = db.with_name(f".{db.name}.restore-{uuid.uuid4().hex[:8]}.tmp")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(f"IMPORT DATABASE {database.literal(str(src))}")
            tables = _tables(con)
            con.execute("CHECKPOINT")
        except duckdb.Error as exc:
            raise BackupError(
                f"The backup in {src} could not be imported: {str(exc).splitlines()[0]}. "
                "Nothing was written to " + str(db)
            ) from exc
        finally:
            con.close()
        if expected is not None and tables != expected:
            raise BackupError(
                f"The restored tables do not match the backup's record ({tables} != {expected}); "
                f"the backup may be incomplete. Nothing was written to {db}."
            )
        durable_files.fsync(tmp)
        try:
            os.link(tmp, db)
        except FileExistsError:
            raise BackupError(f"{db} appeared while restoring; it was left as it was.") from None
        durable_files.fsync(db.parent)
    finally:
        for p in (tmp, tmp.with_name(tmp.name + ".wal")):
            p.unlink(missing_ok=True)
    return tables
