"""CI-sized run of benchmarks/load_viewers.py: 5 concurrent sessions over Streamlit's websocket protocol
against a writer and one read-only viewer process on a copy of the demo database: 4 viewers (on the
viewer process) and 1 trust lead who uploads a changed return for RX4 (on the writer).

The script runs as its own process, as a user runs it. Asserts correctness only (no errors, the
accepted upload is in the database after the server has stopped); timings depend on the machine and
are printed, not asserted. The full measurement is
`.venv/bin/python -m benchmarks.load_viewers --sessions 1 10 50`.
"""

from __future__ import annotations

import json
import subprocess
import sys

from pswbench.paths import ROOT


def test_five_sessions_with_one_upload(tmp_path):
    out = tmp_path / "load_smoke.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.load_viewers",
            "--sessions",
            "5",
            "--uploads",
            "1",
            "--ramp",
            "0.2",
            "--think",
            "0.3",
            "--viewer-processes",
            "1",
            "--repeat",
            "1",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(done.stdout[-3000:])
    assert out.exists(), done.stderr[-3000:]
    report = json.loads(out.read_text())
    (round_,) = report["rounds"]
    assert round_["errors"] == 0, round_["error_detail"]
    assert round_["pages_measured"] == 5 * 4 - 1  # the uploader views 3 pages, the others 4
    assert {kind: v["pages"] for kind, v in round_["by_kind"].items()} == {"viewers": 16, "uploaders": 3}
    assert report["settings"]["viewer_processes"] == 1
    assert [u["status"] for u in round_["uploads"]] == ["accepted"], round_["uploads"]
    assert report["uploads_accepted"] == 1
    assert report["upload_problems"] == []
    assert done.returncode == 0, done.stderr[-3000:]
