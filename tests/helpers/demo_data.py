"""The synthetic demo as the tests use it: its accounts by role, one builder of its database, and the
example return (data/example_return.csv: RX4, quarter ending 2025-09-30, valid)."""

from __future__ import annotations

import atexit
import json
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from pswbench.paths import DATA_DIR, ROOT
from pswbench.store import publish
from pswbench.synthetic import demo

# role -> (email, password) of the SYNTHETIC demo's accounts (pswbench/synthetic/demo.py)
DEMO_ACCOUNTS = {role: (email, password) for email, role, _trust, password in demo.DEMO_ACCOUNTS}

EXAMPLE_FILE = DATA_DIR / "example_return.csv"
EXAMPLE = EXAMPLE_FILE.read_bytes()


def build_demo_db(db: Path) -> Path:
    """A synthetic demo database at db: a copy of this test process's one build (shared_demo_db), so
    the suite pays the minute a build takes once, not once per fixture. The copy is what the CLI
    leaves: the built file byte for byte (accounts, salt and audit trail included) and its published
    read-only snapshot with a manifest naming the copy. tests/unit/cli/test_cli.py builds one with
    the CLI itself."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    src = shared_demo_db()
    for a, b in ((src, db), (publish.snapshot_path(src), publish.snapshot_path(db))):
        shutil.copyfile(a, b)
        Path(f"{b}.wal").unlink(missing_ok=True)
        if Path(f"{a}.wal").exists():
            shutil.copyfile(f"{a}.wal", f"{b}.wal")
    manifest = publish.read_manifest(src)
    if manifest is not None:
        manifest["source"] = str(db)
        manifest["snapshot"] = publish.snapshot_path(db).name
        publish.manifest_path(db).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return db


def _build_with_the_cli(db: Path) -> Path:
    """Build the synthetic demo database at db with the real CLI, in a subprocess (about a minute: 1,735 files)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", "demo", "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,  # about 60 s of CPU; far longer on a busy shared machine
    )
    if done.returncode != 0 or not db.exists():
        raise RuntimeError(f"building the demo database failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return db


@cache
def shared_demo_db() -> Path:
    """One demo database per test process, for tests that copy it (never open it in place)."""
    folder = Path(tempfile.mkdtemp(prefix="pswbench-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    return _build_with_the_cli(folder / "demo.duckdb")
