"""Single sign-on: the provider's claims mapped to a user in app_user (pswbench.access.sso.resolve), and
the app's frame under AppTest with [auth] configured and st.user set as the provider would set it.

The browser test (tests/e2e/test_sso.py) runs the same path through a real OpenID Connect provider.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import uuid
from pathlib import Path

import pytest
from streamlit.runtime.secrets import secrets_singleton
from streamlit.testing.v1.util import patch_config_options

from pswbench.access import auth, sso
from pswbench.access.auth import User
from tests.helpers.apptest_helpers import (
    ACCOUNTS,
    SIGN_IN_TITLE,
    audit_count,
    current_page_key,
    cursor,
    data_elements,
    errors,
    new_app,
    sidebar_links,
)

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-cookie-secret-for-the-unit-tests-only",
    "client_id": "pswbench-unit",
    "client_secret": "unit-secret",
    "server_metadata_url": "https://login.example.nhs.uk/.well-known/openid-configuration",
}
NO_DATA = {"dataframe": 0, "table": 0, "metric": 0, "plotly_chart": 0, "download_button": 0}


# ---- resolve: claims -> user ---------------------------------------------------------------


@pytest.fixture
def con(con):
    """The shared empty database (tests/conftest.py), with the accounts these tests sign in as."""
    c = con
    auth.add_user(c, "lead@nhs.net", "trust_lead", "RX4", None)
    auth.add_user(c, "analyst@nhs.net", "analyst", None, None)
    auth.add_user(c, "gone@nhs.net", "board", "RX4", None)
    auth.set_disabled(c, "gone@nhs.net", True)
    return c


def refusal(con, claims) -> sso.Refused:
    with pytest.raises(sso.Refused) as caught:
        sso.resolve(con, claims)
    return caught.value


def test_the_email_claim_gives_the_role_and_trust_of_the_users_table(con):
    assert sso.resolve(con, {"email": "lead@nhs.net"}) == User("lead@nhs.net", "trust_lead", "RX4")
    assert sso.resolve(con, {"email": "  Analyst@NHS.net "}) == User("analyst@nhs.net", "analyst", None)
    assert sso.resolve(con, {"email": "lead@nhs.net", "email_verified": True}).trust_code == "RX4"


def test_an_unknown_email_is_refused_and_named_literally(con):
    r = refusal(con, {"email": "stranger@nhs.net"})
    assert (r.reason, r.actor, r.trust_code) == ("unknown_email", "stranger@nhs.net", None)
    assert r.message == (
        "Your account `stranger@nhs.net` is not registered for pswbench. Ask an HEE analyst "
        "to add you, or sign in with a different account."
    )
    # Markdown in a claim is shown as text: inside a code span, with no way to close it early.
    r = refusal(con, {"email": "x`[click](https://evil.example)`@nhs.net"})
    assert "`x[click](https://evil.example)@nhs.net`" in r.message


def test_a_disabled_account_is_refused_with_its_trust_for_the_audit(con):
    r = refusal(con, {"email": "gone@nhs.net"})
    assert (r.reason, r.actor, r.trust_code, r.message) == ("disabled", "gone@nhs.net", "RX4", auth.DISABLED_MESSAGE)


@pytest.mark.parametrize("claims", [{}, {"email": ""}, {"email": None, "sub": "abc-123"}])
def test_no_email_claim_is_refused(con, claims):
    r = refusal(con, claims)
    assert r.reason == "no_email" and r.message == sso.NO_EMAIL
    assert r.actor == ("(no email; sub abc-123)" if claims.get("sub") else "(no email)")


@pytest.mark.parametrize("verified", [False, "false", " False "])
def test_an_email_the_provider_has_not_verified_is_refused(con, verified):
    r = refusal(con, {"email": "lead@nhs.net", "email_verified": verified})
    assert (r.reason, r.actor) == ("email_not_verified", "lead@nhs.net")


# ---- the app under AppTest -------------------------------------------------------------------


@pytest.fixture
def sso_configured(demo_app, tmp_path):
    """[auth] in a secrets file the app reads as the live server would (secrets.files), so
    st.secrets, st.user's defaults and Streamlit's own checks all see it; removed afterwards."""
    with secrets_file(tmp_path, AUTH) as path:
        yield path


@contextlib.contextmanager
def secrets_file(tmp_path, auth_section: dict):
    path = tmp_path / "secrets.toml"
    path.write_text("[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in auth_section.items()), encoding="utf-8")
    secrets_singleton._reset()
    try:
        with patch_config_options({"secrets.files": [str(path)]}):
            yield path
    finally:
        secrets_singleton._reset()


def signed_in_as(email: str):
    at = new_app()
    at.user = {"is_logged_in": True, "email": email, "name": "Someone", "sub": f"sub-{email}"}
    return at.run()


def new_user(role: str = "trust_lead", trust: str | None = "RX4") -> str:
    email = f"sso-{uuid.uuid4().hex[:8]}@demo.pswbench.nhs.uk"
    with cursor() as cur:
        auth.add_user(cur, email, role, trust, None, actor="test")
    return email


def assert_signed_out(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert sidebar_links(at) == []
    assert data_elements(at) == NO_DATA
    assert [b.label for b in at.button] == [sso.SIGN_IN_LABEL]
    assert at.text_input.len == 0  # no password form when single sign-on is configured


def test_signed_out_shows_only_the_provider_button(sso_configured):
    assert_signed_out(new_app().run())


@pytest.mark.parametrize("role,landing,trust", [("analyst", "overview", None), ("trust_lead", "upload", "RX4")])
def test_a_demo_user_lands_on_their_page_and_the_sign_in_is_audited_once(sso_configured, role, landing, trust):
    email = ACCOUNTS[role][0]
    before = audit_count("sign_in", email, '%"oidc"%')
    at = signed_in_as(email)
    assert not at.exception, [e.value for e in at.exception]
    assert current_page_key(at) == landing
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert f"Signed in as {email}" in sidebar and ("(RX4)" in sidebar) == (trust == "RX4")
    at.run()
    at.run()
    assert audit_count("sign_in", email, json.dumps({"method": "oidc"})) == before + 1


def test_an_unknown_email_is_refused_audited_and_the_session_signed_out(sso_configured):
    email = f"stranger-{uuid.uuid4().hex[:8]}@elsewhere.nhs.uk"
    at = signed_in_as(email)
    assert_signed_out(at)
    assert errors(at) == [sso.NOT_REGISTERED.format(email=f"`{email}`")]
    assert audit_count("sign_in_failed", email, json.dumps({"method": "oidc", "reason": "unknown_email"})) == 1
    assert not at.user.get("is_logged_in")  # st.user was cleared for the session
    at.run()  # the next run is signed out: the refusal still shown, not recorded again
    assert_signed_out(at)
    assert errors(at) == [sso.NOT_REGISTERED.format(email=f"`{email}`")]
    assert audit_count("sign_in_failed", email) == 1


def test_an_account_disabled_during_its_session_is_refused_at_the_next_run(sso_configured):
    email = new_user()
    at = signed_in_as(email)
    assert current_page_key(at) == "upload"
    with cursor() as cur:
        auth.set_disabled(cur, email, True, actor="test")
    at.run()
    assert_signed_out(at)
    assert errors(at) == [auth.DISABLED_MESSAGE]
    assert audit_count("sign_in_failed", email, json.dumps({"method": "oidc", "reason": "disabled"})) == 1


def test_the_user_comes_from_st_user_not_from_session_state(sso_configured):
    at = new_app()
    at.session_state["user"] = User(ACCOUNTS["analyst"][0], "analyst", None)
    assert_signed_out(at.run())


def test_sign_out_ends_the_streamlit_session(sso_configured):
    at = signed_in_as(ACCOUNTS["analyst"][0])
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    sign_out.click().run()
    assert at.user == {"is_logged_in": False}  # st.logout was called
    assert_signed_out(at.run())


def test_incomplete_auth_settings_say_what_is_missing(demo_app, tmp_path):
    with secrets_file(tmp_path, {k: v for k, v in AUTH.items() if k != "cookie_secret"}):
        at = new_app().run()
        assert not at.exception
        [message] = errors(at)
        assert message.startswith("Single sign-on is not set up correctly:") and "cookie_secret" in message
        assert at.button.len == 0 and sidebar_links(at) == []


def test_the_repos_secrets_file_is_gitignored():
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=root).returncode == 0
