"""Publishing a consistent, read-only snapshot of the whole database next to it.

DuckDB lets one process hold a database file, and the running app holds it for good; readers and
backups (python -m pswbench backup) use the snapshot instead. After every accepted load (and after
the demo build and at app start) the writer copies the database into a temporary file in the same
folder (ATTACH, COPY FROM DATABASE, DETACH), fsyncs it and swaps it in with os.replace, so a reader
sees the old snapshot or the new one, never half of one. A small JSON manifest says what it holds.

A failed publish never touches the database itself; publish_quietly logs it and the next publish
catches up, since each one copies the whole database as it is then.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import uuid
from pathlib import Path

import duckdb

from pswbench.store import database, durable_files, spool

log = logging.getLogger(__name__)
# One publish at a time per process (the later one is always the newer); the spool watcher holds it
# too, so its ingest never runs beside a publish's.
LOCK = threading.Lock()


def snapshot_path(db: str | Path) -> Path:
    """<stem>.snapshot.duckdb, next to the database."""
    db = Path(db)
    return db.with_name(f"{db.stem}.snapshot.duckdb")


def manifest_path(db: str | Path) -> Path:
    """<stem>.snapshot.json, next to the database."""
    db = Path(db)
    return db.with_name(f"{db.stem}.snapshot.json")


def read_manifest(db: str | Path) -> dict | None:
    try:
        return json.loads(manifest_path(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def publish(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Publish the snapshot of the database con is connected to; returns the manifest.

    Raises on failure (the old snapshot is left as it was). Returns None for an in-memory database.
    Must be called outside any open transaction on con.
    """
    with LOCK, con.cursor() as cur:
        name, path = cur.execute(database.sql("queries/current_database_file")).fetchone()
        if not path or path == ":memory:":
            return None
        db = Path(path)
        # Events the read-only viewers spooled (sign-ins, audit rows) go into the database first, so
        # the snapshot carries them (lockouts included). A failure here never stops the publish.
        try:
            spool.ingest_spool(cur, db)
        except Exception:
            log.exception("ingesting the viewers' spooled events failed; the next publish tries again")
        target = snapshot_path(db)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex}.tmp")
        alias = f"pswbench_publish_{uuid.uuid4().hex[:12]}"
        try:
            cur.execute(f"ATTACH {database.literal(str(tmp))} AS {alias}")
            try:
                cur.execute(f"COPY FROM DATABASE {database.identifier(name)} TO {alias}")
                # Read from the copy itself, so the manifest describes exactly what was published.
                version, changed_at = cur.execute(f"SELECT version, changed_at FROM {alias}.data_version").fetchone()
                cur.execute(f"CHECKPOINT {alias}")
            finally:
                cur.execute(f"DETACH {alias}")
            if tmp.with_name(tmp.name + ".wal").exists():
                raise RuntimeError(f"the snapshot {tmp} was not fully written (a WAL file remains)")
            durable_files.fsync(tmp)
            os.replace(tmp, target)
            manifest = {
                "data_version": int(version),
                "data_changed_at": changed_at.isoformat(),
                "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "source": str(db),
                "snapshot": target.name,
                "publish_id": uuid.uuid4().hex,
            }
            durable_files.write_atomic(manifest_path(db), json.dumps(manifest, indent=2).encode("utf-8"))
            durable_files.fsync(db.parent)
        finally:
            _remove(tmp)
    return manifest


def publish_quietly(con: duckdb.DuckDBPyConnection) -> dict | None:
    """publish(), but a failure is logged and not raised: the data it describes is already safe."""
    try:
        return publish(con)
    except Exception:
        log.exception(
            "publishing the read-only snapshot failed; the database is unchanged and the "
            "next accepted load will publish again"
        )
        return None


def connect_read_only(db: str | Path, what: str) -> tuple[duckdb.DuckDBPyConnection, str | None]:
    """The database opened read-only or, while another process (the running app) holds it, its
    published snapshot; with it, None or a sentence saying that `what` came from the snapshot and
    which data version, published when, that is. Raises DatabaseLocked when there is no snapshot."""
    db = Path(db)
    try:
        return database.connect(db, read_only=True), None
    except database.DatabaseLocked:
        snap = snapshot_path(db)
        if not snap.exists():
            raise database.DatabaseLocked(
                f"The database {db} is in use by another process (for example the running app) and no "
                f"published snapshot ({snap.name}) exists to read {what} from instead. Nothing was read. Stop "
                "that process and try again, or load a return so the app publishes a snapshot."
            ) from None
    con = database.connect(snap, read_only=True)
    ((version, changed_at),) = con.execute(database.sql("queries/data_version_and_change")).fetchall()
    manifest = read_manifest(db)
    if manifest and manifest.get("data_version") == version:
        published_at = manifest.get("published_at")
    else:  # manifest missing or from another publish: the file's own time
        published_at = dt.datetime.fromtimestamp(snap.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    return con, (
        f"The database {db} is in use by another process (the running app), so {what} were read from its "
        f"published snapshot ({snap.name}): data version {version}, published at {published_at} "
        f"(data last changed {changed_at.isoformat(sep=' ', timespec='seconds')}). Anything loaded since "
        "that publish is not included."
    )
