"""Every piece of Streamlit's private API that pswbench.app.streamlit_internals leans on is still there.

When a Streamlit upgrade removes or renames one, this fails and names it, before the app does."""

from __future__ import annotations

import dataclasses
import importlib
import socket

import pytest

from pswbench.app import streamlit_internals

# (module, attribute): the private names the compat module reads or replaces
LEANED_ON = [
    ("streamlit.runtime.scriptrunner_utils.script_run_context", "get_script_run_ctx"),
    ("streamlit.runtime.pages_manager", "PagesManager"),
    ("streamlit.runtime", "Runtime"),
    ("streamlit.url_util", "make_url_path"),
    ("streamlit.web.server.starlette.starlette_server", "_bind_socket"),
    ("streamlit.web.bootstrap", "run"),
    ("streamlit.web.bootstrap", "run_asgi_app"),
    ("streamlit.auth_util", "validate_auth_credentials"),
    ("streamlit.config", "_main_script_path"),
]


@pytest.mark.parametrize(("module", "name"), LEANED_ON)
def test_the_private_name_is_still_there(module, name):
    assert hasattr(importlib.import_module(module), name), (
        f"{module}.{name} is gone: see pswbench/app/streamlit_internals.py"
    )


def test_the_runtime_and_its_managers_keep_the_methods_used():
    from streamlit.runtime import Runtime
    from streamlit.runtime.pages_manager import PagesManager

    assert isinstance(PagesManager.uses_pages_directory, bool | None)
    assert callable(Runtime.clear_user_info_for_session)
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    assert callable(MediaFileManager.clear_session_refs)
    fields = {f.name for f in dataclasses.fields(ScriptRunContext)}
    assert {"session_id", "user_info", "parallel_coordinator"} <= fields  # run_memo keeps per-run things there


def test_the_redirect_message_still_has_its_field():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.auth_redirect.url = "/x"
    assert msg.WhichOneof("type") == "auth_redirect"


def test_keeping_pages_directory_mode_off_is_undone():
    from streamlit.runtime.pages_manager import PagesManager

    before = PagesManager.__init__
    undo = streamlit_internals.keep_pages_directory_mode_off()
    try:
        assert PagesManager.__init__ is not before or getattr(before, "_pswbench_patched", False)
    finally:
        undo()
    assert PagesManager.__init__ is before


def test_the_bind_is_wrapped_once(monkeypatch):
    from streamlit.web.server.starlette import starlette_server

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)
    seen = []

    def wrap(sock: socket.socket) -> socket.socket:
        seen.append(sock)
        return sock

    assert streamlit_internals.wrap_bind_socket(wrap)
    once = starlette_server._bind_socket
    assert streamlit_internals.wrap_bind_socket(wrap) and starlette_server._bind_socket is once
    sock = starlette_server._bind_socket("127.0.0.1", 0, 4)
    try:
        assert seen == [sock]
    finally:
        sock.close()
