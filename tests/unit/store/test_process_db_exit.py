"""The app process's connections are closed at exit, so DuckDB's bindings report no leaked objects.

Before process_db.close_all ran at exit, every test module that drove the app (and the app itself)
ended with about 90 lines of "nanobind: leaked instance ..." on stderr: the writer connection and the
spool watcher thread holding it were still alive when Python shut down.
"""

from __future__ import annotations

import subprocess
import sys

from pswbench.paths import ROOT
from tests.helpers.demo_data import EXAMPLE

SCRIPT = """
import sys
from pswbench.store import database, loader, process_db
db = sys.argv[1]
con = database.connect(db)
loader.load_files(con, [("r.csv", open(sys.argv[2], "rb").read())], "t")
con.close()
writer = process_db.writer(db)  # the app's writer, with its spool watcher thread
print(writer.execute("SELECT count(*) FROM submission").fetchall()[0][0])
"""


def test_the_writer_and_its_watcher_leave_nothing_behind_at_exit(tmp_path):
    example = tmp_path / "example.csv"
    example.write_bytes(EXAMPLE)
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "x.duckdb"), str(example)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "1"
    assert "leaked" not in r.stderr, r.stderr[:2000]
