"""The web server in front of the Streamlit app: st.App with a guard and the two sign-in routes.

Guard (pure ASGI middleware, outside all of Streamlit's own) does, on every request:

* HTTP: adds X-Frame-Options DENY, CSP frame-ancestors 'none', nosniff and Referrer-Policy
  no-referrer; answers 404 for /_stcore/metrics and the agent API (it drives the app without a
  browser, so without the cookie guard); re-issues a valid session cookie with a new `seen` stamp
  (at most once a minute) and deletes a refused one.
* Uploads (PUT/DELETE /_stcore/upload_file/<session>/<file>): refused (403) unless the request's
  cookie is valid and is the sign-in that session runs as; a PUT must state its Content-Length and
  makes the session's oldest held files make way so it never holds more than MAX_FILES files or
  MAX_BYTES bytes, and is refused (413) only when uploads still in flight leave no room.
* Media and downloads (/media/...): refused (403) without a valid cookie.
* The websocket (/_stcore/stream): a connection without a valid cookie may only ask for script runs
  (and heartbeats, stop): any other message (clear_cache, upload URLs, downloads, ...) closes it
  with 1008. A signed-in connection's other messages must come from the sign-in its session runs
  as. A deferred download (st.download_button with a callable) is made only for the session, and
  the sign-in, that rendered the button (pswbench.app.deferred_downloads).

Routes: GET /_pswbench/signed-in?token=... swaps a one-time token (browser_session.begin) for the
cookie and reloads the app; GET /_pswbench/sign-out forgets the sign-in and deletes the cookie.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from streamlit import config

from pswbench import paths
from pswbench.access import auth, browser_session, session_cookie
from pswbench.access.session_registry import REGISTRY
from pswbench.app import deferred_downloads
from pswbench.store import process_db

log = logging.getLogger(__name__)

MAX_FILES = 3  # files one session may hold uploaded at once
MAX_BYTES = 12 * 1024 * 1024  # bytes one session may hold uploaded at once (two files at the 6 MB cap)
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
REFUSED_PATHS = ("/_stcore/metrics", "/_stcore/agent/")
UPLOAD_PREFIX = "/_stcore/upload_file/"
MEDIA_PREFIX = "/media/"
OIDC_LOGOUT = "/auth/logout"
# Messages a connection without a valid cookie may send: what the sign-in screen itself needs.
OPEN_MESSAGES = frozenset({"rerun_script", "app_heartbeat", "stop_script"})
NEVER_MESSAGES = frozenset({"debug_disconnect_websocket", "debug_shutdown_runtime"})


def _base() -> str:
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _secure(scope) -> bool:
    forced = (os.environ.get("PSWBENCH_COOKIE_SECURE") or "").strip().lower()
    return forced in ("1", "true", "yes") or scope.get("scheme") in ("https", "wss")


def _cookies(scope) -> dict[str, str]:
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            return cookie_parser(value.decode("latin-1"))
    return {}


def _cookie_headers(scope, value: str | None) -> list[tuple[bytes, bytes]]:
    """Set-Cookie header(s) for the session cookie (value None: delete it), built by Starlette."""
    r = Response()
    kwargs = dict(path=_base() or "/", secure=_secure(scope), httponly=True, samesite="strict")
    if value is None:
        r.delete_cookie(session_cookie.NAME, **kwargs)
    else:
        r.set_cookie(session_cookie.NAME, value, max_age=session_cookie.ABSOLUTE, **kwargs)
    return [(k, v) for k, v in r.raw_headers if k == b"set-cookie"]


def _load_key() -> str | None:
    try:
        return browser_session.signing_key(process_db.current())
    except Exception:  # noqa: BLE001  (a locked or broken database: the pages say so)
        log.exception("reading the session cookie key failed")
        return None


async def _key() -> str | None:
    return REGISTRY.key(str(paths.db_path())) or await asyncio.to_thread(_load_key)


async def _checked(value: str | None) -> tuple[session_cookie.Claims | None, bool]:
    """(claims of a valid cookie or None, whether the cookie was refused). A cookie is never
    refused for want of the key (a database that cannot be read just now)."""
    if not value:
        return None, False
    key = await _key()
    if key is None:
        return None, False
    try:
        return REGISTRY.check(key, value), False
    except session_cookie.Refused:
        return None, True


async def _claims(value: str | None) -> session_cookie.Claims | None:
    return (await _checked(value))[0]


# ---- the guard ------------------------------------------------------------------------------


class _Uploads:
    """Bytes and files of uploads in flight per session (the held ones are Streamlit's)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[int, int]] = {}

    def reserve(self, session_id: str, size: int) -> bool:
        """Room for one more file of size bytes. The session's oldest held files make way first: the
        upload page's one uploader refers only to its latest file, and a browser replacing a file
        does not always delete the one before, so refusing would stop a trust lead after three
        uploads. Refused only when the uploads still in flight leave no room."""
        from streamlit import runtime

        manager = runtime.get_instance().uploaded_file_mgr
        with self._lock:
            files, size_pending = self._pending.get(session_id, (0, 0))
            if files + 1 > MAX_FILES or size_pending + size > MAX_BYTES:
                return False
            held = list((manager.file_storage.get(session_id) or {}).items())  # oldest first
            while held and (
                len(held) + files + 1 > MAX_FILES or sum(len(f.data) for _, f in held) + size_pending + size > MAX_BYTES
            ):
                file_id, _ = held.pop(0)
                manager.remove_file(session_id, file_id)
            self._pending[session_id] = (files + 1, size_pending + size)
            return True

    def release(self, session_id: str, size: int) -> None:
        with self._lock:
            files, pending = self._pending.get(session_id, (1, size))
            if files <= 1:
                self._pending.pop(session_id, None)
            else:
                self._pending[session_id] = (files - 1, pending - size)


DRAIN_UNSIGNED = 64 * 1024  # request body read (and dropped) before refusing a request without a cookie


async def _refuse(response: Response, scope, receive, send, drain: int) -> None:
    """Send a refusal after reading the request's body (up to drain bytes), so a client still
    sending gets the answer rather than a broken connection."""
    seen = 0
    while seen <= drain:
        message = await receive()
        if message["type"] != "http.request":
            break
        seen += len(message.get("body", b""))
        if not message.get("more_body"):
            break
    await response(scope, receive, send)


class Guard:
    def __init__(self, app):
        self.app = app
        self.uploads = _Uploads()

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    # ---- HTTP ------------------------------------------------------------------------------

    async def _http(self, scope, receive, send):
        base = _base()
        path = scope["path"][len(base) :] if base and scope["path"].startswith(base) else scope["path"]
        method = scope["method"]
        value = _cookies(scope).get(session_cookie.NAME)
        claims, refused = await _checked(value)
        extra: list[tuple[bytes, bytes]] = []
        if claims is not None:
            REGISTRY.touch(claims.sid)
            if path == OIDC_LOGOUT:
                REGISTRY.revoke(claims)
                extra = _cookie_headers(scope, None)
            elif time.time() - claims.seen > session_cookie.REFRESH_AFTER:
                extra = _cookie_headers(scope, session_cookie.seen_again(await _key(), claims))
        elif refused:
            extra = _cookie_headers(scope, None)  # expired, signed out or forged: drop it

        async def send_guarded(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, val in SECURITY_HEADERS.items():
                    headers[name] = val
                if path.startswith(MEDIA_PREFIX) or path.startswith("/_pswbench/"):
                    headers["Cache-Control"] = "no-store"
                ours = any(
                    v.startswith(f"{session_cookie.NAME}=".encode())
                    for k, v in message["headers"]
                    if k == b"set-cookie"
                )
                if not ours:
                    message["headers"] = [*message["headers"], *extra]
            await send(message)

        refusal = None
        if any(path == p or (p.endswith("/") and path.startswith(p)) for p in REFUSED_PATHS):
            refusal = PlainTextResponse("Not found", status_code=404)
        elif path.startswith(MEDIA_PREFIX) and claims is None:
            refusal = PlainTextResponse("Sign in to download this file.", status_code=403)
        elif path.startswith(UPLOAD_PREFIX) and method in ("PUT", "DELETE"):
            parts = path[len(UPLOAD_PREFIX) :].split("/")
            session_id = parts[0] if len(parts) == 2 else ""
            if claims is None or not session_id or REGISTRY.bound_sid(session_id) != claims.sid:
                refusal = PlainTextResponse("Sign in to upload a file.", status_code=403)
            elif method == "PUT":
                await self._put(scope, receive, send_guarded, session_id)
                return
        if refusal is not None:
            await _refuse(refusal, scope, receive, send_guarded, DRAIN_UNSIGNED)
            return
        await self.app(scope, receive, send_guarded)

    async def _put(self, scope, receive, send, session_id: str) -> None:
        length = dict(scope["headers"]).get(b"content-length", b"")
        if not length.isdigit():
            await PlainTextResponse("State the upload's Content-Length.", status_code=411)(scope, receive, send)
            return
        size = int(length)
        if not self.uploads.reserve(session_id, size):
            await _refuse(
                PlainTextResponse(
                    f"This session already holds its limit of uploaded files ({MAX_FILES} files, "
                    f"{MAX_BYTES // (1024 * 1024)} MB). Remove a file first.",
                    status_code=413,
                ),
                scope,
                receive,
                send,
                MAX_BYTES,
            )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.uploads.release(session_id, size)

    # ---- the websocket ---------------------------------------------------------------------

    async def _websocket(self, scope, receive, send):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        value = _cookies(scope).get(session_cookie.NAME)
        state = {"closed": False, "session_id": None}

        async def send_guarded(message):
            if state["closed"]:
                return  # the guard closed this connection: nothing more goes out on it
            if state["session_id"] is None and message["type"] == "websocket.send" and message.get("bytes"):
                with contextlib.suppress(Exception):
                    fwd = ForwardMsg.FromString(message["bytes"])
                    if fwd.WhichOneof("type") == "new_session":
                        state["session_id"] = fwd.new_session.initialize.session_id or None
            await send(message)

        async def refusal(data: bytes) -> str | None:
            deferred_downloads.asked_by(None)
            try:
                kind = BackMsg.FromString(data).WhichOneof("type")
            except Exception:  # noqa: BLE001  (Streamlit closes the connection on a bad frame itself)
                return None
            if kind in OPEN_MESSAGES:
                return None
            if kind in NEVER_MESSAGES:
                return f"{kind} is not served"
            claims = await _claims(value)
            if claims is None:
                return "sign in first"
            session_id = state["session_id"]
            if session_id is None or REGISTRY.bound_sid(session_id) != claims.sid:
                return "this session is not signed in as this browser"
            deferred_downloads.asked_by(session_id, claims)
            return None

        async def receive_guarded():
            message = await receive()
            if message["type"] == "websocket.receive" and message.get("bytes"):
                why = await refusal(message["bytes"])
                if why is not None:
                    log.warning("closing a websocket: %s", why)
                    await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
                    state["closed"] = True
                    return {"type": "websocket.disconnect", "code": 1008}
            return message

        await self.app(scope, receive_guarded, send_guarded)


# ---- routes ---------------------------------------------------------------------------------


def _home() -> str:
    return f"{_base()}/"


async def signed_in(request: Request) -> Response:
    """Swap a one-time token for the session cookie, then reload the app."""
    email = REGISTRY.redeem(request.query_params.get("token", ""), request.cookies.get(browser_session.XSRF_COOKIE))
    key = await _key() if email else None
    if email is None or key is None:  # used, expired or another browser's: the sign-in screen says so
        return RedirectResponse(f"{_home()}?{browser_session.HAND_OVER_FAILED}=expired", status_code=303)
    # On to the page a shared link asked for, when it is one of this app's pages; else the home page.
    wanted = auth.safe_next(request.query_params.get(auth.NEXT_PARAM))
    response = RedirectResponse(f"{_base()}{wanted}" if wanted else _home(), status_code=303)
    value, claims = session_cookie.issue(key, email)
    REGISTRY.touch(claims.sid)
    response.raw_headers.extend(_cookie_headers(request.scope, value))
    return response


async def sign_out(request: Request) -> Response:
    """Forget the sign-in and delete the cookie (only when the browser's own page asked)."""
    response = RedirectResponse(_home(), status_code=303)
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return response  # another site's link or form: sign nobody out
    claims = await _claims(request.cookies.get(session_cookie.NAME))
    if claims is not None:
        REGISTRY.revoke(claims)
    response.raw_headers.extend(_cookie_headers(request.scope, None))
    return response


@contextlib.asynccontextmanager
async def _lifespan(_app):
    from streamlit import runtime

    deferred_downloads.guard(runtime.get_instance().media_file_mgr)
    browser_session.GUARD_INSTALLED.set()
    try:
        yield
    finally:
        browser_session.GUARD_INSTALLED.clear()


def make_app(script: str | Path):
    """The ASGI app serving script with the guard (run by pswbench.app.server under uvicorn)."""
    import streamlit as st
    from starlette.middleware import Middleware
    from starlette.routing import Route

    base = _base()
    return st.App(
        str(script),
        middleware=[Middleware(Guard)],
        lifespan=_lifespan,
        routes=[
            Route(f"{base}/{browser_session.SIGNED_IN_PATH}", signed_in, methods=["GET"]),
            Route(f"{base}/{browser_session.SIGN_OUT_PATH}", sign_out, methods=["GET"]),
        ],
    )
