"""A minimal Streamlit client that speaks the app's own websocket protocol (no browser).

It does what the browser's JavaScript does for a session: opens /_stcore/stream, asks for script
runs (BackMsg.rerun_script with the page's hash and the widget values) and reads the ForwardMsg
frames until the run has finished. It does not render anything, so N of them cost the load
generator a small fraction of what N browser tabs cost, and what is timed is the server's work:
from the request to the run's `script_finished` message, with every element of the page received.

It keeps the widget values it has set and sends them with every run, as the browser does (a value
left out is taken as cleared), and it can upload a file to an st.file_uploader the way the browser
does: ask for an upload URL over the websocket, PUT the file there with Streamlit's XSRF cookie and
header, then report the file in the widget's value. It fetches a download button's file as the browser
does too: a file made when asked for (st.download_button with a callable) is asked for with a
backend_operation_request naming the button's deferred_file_id, and the reply's URL is then fetched;
any other file is fetched from the button's URL. Every message of a run is kept (Run.messages).

Used by benchmarks/load_viewers.py for its sessions and tests/disclosure for its crawl.
"""
from __future__ import annotations

import asyncio
import http.cookiejar
import urllib.request
import uuid
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackendOperationRequest, BackMsg, DeferredFileRequestPayload
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

MAIN, SIDEBAR = 0, 1   # RootContainer: the first index of a delta's path
ALERT_ERROR = 1        # Alert.Format.ERROR


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


class Session:
    """One browser-less session. Use as `async with Session(url) as s:`."""

    def __init__(self, base_url: str, timeout_s: float = 90, headers: dict[str, str] | None = None):
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.headers = dict(headers or {})   # sent with the websocket handshake (e.g. a session cookie)
        self.page_hash = ""
        self.session_id = ""
        self.values: dict[str, WidgetState] = {}   # the values set on this page, sent with every run
        self.cookies = http.cookiejar.CookieJar()   # this browser's cookies, for its HTTP requests
        self._http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._ws = None
        self._replies: dict[str, asyncio.Future] = {}

    async def __aenter__(self) -> "Session":
        self._ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, compression=None,
                                            open_timeout=self.timeout_s, additional_headers=self.headers or None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def run(self, page_hash: str | None = None, widgets: list[WidgetState] = ()) -> Run:
        """Ask for a script run (on page_hash, or the current page) with these widget values on top of
        those set before; return the last run that finished (a run that ends early because the app
        asked for a rerun, for example after sign-in, is followed to the rerun's end)."""
        if page_hash is not None and page_hash != self.page_hash:
            self.page_hash, self.values = page_hash, {}
        triggers = [w for w in widgets if w.WhichOneof("value") == "trigger_value"]
        self.values.update({w.id: w for w in widgets if w not in triggers})
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend([*self.values.values(), *triggers])
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._until_finished(), timeout=self.timeout_s)

    async def upload(self, widget_id: str, name: str, data: bytes) -> Run:
        """Put a file into the st.file_uploader widget_id, as the browser does, and return the run."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        self._replies[request_id] = asyncio.get_running_loop().create_future()
        await self._ws.send(msg.SerializeToString())
        reply = await asyncio.wait_for(self._until_reply(request_id), timeout=self.timeout_s)
        if reply.error_msg or not reply.file_urls:
            raise RuntimeError(f"no upload URL: {reply.error_msg}")
        urls = reply.file_urls[0]
        await asyncio.to_thread(self._put, urls.upload_url, name, data)
        info = UploadedFileInfo(file_id=urls.file_id, name=name, size=len(data), file_urls=urls)
        return await self.run(widgets=[WidgetState(id=widget_id, file_uploader_state_value=FileUploaderState(
            uploaded_file_info=[info]))])

    async def download(self, button) -> bytes:
        """The file behind a download_button element, fetched as the browser fetches it on a click."""
        url = button.url
        if button.deferred_file_id:
            request_id = uuid.uuid4().hex
            msg = BackMsg(backend_operation_request=BackendOperationRequest(
                request_id=request_id, session_id=self.session_id,
                deferred_file=DeferredFileRequestPayload(file_id=button.deferred_file_id)))
            self._replies[request_id] = asyncio.get_running_loop().create_future()
            await self._ws.send(msg.SerializeToString())
            reply = await asyncio.wait_for(self._until_reply(request_id), timeout=self.timeout_s)
            if reply.error_msg:
                raise RuntimeError(f"download {button.label!r} refused: {reply.error_msg}")
            url = reply.deferred_file.url
        if not url:
            raise RuntimeError(f"download {button.label!r} has neither a URL nor a deferred file")
        return await asyncio.to_thread(self.get, url)

    def get(self, path_or_url: str) -> bytes:
        """An HTTP GET with this browser's cookies."""
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url
        with self._http.open(url, timeout=self.timeout_s) as resp:
            return resp.read()

    def _put(self, upload_url: str, name: str, data: bytes) -> None:
        """The browser's PUT of the file: multipart form, with the XSRF cookie Streamlit hands out and
        the same token in the X-Xsrftoken header."""
        opener = self._http
        opener.open(self.base_url + "/_stcore/health", timeout=self.timeout_s).read()
        token = next((c.value for c in self.cookies if c.name == "_streamlit_xsrf"), "")
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        url = upload_url if upload_url.startswith("http") else self.base_url + upload_url
        req = urllib.request.Request(url, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": token})
        opener.open(req, timeout=self.timeout_s).read()

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
            return Run(messages=[*run.messages, fwd])   # a rerun starts afresh
        run.messages.append(fwd)
        if kind == "navigation" and fwd.navigation.page_script_hash:
            self.page_hash = fwd.navigation.page_script_hash   # as the browser follows st.switch_page
        elif kind in ("file_urls_response", "backend_operation_response"):
            answer = getattr(fwd, kind)
            reply = self._replies.get(answer.response_id if kind == "file_urls_response" else answer.request_id)
            if reply is not None and not reply.done():
                reply.set_result(answer)
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
