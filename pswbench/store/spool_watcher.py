"""The writer's spool watcher: viewers' events and admin requests taken in while the app runs."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import duckdb

from pswbench.store import admin_requests, publish, spool

log = logging.getLogger(__name__)


def watch_spool(
    con: duckdb.DuckDBPyConnection, db: str | Path, interval: float, stop: threading.Event
) -> threading.Thread:
    """In the writer: every interval seconds, ingest new viewer events and apply waiting admin
    requests (pswbench.store.admin_requests), and publish when a failure count, a lock or an account
    changed, so it reaches the viewers without waiting for an upload. A request's answer is written
    after that publish."""
    admin_requests.ensure_key(db)

    def loop():
        while not stop.wait(interval):
            try:
                changed, taken = False, []
                with publish.LOCK, con.cursor() as cur:  # not at the same time as a publish's ingest
                    if spool.spool_pending(cur, db):
                        changed = spool.ingest_spool(cur, db).users_changed
                    taken = admin_requests.take(cur, db)
                published = None
                if changed or taken:
                    published = publish.publish_quietly(con)
                admin_requests.answer(db, taken, published is not None)
            except Exception:
                log.exception(
                    "ingesting the viewers' events or admin requests failed; trying again in %.0f s", interval
                )

    thread = threading.Thread(target=loop, name="pswbench-spool-watcher", daemon=True)
    thread.start()
    return thread
