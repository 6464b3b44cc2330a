"""The signed cookie that binds a sign-in to one browser.

A sign-in ends with the browser holding the cookie `pswbench_session`: HttpOnly (no page script can
read it), SameSite=Strict (no other site's page makes the browser send it), Secure when the app is
served over HTTPS, Path the app's base path. Its value is JSON signed with itsdangerous (HMAC-SHA1
over the payload, salted for this purpose) under a random key kept in the database
(app_setting 'session_key', created with the schema), so the writer and every read-only viewer,
which read the same database or its published snapshot, accept the same cookie.

The payload: e (email), sid (a random id for this sign-in), iat (when it was signed in, Unix
seconds), seen (last activity the cookie was re-issued for). A cookie is refused when:

* its signature does not match (changed by hand, or signed with another database's key);
* it is older than ABSOLUTE (12 hours) since sign-in, however active the user was;
* nothing has happened for IDLE (30 minutes): no script run of that sign-in in this process and no
  HTTP request carrying it (pswbench.access.session_registry keeps the last activity per sign-in; HTTP
  responses re-issue the cookie with a new `seen` at most every REFRESH_AFTER seconds);
* it has been signed out (session_registry) or the account is disabled or gone (checked on every
  script run against the database, by pswbench.access.browser_session; a sign-in found disabled stays
  ended in that process when the account is enabled again).

Rotating the key (`UPDATE app_setting SET value = ... WHERE key = 'session_key'`, then restart the
writer and viewers) signs everybody out.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from itsdangerous import BadSignature, URLSafeSerializer

from pswbench.store import database

NAME = "pswbench_session"
KEY_SETTING = "session_key"
IDLE = 30 * 60  # seconds without activity before a sign-in ends
ABSOLUTE = 12 * 60 * 60  # seconds after sign-in when it ends regardless
REFRESH_AFTER = 60  # an HTTP response re-issues the cookie when `seen` is older than this
CLOCK_SKEW = 5 * 60  # a cookie issued this far in the future (another host's clock) still counts
_SALT = "pswbench-session-cookie"


class Refused(Exception):
    """The cookie does not sign anybody in; str(exc) says why (for logs, never shown raw)."""


@dataclass(frozen=True)
class Claims:
    email: str
    sid: str
    issued: int
    seen: int

    def expires(self) -> int:
        return self.issued + ABSOLUTE


def signing_key(con) -> str | None:
    """The database's cookie key (None only in a snapshot published before keys existed)."""
    return database.setting(con, KEY_SETTING)


def _serializer(key: str) -> URLSafeSerializer:
    return URLSafeSerializer(key, salt=_SALT, serializer=json)


def new_claims(email: str, now: float | None = None) -> Claims:
    at = int(time.time() if now is None else now)
    return Claims(email=email, sid=secrets.token_urlsafe(18), issued=at, seen=at)


def encode(key: str, claims: Claims) -> str:
    return _serializer(key).dumps({"e": claims.email, "sid": claims.sid, "iat": claims.issued, "seen": claims.seen})


def issue(key: str, email: str, now: float | None = None) -> tuple[str, Claims]:
    """A cookie value for a new sign-in of email, and its claims."""
    claims = new_claims(email, now)
    return encode(key, claims), claims


def seen_again(key: str, claims: Claims, now: float | None = None) -> str:
    """The same sign-in's cookie with `seen` moved to now (the absolute limit does not move)."""
    return encode(key, replace(claims, seen=int(time.time() if now is None else now)))


def decode(
    key: str, value: str, now: float | None = None, last_activity: Callable[[str], float | None] | None = None
) -> Claims:
    """The claims of a cookie value that is genuine and current, else Refused.

    last_activity(sid): the latest activity this process saw for that sign-in, when it may be later
    than the cookie's own `seen` (see session_registry)."""
    now = time.time() if now is None else now
    try:
        payload = _serializer(key).loads(value)
    except BadSignature as exc:
        raise Refused("bad signature (altered, or signed with another key)") from exc
    except (ValueError, TypeError) as exc:  # not even the shape of a signed value
        raise Refused("malformed") from exc
    try:
        claims = Claims(email=payload["e"], sid=payload["sid"], issued=payload["iat"], seen=payload["seen"])
    except (KeyError, TypeError) as exc:
        raise Refused("malformed payload") from exc
    if not (
        isinstance(claims.email, str)
        and isinstance(claims.sid, str)
        and claims.email
        and claims.sid
        and all(isinstance(v, int) and not isinstance(v, bool) for v in (claims.issued, claims.seen))
    ):
        raise Refused("malformed payload")
    if claims.issued > now + CLOCK_SKEW or claims.seen < claims.issued:
        raise Refused("issued in the future")
    if now - claims.issued > ABSOLUTE:
        raise Refused("expired (absolute limit)")
    if now - max(claims.seen, (last_activity(claims.sid) if last_activity else None) or 0) > IDLE:
        raise Refused("expired (idle)")
    return claims
