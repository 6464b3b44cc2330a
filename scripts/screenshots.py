"""Save README screenshots of the main pages, one role at a time, into docs/screenshots/.

Builds a fresh synthetic demo database in a temporary folder, starts the app on it (as the browser
tests do), signs in as each demo account and saves full-page PNGs at 1400x1000 once each page's
charts have drawn. Run with `make screenshots` (needs Debian's chromium).
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

from tests.helpers import app_server, demo_data
from tests.helpers.app_server import VIEWPORT, main_area, sign_in
from tests.helpers.demo_data import DEMO_ACCOUNTS

OUT = app_server.ROOT / "docs" / "screenshots"
SHOTS = {  # role -> pages (url keys) to capture, in order
    "analyst": ("overview", "regions", "benchmark", "workforce_profile", "conditions", "submissions"),
    "trust_lead": ("upload", "benchmark", "workforce_profile", "conditions"),
    "board": ("snapshot",),
}
ROLE_SLUG = {"analyst": "analyst", "trust_lead": "trust-lead", "board": "board"}
# Extra shots: (role, page, indicator label to pick, file suffix), e.g. the funnel plot of a rate.
PICKED = (("analyst", "benchmark", "Sickness absence rate", "funnel"),)
SETTLE_MS = 1500  # after the last chart appears, for plotly's transitions and fonts


def wait_until_drawn(page, timeout: float = 60_000) -> None:
    """Wait for the script run to finish, the heading to show and every plotly chart to draw."""
    main = main_area(page)
    main.locator("h1").first.wait_for(timeout=timeout)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=timeout)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
        timeout=timeout,
    )
    page.wait_for_timeout(SETTLE_MS)


def capture(page, base: str, role: str, key: str) -> Path:
    page.evaluate(
        "path => { history.pushState({}, '', path); window.dispatchEvent(new PopStateEvent('popstate')); }", f"/{key}"
    )
    page.wait_for_url(re.compile(re.escape(f"{base}/{key}") + "$"))
    wait_until_drawn(page)
    refused = main_area(page).get_by_text(re.compile(r"^Not permitted"))
    if refused.count():
        raise RuntimeError(f"{role} was refused the {key} page")
    path = OUT / f"{ROLE_SLUG[role]}-{key}.png"
    app_server.full_page_screenshot(page, path)
    return path


def capture_with_indicator(page, base: str, role: str, key: str, label: str, suffix: str) -> Path:
    """The page with another indicator picked in its Indicator selectbox."""
    capture(page, base, role, key)
    main = main_area(page)
    main.get_by_label("Indicator", exact=True).first.click()
    page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_timeout(500)
    wait_until_drawn(page)
    path = OUT / f"{ROLE_SLUG[role]}-{key}-{suffix}.png"
    app_server.full_page_screenshot(page, path)
    return path


def main() -> int:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pswbench-shots-") as tmp:
        db = demo_data.build_demo_db(Path(tmp) / "demo.duckdb")
        with app_server.running_app(db, Path(tmp) / "app.log") as base, sync_playwright() as playwright:
            browser = app_server.launch_chromium(playwright)
            try:
                for role, keys in SHOTS.items():
                    context = browser.new_context(viewport=VIEWPORT)
                    page = context.new_page()
                    page.goto(base)
                    sign_in(page, *DEMO_ACCOUNTS[role])
                    wait_until_drawn(page)
                    for key in keys:
                        print(capture(page, base, role, key).relative_to(app_server.ROOT))
                    for who, key, label, suffix in PICKED:
                        if who == role:
                            shot = capture_with_indicator(page, base, role, key, label, suffix)
                            print(shot.relative_to(app_server.ROOT))
                    context.close()
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
