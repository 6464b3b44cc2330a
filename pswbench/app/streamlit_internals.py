"""Every use of Streamlit's private API, in one place, so an upgrade is checked here and nowhere else.

Streamlit 1.67 offers no public way to do these; each function says what it leans on. The unit test
tests/unit/app/test_streamlit_internals.py fails when one of them is gone from the installed Streamlit.

* the script-run context: the session id of this run, a per-run object, sending a ForwardMsg;
* the runtime: whether this is AppTest's runtime, ending a session's st.user;
* PagesManager.uses_pages_directory: the product's pages/ folder beside app.py makes Streamlit treat
  the app as an old-style multipage app until st.navigation runs (pswbench.app.ui.through_the_router);
* the server: the script's path the CLI was given, the socket bind (pswbench.app.server), and the CLI's
  bootstrap.run, replaced to serve the guarded ASGI app;
* auth_util.validate_auth_credentials: checking the [auth] secrets before anyone clicks.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

# ---- the script run ----------------------------------------------------------------------------


def session_id() -> str | None:
    """The Streamlit session id of the script run on this thread, None outside a run."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def run_memo():
    """An object that lives for exactly this script run, to keep things on (None outside a run)."""
    ctx = get_script_run_ctx()
    return getattr(ctx, "parallel_coordinator", None) if ctx is not None else None


def send_redirect(url: str) -> None:
    """Send the browser to url, with Streamlit's own auth_redirect message."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.auth_redirect.url = url
    get_script_run_ctx().enqueue(msg)


def url_path(path: str) -> str:
    """path under the app's base URL (server.baseUrlPath)."""
    from streamlit.url_util import make_url_path

    return make_url_path(config.get_option("server.baseUrlPath") or "", path)


# ---- the runtime --------------------------------------------------------------------------------


def under_apptest() -> bool:
    """Whether this run is AppTest's (its runtime is not the server's Runtime)."""
    from streamlit import runtime
    from streamlit.runtime import Runtime

    return (
        bool(config.get_option("global.appTest")) and runtime.exists() and type(runtime.get_instance()) is not Runtime
    )


def forget_session_files(session_id: str) -> None:
    """Drop the media files and dataframe sources a session's earlier runs left with the runtime."""
    from streamlit import runtime

    rt = runtime.get_instance()
    rt.media_file_mgr.clear_session_refs(session_id)
    rt.dataframe_source_mgr.clear_all_for_session(session_id)


def end_user_info() -> None:
    """Sign this session out of st.user without leaving the page (what st.logout does before its redirect)."""
    from streamlit import runtime

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    if runtime.exists():
        runtime.get_instance().clear_user_info_for_session(ctx.session_id)
    ctx.user_info.clear()


# ---- pages/ beside app.py -----------------------------------------------------------------------


def leave_pages_directory_mode() -> bool:
    """Stop treating pages/ as an old-style multipage app, for the process. True if it was."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


def keep_pages_directory_mode_off() -> Callable[[], None]:
    """For AppTest, which sets the flag afresh for every run: keep it off; returns the undo."""
    original = PagesManager.__init__
    if getattr(original, "_pswbench_patched", False):
        return lambda: None

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    init._pswbench_patched = True
    PagesManager.__init__ = init

    def undo() -> None:
        PagesManager.__init__ = original

    return undo


# ---- the server ---------------------------------------------------------------------------------


def main_script_path() -> str | None:
    """The script Streamlit's CLI was given (set before uvicorn imports the ASGI app)."""
    return config._main_script_path or None


def wrap_bind_socket(wrap: Callable[[socket.socket], socket.socket]) -> bool:
    """Make Streamlit's server pass every listening socket it binds through wrap (once).
    False if this Streamlit binds in some other way."""
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        return False
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        return False
    if getattr(bind, "pswbench_wrapped", False):
        return True

    def bind_wrapped(address: str, port: int, backlog: int) -> socket.socket:
        return wrap(bind(address, port, backlog))

    bind_wrapped.pswbench_wrapped = True
    starlette_server._bind_socket = bind_wrapped
    return True


def serve_with(run_asgi: Callable[..., None]) -> None:
    """Have the CLI's `run` serve through run_asgi (main_script_path, is_hello, args, flag_options)."""
    from streamlit.web import bootstrap

    bootstrap.run = run_asgi


def run_asgi_app(main_script_path: str, asgi_app: str, args: list[str], flag_options: dict) -> None:
    from streamlit.web import bootstrap

    bootstrap.run_asgi_app(main_script_path, asgi_app, args, flag_options)


# ---- single sign-on -----------------------------------------------------------------------------


def auth_settings_problem() -> str | None:
    """What is wrong with the [auth] settings of the default provider, None when they are usable."""
    from streamlit.auth_util import validate_auth_credentials
    from streamlit.errors import StreamlitAuthError

    try:
        validate_auth_credentials("default")
    except StreamlitAuthError as exc:
        return str(exc)
    return None
