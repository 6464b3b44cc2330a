"""In a real browser: a file named and filled with script is shown as text and runs nothing.

AppTest can only say which element holds a value; this checks what Chromium does with it. Needs
/usr/bin/chromium: without it the test errors (fails), never skips.
"""

from __future__ import annotations

import pytest

from tests.helpers import app_server, demo_data
from tests.helpers.demo_data import DEMO_ACCOUNTS
from tests.hostile.hostile_helpers import ROOT
from tests.hostile.test_hostile_uploads import FORMULA, SCRIPT, example_with

ARTIFACTS = ROOT / "artifacts" / "e2e"


@pytest.mark.browser
def test_script_in_a_file_name_and_cells_is_shown_as_text_and_never_runs(tmp_path, browser):
    db = demo_data.build_demo_db(tmp_path / "demo.duckdb")
    name = SCRIPT + ".csv"
    data = example_with({0: {"service_setting": SCRIPT}, 1: {"afc_band": FORMULA}})
    folder = ARTIFACTS / "test_hostile_browser"
    folder.mkdir(parents=True, exist_ok=True)
    with app_server.running_app(db, folder / "app.log", timeout=60) as url:
        context = browser.new_context(viewport=app_server.VIEWPORT)
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            app_server.sign_in(page, *DEMO_ACCOUNTS["trust_lead"])
            page.locator("input[type=file]").set_input_files(
                files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
            )
            main = app_server.main_area(page)
            main.get_by_text(f"File: {name}", exact=False).wait_for()
            main.get_by_text("Rejected with 2 errors", exact=False).wait_for()
            app_server.wait_until_idle(page)
            app_server.full_page_screenshot(page, folder / "01-hostile-upload.png")
            rows = app_server.grid_rows(main.get_by_test_id("stDataFrame").first)
            cells = [c for row in rows for c in row]
            assert SCRIPT in cells and FORMULA in cells, rows
            injected = page.evaluate(
                "() => [...document.querySelectorAll('script')].filter(s => s.textContent.includes('alert(1)')).length"
            )
            assert injected == 0
            page.wait_for_timeout(500)
            assert dialogs == []
        finally:
            context.close()
