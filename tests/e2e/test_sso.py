"""Single sign-on end to end: a real OpenID Connect provider on localhost, the app configured for it,
and headless Chromium signing in through the provider's own login page.

The provider is oidc-provider-mock (Authlib's OpenID Connect server in a Flask app, run in this
process): its login page takes a subject, and the ID token it issues carries that subject as the
`email` claim. The app runs as `make run` runs it, on its own copy of the demo database, with a
secrets.toml written to a temporary folder and named by STREAMLIT_SECRETS_FILES (the repo's
.streamlit/ holds no secrets). The audit rows are read after the app process has exited.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import duckdb
import oidc_provider_mock
import pytest
from playwright.sync_api import expect

from pswbench.paths import ROOT
from tests.helpers import app_server
from tests.helpers.app_server import main_area, sidebar, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
SIGN_IN_BUTTON = "Sign in with your NHS account"
ANALYST_MENU = [
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
WAIT = 30_000  # ms: a first page load on a busy 2-core machine can take well over expect's 5 s
LEAD_MENU = [
    "Overview",
    "Regional comparison",
    "Trust benchmark",
    "Workforce profile",
    "Conditions for peer work",
    "Board snapshot",
    "Upload return",
    "Definitions",
]


@pytest.fixture(scope="module")
def provider() -> str:
    """The OpenID Connect provider's issuer URL (any client id and secret are accepted)."""
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def write_secrets(folder: Path, app_port: int, issuer: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "pswbench-e2e"\n'
        f'client_secret = "{secrets.token_urlsafe(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "pswbench", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (done.stdout, done.stderr)
    return done.stdout


@contextlib.contextmanager
def sso_app(db: Path, issuer: str, folder: Path, name: str):
    """The app on db with single sign-on through issuer; yields its base URL, stops it after."""
    port = app_server.free_port()
    secrets_file = write_secrets(folder, port, issuer)
    with app_server.running_app(
        db, ARTIFACTS / f"sso-{name}-app.log", port=port, timeout=60, env={"STREAMLIT_SECRETS_FILES": str(secrets_file)}
    ) as url:
        yield url


def sign_in_with_provider(page, url: str, issuer: str, email: str) -> None:
    """From the app's sign-in screen through the provider's login page and back to the app."""
    page.goto(url)
    button = main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)
    expect(button).to_be_visible(timeout=WAIT)
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)  # single sign-on is the only way in
    button.click()
    expect(page).to_have_url(re.compile("^" + re.escape(f"{issuer}/oauth2/authorize")), timeout=WAIT)
    page.get_by_placeholder("sub").fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page).to_have_url(re.compile("^" + re.escape(url)), timeout=WAIT)


def audit_rows(db: Path) -> list[tuple[str, str, str | None, dict]]:
    """(actor, action, trust_code, detail) of every single sign-on event, oldest first. Only once the
    app process has exited (it holds the database while it runs)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "SELECT actor, action, trust_code, detail FROM audit_log WHERE detail LIKE '%\"oidc\"%' ORDER BY audit_id"
        ).fetchall()
    return [(actor, action, trust, json.loads(detail)) for actor, action, trust, detail in rows]


def menu(page) -> list[str]:
    links = sidebar(page).get_by_test_id("stPageLink-NavLink")
    expect(links.first).to_be_visible(timeout=WAIT)
    return [t.strip() for t in links.all_inner_texts()]


def auth_cookies(page) -> list[str]:
    return [c["name"] for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]


@pytest.mark.parametrize(
    "role,landing,role_line,expected_menu",
    [
        ("analyst", "peer support workforce", "Role: analyst", ANALYST_MENU),
        ("trust_lead", "Upload a quarterly return", "Role: trust lead (RX4)", LEAD_MENU),
    ],
)
def test_a_demo_user_signs_in_through_the_provider_with_their_role_and_trust(
    page, provider, own_db, tmp_path, shot, role, landing, role_line, expected_menu
):
    email = DEMO_ACCOUNTS[role][0]
    with sso_app(own_db, provider, tmp_path, role) as url:
        sign_in_with_provider(page, url, provider, email)
        expect(sidebar(page).get_by_text(f"Signed in as {email}")).to_be_visible(timeout=WAIT)
        expect(sidebar(page).get_by_text(role_line)).to_be_visible(timeout=WAIT)
        expect(main_area(page).locator("h1").first).to_contain_text(landing, timeout=WAIT)
        wait_until_idle(page)
        assert sorted(menu(page)) == sorted(expected_menu)
        shot(f"{role}-signed-in")
        # Streamlit's identity cookie is what binds the sign-in to this browser: a reload (a new
        # session) is still signed in, because the app derives the user from it on every run.
        page.reload()
        expect(sidebar(page).get_by_text(f"Signed in as {email}")).to_be_visible(timeout=WAIT)
        wait_until_idle(page)
    rows = audit_rows(own_db)
    trust = None if role == "analyst" else "RX4"
    # One row for the sign-in, recorded as the browser is handed its session cookie: the reload and the
    # runs in between reuse that sign-in and record nothing.
    assert rows == [(email, "sign_in", trust, {"method": "oidc"})], rows


def test_an_unknown_email_is_refused_audited_and_left_signed_out(page, provider, own_db, tmp_path, shot):
    email = "stranger@elsewhere.nhs.uk"
    with sso_app(own_db, provider, tmp_path, "unknown") as url:
        sign_in_with_provider(page, url, provider, email)
        refusal = main_area(page).get_by_test_id("stAlertContentError")
        expect(refusal).to_have_text(
            f"Your account {email} is not registered for pswbench. Ask an HEE analyst "
            "to add you, or sign in with a different account.",
            timeout=WAIT,
        )
        wait_until_idle(page)
        shot("unknown-refused")
        expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)
        expect(sidebar(page).get_by_test_id("stPageLink-NavLink")).to_have_count(0)
        # The session is signed out of st.user: the sign-in button is back, and a page opened by
        # URL inside the session shows only the sign-in screen.
        expect(main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible(timeout=WAIT)
        page.evaluate(
            "() => { history.pushState({}, '', '/overview'); window.dispatchEvent(new PopStateEvent('popstate')); }"
        )
        wait_until_idle(page)
        expect(main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible(timeout=WAIT)
        expect(
            main_area(page).locator('[data-testid="stDataFrame"], .js-plotly-plot, [data-testid="stMetric"]')
        ).to_have_count(0)
    rows = audit_rows(own_db)
    assert rows == [(email, "sign_in_failed", None, {"method": "oidc", "reason": "unknown_email"})], rows
    assert not [r for r in rows if r[1] == "sign_in"]


def test_a_disabled_account_is_refused_and_audited(page, provider, own_db, tmp_path, shot):
    email = DEMO_ACCOUNTS["board"][0]
    cli("users", "disable", email, "--db", str(own_db))
    with sso_app(own_db, provider, tmp_path, "disabled") as url:
        sign_in_with_provider(page, url, provider, email)
        expect(main_area(page).get_by_test_id("stAlertContentError")).to_have_text(
            "This account has been disabled. Ask an HEE analyst if you need access.", timeout=WAIT
        )
        wait_until_idle(page)
        shot("disabled-refused")
        expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)
        expect(main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible(timeout=WAIT)
        expect(main_area(page).locator("h1")).to_have_text(["pswbench: peer support worker workforce benchmarking"])
    rows = audit_rows(own_db)
    assert rows == [(email, "sign_in_failed", "RX4", {"method": "oidc", "reason": "disabled"})], rows


def test_sign_out_ends_the_app_session_and_the_provider_session(page, provider, own_db, tmp_path, shot):
    email = DEMO_ACCOUNTS["analyst"][0]
    with sso_app(own_db, provider, tmp_path, "sign-out") as url:
        sign_in_with_provider(page, url, provider, email)
        expect(sidebar(page).get_by_text(f"Signed in as {email}")).to_be_visible(timeout=WAIT)
        wait_until_idle(page)
        assert auth_cookies(page), page.context.cookies()
        sidebar(page).get_by_role("button", name="Sign out").click()
        # Streamlit sends the browser to the provider's end_session_endpoint with the ID token.
        expect(page).to_have_url(re.compile("^" + re.escape(f"{provider}/oauth2/end_session")), timeout=WAIT)
        assert "id_token_hint=" in page.url
        assert auth_cookies(page) == []  # the app's identity cookie is gone already
        shot("provider-end-session")
        page.get_by_role("button", name="End session").click()
        expect(main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible(timeout=WAIT)
        page.goto(url)  # a new session in the same browser is signed out too
        expect(main_area(page).get_by_role("button", name=SIGN_IN_BUTTON)).to_be_visible(timeout=WAIT)
        expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)
        shot("signed-out")
    assert [r[1] for r in audit_rows(own_db)] == ["sign_in"]
