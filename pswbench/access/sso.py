"""Single sign-on: Streamlit's st.login with an OpenID Connect provider (NHS Entra ID or any other).

It is on when `.streamlit/secrets.toml` (or the file `secrets.files` names) has an `[auth]` section;
then it is the only way in. The provider proves who the person is; pswbench decides what they may
see: the `email` claim must name an enabled account in app_user, which gives the role and trust, as
for a password account. Anyone else is refused with a message saying why, and the refusal is
audited ('sign_in_failed', detail {"method": "oidc", "reason": ...}); a sign-in is audited once per
session ('sign_in', {"method": "oidc"}).

The signed-in user is worked out again on every script run from st.user (Streamlit's signed
`_streamlit_user` cookie, which is bound to the browser and read when the session starts) and the
users table, never kept in session state: an account disabled or removed while its session is open
is refused at its next run. A password lockout does not stop single sign-on (the lock is there
against password guessing; the provider has checked the person).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import streamlit as st

from pswbench.access import auth
from pswbench.access.auth import User
from pswbench.app import streamlit_internals

SIGN_IN_LABEL = "Sign in with your NHS account"
NOT_REGISTERED = (
    "Your account {email} is not registered for pswbench. Ask an HEE analyst to add you, "
    "or sign in with a different account."
)
NO_EMAIL = (
    "Your sign-in service did not tell pswbench your email address, so it cannot tell who you are. "
    "Ask your IT team to release the email claim to pswbench."
)
NOT_VERIFIED = (
    "Your sign-in service says the email address {email} is not verified, so pswbench "
    "cannot accept it. Ask your IT team to verify it, or sign in with a different account."
)

# session_state key: the last refusal, shown on the sign-in screen; it never lets anyone in.
_REFUSAL = "_pswbench_sso_refusal"

Recorder = Callable[..., None]  # ui.record_event(con, actor, action, trust_code, detail)


class Refused(Exception):
    """The provider's identity does not give access. message is for the person signing in; reason,
    actor and trust_code go to the audit log."""

    def __init__(self, message: str, reason: str, actor: str, trust_code: str | None = None):
        super().__init__(message)
        self.message, self.reason, self.actor, self.trust_code = message, reason, actor, trust_code


def configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all, or one that is not valid TOML
        return False


def _shown(email: str) -> str:
    """The email as literal text inside Streamlit's markdown (a code span cannot hold a link)."""
    return "`" + "".join(c for c in email if c.isprintable() and c != "`") + "`"


def _false(value) -> bool:
    # Some providers send the claim as the string "false".
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def resolve(con, claims: Mapping) -> User:
    """The enabled user the provider's claims name, or Refused saying why not."""
    email = auth.normalise_email(str(claims.get("email") or ""))[: auth.MAX_EMAIL_LENGTH]
    if not email:
        sub = str(claims.get("sub") or "")[: auth.MAX_EMAIL_LENGTH]
        raise Refused(NO_EMAIL, "no_email", f"(no email; sub {sub})" if sub else "(no email)")
    if _false(claims.get("email_verified")):
        raise Refused(NOT_VERIFIED.format(email=_shown(email)), "email_not_verified", email)
    found = auth.account_for_email(con, email)
    if found is None:
        raise Refused(NOT_REGISTERED.format(email=_shown(email)), "unknown_email", email)
    user, disabled = found
    if disabled:
        raise Refused(auth.DISABLED_MESSAGE, "disabled", email, user.trust_code)
    return user


def _end_streamlit_session() -> None:
    """Sign this session out of st.user without leaving the page, as st.logout does before its
    redirect: the refusal stays on screen, and a reconnecting websocket cannot resume the session
    signed in. The provider's own session is left alone (signing a refused person out of their
    NHS account would sign them out of every other NHS service in that browser)."""
    streamlit_internals.end_user_info()


def signed_in_user(con, record: Recorder) -> User | None:
    """The user signed in through the provider, checked against app_user on this run; None when
    nobody is (after a refusal, which is recorded and shown by sign_in_screen)."""
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return None
    try:
        with con.cursor() as cur:
            user = resolve(cur, claims)
    except Refused as refused:
        record(con, refused.actor, "sign_in_failed", refused.trust_code, {"method": "oidc", "reason": refused.reason})
        st.session_state[_REFUSAL] = refused.message
        _end_streamlit_session()
        return None
    st.session_state.pop(_REFUSAL, None)
    return user


def record_sign_in(con, record: Recorder, user: User) -> None:
    """One sign_in row per sign-in: called as the app hands this browser its session cookie, which
    happens once however many sessions (tabs, reloads) the sign-in then serves."""
    record(con, user.email, "sign_in", user.trust_code, {"method": "oidc"})


def sign_in_screen() -> None:
    """The provider's sign-in button, under the last refusal if there was one; stops the script."""
    problem = streamlit_internals.auth_settings_problem()
    if problem:  # the operator's secrets.toml, said before anyone clicks
        st.error(f"Single sign-on is not set up correctly: {problem} See docs/deployment.md.")
        st.stop()
    refusal = st.session_state.get(_REFUSAL)
    if refusal:
        st.error(refusal)
    st.button(SIGN_IN_LABEL, on_click=st.login, type="primary")
    st.stop()
