"""Who a script run is signed in as (pswbench.access.browser_session), through AppTest on the demo database:
only a valid cookie signs in (never a user written into session state), the account is checked on
every run, and a change of sign-in or a sign-out leaves nothing of the previous user's state.

AppTest carries no cookies; the app reads its cookie from the AppTest-only seam
(browser_session.APPTEST_COOKIE). The same protections over a real server and browser are in
tests/e2e/test_sessions.py."""

from __future__ import annotations

import uuid

import pytest
from streamlit.runtime import Runtime

from pswbench.access import auth, browser_session, session_cookie
from tests.helpers.apptest_helpers import (
    ACCOUNTS,
    SIGN_IN_TITLE,
    cursor,
    new_app,
    page_file,
    sidebar_links,
    sign_in_as,
    signed_in,
    submit_sign_in,
)


@pytest.fixture(autouse=True)
def app_db(demo_app):
    return demo_app


def on_sign_in_screen(at) -> bool:
    return [t.value for t in at.title] == [SIGN_IN_TITLE] and sidebar_links(at) == [] and "user" not in at.session_state


def own_user(role: str = "trust_lead") -> tuple[str, str]:
    email, password = f"session-{uuid.uuid4().hex[:8]}@demo.pswbench.nhs.uk", "session-test-2026"
    with cursor() as cur:
        auth.add_user(cur, email, role, None if role == "analyst" else "RX4", password, actor="test")
    return email, password


def test_a_user_written_into_session_state_signs_nobody_in():
    """What sign-in was before: st.session_state['user'], which whoever held the session id had."""
    at = new_app()
    at.session_state["user"] = auth.User(ACCOUNTS["analyst"][0], "analyst", None)
    at.run()
    assert not at.exception
    assert on_sign_in_screen(at)


def test_a_cookie_signed_with_another_key_or_expired_signs_nobody_in():
    at = new_app()
    at.session_state[browser_session.APPTEST_COOKIE], _ = session_cookie.issue(
        "another-key" * 6, ACCOUNTS["analyst"][0]
    )
    assert on_sign_in_screen(at.run())
    with cursor() as cur:
        key = session_cookie.signing_key(cur)
    at = new_app()
    at.session_state[browser_session.APPTEST_COOKIE], _ = session_cookie.issue(
        key, ACCOUNTS["analyst"][0], now=1_000_000
    )  # signed in long ago
    assert on_sign_in_screen(at.run())
    at = sign_in_as(new_app(), ACCOUNTS["analyst"][0]).run()
    assert not on_sign_in_screen(at) and at.session_state["user"].email == ACCOUNTS["analyst"][0]


def test_disabling_an_account_signs_it_out_at_its_next_interaction():
    email, password = own_user()
    at = signed_in(email, password)
    with cursor() as cur:
        auth.set_disabled(cur, email, True, actor="test")
    at.run()
    assert not at.exception
    assert on_sign_in_screen(at)
    with cursor() as cur:
        auth.set_disabled(cur, email, False, actor="test")
    at.run()  # enabled again: that sign-in stays ended, so sign in again
    assert on_sign_in_screen(at)
    assert not on_sign_in_screen(submit_sign_in(at, email, password))


def test_sign_out_clears_the_whole_session_state_for_the_next_user():
    at = signed_in(*ACCOUNTS["analyst"])
    at.switch_page(page_file("benchmark")).run()
    at.selectbox(key="trust").select("RMY").run()
    assert at.session_state["trust"] == "RMY"
    at.session_state["anything_else"] = "the analyst's"
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    sign_out.click().run()
    assert not at.exception
    assert on_sign_in_screen(at)
    for key in ("trust", "anything_else", browser_session.APPTEST_COOKIE):
        assert key not in at.session_state, key
    submit_sign_in(at, *ACCOUNTS["trust_lead"])
    assert at.session_state["user"].email == ACCOUNTS["trust_lead"][0]
    assert "trust" not in at.session_state and "anything_else" not in at.session_state


def test_another_sign_in_on_the_same_session_does_not_inherit_its_state():
    at = signed_in(*ACCOUNTS["analyst"])
    at.session_state["anything_else"] = "the analyst's"
    sign_in_as(at, ACCOUNTS["board"][0]).run()
    assert at.session_state["user"].email == ACCOUNTS["board"][0]
    assert "anything_else" not in at.session_state


def test_the_seam_is_only_open_under_apptest(monkeypatch):
    """Only AppTest's stand-in Runtime with global.appTest on opens the seam; a real server (a real
    Runtime, the option off) never reads it."""
    from unittest.mock import MagicMock

    from streamlit import runtime
    from streamlit.testing.v1.util import patch_config_options

    monkeypatch.setattr(runtime, "exists", lambda: True)
    for instance, app_test, opened in [
        (MagicMock(spec=Runtime), True, True),
        (MagicMock(spec=Runtime), False, False),
        (Runtime.__new__(Runtime), True, False),
        (Runtime.__new__(Runtime), False, False),
    ]:
        monkeypatch.setattr(Runtime, "_instance", instance)
        with patch_config_options({"global.appTest": app_test}):
            assert browser_session.under_apptest() is opened, (type(instance), app_test)


def test_a_failed_hand_over_is_explained_on_the_sign_in_screen():
    at = new_app()
    at.query_params["signin"] = "expired"
    at.run()
    assert on_sign_in_screen(at)
    assert [w.value for w in at.warning] == [
        "That sign-in did not finish (its link works once, for a minute, in the browser that signed in). Sign in again."
    ]
    assert "signin" not in at.query_params


@pytest.mark.parametrize(
    "path",
    [
        "/snapshot?trust=RT1",
        "/benchmark",
        "/benchmark?indicator=vacancy_rate&period=2025-09-30",
    ],
)
def test_a_same_site_page_is_a_safe_next(path):
    from pswbench.access import auth

    assert auth.safe_next(path) == path


@pytest.mark.parametrize(
    "path",
    [
        "//evil.example",
        "//evil.example/snapshot",
        "/\\evil.example",
        "https://evil.example/snapshot",
        "evil.example",
        "/_stcore/health",
        "/_pswbench/signed-out",
        "/snapshot/../..//evil.example",
        "/snapshot?x=//evil.example",
        "/snapshot?trust=RT1#frag",
        "/snapshot?trust=RT1\r\nSet-Cookie:x=1",
        "/snapshot?" + "a" * 600,
        "",
        None,
    ],
)
def test_anything_else_is_no_next(path):
    from pswbench.access import auth

    assert auth.safe_next(path) is None


def test_the_requested_page_and_query_become_the_next_path():
    from pswbench.access import auth

    assert auth.requested_next("snapshot", {"trust": "RT1"}) == "/snapshot?trust=RT1"
    assert auth.requested_next("snapshot", {"trust": "R T/1"}) == "/snapshot?trust=R+T%2F1"
    assert auth.requested_next("", {"trust": "RT1"}) is None
