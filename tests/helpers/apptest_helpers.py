"""Helpers for driving app.py with Streamlit's AppTest (in-process, no browser).

The app reads its database from PSWBENCH_DB; test_app_access.py sets it to a demo database built
once per session. The app holds one DuckDB writer connection per process (ui._open, kept by
pswbench.store.process_db), and AppTest runs the app in this process, so the tests read audit_log through
that same connection: a second connection to the file would be refused by DuckDB's lock.
"""

from __future__ import annotations

import ast
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pswbench import paths
from pswbench.paths import ROOT
from tests.helpers.demo_data import DEMO_ACCOUNTS as ACCOUNTS  # the name the AppTest tests use

APP = ROOT / "app.py"
PAGE_KEYS = (
    "overview",
    "regions",
    "benchmark",
    "workforce_profile",
    "conditions",
    "snapshot",
    "upload",
    "submissions",
    "definitions",
)
SIGN_IN_TITLE = "pswbench: peer support worker workforce benchmarking"
TIMEOUT = 60  # seconds per script run: generous, the first run of a page fills the query cache


def _router_files() -> dict[str, str]:
    """app.py's FILES mapping (page key -> script relative to app.py), read without running app.py."""
    for node in ast.parse(APP.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "FILES" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("app.py has no FILES = {...} mapping of page scripts")


def page_file(key: str) -> str:
    """The page's script, relative to app.py (what AppTest.switch_page takes)."""
    return _router_files()[key]


def new_app() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT)


def sign_in_as(at: AppTest, email: str) -> AppTest:
    """Give the AppTest the session cookie a browser signed in as email would hold (signed with the
    app database's key), without going through the form. AppTest carries no cookies, so the app
    reads this one from its AppTest-only seam (pswbench.access.browser_session.APPTEST_COOKIE); the app
    checks it like any cookie, account and all, on every run."""
    from pswbench.access import browser_session, session_cookie

    with cursor() as cur:
        key = session_cookie.signing_key(cur)
    at.session_state[browser_session.APPTEST_COOKIE], _ = session_cookie.issue(key, email)
    return at


def text_input(at: AppTest, label: str):
    matches = [t for t in at.text_input if t.label == label]
    assert len(matches) == 1, f"expected one text input labelled {label!r}, got {[t.label for t in at.text_input]}"
    return matches[0]


def submit_sign_in(at: AppTest, email: str, password: str) -> AppTest:
    """Fill the sign-in form and press "Sign in" (the app must be showing the sign-in screen)."""
    text_input(at, "Email address").input(email)
    text_input(at, "Password").input(password)
    buttons = [b for b in at.button if b.label == "Sign in"]
    assert len(buttons) == 1, f"no single 'Sign in' button: {[b.label for b in at.button]}"
    return buttons[0].click().run()


def signed_in(email: str, password: str) -> AppTest:
    """An AppTest signed in through the real form and sitting on the user's landing page."""
    at = new_app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    submit_sign_in(at, email, password)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, f"sign-in as {email} refused: {[e.value for e in at.error]}"
    assert at.session_state["user"].email == email
    return at


def on_page(role: str, key: str) -> AppTest:
    """Signed in as the demo account for role, then on page key, with no exception on the way."""
    at = signed_in(*ACCOUNTS[role])
    at.switch_page(page_file(key)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def current_page_key(at: AppTest) -> str:
    """The key (file stem) of the page the last run finished on, from st.navigation's registry."""
    info = at._registered_pages.get(at._finished_page_script_hash)
    assert info is not None, "the last run did not finish on a registered page"
    return Path(str(info["script_path"])).stem


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def data_elements(at: AppTest) -> dict[str, int]:
    """How many data-bearing elements the main area shows: tables, metrics, charts, downloads."""
    main = at.main
    return {
        "dataframe": len(main.dataframe),
        "table": len(main.table),
        "metric": len(main.metric),
        "plotly_chart": len(main.get("plotly_chart")),
        "download_button": len(main.download_button),
    }


def sidebar_links(at: AppTest) -> list[str]:
    return [link.value for link in at.sidebar.page_link]


def cursor():
    """A cursor on the app's own writer connection (same process as AppTest)."""
    from pswbench.app import ui

    return ui._open(str(paths.db_path())).cursor()


def audit_count(action: str, actor: str, detail_like: str = "%") -> int:
    with cursor() as cur:
        return cur.execute(
            "SELECT count(*) FROM audit_log WHERE action = ? AND actor = ? AND coalesce(detail, '') LIKE ?",
            [action, actor, detail_like],
        ).fetchone()[0]


def last_audit(actor: str) -> tuple[str, str | None]:
    """(action, detail) of the newest audit_log row for this actor."""
    with cursor() as cur:
        row = cur.execute(
            "SELECT action, detail FROM audit_log WHERE actor = ? ORDER BY audit_id DESC LIMIT 1", [actor]
        ).fetchone()
    assert row is not None, f"no audit_log row for {actor}"
    return row[0], row[1]
