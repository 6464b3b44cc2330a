"""One writer and three read-only viewers on the same database, as behind a load balancer.

The writer is `streamlit run app.py` holding PSWBENCH_DB; three viewers (PSWBENCH_MODE=viewer) read
the snapshot it publishes. While HTTP health checks run against every viewer and each viewer's
analyst keeps re-reading the national PSW headcount on Overview, a trust lead uploads a changed
return through the writer's real Upload page. Then:

* every viewer shows the new national headcount within PICKUP_BOUND_S of the writer's publish
  (the manifest's mtime), and the median and max pick-up times are printed;
* every figure any viewer showed was the old or the new national headcount, never anything else;
* no viewer showed an exception, no server log has a Traceback, no health check failed;
* a viewer refuses uploads: the page says where to upload, and uploads.check/submit refuse below it;
* the viewers' sign-ins reached audit_log through their spools (ingested by the writer's publish).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import statistics
import threading
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from pswbench.access.auth import User
from pswbench.paths import ROOT
from pswbench.reports.queries import Queries
from pswbench.returns import uploads
from pswbench.store import database, publish, viewer_mode
from tests.helpers import app_server, demo_data
from tests.helpers.app_server import main_area, open_in_session, sign_in, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

ARTIFACTS = ROOT / "artifacts" / "scale"
PERIOD = "2026-09-30"  # the demo's latest quarter, already loaded for RX4
N_VIEWERS = 3
PICKUP_BOUND_S = 10.0  # writer's publish -> a viewer showing the new figure
WRITER_URL_TEXT = "writer.example.nhs.uk"


def snapshot_national_headcount(db: Path) -> int:
    con = database.connect(publish.snapshot_path(db), read_only=True)
    try:
        df = Queries(con).national_indicators(dt.date.fromisoformat(PERIOD))
        return int(df["headcount"][0])
    finally:
        con.close()


def headcount_text(page) -> str:
    card = (
        main_area(page)
        .get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text("PSW headcount", exact=True))
    )
    expect(card).to_have_count(1)
    return card.get_by_test_id("stMetricValue").inner_text().strip()


def changed_return(tmp_path: Path) -> Path:
    rows = list(csv.reader(io.StringIO((ROOT / "data" / "example_return.csv").read_text(encoding="utf-8"))))
    body = [[*r[:1], PERIOD, *r[2:]] for r in rows[1:]]
    path = tmp_path / "rx4-2026-q3-changed.csv"
    path.write_text("".join(",".join(r) + "\n" for r in [rows[0], *body]), encoding="utf-8")
    return path


def app(db: Path, name: str, **env: str):
    return app_server.running_app(db, ARTIFACTS / f"{name}.log", timeout=90, env=env)


class HealthChecks(threading.Thread):
    """GET /_stcore/health on every viewer every 0.25 s until stopped; counts answers and failures."""

    def __init__(self, urls: list[str]):
        super().__init__(daemon=True)
        self.urls, self.ok, self.failures, self._halt = urls, 0, [], threading.Event()

    def run(self):
        while not self._halt.wait(0.25):
            for url in self.urls:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:
                        assert resp.status == 200
                    self.ok += 1
                except Exception as exc:  # noqa: BLE001 - every failure is reported
                    self.failures.append(f"{url}: {exc!r}")

    def stop(self):
        self._halt.set()
        self.join(timeout=10)


def test_viewer_mode_refuses_uploads_below_the_page(monkeypatch):
    """uploads.check and submit refuse in viewer mode before touching the connection (None here)."""
    monkeypatch.setenv("PSWBENCH_MODE", "viewer")
    monkeypatch.setenv("PSWBENCH_WRITER_URL", "https://writer.example")
    lead = User("lead.rx4@demo.pswbench.nhs.uk", "trust_lead", "RX4")
    with pytest.raises(viewer_mode.ReadOnlyViewer, match="read-only viewer; upload at https://writer.example"):
        uploads.check(None, lead, "RX4", "x.csv", b"trust_code\n")
    with pytest.raises(viewer_mode.ReadOnlyViewer):
        uploads.submit(None, lead, SimpleNamespace(result=SimpleNamespace(trust_code="RX4")))
    monkeypatch.setenv("PSWBENCH_MODE", "writer")
    with pytest.raises(access_error()):
        uploads.require_upload(lead, "RMY")  # the writer still applies the ordinary rule


def access_error():
    from pswbench.access.permissions import NotPermitted

    return NotPermitted


@pytest.mark.browser
def test_one_writer_three_viewers_pick_up_an_upload(tmp_path, browser):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = demo_data.build_demo_db(tmp_path / "scale.duckdb")
    old_headcount = snapshot_national_headcount(db)
    upload_file = changed_return(tmp_path)

    observations: list[tuple[int, float, str]] = []  # (viewer, wall time, figure shown)
    names = ["writer"] + [f"viewer{i}" for i in range(1, N_VIEWERS + 1)]
    with contextlib.ExitStack() as stack:
        writer_url = stack.enter_context(app(db, "writer", PSWBENCH_MODE="writer", PSWBENCH_SPOOL_SECONDS="1"))
        viewer_urls = [
            stack.enter_context(
                app(db, f"viewer{i}", PSWBENCH_MODE="viewer", PSWBENCH_WRITER_URL=f"https://{WRITER_URL_TEXT}")
            )
            for i in range(1, N_VIEWERS + 1)
        ]
        health = HealthChecks(viewer_urls)
        health.start()
        stack.callback(health.stop)

        def new_page():
            context = browser.new_context(viewport=app_server.VIEWPORT)
            stack.callback(context.close)
            context.set_default_timeout(60_000)
            return context.new_page()

        # Each viewer: the analyst signs in (verified against the snapshot, read-only) and lands on Overview.
        viewers = []
        for url in viewer_urls:
            page = new_page()
            page.goto(url)
            sign_in(page, *DEMO_ACCOUNTS["analyst"], timeout=60_000)
            wait_until_idle(page, timeout=60_000)
            viewers.append(page)

        def poll(i: int) -> str:
            page = viewers[i]
            open_in_session(page, "/overview")  # a rerun of Overview in the same session
            wait_until_idle(page, timeout=60_000)
            text = headcount_text(page)
            observations.append((i, time.time(), text))
            assert page.get_by_test_id("stException").count() == 0, f"viewer {i + 1} shows an exception"
            return text

        old_texts = {poll(i) for i in range(N_VIEWERS)}
        assert old_texts == {f"{old_headcount:,}"}, old_texts

        # A viewer refuses uploads, saying where to go; it offers no file uploader at all.
        open_in_session(viewers[0], "/upload")
        wait_until_idle(viewers[0], timeout=60_000)
        expect(
            main_area(viewers[0]).get_by_text(f"This is a read-only viewer; upload at https://{WRITER_URL_TEXT}.")
        ).to_be_visible()
        assert viewers[0].get_by_test_id("stFileUploader").count() == 0

        # The trust lead uploads the changed return through the writer's real Upload page.
        lead = new_page()
        lead.goto(writer_url)
        sign_in(lead, *DEMO_ACCOUNTS["trust_lead"], timeout=60_000)
        expect(main_area(lead).locator("h1").first).to_have_text("Upload a quarterly return")
        wait_until_idle(lead, timeout=60_000)
        lead.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(upload_file))
        expect(main_area(lead).get_by_text(f"File: {upload_file.name}")).to_be_visible(timeout=60_000)
        wait_until_idle(lead, timeout=60_000)
        ack = main_area(lead).get_by_text("I have checked the warnings and the figures are right.")
        if ack.count():
            ack.click()
            wait_until_idle(lead, timeout=60_000)
        manifest_before = publish.read_manifest(db)
        clicked_at = time.time()
        main_area(lead).get_by_role("button", name="Submit return").click()  # not waited for

        # Keep reading every viewer while the writer saves and publishes, until all show a new figure.
        seen_new: dict[int, float] = {}
        deadline = time.monotonic() + 90
        while len(seen_new) < N_VIEWERS and time.monotonic() < deadline:
            for i in range(N_VIEWERS):
                text = poll(i)
                if text not in old_texts and i not in seen_new:
                    seen_new[i] = observations[-1][1]
        assert len(seen_new) == N_VIEWERS, f"only viewers {sorted(seen_new)} picked the upload up in 90 s"
        expect(main_area(lead).get_by_text("Accepted: this return is now version")).to_be_visible(timeout=60_000)
        for _ in range(2):  # the new figure stays: no viewer goes back to the old snapshot
            for i in range(N_VIEWERS):
                poll(i)
        assert lead.get_by_test_id("stException").count() == 0
        health.stop()
        manifest = publish.read_manifest(db)
        published_at = os.stat(publish.manifest_path(db)).st_mtime

    # After every process has stopped: the figures, the times, the logs.
    new_headcount = snapshot_national_headcount(db)
    assert new_headcount != old_headcount
    new_text = f"{new_headcount:,}"
    shown = {text for _, _, text in observations}
    assert shown <= {f"{old_headcount:,}", new_text}, f"a viewer showed a figure that is neither: {shown}"
    assert all(observations[-1 - k][2] == new_text for k in range(2 * N_VIEWERS))
    assert manifest["data_version"] > manifest_before["data_version"]

    pickups = [seen_new[i] - published_at for i in range(N_VIEWERS)]
    report = {
        "pickup_seconds": [round(p, 2) for p in pickups],
        "median": round(statistics.median(pickups), 2),
        "max": round(max(pickups), 2),
        "click_to_publish": round(published_at - clicked_at, 2),
        "polls": len(observations),
        "health_checks_ok": health.ok,
        "bound": PICKUP_BOUND_S,
    }
    (ARTIFACTS / "pickup.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("viewer pick-up:", report)
    assert all(p >= 0 for p in pickups), report  # nobody saw it before it was published
    assert max(pickups) <= PICKUP_BOUND_S, report
    assert not health.failures and health.ok > 0, health.failures[:5]
    for name in names:
        text = (ARTIFACTS / f"{name}.log").read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in text, f"{name}.log:\n{text[-3000:]}"

    # The viewers wrote nothing to the database; their sign-ins reached audit_log through their spools.
    con = database.connect(publish.snapshot_path(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT detail FROM audit_log WHERE action = 'sign_in' AND actor = ?", [DEMO_ACCOUNTS["analyst"][0]]
        ).fetchall()
    finally:
        con.close()
    pids = {json.loads(d).get("viewer_pid") for (d,) in rows if json.loads(d).get("via") == "viewer"}
    assert len(pids) == N_VIEWERS, rows
