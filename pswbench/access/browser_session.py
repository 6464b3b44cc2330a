"""Who is signed in on this script run, from the signed cookie of the connection that asked for it.

Streamlit keeps a session by its id, and whoever opens the websocket with that id is attached to
the session (the id is in every upload URL). So nothing in st.session_state says who is signed in:
every script run reads the pswbench_session cookie that came with the *current* connection's
handshake (st.context.cookies follows the connection: a reconnect with another client's id brings
that client's cookies, tests/e2e/test_sessions.py), checks it (pswbench.access.session_cookie: signature,
idle and absolute limits; session_registry: not signed out) and checks on the run's own connection
(the writer's database, or a viewer's snapshot) that the account still exists and is enabled, so
`users disable` takes effect at the user's next interaction.

When the sign-in behind a session changes (signed out, expired, disabled, or another browser on
the session's id) the whole session state is dropped, with the session's media and dataframe
sources, so nothing of the previous user's choices reaches the next one.

Signing in: the form (or OIDC) proves who it is; begin() mints a one-time token and sends the
browser to the sign-in route (pswbench.app.web), which sets the cookie and reloads the app.

AppTest runs scripts without a browser or a server, so it cannot carry cookies. Under AppTest only
(Streamlit's global.appTest option on AND a stand-in Runtime, which `streamlit run` and
`python -m pswbench.app.server` never have) the cookie is read from st.session_state[APPTEST_COOKIE]
instead, and begin() puts a freshly signed cookie there. Everything else (signature, limits,
account checks) is the same code.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote

import streamlit as st

from pswbench import paths
from pswbench.access import auth, permissions, session_cookie
from pswbench.access.auth import User
from pswbench.access.session_registry import REGISTRY
from pswbench.app import streamlit_internals

log = logging.getLogger(__name__)

APPTEST_COOKIE = "_pswbench_apptest_cookie"
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's XSRF cookie: ties a hand-over token to a browser
SIGNED_IN_PATH = "_pswbench/signed-in"  # web.py's routes, under server.baseUrlPath
SIGN_OUT_PATH = "_pswbench/sign-out"
_STATE_SID = "_pswbench_signin"  # session_state: the sign-in this session's state belongs to
_UNSET = object()
# Set by pswbench.app.web while this process serves the app through its Guard; sign-in is refused without it.
GUARD_INSTALLED = threading.Event()


def under_apptest() -> bool:
    return streamlit_internals.under_apptest()


def signing_key(con) -> str | None:
    db = str(paths.db_path())
    key = REGISTRY.key(db)
    if key is None:
        with con.cursor() as cur:
            key = session_cookie.signing_key(cur)
        if key:
            REGISTRY.remember_key(db, key)
    return key


def _cookie_value() -> str | None:
    if under_apptest():
        return st.session_state.get(APPTEST_COOKIE)
    return st.context.cookies.get(session_cookie.NAME)


def _verify(con) -> tuple[User | None, session_cookie.Claims | None]:
    value = _cookie_value()
    if not value:
        return None, None
    key = signing_key(con)
    if key is None:
        return None, None
    try:
        claims = REGISTRY.check(key, value)
    except session_cookie.Refused as exc:
        log.info("session cookie refused: %s", exc)
        return None, None
    with con.cursor() as cur:
        user = auth.user_for_email(cur, claims.email)  # None when the account is gone or disabled
    if user is None:
        REGISTRY.revoke(claims)  # enabling the account again later does not revive this sign-in here
        return None, None
    REGISTRY.touch(claims.sid)
    return user, claims


def user_for_run(con, memo=None) -> User | None:
    """The signed-in user of this script run (None: show the sign-in screen). memo: an object that
    lives for this run, so the checks run once however many times a run asks."""
    found = getattr(memo, "_pswbench_user", _UNSET)
    if found is not _UNSET:
        return found
    if not under_apptest():
        if not GUARD_INSTALLED.is_set():
            st.error(
                "This app must be started with `python -m pswbench.app.server run app.py` (what `make run` "
                "does): plain `streamlit run` has none of the session protections, so nobody can sign in."
            )
            st.stop()
    user, claims = _verify(con)
    _bind_session(user, claims)
    try:
        memo._pswbench_user = user
    except AttributeError:  # no per-run object (outside a script run): check every time
        pass
    return user


def _bind_session(user: User | None, claims: session_cookie.Claims | None) -> None:
    session_id = streamlit_internals.session_id()
    sid = claims.sid if claims else None
    previous = st.session_state.get(_STATE_SID)
    if previous is not None and previous != sid:
        _forget_session(session_id)
    if claims is None:
        st.session_state.pop("user", None)
        REGISTRY.unbind(session_id)
        return
    st.session_state[_STATE_SID] = sid
    st.session_state["user"] = user  # a copy for display and tests; never read to decide who is in
    REGISTRY.bind(session_id, sid)


def _forget_session(session_id: str) -> None:
    """Drop everything this session holds from an earlier sign-in."""
    keep = st.session_state.get(APPTEST_COOKIE) if under_apptest() else None
    st.session_state.clear()
    if keep is not None:
        st.session_state[APPTEST_COOKIE] = keep
    if not under_apptest():
        streamlit_internals.forget_session_files(session_id)


def begin(user: User, con) -> None:
    """After the form or OIDC has proved who this is: give the browser its cookie. Never returns."""
    key = signing_key(con)
    if key is None:
        st.error(
            "Sign-in is not possible here yet: this viewer's snapshot has no session key. "
            "Start the writer (it publishes one at start), then try again."
        )
        st.stop()
    if under_apptest():
        st.session_state[APPTEST_COOKIE], _ = session_cookie.issue(key, user.email)
        st.rerun()
    token = REGISTRY.mint(user.email, st.context.cookies.get(XSRF_COOKIE))
    # The page a shared link asked for (app.py keeps it while the sign-in screen shows); web.signed_in checks it again.
    wanted = auth.safe_next(st.session_state.get(auth.NEXT_KEY))
    if wanted and wanted.split("?")[0].strip("/") not in permissions.PAGES_BY_ROLE.get(user.role, ()):
        wanted = None  # a page this role may not open: land on the role's own page, not on "Not permitted"
    _redirect(f"{SIGNED_IN_PATH}?token={token}" + (f"&{auth.NEXT_PARAM}={quote(wanted, safe='')}" if wanted else ""))
    st.info("Signed in. Opening your page...")
    st.stop()


HAND_OVER_FAILED = "signin"  # query parameter the sign-in route adds when a token did not work


def explain_failed_hand_over() -> None:
    """On the sign-in screen: say so when the browser came back from a token that did not work."""
    if st.query_params.get(HAND_OVER_FAILED) == "expired":
        st.warning(
            "That sign-in did not finish (its link works once, for a minute, in the browser that "
            "signed in). Sign in again."
        )
        del st.query_params[HAND_OVER_FAILED]


def sign_out(con, oidc: bool) -> None:
    """End this sign-in: in this process at once (every tab of it), the browser's cookie next, and
    all of this session's state. oidc: also sign out of Streamlit's OIDC identity (st.logout)."""
    value = _cookie_value()
    key = signing_key(con)
    if value and key:
        try:
            REGISTRY.revoke(REGISTRY.check(key, value))
        except session_cookie.Refused:
            pass
    session_id = streamlit_internals.session_id()
    _forget_session(session_id)
    st.session_state.pop(APPTEST_COOKIE, None)
    REGISTRY.unbind(session_id)
    if oidc:
        st.logout()  # Streamlit's route clears its cookie; web.Guard clears ours on the same request
    elif not under_apptest():
        _redirect(SIGN_OUT_PATH)


def owner_of_run() -> tuple[str, str | None] | None:
    """(Streamlit session id, sign-in id) of the script run on this thread, None outside a run."""
    session_id = streamlit_internals.session_id()
    if session_id is None:
        return None
    return session_id, REGISTRY.bound_sid(session_id)


def _redirect(path: str) -> None:
    """Send the browser to path under the app's base URL (Streamlit's own auth_redirect message)."""
    streamlit_internals.send_redirect(streamlit_internals.url_path(path))
