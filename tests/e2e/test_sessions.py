"""Sessions bound to the browser, against a real app process (`python -m pswbench.app.server`, as `make run`)
on its own copy of the demo database: in Chromium, and over Streamlit's websocket protocol
(tests/helpers/st_protocol.py) where a test has to send what no browser page sends.

* A signed-in browser keeps its sign-in over a reload and a full page load; sign-out ends it (the
  cookie goes, a copy of it is refused) and the next user in the tab starts afresh.
* Whoever opens the websocket with a signed-in session's id, without that browser's cookie, is
  attached to the session (Streamlit resumes it: the test checks the id) but the script run reads
  the cookies of the connection it came on (st.context.cookies), so they get the sign-in screen;
  another user's cookie gets that user's pages; the owner reconnecting gets theirs back.
* Security headers on every response; /_stcore/metrics and the agent API refused; media and
  downloads refused without the cookie.
* A connection without a valid cookie may only ask for script runs: clear_cache, upload URLs and
  downloads close it (1008); uploads to its session id are refused; 100 clear_cache messages leave
  the server's thread count flat, signed in or not.
* One session holds at most web.MAX_FILES uploaded files and web.MAX_BYTES bytes.
* A deferred download runs only for the session, and the sign-in, that made it.
* Expired or altered cookies sign nobody in and are deleted; a hand-over token works once.
* Plain `streamlit run` (no guard) signs nobody in and says how to start the app.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import time
import urllib.error
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from playwright.sync_api import expect
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from pswbench.access import session_cookie
from pswbench.app import web
from pswbench.paths import ROOT
from tests.helpers import app_server, st_protocol
from tests.helpers.app_server import main_area, sidebar, sign_in, wait_until_idle
from tests.helpers.demo_data import DEMO_ACCOUNTS

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "artifacts" / "e2e"
SIGN_IN_TITLE = "pswbench: peer support worker workforce benchmarking"
COOKIE = session_cookie.NAME


@pytest.fixture(scope="module")
def app(pristine_db, tmp_path_factory):
    db = app_server.copy_db(pristine_db, tmp_path_factory.mktemp("sessions") / "sessions.duckdb")
    con = duckdb.connect(str(db), read_only=True)
    key = session_cookie.signing_key(con)
    con.close()
    with app_server.app_process(db, ARTIFACTS / "sessions-app.log", timeout=90) as (url, proc):
        yield SimpleNamespace(url=url, pid=proc.pid, key=key)


def run_async(coro):
    """Run a coroutine on a loop of its own thread (sync Playwright keeps a loop in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=600)


def threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))


def status_of(call) -> int:
    try:
        with call() as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def put_status(session, upload_url: str, data: bytes) -> int:
    """Upload data to upload_url as the browser does (multipart PUT); the HTTP status."""
    try:
        session.put(upload_url, "r.csv", data)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 204


def session_ids_seen(page) -> list[str]:
    """Collect the Streamlit session ids the page's websocket is given (new_session messages)."""
    seen: list[str] = []

    def frame(payload):
        if isinstance(payload, (bytes, bytearray)):
            try:
                msg = ForwardMsg.FromString(bytes(payload))
            except Exception:  # noqa: BLE001
                return
            if msg.WhichOneof("type") == "new_session":
                seen.append(msg.new_session.initialize.session_id)

    page.on("websocket", lambda ws: ws.on("framereceived", frame))
    return seen


def on_sign_in_screen(page) -> None:
    expect(page.get_by_label("Email address", exact=True)).to_be_visible()
    expect(main_area(page).locator("h1").first).to_have_text(SIGN_IN_TITLE)
    expect(sidebar(page).get_by_text("Signed in as")).to_have_count(0)


def signed_in_as(page, email: str) -> None:
    expect(sidebar(page).get_by_text(f"Signed in as {email}")).to_be_visible()


# ---- in the browser -------------------------------------------------------------------------


def test_reload_keeps_the_sign_in_and_sign_out_ends_it(browser, app, shot, page):
    email = DEMO_ACCOUNTS["analyst"][0]
    page.goto(app.url)
    sign_in(page, *DEMO_ACCOUNTS["analyst"])
    [cookie] = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert cookie["secure"] is False  # plain http here; https sets Secure
    assert 0 < cookie["expires"] - time.time() <= session_cookie.ABSOLUTE + 60
    assert COOKIE not in page.evaluate("document.cookie")  # no page script can read it
    page.reload()
    signed_in_as(page, email)
    page.goto(f"{app.url}/definitions")  # a full page load of another page
    signed_in_as(page, email)
    expect(main_area(page).locator("h1").first).to_have_text("Definitions")
    shot("reloaded-still-signed-in")

    # The analyst's choice of trust (the shared snapshot link sets it) must not reach the next user of this tab.
    page.goto(f"{app.url}/snapshot?trust=RMY")
    wait_until_idle(page)
    expect(main_area(page)).to_contain_text("RMY")
    sidebar(page).get_by_role("button", name="Sign out").click()
    on_sign_in_screen(page)
    # The sign-in screen shows at once; the cookie goes when the browser has followed the redirect to
    # the sign-out route (the sign-in is revoked on the server before that either way).
    deadline = time.monotonic() + 15
    while [c for c in page.context.cookies() if c["name"] == COOKIE] and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert [c for c in page.context.cookies() if c["name"] == COOKIE] == []
    page.reload()
    on_sign_in_screen(page)
    shot("signed-out")

    sign_in(page, *DEMO_ACCOUNTS["trust_lead"])
    page.goto(f"{app.url}/benchmark")
    wait_until_idle(page)
    expect(main_area(page).get_by_text(re.compile(r"\(RX4\)")).first).to_be_visible()
    expect(main_area(page).get_by_text(re.compile(r"^Not permitted"))).to_have_count(0)

    # The cookie copied before sign-out signs nobody in, in any browser.
    other = browser.new_context(viewport=app_server.VIEWPORT)
    try:
        other.add_cookies([cookie])
        thief = other.new_page()
        thief.goto(app.url)
        on_sign_in_screen(thief)
    finally:
        other.close()


FORCE_SESSION_ID = """
(() => {
  const Real = window.WebSocket;
  function Forced(url, protocols) {
    if (String(url).includes("_stcore/stream")) {
      const p = Array.isArray(protocols) ? protocols.slice(0, 2) : [protocols || "streamlit"];
      if (p.length < 2 || !p[1]) p[1] = "x";
      protocols = [p[0], p[1], "%s"];
    }
    return new Real(url, protocols);
  }
  Forced.prototype = Real.prototype;
  Object.assign(Forced, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Forced;
})();
"""


def test_another_browser_with_the_session_id_gets_no_signed_in_page(browser, app, shot):
    owner_ctx = browser.new_context(viewport=app_server.VIEWPORT)
    thief_ctx = browser.new_context(viewport=app_server.VIEWPORT)
    try:
        owner = owner_ctx.new_page()
        owner_ids = session_ids_seen(owner)
        owner.goto(app.url)
        sign_in(owner, *DEMO_ACCOUNTS["analyst"])
        wait_until_idle(owner)
        victim = owner_ids[-1]

        thief = thief_ctx.new_page()
        thief_ids = session_ids_seen(thief)
        thief.add_init_script(FORCE_SESSION_ID % victim)
        thief.goto(app.url)
        on_sign_in_screen(thief)
        wait_until_idle(thief)
        expect(main_area(thief).locator('[data-testid="stDataFrame"], .js-plotly-plot')).to_have_count(0)
        assert victim in thief_ids, "the server did not attach the thief to the session: the test proves nothing"
        shot_path = ARTIFACTS / "sessions-thief-on-the-victims-session.png"
        app_server.full_page_screenshot(thief, shot_path)

        # The upload URL with the victim's session id, from the thief's browser: refused.
        xsrf = next((c["value"] for c in thief_ctx.cookies() if c["name"] == "_streamlit_xsrf"), "")
        resp = thief_ctx.request.put(
            f"{app.url}/_stcore/upload_file/{victim}/f-{int(time.time())}",
            multipart={"file": {"name": "r.csv", "mimeType": "text/csv", "buffer": b"a,b\n"}},
            headers={"X-Xsrftoken": xsrf},
        )
        assert resp.status == 403
    finally:
        owner_ctx.close()
        thief_ctx.close()


# ---- over HTTP and the websocket protocol -----------------------------------------------------


def test_security_headers_and_refused_endpoints(app):
    client = st_protocol.Session(app.url)
    with client.get("/") as resp:
        headers = {k.lower(): v for k, v in resp.headers.items()}
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == "frame-ancestors 'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    with client.get("/_stcore/health") as resp:
        assert resp.headers["X-Frame-Options"] == "DENY"
    assert status_of(lambda: client.get("/_stcore/metrics")) == 404
    assert status_of(lambda: client.get("/_stcore/agent/openapi.json")) == 404
    assert status_of(lambda: client.get("/media/0123456789abcdef.csv")) == 403


def test_the_session_id_alone_gives_the_sign_in_screen_and_the_run_reads_its_own_connections_cookie(app):
    async def go():
        async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["analyst"]) as owner:
            victim = owner.session_id
            assert owner.landing.h1() == "How is the peer support workforce in England changing?"
            async with st_protocol.Session(app.url, session_id=victim) as thief:
                run = await thief.run()
                assert thief.session_id == victim  # Streamlit attached it to the session
                assert run.h1() == SIGN_IN_TITLE and run.page_links() == {}
                msg = BackMsg()
                msg.clear_cache = True
                await thief.send(msg)
                assert await thief.wait_closed() == 1008
            # Another user's valid cookie on the victim's session id: that user's pages, not the analyst's.
            async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["board"]) as board:
                async with st_protocol.Session(
                    app.url, session_id=victim, cookies={COOKIE: board.cookie(COOKIE)}
                ) as other:
                    run = await other.run()
                    assert other.session_id == victim
                    assert set(run.page_links()) == {"Board snapshot", "Definitions"}
                    assert re.match(r"^How does .+ compare\?", run.h1() or "")
                # The owner reconnecting with its own cookie is the analyst again, and the board
                # member's valid cookie does not upload into the analyst's session.
                await owner.connect(session_id=victim)
                run = await owner.run()
                assert owner.session_id == victim
                assert "Submissions and data quality" in run.page_links()
                assert put_status(board, f"/_stcore/upload_file/{victim}/f-board", b"a,b\n") == 403

    run_async(go())


async def _unsigned_clear_cache(url: str, times: int) -> None:
    for i in range(times):
        async with st_protocol.Session(url) as s:
            run = await s.run()  # the sign-in screen reads the database
            assert run.h1() == SIGN_IN_TITLE
            msg = BackMsg()
            msg.clear_cache = True
            await s.send(msg)
            assert await s.wait_closed() == 1008, i


async def _signed_in_clear_cache(url: str, times: int) -> None:
    async with st_protocol.signed_in(url, *DEMO_ACCOUNTS["board"]) as s:
        definitions = s.landing.page_links()["Definitions"]
        for _ in range(times):  # allowed when signed in, and harmless
            msg = BackMsg()
            msg.clear_cache = True
            await s.send(msg)
            run = await s.run(definitions)  # a run after each: the app reopens what was cleared
            assert run.h1() == "Definitions" and not run.problems()


def test_without_a_valid_cookie_only_script_runs_are_served_and_clear_cache_costs_nothing(app):
    async def go():
        # Warm up first: the first runs open the database and fill the server's worker pools.
        await _unsigned_clear_cache(app.url, 10)
        await _signed_in_clear_cache(app.url, 10)
        start = threads(app.pid)
        await _unsigned_clear_cache(app.url, 100)
        unsigned = threads(app.pid)
        await _signed_in_clear_cache(app.url, 100)
        signed = threads(app.pid)
        async with st_protocol.Session(app.url) as s:
            await s.run()
            msg = BackMsg()
            msg.file_urls_request.request_id = "r1"
            msg.file_urls_request.session_id = s.session_id
            msg.file_urls_request.file_names.append("r.csv")
            await s.send(msg)
            assert await s.wait_closed() == 1008
            assert (
                status_of(
                    lambda: s.get(
                        f"/_stcore/upload_file/{s.session_id}/f1",
                        method="PUT",
                        data=b"x",
                        headers={"X-Xsrftoken": s.cookie("_streamlit_xsrf") or ""},
                    )
                )
                == 403
            )
            assert status_of(lambda: s.get(f"/_stcore/upload_file/{s.session_id}/f1", method="DELETE")) == 403
        return start, unsigned, signed

    start, unsigned, signed = run_async(go())
    print(
        f"server threads: {start} after warm-up, {unsigned} after 100 unsigned clear_cache, "
        f"{signed} after 100 signed-in clear_cache (each followed by a run)"
    )
    assert unsigned <= start + 2 and signed <= start + 2, (start, unsigned, signed)


def test_one_session_holds_a_bounded_number_of_uploaded_files_and_bytes(app):
    async def go():
        async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["trust_lead"]) as s:
            urls = await s.upload_urls([f"r{i}.csv" for i in range(web.MAX_FILES + 2)])
            codes = [put_status(s, u.upload_url, b"a,b\n1,2\n") for u in urls]
        # Every upload is taken (a trust lead may correct a return many times); the oldest held files
        # make way, so the session never holds more than MAX_FILES (tests/unit/app/test_web_guard.py).
        assert codes == [204] * (web.MAX_FILES + 2), codes
        async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["trust_lead"]) as s:
            big = b"x" * 5_900_000
            urls = await s.upload_urls(["a.csv", "b.csv", "c.csv"])
            codes = [put_status(s, u.upload_url, d) for u, d in zip(urls, [big, big, b"x" * 1_000_000])]
        assert codes == [204, 204, 204], codes

    run_async(go())


def test_a_deferred_download_runs_only_for_the_session_and_sign_in_that_made_it(app):
    async def go():
        async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["analyst"]) as owner:
            run = await owner.run(owner.landing.page_links()["Submissions and data quality"])
            deferred = [e.deferred_file_id for k, e in run.main if k == "download_button" and e.deferred_file_id]
            assert deferred, "no deferred download on the page: the test proves nothing"
            url, error = await owner.download(deferred[0])
            assert url and not error
            with owner.get(url) as resp:
                assert resp.status == 200 and resp.read()
            assert status_of(lambda: st_protocol.Session(app.url).get(url)) == 403  # no cookie
            # The same analyst signed in in another browser: another session, refused.
            async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["analyst"]) as other:
                url, error = await other.download(deferred[0])
                assert not url and error
            # Another sign-in on the owner's very session id: refused before and after its own run.
            async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["board"]) as board:
                async with st_protocol.Session(
                    app.url, session_id=owner.session_id, cookies={COOKIE: board.cookie(COOKIE)}
                ) as hijack:
                    await hijack.run()
                    assert hijack.session_id == owner.session_id
                    url, error = await hijack.download(deferred[0])
                    assert not url and error

    run_async(go())


def test_expired_or_altered_cookies_sign_nobody_in_and_are_deleted(app):
    old, _ = session_cookie.issue(app.key, DEMO_ACCOUNTS["analyst"][0], now=time.time() - session_cookie.ABSOLUTE - 60)
    good, _ = session_cookie.issue(app.key, DEMO_ACCOUNTS["analyst"][0])
    altered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    foreign, _ = session_cookie.issue("another database's key", DEMO_ACCOUNTS["analyst"][0])

    async def go():
        for value in (old, altered, foreign):
            async with st_protocol.Session(app.url, cookies={COOKIE: value}) as s:
                run = await s.run()
                assert run.h1() == SIGN_IN_TITLE
            with st_protocol.Session(app.url, cookies={COOKIE: value}).get("/") as resp:
                cleared = [
                    v for k, v in resp.headers.items() if k.lower() == "set-cookie" and v.startswith(f"{COOKIE}=")
                ]
            assert cleared and ("Max-Age=0" in cleared[0] or "expires=Thu, 01 Jan 1970" in cleared[0]), cleared
        async with st_protocol.Session(app.url, cookies={COOKIE: good}) as s:
            run = await s.run()
            assert run.h1() == "How is the peer support workforce in England changing?"

    run_async(go())


def test_a_hand_over_token_works_once(app):
    async def go():
        async with st_protocol.signed_in(app.url, *DEMO_ACCOUNTS["board"]) as s:
            used = s.redirect
        assert used and "token=" in used
        again = st_protocol.Session(app.url)
        with again.get(used) as resp:
            assert resp.url.endswith("/?signin=expired")
        assert again.cookie(COOKIE) is None
        async with st_protocol.Session(app.url) as s:
            run = await s.run()
            assert run.h1() == SIGN_IN_TITLE and not any("did not finish" in t for t in run.texts())

    run_async(go())


def test_plain_streamlit_run_signs_nobody_in_and_says_how_to_start_the_app(own_db):
    with app_server.app_process(own_db, ARTIFACTS / "sessions-plain-streamlit.log", timeout=90, module="streamlit") as (
        url,
        _,
    ):

        async def go():
            async with st_protocol.Session(url) as s:
                run = await s.run()
                alerts = [e.body for k, e in run.main if k == "alert"]
                assert run.widget("text_input", "Password") is None
                assert any("python -m pswbench.app.server run app.py" in a for a in alerts), alerts

        run_async(go())


def test_a_shared_link_opens_its_page_after_sign_in_and_never_another_site(app):
    """Opened signed out, /snapshot?trust=RT1 shows the sign-in screen; after sign-in the browser lands
    on /snapshot?trust=RT1, not the Overview. A hand-over whose next names another site goes home."""
    email, password = DEMO_ACCOUNTS["analyst"]
    home = app.url.rstrip("/")

    async def sign_in_from_shared_link(next_instead: str | None = None) -> tuple[str, str, bool]:
        """(the hand-over address, where following it lands, whether the cookie was set)."""
        async with st_protocol.Session(app.url) as s:
            form = await s.run(page_name="snapshot", query_string="trust=RT1")
            assert form.h1() == SIGN_IN_TITLE
            fields = [
                form.widget("text_input", "Email address"),
                form.widget("text_input", "Password"),
                form.widget("button", "Sign in"),
            ]
            await s.run(
                widgets=[st_protocol.text(fields[0].id, email), st_protocol.text(fields[1].id, password)]
                + [st_protocol.click(fields[2].id)]
            )
            assert s.redirect and "token=" in s.redirect
            address = s.redirect if next_instead is None else re.sub(r"next=[^&]*", f"next={next_instead}", s.redirect)
            landed = await asyncio.to_thread(lambda: s.get(address).url)  # the browser's own cookies
            return address, landed, bool(s.cookie(COOKIE))

    address, landed, cookie = run_async(sign_in_from_shared_link())
    assert "next=%2Fsnapshot%3Ftrust%3DRT1" in address
    assert landed == f"{home}/snapshot?trust=RT1" and cookie
    for hostile in ("%2F%2Fevil.example", "https%3A%2F%2Fevil.example%2F", "%2F%5Cevil.example"):
        _, landed, cookie = run_async(sign_in_from_shared_link(hostile))
        assert landed == f"{home}/" and cookie, hostile  # home, signed in; never the other site
