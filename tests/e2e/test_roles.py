"""One journey per role in headless Chromium against the running app: sign-in, landing page, menu,
and pages outside the role refused.

"By URL" has two meanings in Streamlit, and both are checked:
* inside a signed-in session, a URL path is resolved by the browser (history navigation, as the
  back/forward buttons do) and the app runs that page: a page outside the role says "Not permitted";
* a full page load opens a new session, signed in by the browser's session cookie: the app runs
  the requested page, and a page outside the role says "Not permitted". Without the cookie (another
  browser) the sign-in screen shows, and after signing in the user is on their landing page (the
  requested path is dropped), never the requested page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers.app_server import main_area, sidebar, sign_in
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

SIGN_IN_TITLE = "pswbench: peer support worker workforce benchmarking"
ALL_MENU = [
    "Overview",
    "Regional comparison",
    "Trust benchmark",
    "Workforce profile",
    "Conditions for peer work",
    "Board snapshot",
    "Upload return",
    "Submissions and data quality",
    "Definitions",
]
DATA = (
    '[data-testid="stDataFrame"], [data-testid="stTable"], [data-testid="stMetric"], .js-plotly-plot, '
    '[data-testid="stDownloadButton"], [data-testid="stFileUploader"]'
)


def heading(page):
    return main_area(page).locator("h1").first


def menu(page) -> list[str]:
    links = sidebar(page).get_by_test_id("stPageLink-NavLink")
    expect(links.first).to_be_visible()
    return [t.strip() for t in links.all_inner_texts()]


def wait_for_page(page, base: str, path: str = "") -> str:
    """Wait until the app shows a page at base/path with a heading, and return the heading text."""
    expect(page).to_have_url(re.compile(re.escape(f"{base}/{path}") + r"$"))
    expect(heading(page)).to_be_visible()
    expect(heading(page)).not_to_have_text(SIGN_IN_TITLE)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    return heading(page).inner_text().strip()


def open_in_session(page, base: str, key: str) -> None:
    """Go to base/key inside the signed-in session, as the browser's back/forward buttons do."""
    page.evaluate(
        "path => { history.pushState({}, '', path); window.dispatchEvent(new PopStateEvent('popstate')); }", f"/{key}"
    )


def expect_not_permitted(page) -> None:
    refusal = main_area(page).get_by_text(re.compile(r"^Not permitted\."))
    expect(refusal).to_be_visible()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    expect(main_area(page).locator(DATA)).to_have_count(0)
    expect(main_area(page).locator("h1")).to_have_count(0)


def expect_landing_from_a_full_load(page, base: str, path: str, role: str, landing_heading: str, shot) -> None:
    """A full load of base/path (a page outside the role) keeps the sign-in and refuses the page; without
    the cookie it opens a signed-out session, and after sign-in the user is on their landing page."""
    page.goto(f"{base}/{path}")
    expect(sidebar(page).get_by_text(f"Signed in as {DEMO_ACCOUNTS[role][0]}")).to_be_visible()
    expect_not_permitted(page)
    shot(f"full-load-{path}-signed-in-refused")
    page.context.clear_cookies()
    page.goto(f"{base}/{path}")
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)
    expect(main_area(page).locator(DATA)).to_have_count(0)
    shot(f"full-load-{path}-sign-in")
    sign_in(page, *DEMO_ACCOUNTS[role])
    assert wait_for_page(page, base) == landing_heading
    expect(main_area(page).get_by_text(re.compile(r"^Not permitted"))).to_have_count(0)
    shot(f"full-load-{path}-landed")


def test_analyst_journey(page, app_url, shot):
    page.goto(app_url)
    expect(heading(page)).to_have_text(SIGN_IN_TITLE)
    shot("sign-in")
    sign_in(page, *DEMO_ACCOUNTS["analyst"])
    landing = wait_for_page(page, app_url)
    assert "peer support workforce" in landing
    expect(main_area(page).locator(".js-plotly-plot").first).to_be_visible()
    shot("landed-overview")
    assert menu(page) == ALL_MENU
    link = sidebar(page).get_by_role("link", name="Submissions and data quality")
    expect(link).to_be_visible()
    link.click()
    submissions = wait_for_page(page, app_url, "submissions")
    assert submissions != landing
    expect(main_area(page).get_by_text(re.compile(r"^Not permitted"))).to_have_count(0)
    shot("submissions")


def test_trust_lead_journey(page, app_url, shot):
    page.goto(app_url)
    sign_in(page, *DEMO_ACCOUNTS["trust_lead"])
    landing = wait_for_page(page, app_url)
    assert re.search("upload", landing, re.I), landing
    shot("landed-upload")
    assert menu(page) == [
        "Trust benchmark",
        "Board snapshot",
        "Upload return",
        "Regional comparison",
        "Overview",
        "Workforce profile",
        "Conditions for peer work",
        "Definitions",
    ]
    expect(sidebar(page).get_by_text("Submissions and data quality")).to_have_count(0)
    # The landing page is the Upload return page: its menu entry is the default page (href "").
    expect(sidebar(page).get_by_role("link", name="Upload return")).to_have_attribute("href", "")
    open_in_session(page, app_url, "upload")
    # The landing page is the default page, which Streamlit shows at the app's root URL.
    assert wait_for_page(page, app_url) == landing

    open_in_session(page, app_url, "submissions")
    expect_not_permitted(page)
    shot("submissions-not-permitted")

    expect_landing_from_a_full_load(page, app_url, "submissions", "trust_lead", landing, shot)


def test_board_journey(page, app_url, shot):
    page.goto(app_url)
    sign_in(page, *DEMO_ACCOUNTS["board"])
    landing = wait_for_page(page, app_url)
    shot("landed-snapshot")
    assert menu(page) == ["Board snapshot", "Definitions"]
    expect(sidebar(page).get_by_role("link", name="Board snapshot")).to_have_attribute("href", "")
    open_in_session(page, app_url, "snapshot")
    # The landing page is the default page, which Streamlit shows at the app's root URL.
    assert wait_for_page(page, app_url) == landing

    for key in ("overview", "upload"):
        open_in_session(page, app_url, key)
        expect_not_permitted(page)
        shot(f"{key}-not-permitted")

    expect_landing_from_a_full_load(page, app_url, "overview", "board", landing, shot)


def test_fresh_server_sign_in_screen_has_no_menu(page, fresh_app_url, shot):
    page.goto(fresh_app_url)
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    shot("fresh-sign-in")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    expect(page.get_by_role("link", name="submissions")).to_have_count(0)
