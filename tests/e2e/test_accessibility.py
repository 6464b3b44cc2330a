"""WCAG 2.2 AA checked by a real tool: axe-core, run in headless Chromium on every page each role can
open, and on the sign-in screen, against the running app. Any violation fails, contrast included.

axe-core is pinned in package-lock.json and installed by `make chromium` (`npm ci`); its script is
injected into each page once Streamlit has finished the run and every plotly chart has drawn.
Nothing is excluded from the run: a rule that fails in Streamlit's own markup has to be fixed by the
app's theme or CSS, or written up here with a reason next to an exclusion.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pswbench.access.permissions import PAGES_BY_ROLE
from pswbench.paths import ROOT
from tests.helpers.app_server import full_page_screenshot, main_area, open_in_session, sign_in, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SETTLE_MS = 800  # after the last chart has drawn: plotly's transitions and Streamlit's fade-ins

RUN_AXE = """async tags => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
    }));
}"""


# axe-core does not check the contrast of SVG text, and plotly draws every label as SVG text: this
# does, as axe does for HTML (WCAG 1.4.3: 4.5:1, or 3:1 at 24 px or 18.7 px bold), each text against
# the chart's paper, its annotation box, or every colour of each bar it is drawn over.
SVG_TEXT_CONTRAST = (Path(__file__).parent / "svg_text_contrast.js").read_text()


# True once the page's elements and drawn charts have not changed for 700 ms and no run is going on.
SETTLED = """() => {
    const running = [...document.querySelectorAll('[data-testid="stStatusWidget"]')].some(e => e.offsetParent);
    const now = [document.querySelectorAll('[data-testid="stElementContainer"]').length,
                 document.querySelectorAll('.js-plotly-plot .main-svg').length, running].join();
    if (window.__settled !== now) { window.__settled = now; window.__since = Date.now(); return false; }
    return !running && Date.now() - window.__since > 700;
}"""


def wait_until_drawn(page, timeout: float = 60_000) -> None:
    """The script run has finished, the page has stopped changing and every plotly chart on it has drawn."""
    wait_until_idle(page, timeout)
    page.wait_for_function(SETTLED, timeout=timeout, polling=100)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].every(p => p.querySelector('.main-svg'))",
        timeout=timeout,
    )
    page.wait_for_timeout(SETTLE_MS)


def axe_violations(page) -> list[dict]:
    if not AXE_JS.is_file():
        raise FileNotFoundError(f"{AXE_JS} is missing: run `make chromium` (it runs `npm ci` for axe-core)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def svg_text_contrast(page) -> list[dict]:
    return page.evaluate(SVG_TEXT_CONTRAST)


def describe_svg(where: str, failures: list[dict]) -> list[str]:
    return [
        f"{where}: chart text contrast {f['ratio']}:1 < {f['need']}:1 in '{f['chart']}': '{f['text']}' "
        f"({f['size']:.0f} px, {f['colour']} on {f['background']})"
        for f in failures
    ]


def describe(where: str, violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        lines.append(f"{where}: {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}\n        {summary}")
    return lines


def open_page(page, base: str, key: str, landing: str) -> None:
    open_in_session(page, f"/{key}")
    path = "" if key == landing else key
    expect(page).to_have_url(re.compile(re.escape(f"{base}/{path}") + r"$"))
    expect(main_area(page).locator("h1").first).to_be_visible()
    expect(main_area(page).get_by_text(re.compile(r"^Not permitted"))).to_have_count(0)
    wait_until_drawn(page)


def test_sign_in_screen_has_no_axe_violations(page, app_url):
    page.goto(app_url)
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    wait_until_drawn(page)
    found = describe("sign-in", axe_violations(page))
    assert not found, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(found)


LANDING = {"analyst": "overview", "trust_lead": "upload", "board": "snapshot"}


# A second state of a page that draws something the first does not: (page key, radio option to pick).
SECOND_STATES = {"submissions": "Every upload so far"}  # the findings-by-rule chart (none this quarter)


def check(page, where: str) -> list[str]:
    """axe-core and the chart-text contrast check on the page as it is, then with every expander open
    (the tables behind the charts)."""
    found = describe(where, axe_violations(page)) + describe_svg(where, svg_text_contrast(page))
    closed = main_area(page).locator('[data-testid="stExpander"] details:not([open]) > summary')
    if closed.count():
        for _ in range(closed.count()):
            closed.nth(0).click()  # an opened one leaves the list
        wait_until_drawn(page)
        where = f"{where} (expanders open)"
        found += describe(where, axe_violations(page)) + describe_svg(where, svg_text_contrast(page))
    return found


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
def test_every_page_of_the_role_has_no_axe_violations(page, app_url, role, shot):
    page.goto(app_url)
    sign_in(page, *DEMO_ACCOUNTS[role])
    found = []
    for key in PAGES_BY_ROLE[role]:
        open_page(page, app_url, key, LANDING[role])
        found += check(page, f"{role} /{key}")
        shot(key)
        if key in SECOND_STATES:
            main_area(page).get_by_text(SECOND_STATES[key], exact=True).click()
            wait_until_drawn(page)
            found += check(page, f"{role} /{key} ({SECOND_STATES[key]})")
            shot(f"{key}-second-state")
    assert not found, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(found)


PHONE = {"width": 390, "height": 844}  # an iPhone's screen in CSS pixels


def test_board_snapshot_on_a_phone(browser, app_url, request):
    """At 390 px the page title leaves room for the page, no sparkline is covered by plotly's mode bar
    when a finger (here the mouse) is on it, and axe finds nothing."""
    context = browser.new_context(viewport=PHONE, has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        page.goto(app_url)
        sign_in(page, *DEMO_ACCOUNTS["board"])
        title = main_area(page).locator("h1").first
        expect(title).to_contain_text("compare?")
        wait_until_drawn(page)
        folder = ROOT / "artifacts" / "e2e" / request.node.name
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "snapshot-390-first-screen.png"))
        box = title.bounding_box()
        assert box["y"] + box["height"] < PHONE["height"] / 2, f"the title takes the first screen: {box}"
        sparklines = main_area(page).locator(".js-plotly-plot")
        expect(sparklines.nth(7)).to_be_attached()  # the snapshot's cards each have one
        for i in (0, sparklines.count() - 1):
            spark = sparklines.nth(i)
            spark.scroll_into_view_if_needed()
            spark.hover()
            page.wait_for_timeout(300)
            expect(spark.locator(".modebar")).to_have_count(0)
        found = check(page, "board /snapshot at 390 px")
        full_page_screenshot(page, folder / "snapshot-390.png")
    finally:
        context.close()
    assert not found, "axe-core found WCAG 2.2 AA violations:\n" + "\n".join(found)
