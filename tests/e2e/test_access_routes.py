"""Every route a trust lead or a board member has to another trust's data, in a real browser.

Routes: a URL (a page outside the role, or ?trust=CODE on the board snapshot), a page link (none is
shown for a page outside the role), a widget value (there is no trust picker for them; tampering
with widget state is covered by the AppTest tests) and, for a trust lead, a return carrying
another trust's code. Each is refused, shows no data, and each refusal is in the audit log, read
after the app process has exited (the app holds the database while it runs).
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from pswbench.paths import ROOT
from tests.helpers import app_server
from tests.helpers.app_server import main_area, open_in_session, sidebar, sign_in, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
RX4_NAME = "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust"
RMY_NAME = "Norfolk and Suffolk NHS Foundation Trust"
ALL_PAGES = {
    "overview": "Overview",
    "regions": "Regional comparison",
    "benchmark": "Trust benchmark",
    "workforce_profile": "Workforce profile",
    "conditions": "Conditions for peer work",
    "snapshot": "Board snapshot",
    "upload": "Upload return",
    "submissions": "Submissions and data quality",
    "definitions": "Definitions",
}
DATA = (
    '[data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"], .js-plotly-plot, '
    '[data-testid="stDownloadButton"], [data-testid="stFileUploader"]'
)


def audit_rows(db: Path, actor: str) -> list[tuple[str, str | None, dict]]:
    """(action, trust_code, detail) of the actor's audit rows, oldest first. Only call it once the
    app process has exited."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT action, trust_code, detail FROM audit_log WHERE actor = ? ORDER BY audit_id", [actor]
        ).fetchall()
    return [(a, t, json.loads(d) if d else {}) for a, t, d in rows]


def refusals(rows) -> list[str]:
    return [d.get("what") for a, _, d in rows if a == "not_permitted"]


def expect_refused(page) -> None:
    """'Not permitted', and no heading, table, chart, card, download or uploader under it."""
    expect(main_area(page).get_by_text(re.compile(r"^Not permitted\."))).to_be_visible()
    wait_until_idle(page)
    expect(main_area(page).locator(DATA)).to_have_count(0)
    expect(main_area(page).locator("h1")).to_have_count(0)
    assert RMY_NAME not in main_area(page).inner_text()


def expect_links_only_to(page, allowed: list[str]) -> None:
    """The sidebar lists exactly the allowed pages, and no link anywhere leads to another page."""
    links = sidebar(page).get_by_test_id("stPageLink-NavLink")
    expect(links.first).to_be_visible()
    assert [t.strip() for t in links.all_inner_texts()] == [ALL_PAGES[k] for k in allowed]
    for key, title in ALL_PAGES.items():
        if key in allowed:
            continue
        expect(page.get_by_role("link", name=title, exact=True)).to_have_count(0)
        expect(page.locator(f'a[href$="/{key}"], a[href*="/{key}?"]')).to_have_count(0)


def expect_no_trust_picker(page) -> None:
    expect(main_area(page).get_by_label("Trust", exact=True)).to_have_count(0)
    expect(main_area(page).get_by_test_id("stSelectbox").filter(has_text=re.compile(r"^Trust"))).to_have_count(0)
    expect(main_area(page).get_by_label("Uploading for", exact=True)).to_have_count(0)


def go(page, title: str) -> None:
    sidebar(page).get_by_role("link", name=title, exact=True).click()
    expect(main_area(page).locator("h1").first).to_be_visible()
    wait_until_idle(page)


def test_trust_lead_cannot_reach_another_trust_by_any_route(page, own_db, tmp_path, shot):
    email = DEMO_ACCOUNTS["trust_lead"][0]
    example = (ROOT / "data" / "example_return.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(example)))
    rmy = tmp_path / "rmy-return.csv"
    rmy.write_text(
        "".join(",".join([*(["RMY"] if i else r[:1]), *r[1:]]) + "\n" for i, r in enumerate(rows)), encoding="utf-8"
    )
    assert rmy.read_text().splitlines()[1].startswith("RMY,")

    with app_server.running_app(own_db, ARTIFACTS / "access-routes-trust-lead-app.log", timeout=60) as url:
        page.goto(url)
        sign_in(page, *DEMO_ACCOUNTS["trust_lead"])
        expect(main_area(page).locator("h1").first).to_have_text("Upload a quarterly return")
        wait_until_idle(page)
        shot("landed-upload")

        # Page links: only the role's pages, none to Submissions.
        expect_links_only_to(
            page,
            [
                "benchmark",
                "snapshot",
                "upload",
                "regions",
                "overview",
                "workforce_profile",
                "conditions",
                "definitions",
            ],
        )

        # Widgets: no trust to pick on the pages that show one trust, nor on the upload page.
        expect_no_trust_picker(page)
        expect(main_area(page).get_by_text(f"Uploading for {RX4_NAME} (RX4).")).to_be_visible()
        go(page, "Trust benchmark")
        expect(main_area(page).get_by_text(f"{RX4_NAME} (RX4)").first).to_be_visible()
        expect_no_trust_picker(page)
        shot("benchmark-own-trust-no-picker")
        go(page, "Board snapshot")
        expect(main_area(page).locator("h1").first).to_have_text(re.compile(f"^How does {re.escape(RX4_NAME)}"))
        expect_no_trust_picker(page)

        # URLs, inside the signed-in session.
        open_in_session(page, "/submissions")
        expect_refused(page)
        shot("url-submissions-refused")
        open_in_session(page, "/snapshot?trust=RMY")
        expect_refused(page)
        shot("url-snapshot-rmy-refused")

        # A return carrying another trust's code.
        go(page, "Upload return")
        page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(rmy))
        refusal = main_area(page).get_by_text(
            "Refused. This return is for RMY; you can upload returns for RX4 only. The attempt has been recorded."
        )
        expect(refusal).to_be_visible(timeout=60_000)
        wait_until_idle(page, timeout=60_000)
        expect(main_area(page).get_by_role("button", name="Submit return")).to_have_count(0)
        shot("rmy-return-refused")

    rows = audit_rows(own_db, email)
    assert refusals(rows) == ["page:submissions", "snapshot:RMY"], rows
    refused = [(t, d) for a, t, d in rows if a == "upload_refused"]
    assert len(refused) == 1, rows
    trust, detail = refused[0]
    assert trust == "RX4" and detail["file_trust_code"] == "RMY" and detail["file_name"] == rmy.name
    assert not [a for a, _, _ in rows if a.startswith("upload_") and a != "upload_refused"], rows
    with duckdb.connect(str(own_db), read_only=True) as con:
        mine = con.execute("SELECT trust_code, status FROM submission WHERE submitted_by = ?", [email]).fetchall()
    assert mine == [("RX4", "rejected")]  # filed under the uploader's trust, nothing loaded


def test_board_member_cannot_reach_another_trust_or_page_by_any_route(page, own_db, shot):
    email = DEMO_ACCOUNTS["board"][0]
    forbidden = ["overview", "regions", "benchmark", "upload", "submissions"]

    with app_server.running_app(own_db, ARTIFACTS / "access-routes-board-app.log", timeout=60) as url:
        page.goto(url)
        sign_in(page, *DEMO_ACCOUNTS["board"])
        expect(main_area(page).locator("h1").first).to_have_text(re.compile(f"^How does {re.escape(RX4_NAME)}"))
        wait_until_idle(page)
        shot("landed-snapshot")
        expect_links_only_to(page, ["snapshot", "definitions"])
        expect_no_trust_picker(page)

        for key in forbidden:
            open_in_session(page, f"/{key}")
            expect_refused(page)
            shot(f"url-{key}-refused")
        open_in_session(page, "/snapshot?trust=RMY")
        expect_refused(page)
        shot("url-snapshot-rmy-refused")

        # Back on their own snapshot by its link: their trust, still no picker.
        open_in_session(page, "/snapshot")
        expect(main_area(page).locator("h1").first).to_have_text(re.compile(f"^How does {re.escape(RX4_NAME)}"))
        wait_until_idle(page)
        expect_no_trust_picker(page)
        assert RMY_NAME not in main_area(page).inner_text()

    rows = audit_rows(own_db, email)
    assert refusals(rows) == [f"page:{k}" for k in forbidden] + ["snapshot:RMY"], rows
    assert not [a for a, _, _ in rows if a.startswith("upload_")], rows
