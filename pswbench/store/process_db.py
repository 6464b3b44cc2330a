"""The app process's database: one writer connection (or one snapshot reader) per database file,
opened once and kept for the life of the process.

They are plain module state, not st.cache_resource: a client's `clear_cache` message clears every
st.cache_resource, and when the connection lived there each such message opened another
connection, published the whole database again and started another spool-watcher thread that
never stopped. Nothing a client sends reaches this module's state.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
from collections.abc import Callable
from pathlib import Path

from pswbench import paths
from pswbench.store import database, publish, spool_watcher, viewer_mode

_LOCK = threading.Lock()
_WRITERS: dict[str, object] = {}
_READERS: dict[str, viewer_mode.SnapshotReader] = {}
_WATCHERS: list[tuple[threading.Event, threading.Thread]] = []  # each writer's spool watcher


def writer(db: str | Path, building: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext):
    """The process's writer connection to db (opened, and a first start's demo built, once).

    building() wraps the demo build, for a page to say what is taking the time."""
    key = str(db)
    con = _WRITERS.get(key)
    if con is not None:
        return con
    with _LOCK:
        con = _WRITERS.get(key)
        if con is None:
            con = _open_writer(Path(db), building)
            _WRITERS[key] = con
    return con


def _open_writer(path: Path, building):
    if not path.exists():
        from pswbench.synthetic.demo import build_demo  # first start: build the synthetic demo through the real loader

        with building():
            build_demo(path)
    con = database.connect(path)  # a damaged file raises DatabaseUnreadable and is left untouched
    # Readers and backups use the published snapshot while this process holds the file: publish at
    # start (after a demo build too), so it exists and is current; loads publish after each commit.
    # The publish also ingests the events read-only viewers spooled; the watcher keeps doing that.
    publish.publish_quietly(con)
    stop = threading.Event()
    thread = spool_watcher.watch_spool(con, path, float(os.environ.get("PSWBENCH_SPOOL_SECONDS") or 5), stop)
    _WATCHERS.append((stop, thread))
    return con


def reader(db: str | Path) -> viewer_mode.SnapshotReader:
    """A viewer process's reader of db's published snapshot (one connection per generation)."""
    key = str(db)
    with _LOCK:
        found = _READERS.get(key)
        if found is None:
            found = _READERS[key] = viewer_mode.SnapshotReader(db)
    return found


def current(db: str | Path | None = None):
    """The connection this process reads db through now: the writer's, or the viewer's current
    snapshot generation. For work outside a script run (the web routes, downloads)."""
    db = paths.db_path() if db is None else db
    return reader(db).connection() if viewer_mode.is_viewer() else writer(db)


def close_all() -> None:
    """Stop the spool watchers and close every connection this module opened, and forget them.

    Run at interpreter exit (and by the tests' fixture after each test module): a DuckDB connection
    still referenced when Python shuts down (here, or by a watcher thread still running) is reported by
    DuckDB's bindings as dozens of "nanobind: leaked instance" lines on stderr."""
    with _LOCK:
        for stop, _ in _WATCHERS:
            stop.set()
        for _, thread in _WATCHERS:
            thread.join(timeout=30)  # it stops at once unless it is mid-ingest
        _WATCHERS.clear()
        for con in _WRITERS.values():
            con.close()
        _WRITERS.clear()
        for found in _READERS.values():
            found.close()
        _READERS.clear()


atexit.register(close_all)
