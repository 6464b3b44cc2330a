"""What one app process remembers about sign-ins, beside the cookies themselves.

* Hand-over tokens. A script run cannot set a cookie (it talks to the browser over the websocket),
  so a successful sign-in mints a one-time token and sends the browser to the sign-in route
  (pswbench.app.web), which swaps it for the cookie. A token lasts TOKEN_SECONDS, works once, and only
  for the browser whose Streamlit XSRF cookie was on the websocket that signed in.
* Signed-out sign-ins (and those found disabled), until their cookie would have expired anyway,
  so a copy of the cookie is refused here after sign-out. Other processes learn nothing of it: there a
  copy stays good until its idle limit (session_cookie.IDLE) runs out; `users disable` ends it everywhere.
* The last activity of each sign-in (a script run, an HTTP request), for the idle limit: a user
  busy in one tab for hours is not signed out when they reload, though the cookie's own `seen`
  stamp only moves on HTTP requests.
* Which sign-in each Streamlit session is signed in as, set on every script run from the
  connection's cookie; the upload route and the websocket guard check a request against it, so a
  session's id alone (it is in every upload URL) lets nobody upload into it or act for it.
* The cookie key of each database, read once.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from pswbench.access import session_cookie
from pswbench.access.session_cookie import Claims

TOKEN_SECONDS = 60
_PRUNE_EVERY = 60


@dataclass(frozen=True)
class _Token:
    email: str
    binding: str | None
    expires: float


class Registry:
    def __init__(self):
        self._lock = threading.Lock()
        self._tokens: dict[str, _Token] = {}
        self._revoked: dict[str, float] = {}  # sid -> when its cookie expires anyway
        self._activity: dict[str, float] = {}  # sid -> last activity (Unix seconds)
        self._bound: dict[str, tuple[str, float]] = {}  # Streamlit session id -> (sid, when bound)
        self._keys: dict[str, str] = {}
        self._pruned = 0.0

    # ---- hand-over tokens ------------------------------------------------------------------

    def mint(self, email: str, binding: str | None, now: float | None = None) -> str:
        now = time.time() if now is None else now
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._prune(now)
            self._tokens[token] = _Token(email, binding, now + TOKEN_SECONDS)
        return token

    def redeem(self, token: str, binding: str | None, now: float | None = None) -> str | None:
        """The email the token was minted for, once; None when unknown, used, expired or bound
        to another browser."""
        now = time.time() if now is None else now
        with self._lock:
            found = self._tokens.pop(token, None)
        if found is None or found.expires < now:
            return None
        if found.binding is not None and not secrets.compare_digest(found.binding, binding or ""):
            return None
        return found.email

    # ---- checking a cookie -----------------------------------------------------------------

    def check(self, key: str, value: str, now: float | None = None) -> Claims:
        """session_cookie.decode with this process's activity and sign-outs; raises Refused."""
        claims = session_cookie.decode(key, value, now=now, last_activity=self.last_activity)
        with self._lock:
            if claims.sid in self._revoked:
                raise session_cookie.Refused("signed out")
        return claims

    def touch(self, sid: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self._prune(now)
            self._activity[sid] = max(now, self._activity.get(sid, 0))

    def last_activity(self, sid: str) -> float | None:
        with self._lock:
            return self._activity.get(sid)

    def revoke(self, claims: Claims) -> None:
        with self._lock:
            self._revoked[claims.sid] = claims.expires()
            self._activity.pop(claims.sid, None)
            for session_id, (sid, _) in list(self._bound.items()):
                if sid == claims.sid:
                    del self._bound[session_id]

    # ---- Streamlit sessions ----------------------------------------------------------------

    def bind(self, session_id: str, sid: str, now: float | None = None) -> None:
        with self._lock:
            self._bound[session_id] = (sid, time.time() if now is None else now)

    def unbind(self, session_id: str) -> None:
        with self._lock:
            self._bound.pop(session_id, None)

    def bound_sid(self, session_id: str) -> str | None:
        with self._lock:
            found = self._bound.get(session_id)
        return found[0] if found else None

    # ---- keys ------------------------------------------------------------------------------

    def key(self, db: str) -> str | None:
        with self._lock:
            return self._keys.get(db)

    def remember_key(self, db: str, key: str) -> None:
        with self._lock:
            self._keys.setdefault(db, key)

    # ---------------------------------------------------------------------------------------

    def _prune(self, now: float) -> None:
        """Drop what can no longer matter (caller holds the lock); at most once a minute."""
        if now - self._pruned < _PRUNE_EVERY:
            return
        self._pruned = now
        self._tokens = {t: v for t, v in self._tokens.items() if v.expires >= now}
        self._revoked = {s: until for s, until in self._revoked.items() if until >= now}
        self._activity = {s: at for s, at in self._activity.items() if now - at <= session_cookie.IDLE}
        self._bound = {k: v for k, v in self._bound.items() if now - v[1] <= session_cookie.ABSOLUTE}


REGISTRY = Registry()
