"""Read-only viewer mode: more app processes than DuckDB's one writer per file allows.

PSWBENCH_MODE=viewer (default writer) makes an app process read the snapshot the writer publishes
(pswbench.store.publish) instead of the database, and never write:

* Generations. The viewer checks the manifest (a stat, and a read only when the stat changed) at
  most once per script run, and when its data_version/published_at/publish_id changes it opens
  the new snapshot read-only: one connection per process per snapshot generation. DuckDB caches
  database instances by path, so each generation is opened through a private hard link
  (<stem>.snapshot.<pid>.<n>.duckdb, unlinked as soon as it is open): the inode the link names is
  the whole snapshot that was in place at that moment, never half of one. The replaced generation
  is closed after GRACE_SECONDS, so a script run still reading it is not cut off.
* Writes are refused below the page: require_writer raises ReadOnlyViewer (uploads use it).
* Sign-in verifies the password against the snapshot, read-only, by the writer's own rules
  (auth.check_password). Attempts and other audit events are appended as signed JSON lines
  (append, flush, fsync) to a spool file of this process, <stem>.viewer-events.<pid>-<token>.jsonl;
  the writer verifies and ingests them into audit_log and the failure counts (viewer_events, called
  by every publish and by the writer's spool watcher) and publishes, so a lockout reaches every
  viewer with the next publish. Meanwhile each viewer also counts the failures it sees itself, for
  every email alike, and locks an email after MAX_FAILED_ATTEMPTS of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pswbench.access import auth, throttle
from pswbench.access.throttle import Failures
from pswbench.store import audit, database, publish, spool, viewer_events

log = logging.getLogger(__name__)

GRACE_SECONDS = 30.0  # a replaced generation stays open this long for runs still reading it


class ReadOnlyViewer(RuntimeError):
    """A write was attempted in a read-only viewer process."""


def mode() -> str:
    value = (os.environ.get("PSWBENCH_MODE") or "writer").strip().lower()
    if value not in ("writer", "viewer"):
        raise ValueError(f"PSWBENCH_MODE must be 'writer' or 'viewer', not {value!r}")
    return value


def is_viewer() -> bool:
    return mode() == "viewer"


def writer_url() -> str:
    return (os.environ.get("PSWBENCH_WRITER_URL") or "").strip() or "the writer"


def read_only_message() -> str:
    return f"This is a read-only viewer; upload at {writer_url()}."


def require_writer(what: str = "this") -> None:
    """Raise ReadOnlyViewer in viewer mode: nothing may write there, whichever page calls."""
    if is_viewer():
        raise ReadOnlyViewer(f"{read_only_message()} ({what} is not possible here.)")


# ---- snapshot generations -------------------------------------------------------------------


@dataclass
class Generation:
    key: tuple
    con: duckdb.DuckDBPyConnection
    data_version: int | None
    retired_at: float | None = None


class SnapshotReader:
    """The current read-only generation of the published snapshot of one database, per process."""

    def __init__(self, db: str | Path):
        self.db = Path(db)
        self._lock = threading.Lock()
        self._stat: tuple | None = None
        self.current: Generation | None = None
        self.retired: list[Generation] = []
        self._count = 0

    def _manifest_stat(self) -> tuple | None:
        try:
            st = os.stat(publish.manifest_path(self.db))
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _open(self, manifest: dict | None) -> Generation:
        snap = publish.snapshot_path(self.db)
        if not snap.exists():
            raise database.DatabaseUnreadable(
                f"No published snapshot ({snap.name}) exists yet next to {self.db}. Start the writer "
                "(PSWBENCH_MODE=writer) first: it publishes one at start."
            )
        self._count += 1
        private = snap.with_name(f".{self.db.stem}.snapshot.{os.getpid()}.{self._count}.duckdb")
        private.unlink(missing_ok=True)
        os.link(snap, private)  # the whole snapshot in place now; a later os.replace does not touch it
        try:
            con = database.connect(private, read_only=True)
        finally:
            private.unlink(missing_ok=True)  # the open file stays readable; nothing is left behind
        version = database.data_version(con)
        _remember_key(self.db, database.setting(con, viewer_events.KEY_SETTING))
        key = (manifest or {}).get("publish_id"), (manifest or {}).get("published_at"), version
        return Generation(key, con, version)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The current generation's connection, reopened when the manifest says a newer one exists."""
        with self._lock:
            stat = self._manifest_stat()
            if self.current is None or stat != self._stat:
                manifest = publish.read_manifest(self.db)
                key_now = None if manifest is None else (manifest.get("publish_id"), manifest.get("published_at"))
                if self.current is None or key_now != self.current.key[:2]:
                    try:
                        fresh = self._open(manifest)
                    except Exception:
                        if self.current is None:
                            raise
                        log.exception("opening the newer snapshot failed; still serving the previous one")
                        fresh = None
                    if fresh is not None:
                        if self.current is not None:
                            self.current.retired_at = time.monotonic()
                            self.retired.append(self.current)
                        self.current = fresh
                self._stat = stat
            self._close_retired()
            return self.current.con

    def _close_retired(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        keep = []
        for gen in self.retired:
            if now - gen.retired_at >= GRACE_SECONDS:
                try:
                    gen.con.close()
                except Exception:
                    log.exception("closing a replaced snapshot generation failed")
            else:
                keep.append(gen)
        self.retired = keep

    def close(self) -> None:
        with self._lock:
            for gen in [*self.retired, *([self.current] if self.current else [])]:
                gen.con.close()
            self.retired, self.current = [], None


# ---- the spool of events a viewer cannot write ----------------------------------------------

_SPOOL_LOCK = threading.Lock()
_SEQUENCE = itertools.count(1)
_KEYS: dict[str, str] = {}


def _remember_key(db: str | Path, key: str | None) -> None:
    if key:
        _KEYS[str(Path(db))] = key


def _event_key(db: str | Path) -> str | None:
    """The database's viewer-event key, as the snapshot has it (read once, then at each generation)."""
    found = _KEYS.get(str(Path(db)))
    if found is None:
        try:
            con = duckdb.connect(str(publish.snapshot_path(db)), read_only=True)
            try:
                _remember_key(db, database.setting(con, viewer_events.KEY_SETTING))
            finally:
                con.close()
        except (duckdb.Error, OSError):
            log.exception("the viewer-event key could not be read from the snapshot")
        found = _KEYS.get(str(Path(db)))
    return found


def record(
    db: str | Path,
    actor: str,
    action: str,
    trust_code: str | None = None,
    detail: dict | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Append one signed audit event to this process's spool: one JSON line, flushed and fsynced."""
    key = _event_key(db)
    if key is None:  # kept in the spool as a record, but the writer will refuse it
        log.error("no viewer-event key in the snapshot of %s: this event cannot be signed", db)
    with _SPOOL_LOCK:
        path = spool.spool_path(db)
        event = {
            "v": viewer_events.FORMAT,
            "spool": path.name,
            "seq": next(_SEQUENCE),
            "at": audit.as_utc_naive(at).isoformat(),
            "actor": actor,
            "action": action,
            "trust_code": trust_code,
            "detail": detail or {},
            "pid": os.getpid(),
        }
        with open(path, "ab") as fh:
            fh.write(viewer_events.signed_line(key, event))
            fh.flush()
            os.fsync(fh.fileno())


class LocalFailures:
    """The failures this viewer has seen itself, per email as typed (known or not), until the
    writer's count arrives with a publish. Bounded like the writer's: records that no longer count
    go first, then the oldest, beyond MAX_TRACKED_UNKNOWN."""

    def __init__(self):
        self._records: OrderedDict[str, Failures] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Failures:
        with self._lock:
            return self._records.get(key, Failures())

    def put(self, key: str, record: Failures, at: dt.datetime) -> None:
        with self._lock:
            self._records.pop(key, None)
            self._records[key] = record  # the newest last
            if len(self._records) > throttle.MAX_TRACKED_UNKNOWN:
                for k in [k for k, r in self._records.items() if r.current(at) == Failures()]:
                    del self._records[k]
                while len(self._records) > throttle.MAX_TRACKED_UNKNOWN:
                    self._records.popitem(last=False)

    def __len__(self) -> int:
        return len(self._records)


_LOCAL = LocalFailures()


def authenticate(
    con: duckdb.DuckDBPyConnection, db: str | Path, email: str, password: str, now: dt.datetime | None = None
) -> auth.User:
    """auth.authenticate for a viewer: the same rules and answers, read-only; every attempt spooled.

    The failures counted are the stricter of the snapshot's (the writer's count at its last publish)
    and this viewer's own. A success here lowers neither: a viewer event never clears a count."""
    at = audit.as_utc_naive(now)
    attempt, seen = auth.decide(
        con, email, password, at, lambda key: _LOCAL.get(key).stricter(throttle.read(con, key), at)
    )
    if attempt.counts:
        after = seen.after_failure(at)
        _LOCAL.put(attempt.key, after, at)
        attempt = attempt.counted(seen, after, at)
    record(db, attempt.key, attempt.action, attempt.trust_code, attempt.detail, at=at)
    return auth.signed_in_user(attempt)
