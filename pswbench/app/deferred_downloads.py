"""Deferred downloads (st.download_button given a callable) made only for the session, and the
sign-in, that rendered the button.

Streamlit serves a deferred download by an id: any session that sends the id in a download request
gets the callable run and its file. So every callable is wrapped as it is registered with the
session and sign-in of the script run rendering it (browser_session.owner_of_run), and the wrapped
callable runs only when the request that asks for it came on a connection of that session with
that sign-in's valid cookie, and the account is still enabled. The guard (pswbench.app.web) records
each request's session and cookie in a context variable as the message arrives; asyncio copies it
into the task and the worker thread that run the callable, so it cannot leak into another
request. Anything else (no request recorded, a run nobody was signed in to) is refused.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from pswbench.access import auth, browser_session
from pswbench.access.session_cookie import Claims
from pswbench.store import process_db


@dataclass(frozen=True)
class Request:
    session_id: str
    claims: Claims


_ASKED: contextvars.ContextVar[Request | None] = contextvars.ContextVar("pswbench_download_request", default=None)


class Refused(PermissionError):
    pass


def asked_by(session_id: str | None, claims: Claims | None = None) -> contextvars.Token:
    """Record who the message being handled came from (None: nobody who may download)."""
    return _ASKED.set(Request(session_id, claims) if session_id and claims else None)


def _account_enabled(email: str) -> bool:
    with process_db.current().cursor() as cur:
        return auth.user_for_email(cur, email) is not None


def owned(make, owner: tuple[str, str | None] | None):
    """make, runnable only for owner (Streamlit session id, sign-in id)."""

    def make_for_owner():
        asked = _ASKED.get()
        if owner is None or owner[1] is None or asked is None:
            raise Refused("a download made outside a signed-in run, or asked for outside the guard")
        if asked.session_id != owner[0] or asked.claims.sid != owner[1]:
            raise Refused("this download belongs to another session")
        if not _account_enabled(asked.claims.email):
            raise Refused("the account is disabled")
        return make()

    return make_for_owner


def guard(media_file_mgr) -> None:
    """Wrap every deferred download's callable as Streamlit's media manager registers it."""
    add_deferred = media_file_mgr.add_deferred
    if getattr(add_deferred, "pswbench_guarded", False):
        return

    def guarded(data_callable, *args, **kwargs):
        return add_deferred(owned(data_callable, browser_session.owner_of_run()), *args, **kwargs)

    guarded.pswbench_guarded = True
    media_file_mgr.add_deferred = guarded
