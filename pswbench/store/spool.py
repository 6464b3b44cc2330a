"""The spool files through which read-only viewers hand events to the writer.

A viewer (pswbench.store.viewer_mode.record) appends signed JSON lines to a file of its own,
<stem>.viewer-events.<pid>-<token>.jsonl, beside the database; the writer verifies and ingests
every file's new lines (pswbench.store.viewer_events) before each publish and from its spool
watcher (pswbench.store.spool_watcher).
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from pathlib import Path

import duckdb

from pswbench.store import audit, database, viewer_events

# A token of this process in its spool file's name: a later process given the same pid writes a file
# of its own, so its sequence numbers, which start at 1 again, are not taken for replays.
_PROCESS_TOKEN = secrets.token_hex(4)


def spool_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.viewer-events.{os.getpid()}-{_PROCESS_TOKEN}.jsonl")


def spool_files(db: str | Path) -> list[Path]:
    db = Path(db)
    return sorted(db.parent.glob(f"{db.stem}.viewer-events.*.jsonl"))


def spool_pending(con: duckdb.DuckDBPyConnection, db: str | Path) -> bool:
    """Whether any spool file holds bytes not yet ingested (a stat per file and one query)."""
    files = spool_files(db)
    if not files:
        return False
    done = viewer_events.offsets(con)
    for f in files:
        try:
            size = f.stat().st_size
        except OSError:
            continue
        if size != done.get(f.name, 0):
            return True
    return False


def ingest_spool(con: duckdb.DuckDBPyConnection, db: str | Path) -> viewer_events.Ingested:
    """Move the viewers' verified events into audit_log and the failure counts, each file in one
    transaction with its new offset, so an event is ingested once however often this runs or fails.
    Only whole lines are read (a line still being written waits for the next run)."""
    key = database.setting(con, viewer_events.KEY_SETTING)
    now = audit.utc_now()
    total, changed, refused = 0, False, Counter()
    for f in spool_files(db):
        if key is None:
            break
        done = viewer_events.ingest_file(con, f, key, now)
        total, changed, refused = total + done.events, changed or done.users_changed, refused + done.refused
    return viewer_events.Ingested(total, changed, refused)
