"""The app's frame through AppTest: sign-in, landing pages, menus, page permissions and their audit.

Runs app.py in-process against the synthetic demo database (built once per session). The page
contents are tested elsewhere; here every page only has to open (or refuse) cleanly.
"""

from __future__ import annotations

import json
import uuid

import pytest

from pswbench.access import auth
from tests.helpers.apptest_helpers import (
    ACCOUNTS,
    PAGE_KEYS,
    SIGN_IN_TITLE,
    audit_count,
    current_page_key,
    cursor,
    data_elements,
    errors,
    last_audit,
    new_app,
    page_file,
    sidebar_links,
    signed_in,
    submit_sign_in,
)

# What each role may open, from the service design (not read back from pswbench.access).
PERMITTED = {
    "analyst": set(PAGE_KEYS),
    "trust_lead": {"overview", "regions", "benchmark", "snapshot", "upload", "definitions", "conditions"},
    "board": {"snapshot", "definitions"},
}
LANDING = {"analyst": "overview", "trust_lead": "upload", "board": "snapshot"}
MENU_LABELS = {
    "overview": "Overview",
    "regions": "Regional comparison",
    "benchmark": "Trust benchmark",
    "snapshot": "Board snapshot",
    "upload": "Upload return",
    "submissions": "Submissions and data quality",
    "definitions": "Definitions",
    "conditions": "Conditions for peer work",
}
# ---- demographics (issue 12) ----
PERMITTED["trust_lead"].add("workforce_profile")
MENU_LABELS["workforce_profile"] = "Workforce profile"
NO_DATA = {"dataframe": 0, "table": 0, "metric": 0, "plotly_chart": 0, "download_button": 0}
GENERIC_FAILURE = "The email address or password is not right. Check them and try again."


@pytest.fixture(autouse=True)
def app_db(demo_app):
    return demo_app


def assert_sign_in_screen(at):
    """Still on the sign-in form: nobody in the session, no menu, no data."""
    assert [t.value for t in at.title] == [SIGN_IN_TITLE]
    assert "user" not in at.session_state
    assert sidebar_links(at) == []
    assert data_elements(at) == NO_DATA
    assert [t.label for t in at.text_input] == ["Email address", "Password"]


# ---- sign-in ------------------------------------------------------------------------------------


def test_wrong_password_shows_generic_error_and_no_data():
    email, _ = ACCOUNTS["board"]
    before = audit_count("sign_in_failed", email, '%"wrong_password"%')
    at = submit_sign_in(new_app().run(), email, "not-the-password-1")
    assert not at.exception
    assert errors(at) == [GENERIC_FAILURE]
    assert_sign_in_screen(at)
    assert audit_count("sign_in_failed", email, '%"wrong_password"%') == before + 1


def test_unknown_email_gets_the_same_message_as_a_wrong_password():
    email = f"nobody-{uuid.uuid4().hex[:8]}@nhs.net"
    at = submit_sign_in(new_app().run(), email, "whatever-password")
    assert errors(at) == [GENERIC_FAILURE]
    assert_sign_in_screen(at)
    assert last_audit(email) == ("sign_in_failed", json.dumps({"failed_attempts": 1, "reason": "unknown_email"}))


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_sign_in_is_recorded_and_lands_on_the_role_landing_page(role):
    email, password = ACCOUNTS[role]
    before = audit_count("sign_in", email)
    at = signed_in(email, password)
    assert audit_count("sign_in", email) == before + 1
    assert last_audit(email) == ("sign_in", json.dumps({"method": "password"}))
    assert not at.exception
    assert current_page_key(at) == LANDING[role]
    titles = [t.value for t in at.main.title]
    assert titles and SIGN_IN_TITLE not in titles, titles
    assert not any(e.startswith("Not permitted") for e in errors(at))
    if role == "analyst":
        assert "peer support workforce" in titles[0]


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_sidebar_lists_only_the_role_pages(role):
    at = signed_in(*ACCOUNTS[role])
    assert set(sidebar_links(at)) == {MENU_LABELS[k] for k in PERMITTED[role]}
    assert len(sidebar_links(at)) == len(PERMITTED[role])  # no page listed twice
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown)
    assert f"Signed in as {ACCOUNTS[role][0]}" in sidebar_text


def test_lockout_after_five_failures_refuses_even_the_right_password():
    email, password = f"lockout-{uuid.uuid4().hex[:8]}@demo.pswbench.nhs.uk", "lockout-test-2026"
    with cursor() as cur:  # a user of its own, so the demo accounts are never locked
        auth.add_user(cur, email, "trust_lead", "RX4", password, actor="test")
    at = new_app().run()
    for attempt in range(1, 5):
        submit_sign_in(at, email, f"wrong-password-{attempt}")
        assert errors(at) == [GENERIC_FAILURE], attempt
    submit_sign_in(at, email, "wrong-password-5")
    locked = errors(at)
    assert len(locked) == 1 and locked[0].startswith("This account is locked after 5 failed sign-ins."), locked
    submit_sign_in(at, email, password)  # the right password, while locked
    assert not at.exception
    assert len(errors(at)) == 1 and errors(at)[0].startswith("This account is locked after 5 failed sign-ins.")
    assert_sign_in_screen(at)
    assert audit_count("sign_in_failed", email) == 5
    assert audit_count("sign_in_locked", email) == 1
    assert audit_count("sign_in", email) == 0
    # A new session (another tab) is refused too: the lock is in the database, not the session.
    at2 = submit_sign_in(new_app().run(), email, password)
    assert errors(at2)[0].startswith("This account is locked")
    assert_sign_in_screen(at2)


def test_sign_out_returns_to_the_sign_in_screen():
    at = signed_in(*ACCOUNTS["trust_lead"])
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    sign_out.click().run()
    assert not at.exception
    assert_sign_in_screen(at)


# ---- every page for every role ------------------------------------------------------------------


@pytest.mark.parametrize("role,key", [(r, k) for r in ACCOUNTS for k in PAGE_KEYS])
def test_page_permission(role, key):
    email, password = ACCOUNTS[role]
    at = signed_in(email, password)
    refusals = f'%"page:{key}"%'
    before = audit_count("not_permitted", email, refusals)
    at.switch_page(page_file(key)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert current_page_key(at) == key
    not_permitted = [e for e in errors(at) if e.startswith("Not permitted.")]
    if key in PERMITTED[role]:
        assert not not_permitted
        assert audit_count("not_permitted", email, refusals) == before
        assert at.main.title, "a permitted page shows its title"
    else:
        assert not_permitted == errors(at) and len(not_permitted) == 1
        assert data_elements(at) == NO_DATA
        assert not at.main.title and not at.main.selectbox
        assert audit_count("not_permitted", email, refusals) == before + 1
        assert last_audit(email)[0] == "not_permitted"
    # The frame stays: the menu still lists only the role's pages.
    assert set(sidebar_links(at)) == {MENU_LABELS[k] for k in PERMITTED[role]}
