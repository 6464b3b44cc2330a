"""A minimal Streamlit client that speaks the app's own websocket protocol (no browser).

It does what the browser's JavaScript does for a session: opens /_stcore/stream, asks for script
runs (BackMsg.rerun_script with the page's hash and the widget values) and reads the ForwardMsg
frames until the run has finished. It does not render anything, so N of them cost the load
generator a small fraction of what N browser tabs cost, and what is timed is the server's work:
from the request to the run's `script_finished` message, with every element of the page received.

Used by benchmarks/load_viewers.py for viewer sessions.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
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
    bytes: int = 0

    def h1(self) -> str | None:
        return next((e.body for kind, e in self.main if kind == "heading" and e.tag == "h1"), None)

    def problems(self) -> list[str]:
        out = []
        for kind, e in self.main + self.sidebar:
            if kind == "exception":
                out.append(f"exception: {e.type}")
            elif kind == "alert" and e.format == ALERT_ERROR:
                out.append(f"error alert: {e.body[:200]}")
        return out

    def widget(self, kind: str, label: str):
        return next((e for k, e in self.main + self.sidebar if k == kind and e.label == label), None)

    def page_links(self) -> dict[str, str]:
        return {e.label: e.page_script_hash for k, e in self.sidebar if k == "page_link"}


class Session:
    """One browser-less session. Use as `async with Session(url) as s:`."""

    def __init__(self, base_url: str, timeout_s: float = 90):
        self.url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.page_hash = ""
        self._ws = None

    async def __aenter__(self) -> "Session":
        self._ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None, compression=None,
                                            open_timeout=self.timeout_s)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._ws.close()

    async def run(self, page_hash: str | None = None, widgets: list[WidgetState] = ()) -> Run:
        """Ask for a script run and return the last one that finished (a run that ends early because
        the app asked for a rerun, for example after sign-in, is followed to the rerun's end)."""
        if page_hash is not None:
            self.page_hash = page_hash
        msg = BackMsg()
        msg.rerun_script.page_script_hash = self.page_hash
        msg.rerun_script.widget_states.widgets.extend(widgets)
        await self._ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._until_finished(), timeout=self.timeout_s)

    async def _until_finished(self) -> Run:
        run = Run()
        while True:
            raw = await self._ws.recv()
            fwd = ForwardMsg.FromString(raw)
            kind = fwd.WhichOneof("type")
            run.bytes += len(raw)
            if kind == "new_session":
                run = Run(bytes=len(raw))   # a rerun starts afresh
            elif kind == "navigation" and fwd.navigation.page_script_hash:
                self.page_hash = fwd.navigation.page_script_hash   # as the browser follows st.switch_page
            elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                name = element.WhichOneof("type")
                where = run.sidebar if fwd.metadata.delta_path[:1] == [SIDEBAR] else run.main
                where.append((name, getattr(element, name)))
            elif kind == "script_finished":
                status = fwd.script_finished
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    run.status = status
                    return run


def text(widget_id: str, value: str) -> WidgetState:
    return WidgetState(id=widget_id, string_value=value)


def click(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


def ok(run: Run) -> bool:
    return run.status == ForwardMsg.FINISHED_SUCCESSFULLY
