"""Helpers for the fault tests: a demo database built once, table snapshots, holders and the CLI."""

from __future__ import annotations

import hashlib
import os
import selectors
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import duckdb

from pswbench.paths import ROOT
from tests.helpers import demo_data

PY = sys.executable


def demo_copy(folder: Path, name: str = "db.duckdb") -> Path:
    """A private copy of the demo database (the main file only: no snapshot yet)."""
    target = folder / name
    shutil.copyfile(demo_data.shared_demo_db(), target)
    return target


def cli(*args, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "-m", "pswbench", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def tables(db: Path) -> dict[str, list[str]]:
    """Every row of every base table, sorted, opened read-only: compare databases row for row."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return table_rows(con)
    finally:
        con.close()


def table_rows(con) -> dict[str, list[str]]:
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND NOT internal ORDER BY 1"
        ).fetchall()
    ]
    return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in names}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wait_for_line(proc: subprocess.Popen, stream, marker: str, timeout: float = 120) -> str:
    """Read proc's stream until a line containing marker; fail (never hang) after timeout seconds."""
    deadline = time.monotonic() + timeout
    seen = []
    with selectors.DefaultSelector() as sel:
        sel.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not sel.select(timeout=max(0.0, deadline - time.monotonic())):
                continue
            line = stream.readline()
            if not line:
                break  # the process ended
            seen.append(line)
            if marker in line:
                return line
    raise AssertionError(f"no {marker!r} from the child (exit {proc.poll()}):\n{''.join(seen)}")


def start(code: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [PY, "-c", code],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)
    for s in (proc.stdout, proc.stderr):
        if s:
            s.close()


@contextmanager
def holder(db: Path):
    """Another process holding db read-write, as the running app does (pswbench.store.database.connect)."""
    proc = start(
        "import sys, time; from pswbench.store import database; c = database.connect(sys.argv[1]); "
        "print('ready', flush=True); time.sleep(120)".replace("sys.argv[1]", repr(str(db)))
    )
    try:
        wait_for_line(proc, proc.stdout, "ready", timeout=60)
        yield proc
    finally:
        stop(proc)
