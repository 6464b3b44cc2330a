"""pswbench.app.web.Guard on its own, in front of a stand-in app (no Streamlit server): which requests and
websocket messages it lets through, and what it adds to responses. The same guard in front of the
real app is tested end to end in tests/e2e/test_sessions.py."""

from __future__ import annotations

import asyncio
import time

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from pswbench import paths
from pswbench.access import session_cookie
from pswbench.access.session_registry import REGISTRY
from pswbench.app import deferred_downloads, web

KEY = "guard-test-key" * 4
SESSION = "session-under-test"


def run_alone(coro):
    """asyncio.run in a thread of its own: a full run already has Playwright's loop in the main thread."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture(autouse=True)
def key(tmp_path, monkeypatch):
    db = tmp_path / "guard.duckdb"
    monkeypatch.setenv("PSWBENCH_DB", str(db))
    REGISTRY.remember_key(str(paths.db_path()), KEY)
    return KEY


def cookie_for(email="lead@rx4.nhs.uk"):
    value, claims = session_cookie.issue(KEY, email)
    return value, claims


class StandIn:
    """An ASGI app that answers HTTP with 200 and, on a websocket, announces SESSION (as Streamlit's
    new_session message does) and then records every message it receives."""

    def __init__(self):
        self.received: list[str] = []
        self.http_calls = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            self.http_calls += 1
            while (await receive()).get("more_body"):
                pass
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"ok"})
            return
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        hello = ForwardMsg()
        hello.new_session.initialize.session_id = SESSION
        await send({"type": "websocket.send", "bytes": hello.SerializeToString()})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            self.received.append(BackMsg.FromString(message["bytes"]).WhichOneof("type"))


def back(kind: str) -> bytes:
    msg = BackMsg()
    if kind == "clear_cache":
        msg.clear_cache = True
    elif kind == "rerun_script":
        msg.rerun_script.query_string = ""
    elif kind == "file_urls_request":
        msg.file_urls_request.request_id = "r"
    elif kind == "app_heartbeat":
        msg.app_heartbeat = True
    return msg.SerializeToString()


def websocket(cookie: str | None, kinds: list[str]) -> tuple[list[str], list[dict]]:
    """Open a websocket through the guard, send these BackMsg kinds; (what the app got, what was sent)."""
    app = StandIn()
    guard = web.Guard(app)
    inbox = [
        {"type": "websocket.connect"},
        *[{"type": "websocket.receive", "bytes": back(k)} for k in kinds],
        {"type": "websocket.disconnect", "code": 1000},
    ]
    sent: list[dict] = []

    async def receive():
        await asyncio.sleep(0)
        return inbox.pop(0)

    async def send(message):
        sent.append(message)

    headers = [(b"cookie", f"{session_cookie.NAME}={cookie}".encode())] if cookie else []
    run_alone(guard({"type": "websocket", "path": "/_stcore/stream", "headers": headers}, receive, send))
    return app.received, sent


def closed_with(sent: list[dict]) -> int | None:
    return next((m["code"] for m in sent if m["type"] == "websocket.close"), None)


def test_without_a_cookie_only_script_runs_heartbeats_and_stops_reach_the_app():
    got, sent = websocket(None, ["rerun_script", "app_heartbeat", "clear_cache", "rerun_script"])
    assert got == ["rerun_script", "app_heartbeat"]
    assert closed_with(sent) == 1008
    got, sent = websocket(None, ["file_urls_request"])
    assert got == [] and closed_with(sent) == 1008


def test_a_valid_cookie_must_be_the_sign_in_its_session_runs_as():
    value, claims = cookie_for()
    REGISTRY.unbind(SESSION)
    got, sent = websocket(value, ["clear_cache"])  # no script run of this session has bound it
    assert got == [] and closed_with(sent) == 1008
    other, other_claims = cookie_for("board@rx4.nhs.uk")
    REGISTRY.bind(SESSION, other_claims.sid)  # the session runs as somebody else
    got, sent = websocket(value, ["clear_cache"])
    assert got == [] and closed_with(sent) == 1008
    REGISTRY.bind(SESSION, claims.sid)
    got, sent = websocket(value, ["clear_cache", "file_urls_request", "rerun_script"])
    assert got == ["clear_cache", "file_urls_request", "rerun_script"] and closed_with(sent) is None


def test_an_altered_or_signed_out_cookie_counts_as_none():
    value, claims = cookie_for()
    REGISTRY.bind(SESSION, claims.sid)
    got, sent = websocket(value[:-2] + "xx", ["clear_cache"])
    assert got == [] and closed_with(sent) == 1008
    REGISTRY.revoke(claims)
    got, sent = websocket(value, ["clear_cache"])
    assert got == [] and closed_with(sent) == 1008


def http(method: str, path: str, cookie: str | None = None, headers: list | None = None, body: bytes = b""):
    app = StandIn()
    guard = web.Guard(app)
    sent: list[dict] = []
    inbox = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return inbox.pop(0) if inbox else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    h = [*(headers or []), *([(b"cookie", f"{session_cookie.NAME}={cookie}".encode())] if cookie else [])]
    run_alone(guard({"type": "http", "method": method, "path": path, "headers": h, "scheme": "http"}, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, start["headers"], app


def test_every_response_carries_the_security_headers():
    for path in ("/", "/_stcore/health", "/_stcore/metrics", "/media/x.csv"):
        _, headers, _, _ = http("GET", path)
        for name, value in web.SECURITY_HEADERS.items():
            assert headers[name.lower()] == value, (path, name)


def test_metrics_and_the_agent_api_are_refused():
    for path in ("/_stcore/metrics", "/_stcore/agent/interact", "/_stcore/agent/openapi.json"):
        status, _, _, app = http("GET", path)
        assert status == 404 and app.http_calls == 0, path
    status, _, _, app = http("GET", "/_stcore/health")
    assert status == 200 and app.http_calls == 1


def test_media_needs_a_valid_cookie():
    status, _, _, app = http("GET", "/media/abc.csv")
    assert status == 403 and app.http_calls == 0
    value, _ = cookie_for()
    status, headers, _, app = http("GET", "/media/abc.csv", cookie=value)
    assert status == 200 and app.http_calls == 1 and headers["cache-control"] == "no-store"


def test_uploads_need_the_cookie_of_the_sign_in_the_session_runs_as(monkeypatch):
    value, claims = cookie_for()
    url = f"/_stcore/upload_file/{SESSION}/file-1"
    length = [(b"content-length", b"3")]
    REGISTRY.unbind(SESSION)
    assert http("PUT", url, cookie=value, headers=length, body=b"abc")[0] == 403
    assert http("PUT", url, headers=length, body=b"abc")[0] == 403
    assert http("DELETE", url)[0] == 403
    REGISTRY.bind(SESSION, claims.sid)
    other, _ = cookie_for("board@rx4.nhs.uk")
    assert http("PUT", url, cookie=other, headers=length, body=b"abc")[0] == 403
    assert http("PUT", url, cookie=value, body=b"abc")[0] == 411  # no Content-Length
    # No Streamlit runtime holds files here: count only what is asked for now (e2e counts held files).
    monkeypatch.setattr(web._Uploads, "reserve", lambda self, session_id, size: size <= web.MAX_BYTES)
    assert http("PUT", url, cookie=value, headers=length, body=b"abc")[0] == 200
    assert http("DELETE", url, cookie=value)[0] == 200
    too_big = [(b"content-length", str(web.MAX_BYTES + 1).encode())]
    assert http("PUT", url, cookie=value, headers=too_big, body=b"abc")[0] == 413


def test_cookies_are_reissued_when_stale_and_deleted_when_refused():
    value, claims = session_cookie.issue(KEY, "lead@rx4.nhs.uk", now=time.time() - 120)
    _, _, raw, _ = http("GET", "/", cookie=value)
    [set_cookie] = [v.decode() for k, v in raw if k == b"set-cookie"]
    fresh = set_cookie.split(";")[0].split("=", 1)[1]
    again = session_cookie.decode(KEY, fresh)
    assert (again.sid, again.issued) == (claims.sid, claims.issued) and again.seen > claims.seen
    attributes = set_cookie.lower()
    assert "httponly" in attributes and "samesite=strict" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain http
    _, _, raw, _ = http("GET", "/", cookie=value[:-2] + "xx")
    [deleted] = [v.decode() for k, v in raw if k == b"set-cookie"]
    assert deleted.startswith(f"{session_cookie.NAME}=") and "max-age=0" in deleted.lower()
    fresh_now, _ = cookie_for()
    _, _, raw, _ = http("GET", "/", cookie=fresh_now)  # fresh: nothing to re-issue
    assert [v for k, v in raw if k == b"set-cookie"] == []


def test_streamlits_oidc_sign_out_ends_the_cookie_too():
    value, claims = cookie_for()
    _, _, raw, _ = http("GET", "/auth/logout", cookie=value)
    [deleted] = [v.decode() for k, v in raw if k == b"set-cookie"]
    assert "max-age=0" in deleted.lower()
    with pytest.raises(session_cookie.Refused, match="signed out"):
        REGISTRY.check(KEY, value)


def test_a_deferred_download_runs_only_for_the_session_and_sign_in_that_made_it(monkeypatch):
    _, mine = cookie_for()
    _, theirs = cookie_for("lead@rx4.nhs.uk")  # the same user signed in elsewhere
    enabled = {"on": True}
    monkeypatch.setattr(deferred_downloads, "_account_enabled", lambda email: enabled["on"])
    make = deferred_downloads.owned(lambda: b"the file", (SESSION, mine.sid))

    def asked_by(session_id, claims):
        token = deferred_downloads.asked_by(session_id, claims)
        try:
            return make()
        finally:
            deferred_downloads._ASKED.reset(token)

    assert asked_by(SESSION, mine) == b"the file"
    for session_id, claims in [("another-session", mine), (SESSION, theirs), (SESSION, None)]:
        with pytest.raises(deferred_downloads.Refused):
            asked_by(session_id, claims)
    enabled["on"] = False
    with pytest.raises(deferred_downloads.Refused, match="disabled"):
        asked_by(SESSION, mine)
    with pytest.raises(deferred_downloads.Refused):  # made in a run nobody was signed in to
        deferred_downloads.owned(lambda: b"x", (SESSION, None))()


def test_the_guard_records_who_asks_for_a_download_and_nobody_else():
    """The websocket guard sets who sent each message, for the download callable to check."""
    value, claims = cookie_for()
    REGISTRY.bind(SESSION, claims.sid)
    seen = []

    class Recorder(StandIn):
        async def __call__(self, scope, receive, send):
            await receive()
            await send({"type": "websocket.accept"})
            hello = ForwardMsg()
            hello.new_session.initialize.session_id = SESSION
            await send({"type": "websocket.send", "bytes": hello.SerializeToString()})
            while (await receive())["type"] != "websocket.disconnect":
                seen.append(deferred_downloads._ASKED.get())

    inbox = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "bytes": back("clear_cache")},
        {"type": "websocket.receive", "bytes": back("rerun_script")},
        {"type": "websocket.disconnect"},
    ]

    async def receive():
        return inbox.pop(0)

    async def send(message):
        pass

    headers = [(b"cookie", f"{session_cookie.NAME}={value}".encode())]
    run_alone(
        web.Guard(Recorder())({"type": "websocket", "path": "/_stcore/stream", "headers": headers}, receive, send)
    )
    assert seen == [deferred_downloads.Request(SESSION, claims), None]


def test_a_sessions_oldest_uploads_make_way_so_it_never_holds_more_than_the_bounds(monkeypatch):
    from types import SimpleNamespace

    from streamlit import runtime

    from pswbench.app import web

    class Files:
        def __init__(self):
            self.file_storage = {"s": {}}

        def remove_file(self, session_id, file_id):
            del self.file_storage[session_id][file_id]

    files = Files()
    monkeypatch.setattr(runtime, "get_instance", lambda: SimpleNamespace(uploaded_file_mgr=files))
    uploads = web._Uploads()
    for i in range(web.MAX_FILES + 2):
        assert uploads.reserve("s", 10)
        uploads.release("s", 10)
        files.file_storage["s"][f"f{i}"] = SimpleNamespace(data=b"x" * 10)
        assert len(files.file_storage["s"]) <= web.MAX_FILES
    assert list(files.file_storage["s"]) == [f"f{i}" for i in range(2, web.MAX_FILES + 2)]
    big = web.MAX_BYTES // 2 + 1
    assert uploads.reserve("s", big)
    files.file_storage["s"]["big"] = SimpleNamespace(data=b"x" * big)
    uploads.release("s", big)
    assert uploads.reserve("s", big)  # the older big file makes way
    assert "big" not in files.file_storage["s"]
    assert not uploads.reserve("s", web.MAX_BYTES)  # no room beside what is still in flight
