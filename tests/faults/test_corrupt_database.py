"""A damaged database at start: refused with a clear message, never written over.

Each damaged file goes to pswbench.store.database.connect (writer and reader), to the CLI, and to the app
through AppTest (PSWBENCH_DB). Each must say what is wrong and what to do, show no traceback, and
leave the file byte for byte as it was (DuckDB itself opens a half-truncated file read-write and
writes to it; an empty file must never become a new database).

No read permission: the tests run as root, which reads a chmod 000 file regardless (the
CAP_DAC_OVERRIDE capability). That case runs in a child process started with setpriv dropping
CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so the permission really is refused, and the test first
proves the child cannot read the file.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from pswbench.store import database
from tests.helpers import demo_data
from tests.helpers.demo_data import EXAMPLE_FILE
from tests.helpers.faultkit import ROOT, cli, sha256

pytestmark = pytest.mark.faults

APP = ROOT / "app.py"
CASES = ("truncated", "truncated_to_header", "random_bytes", "empty", "directory")


def make(case: str, folder) -> os.PathLike:
    path = folder / f"{case}.duckdb"
    demo = demo_data.shared_demo_db().read_bytes()
    if case == "truncated":
        path.write_bytes(demo[: len(demo) // 2])
    elif case == "truncated_to_header":
        path.write_bytes(demo[:5000])
    elif case == "random_bytes":
        path.write_bytes(random.Random(7).randbytes(1 << 20))
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "directory":
        path.mkdir()
    return path


def fingerprint(path) -> str:
    return "folder:" + ",".join(sorted(os.listdir(path))) if path.is_dir() else sha256(path)


def assert_untouched(path, before: str) -> None:
    assert fingerprint(path) == before, f"{path} was changed"
    siblings = sorted(p.name for p in path.parent.iterdir())
    assert siblings == [path.name], f"files appeared next to it: {siblings}"  # no .wal, no snapshot


def assert_clear(message: str) -> None:
    assert "could not be opened" in message and "Restore it from a backup" in message, message
    assert "left exactly as it was" in message and "Traceback" not in message


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("read_only", [False, True])
def test_connect_refuses_and_leaves_the_file(tmp_path, case, read_only):
    path = make(case, tmp_path)
    before = fingerprint(path)
    with pytest.raises(database.DatabaseUnreadable) as err:
        database.connect(path, read_only=read_only)
    assert_clear(str(err.value))
    assert_untouched(path, before)


@pytest.mark.parametrize("case", CASES)
def test_cli_exits_2_with_the_message_and_leaves_the_file(tmp_path, case):
    path = make(case, tmp_path)
    before = fingerprint(path)
    r = cli("load", EXAMPLE_FILE, "--db", path)
    assert r.returncode == 2, r
    assert_clear(r.stderr)
    assert_untouched(path, before)


@pytest.mark.parametrize("case", CASES)
def test_app_shows_the_message_and_no_traceback(tmp_path, monkeypatch, case):
    path = make(case, tmp_path)
    before = fingerprint(path)
    monkeypatch.setenv("PSWBENCH_DB", str(path))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert_clear(error)
    assert [t.label for t in at.text_input] == [], "the sign-in form must not appear over a broken database"
    assert_untouched(path, before)


# ---- no read permission -------------------------------------------------------------------------

CHILD = r"""
import json, sys
from pathlib import Path
path = Path(sys.argv[1])
out = {}
try:
    path.open("rb")
    out["readable"] = True
except PermissionError:
    out["readable"] = False
from pswbench.store import database
try:
    database.connect(path)
    out["connect"] = "opened"
except database.DatabaseUnreadable as exc:
    out["connect"] = str(exc)
from pswbench.app import streamlit_internals
streamlit_internals.keep_pages_directory_mode_off()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[2], default_timeout=60).run()
out["app_exceptions"] = [e.value for e in at.exception]
out["app_errors"] = [e.value for e in at.error]
print(json.dumps(out))
"""
NO_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


def without_file_permission_override(args, env=None):
    assert shutil.which("setpriv"), "setpriv (util-linux) is needed to test a file root cannot read"
    return subprocess.run(
        [*NO_DAC, *args], cwd=ROOT, capture_output=True, text=True, timeout=180, env={**os.environ, **(env or {})}
    )


def test_no_read_permission_is_refused_clearly_and_left_alone(tmp_path):
    folder = tmp_path / "perm"
    folder.mkdir()
    path = folder / "locked_out.duckdb"
    shutil.copyfile(demo_data.shared_demo_db(), path)
    path.chmod(0)
    before = sha256(path)
    try:
        r = without_file_permission_override(
            [sys.executable, "-c", CHILD, str(path), str(ROOT / "app.py")], {"PSWBENCH_DB": str(path)}
        )
        assert r.returncode == 0, r.stderr
        out = __import__("json").loads(r.stdout.strip().splitlines()[-1])
        assert out["readable"] is False, "the child could read a chmod 000 file: the test would prove nothing"
        assert_clear(out["connect"])
        assert "Permission denied" in out["connect"]
        assert out["app_exceptions"] == [] and len(out["app_errors"]) == 1
        assert_clear(out["app_errors"][0])
        r = without_file_permission_override(
            [sys.executable, "-m", "pswbench", "load", str(EXAMPLE_FILE), "--db", str(path)]
        )
        assert r.returncode == 2 and "Permission denied" in r.stderr and "Traceback" not in r.stderr, r
    finally:
        path.chmod(0o600)
    assert_untouched(path, before)
