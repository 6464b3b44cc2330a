"""A minimal Streamlit client that speaks the app's own websocket protocol (no browser).

It does what the browser's JavaScript does for a session: opens /_stcore/stream, asks for script
runs (BackMsg.rerun_script with the page's hash and the widget values) and reads the ForwardMsg
frames until the run has finished. It does not render anything, so N of them cost the load
generator a small fraction of what N browser tabs cost, and what is timed is the server's work:
from the request to the run's `script_finished` message, with every element of the page received.

It keeps the widget values it has set and sends them with every run, as the browser does (a value
left out is taken as cleared), and it can upload a file to an st.file_uploader the way the browser
does: ask for an upload URL over the websocket, PUT the file there with Streamlit's XSRF cookie and
header, then report the file in the widget's value.

Signing in is what a browser does too (pswbench/access/browser_session.py): submit the sign-in form; the
app answers with a redirect to its sign-in route, whose response sets the session cookie; then
open the websocket again with that cookie. Every HTTP request and websocket of a Session carries
its cookie jar. To sign in as someone:

    async with st_protocol.signed_in(base_url, email, password) as session:
        session.landing   # the run of the landing page
        run = await session.run(session.landing.page_links()["Definitions"])

It fetches a download button's file as the browser does too (Session.fetch): a file made when asked
for (st.download_button with a callable) through a backend_operation_request naming the button's
deferred_file_id, then the reply's URL; any other file from the button's URL. Every message of a run
is kept (Run.messages).

Used by benchmarks/load_viewers.py for its sessions and tests/disclosure for its crawl.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import urllib.request
import uuid
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

MAIN, SIDEBAR = 0, 1  # RootContainer: the first index of a delta's path
ALERT_ERROR = 1  # Alert.Format.ERROR


@dataclass
class Run:
    """What one script run sent: elements by container, in order."""

    status: int = -1
    main: list[tuple[str, object]] = field(default_factory=list)
    sidebar: list[tuple[str, object]] = field(default_factory=list)
    # Every frame received since the run was asked for, in order, including those of a run that
    # ended early for a rerun (main and sidebar hold only the last run's elements).
    messages: list[ForwardMsg] = field(default_factory=list)

    def h1(self) -> str | None:
        return next((e.body for kind, e in self.main if kind == "heading" and e.tag == "h1"), None)

    def problems(self) -> list[str]:
        out = []
        for kind, e in self.main + self.sidebar:
            if kind == "exception":
                out.append(f"exception: {e.type} {e.message[:200]}".rstrip())
            elif kind == "alert" and e.format == ALERT_ERROR:
                out.append(f"error alert: {e.body[:200]}")
        return out

    def widget(self, kind: str, label: str):
        return next((e for k, e in self.main + self.sidebar if k == kind and e.label == label), None)

    def texts(self) -> list[str]:
        """The main area's alerts, text and markdown, in order."""
        return [e.body for k, e in self.main if k in ("alert", "text", "markdown")]

    def page_links(self) -> dict[str, str]:
        return {e.label: e.page_script_hash for k, e in self.sidebar if k == "page_link"}


class SignInRefused(RuntimeError):
    """The sign-in form did not sign in (its messages are the text; run is the form's run, if any)."""

    def __init__(self, message: str, run: Run | None = None):
        super().__init__(message)
        self.run = run


class Session:
    """One browser-less session. Use as `async with Session(url) as s:`.

    session_id: connect to this existing Streamlit session (as a browser reconnecting does, or
    someone who has learnt the id); cookies: start with these cookies (name -> value)."""

    def __init__(
        self, base_url: str, timeout_s: float = 90, session_id: str | None = None, cookies: dict[str, str] | None = None
    ):
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.page_hash = ""
        self.query_string = ""  # the address's query, sent with every run as the browser does
        self.session_id = ""
        self.values: dict[str, WidgetState] = {}  # the values set on this page, sent with every run
        self.redirect: str | None = None  # the last auth_redirect the app sent
        self.closed_code: int | None = None  # the close code when the app closed the websocket
        self.landing: Run | None = None
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self._resume = session_id
        self._start_cookies = dict(cookies or {})
        self._ws = None
        self._replies: dict[str, asyncio.Future] = {}

    async def __aenter__(self) -> Session:
        await self.connect(self._resume)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def cookie_header(self) -> str:
        both = {**self._start_cookies, **{c.name: c.value for c in self.jar}}
        return "; ".join(f"{k}={v}" for k, v in both.items())

    def get(self, path: str, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
        """An HTTP request to the app with this session's cookies (redirects followed); the response."""
        url = path if path.startswith("http") else self.base_url + path
        req = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={**(headers or {}), **({"Cookie": self.cookie_header()} if self._start_cookies else {})},
        )
        return self.opener.open(req, timeout=self.timeout_s)

    async def connect(self, session_id: str | None = None) -> None:
        """Open the websocket (again) with the jar's cookies, as a page load does: first the health
        check that hands out Streamlit's XSRF cookie. session_id: resume that session."""
        await asyncio.to_thread(lambda: self.get("/_stcore/health").read())
        protocols = ["streamlit", self.cookie("_streamlit_xsrf") or "x", session_id] if session_id else ["streamlit"]
        self._ws = await websockets.connect(
            self.url,
            subprotocols=protocols,
            max_size=None,
            compression=None,
            open_timeout=self.timeout_s,
            additional_headers={"Cookie": self.cookie_header()},
        )
        self.closed_code = None

    async def sign_in(self, email: str, password: str, form: Run | None = None) -> Run:
        """Sign in through the form (on form, the run showing it, or a fresh run), take the cookie
        from the app's sign-in route and reconnect with it, as a browser does; return the run of
        the landing page. Raises SignInRefused with the form's message when refused."""
        form = form or await self.run()
        fields = [
            form.widget("text_input", "Email address"),
            form.widget("text_input", "Password"),
            form.widget("button", "Sign in"),
        ]
        if not all(fields):
            raise SignInRefused(f"no sign-in form on this page: {form.texts()[:3]}")
        self.redirect = None
        run = await self.run(widgets=[text(fields[0].id, email), text(fields[1].id, password), click(fields[2].id)])
        if self.redirect is None:
            raise SignInRefused("; ".join(e.body for k, e in run.main if k == "alert") or "no redirect", run)
        await asyncio.to_thread(lambda: self.get(self.redirect).read())
        await self._ws.close()
        self.page_hash, self.values = "", {}
        await self.connect()
        return await self.run()

    async def send(self, msg: BackMsg) -> None:
        """Send any BackMsg as it is (tests of what the server refuses)."""
        await self._ws.send(msg.SerializeToString())

    async def download(self, file_id: str) -> tuple[str, str]:
        """Ask for a deferred download, as a click on its button does: (url, error message)."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.backend_operation_request.request_id = request_id
        msg.backend_operation_request.session_id = self.session_id
        msg.backend_operation_request.deferred_file.file_id = file_id
        self._replies[request_id] = asyncio.get_running_loop().create_future()
        await self.send(msg)
        reply = await asyncio.wait_for(self._until_reply(request_id), timeout=self.timeout_s)
        return reply.deferred_file.url, reply.error_msg

    async def fetch(self, button) -> bytes:
        """The file behind a download_button element, fetched as the browser fetches it on a click:
        a file made when asked for through its deferred_file_id, any other from the button's URL."""
        url = button.url
        if button.deferred_file_id:
            url, error = await self.download(button.deferred_file_id)
            if error:
                raise RuntimeError(f"download {button.label!r} refused: {error}")
        if not url:
            raise RuntimeError(f"download {button.label!r} has neither a URL nor a deferred file")
        return await asyncio.to_thread(lambda: self.get(url).read())

    async def wait_closed(self, timeout_s: float = 10) -> int | None:
        """Read until the app closes the websocket; the close code."""
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                await asyncio.wait_for(self._ws.recv(), timeout=timeout_s)
        self.closed_code = self._ws.close_code
        return self.closed_code

    async def run(
        self,
        page_hash: str | None = None,
        widgets: list[WidgetState] = (),
        page_name: str | None = None,
        query_string: str | None = None,
    ) -> Run:
        """Ask for a script run (on page_hash, or the current page) with these widget values on top of
        those set before; return the last run that finished (a run that ends early because the app
        asked for a rerun, for example after sign-in, is followed to the rerun's end). page_name and
        query_string: as a browser opening /<page_name>?<query_string> asks (the query is kept)."""
        if page_hash is not None and page_hash != self.page_hash:
            self.page_hash, self.values = page_hash, {}
        triggers = [w for w in widgets if w.WhichOneof("value") == "trigger_value"]
        self.values.update({w.id: w for w in widgets if w not in triggers})
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash
        if page_name is not None:
            msg.rerun_script.page_name = page_name
        if query_string is not None:
            self.query_string = query_string
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.widget_states.widgets.extend([*self.values.values(), *triggers])
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._until_finished(), timeout=self.timeout_s)

    async def upload_urls(self, names: list[str]):
        """Ask for upload URLs for these file names, as the browser does when files are picked."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.extend(names)
        msg.file_urls_request.session_id = self.session_id
        self._replies[request_id] = asyncio.get_running_loop().create_future()
        await self.send(msg)
        reply = await asyncio.wait_for(self._until_reply(request_id), timeout=self.timeout_s)
        if reply.error_msg or not reply.file_urls:
            raise RuntimeError(f"no upload URL: {reply.error_msg}")
        return list(reply.file_urls)

    async def upload(self, widget_id: str, name: str, data: bytes) -> Run:
        """Put a file into the st.file_uploader widget_id, as the browser does, and return the run."""
        [urls] = await self.upload_urls([name])
        await asyncio.to_thread(self.put, urls.upload_url, name, data)
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        return await self.run(
            widgets=[WidgetState(id=widget_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))]
        )

    def put(self, upload_url: str, name: str, data: bytes) -> None:
        """The browser's PUT of the file: multipart form, with this session's cookies (the XSRF one
        among them) and the same token in the X-Xsrftoken header."""
        token = self.cookie("_streamlit_xsrf") or ""
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        self.get(
            upload_url,
            method="PUT",
            data=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": token},
        ).read()

    async def _until_reply(self, request_id: str):
        while not self._replies[request_id].done():
            await self._receive(Run())
        return self._replies.pop(request_id).result()

    async def _until_finished(self) -> Run:
        run = Run()
        while True:
            run = await self._receive(run)
            if run.status != -1:
                return run

    async def _receive(self, run: Run) -> Run:
        """Read one frame into run (or a fresh Run when a new script run starts); return it."""
        fwd = ForwardMsg.FromString(await self._ws.recv())
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.session_id = fwd.new_session.initialize.session_id or self.session_id
            return Run(messages=[*run.messages, fwd])  # a rerun starts afresh
        run.messages.append(fwd)
        if kind == "navigation" and fwd.navigation.page_script_hash:
            self.page_hash = fwd.navigation.page_script_hash  # as the browser follows st.switch_page
        elif kind == "auth_redirect":
            self.redirect = fwd.auth_redirect.url
        elif kind == "backend_operation_response":
            reply = self._replies.get(fwd.backend_operation_response.request_id)
            if reply is not None and not reply.done():
                reply.set_result(fwd.backend_operation_response)
        elif kind == "file_urls_response":
            reply = self._replies.get(fwd.file_urls_response.response_id)
            if reply is not None and not reply.done():
                reply.set_result(fwd.file_urls_response)
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            name = element.WhichOneof("type")
            where = run.sidebar if fwd.metadata.delta_path[:1] == [SIDEBAR] else run.main
            where.append((name, getattr(element, name)))
        elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            run.status = fwd.script_finished
        return run


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def click(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def tick(widget_id: str, value: bool = True) -> WidgetState:
    return WidgetState(id=widget_id, bool_value=value)


def ok(run: Run) -> bool:
    return run.status == ForwardMsg.FINISHED_SUCCESSFULLY


@contextlib.asynccontextmanager
async def signed_in(base_url: str, email: str, password: str, timeout_s: float = 90):
    """A Session signed in as email/password the way a browser signs in, sitting on its landing
    page (session.landing is that run). Raises SignInRefused when the app refuses."""
    async with Session(base_url, timeout_s=timeout_s) as session:
        session.landing = await session.sign_in(email, password)
        yield session
