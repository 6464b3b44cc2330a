"""Read-only viewer mode: more app processes than DuckDB's one writer per file allows.

PSWBENCH_MODE=viewer (default writer) makes an app process read the snapshot the writer publishes
(pswbench.publish) instead of the database, and never write:

* Generations. The viewer checks the manifest (a stat, and a read only when the stat changed) at
  most once per script run, and when its data_version/published_at/publish_id changes it opens
  the new snapshot read-only: one connection per process per snapshot generation. DuckDB caches
  database instances by path, so each generation is opened through a private hard link
  (<stem>.snapshot.<pid>.<n>.duckdb, unlinked as soon as it is open): the inode the link names is
  the whole snapshot that was in place at that moment, never half of one. The replaced generation
  is closed after GRACE_SECONDS, so a script run still reading it is not cut off.
* Writes are refused below the page: require_writer raises ReadOnlyViewer (uploads use it).
* Sign-in verifies the password against the snapshot, read-only. Attempts and other audit events
  are appended as JSON lines (append, flush, fsync) to a spool file of this process,
  <stem>.viewer-events.<pid>.jsonl; the writer ingests them into audit_log and the failed-attempt
  counters (ingest_spool, called by every publish and by the writer's spool watcher) and publishes,
  so a lockout reaches every viewer with the next publish. Meanwhile each viewer also locks an
  account itself after MAX_FAILED_ATTEMPTS wrong passwords at that viewer.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from . import audit, auth, database, publish

log = logging.getLogger(__name__)

GRACE_SECONDS = 30.0          # a replaced generation stays open this long for runs still reading it
SPOOL_SETTING = "viewer_spool_offset:"   # app_setting key prefix: bytes of a spool file already ingested


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
    opened_at: float = field(default_factory=time.monotonic)
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
                "(PSWBENCH_MODE=writer) first: it publishes one at start.")
        self._count += 1
        private = snap.with_name(f".{self.db.stem}.snapshot.{os.getpid()}.{self._count}.duckdb")
        private.unlink(missing_ok=True)
        os.link(snap, private)   # the whole snapshot in place now; a later os.replace does not touch it
        try:
            con = database.connect(private, read_only=True)
        finally:
            private.unlink(missing_ok=True)   # the open file stays readable; nothing is left behind
        version = database.data_version(con)
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

def spool_path(db: str | Path, pid: int | None = None) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.viewer-events.{os.getpid() if pid is None else pid}.jsonl")


def spool_files(db: str | Path) -> list[Path]:
    db = Path(db)
    return sorted(db.parent.glob(f"{db.stem}.viewer-events.*.jsonl"))


_SPOOL_LOCK = threading.Lock()


def record(db: str | Path, actor: str, action: str, trust_code: str | None = None,
           detail: dict | None = None, *, at: dt.datetime | None = None) -> None:
    """Append one audit event to this process's spool: one JSON line, flushed and fsynced."""
    event = {"at": audit.as_utc_naive(at).isoformat(), "actor": actor, "action": action,
             "trust_code": trust_code, "detail": detail or {}, "pid": os.getpid()}
    line = (json.dumps(event, sort_keys=True, default=str, ensure_ascii=False) + "\n").encode("utf-8")
    with _SPOOL_LOCK, open(spool_path(db), "ab") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


# Wrong passwords at this viewer, per email (monotonic times): a local lock before the writer's.
_LOCAL_FAILURES: dict[str, deque] = defaultdict(deque)
_LOCAL_LOCK = threading.Lock()


def _local_failures(email: str, add: bool = False) -> int:
    now = time.monotonic()
    with _LOCAL_LOCK:
        q = _LOCAL_FAILURES[email]
        while q and now - q[0] > auth.LOCK_DURATION.total_seconds():
            q.popleft()
        if add:
            q.append(now)
        return len(q)


def authenticate(con: duckdb.DuckDBPyConnection, db: str | Path, email: str, password: str,
                 now: dt.datetime | None = None) -> auth.User:
    """auth.authenticate for a viewer: the same answers, read-only; every attempt goes to the spool.

    Locks come from the snapshot (the writer's state at its last publish) and from this viewer's own
    count of wrong passwords in the last LOCK_DURATION.
    """
    at = audit.as_utc_naive(now)
    e = auth.normalise_email(email)
    actor = e[:auth.MAX_EMAIL_LENGTH] or "(blank)"
    hasher = auth._hasher()
    password = password or ""
    row = auth._user_row(con, e) if e else None
    if row is None or row[3] is None:
        hasher.hash(password or "x")
        record(db, actor, "sign_in_failed", row[2] if row else None,
               {"reason": "unknown_email" if row is None else "no_password"}, at=at)
        raise auth.SignInError(auth.SIGN_IN_FAILED_MESSAGE)
    _, role, trust_code, password_hash, disabled, _failed, locked_until = row
    local_lock = _local_failures(e) >= auth.MAX_FAILED_ATTEMPTS
    if (locked_until is not None and locked_until > at) or local_lock:
        until = locked_until if locked_until is not None and locked_until > at else at + auth.LOCK_DURATION
        record(db, actor, "sign_in_locked", trust_code, {"locked_until": until.isoformat()}, at=at)
        raise auth.SignInError(auth.locked_message(until))
    try:
        ok, bad_hash = hasher.verify(password_hash, password), False
    except auth.InvalidHashError:
        ok, bad_hash = False, True
    except auth.VerificationError:
        ok, bad_hash = False, False
    if ok and not disabled:
        record(db, actor, "sign_in", trust_code, {"method": "password"}, at=at)
        return auth.User(e, role, trust_code)
    if ok and disabled:
        record(db, actor, "sign_in_failed", trust_code, {"reason": "disabled"}, at=at)
        raise auth.SignInError(auth.DISABLED_MESSAGE)
    n = _local_failures(e, add=True)
    record(db, actor, "sign_in_failed", trust_code,
           {"reason": "invalid_hash" if bad_hash else "wrong_password"}, at=at)
    if n >= auth.MAX_FAILED_ATTEMPTS:
        raise auth.SignInError(auth.locked_message(at + auth.LOCK_DURATION))
    raise auth.SignInError(auth.SIGN_IN_FAILED_MESSAGE)


# ---- the writer's side: ingesting the spool -------------------------------------------------

def _apply_sign_in(con, event: dict, at: dt.datetime) -> bool:
    """The failed-attempt counters, as auth.authenticate keeps them; True when app_user changed."""
    email, action = event.get("actor"), event.get("action")
    reason = (event.get("detail") or {}).get("reason")
    row = auth._user_row(con, email) if isinstance(email, str) else None
    if row is None:
        return False
    failed, locked_until = row[5], row[6]
    if action == "sign_in":
        if failed or locked_until is not None:
            con.execute("UPDATE app_user SET failed_attempts = 0, locked_until = NULL WHERE email = ?", [email])
            return True
        return False
    if action == "sign_in_failed" and reason in ("wrong_password", "invalid_hash"):
        if locked_until is not None and locked_until > at:
            return False
        attempts = (0 if locked_until is not None else failed) + 1
        new_lock = at + auth.LOCK_DURATION if attempts >= auth.MAX_FAILED_ATTEMPTS else None
        con.execute("UPDATE app_user SET failed_attempts = ?, locked_until = ? WHERE email = ?",
                    [attempts, new_lock, email])
        event.setdefault("detail", {})["failed_attempts"] = attempts
        if new_lock is not None:
            event["detail"]["locked_until"] = new_lock.isoformat()
        return True
    return False


def spool_pending(con: duckdb.DuckDBPyConnection, db: str | Path) -> bool:
    """Whether any spool file holds bytes not yet ingested (a stat per file and one query)."""
    files = spool_files(db)
    if not files:
        return False
    done = dict(con.execute("SELECT key, value FROM app_setting WHERE key LIKE ?", [SPOOL_SETTING + "%"]).fetchall())
    for f in files:
        try:
            size = f.stat().st_size
        except OSError:
            continue
        if size != int(done.get(SPOOL_SETTING + f.name, 0)):
            return True
    return False


def ingest_spool(con: duckdb.DuckDBPyConnection, db: str | Path) -> tuple[int, bool]:
    """Move the viewers' spooled events into audit_log and app_user, each file in one transaction.

    The bytes ingested per file are stored in app_setting in the same transaction, so an event is
    ingested once, however often this runs or fails. Only whole lines are read (a line still being
    written waits for the next run). Returns (events ingested, whether app_user changed).
    """
    total, users_changed = 0, False
    for f in spool_files(db):
        key = SPOOL_SETTING + f.name
        row = con.execute("SELECT value FROM app_setting WHERE key = ?", [key]).fetchall()
        offset = int(row[0][0]) if row else 0
        try:
            with open(f, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size < offset:      # a new file under an old name (a reused pid): start again
                    offset = 0
                fh.seek(offset)
                data = fh.read(size - offset)
        except OSError:
            continue
        end = data.rfind(b"\n")
        if end < 0:
            continue
        lines = data[:end + 1].splitlines()
        con.execute("BEGIN TRANSACTION")
        try:
            for raw in lines:
                try:
                    event = json.loads(raw)
                    at = dt.datetime.fromisoformat(event["at"])
                    actor, action = str(event["actor"]), str(event["action"])
                except (ValueError, KeyError, TypeError):
                    log.warning("skipping an unreadable line in %s", f.name)
                    continue
                if action.startswith("sign_in"):
                    users_changed |= _apply_sign_in(con, event, at)
                detail = dict(event.get("detail") or {}, via="viewer", viewer_pid=event.get("pid"))
                audit.record(con, actor, action, event.get("trust_code"), detail, at=at)
                total += 1
            con.execute("INSERT OR REPLACE INTO app_setting VALUES (?, ?)", [key, str(offset + end + 1)])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return total, users_changed


def watch_spool(con: duckdb.DuckDBPyConnection, db: str | Path, interval: float,
                stop: threading.Event) -> threading.Thread:
    """In the writer: every interval seconds, ingest new viewer events and publish when a
    sign-in counter or lock changed, so lockouts reach the viewers without waiting for an upload."""
    def loop():
        while not stop.wait(interval):
            try:
                with publish._LOCK, con.cursor() as cur:   # not at the same time as a publish's ingest
                    if not spool_pending(cur, db):
                        continue
                    _, changed = ingest_spool(cur, db)
                if changed:
                    publish.publish_quietly(con)
            except Exception:
                log.exception("ingesting the viewers' events failed; trying again in %.0f s", interval)

    thread = threading.Thread(target=loop, name="pswbench-spool-watcher", daemon=True)
    thread.start()
    return thread
