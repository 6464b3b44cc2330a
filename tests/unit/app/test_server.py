"""pswbench.app.server: the app's connections have Nagle's algorithm off (TCP_NODELAY), which Streamlit's
own bind leaves on. Checked on real sockets: asyncio accepts a connection on the listening socket
and the accepted socket's TCP_NODELAY option is read back."""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket

from streamlit.web.server.starlette import starlette_server

from pswbench.app import server


def nodelay_of_accepted(listening: socket.socket) -> int:
    """Accept one connection with asyncio (as uvicorn does) and return its TCP_NODELAY option."""

    async def go() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        def accepted(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        srv = await asyncio.start_server(accepted, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            return await asyncio.wait_for(seen, timeout=10)
        finally:
            writer.close()
            srv.close()
            await srv.wait_closed()

    # Its own thread: in a full run the browser tests' sync Playwright has a loop running here already.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, go()).result(timeout=30)


def test_streamlit_bind_through_pswbench_server_gives_connections_without_nagle(monkeypatch):
    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)  # restored after
    assert server.patch_streamlit_bind()
    sock = starlette_server._bind_socket("127.0.0.1", 0, 16)
    assert sock.proto == socket.IPPROTO_TCP
    assert nodelay_of_accepted(sock) == 1


def test_patching_twice_wraps_once(monkeypatch):
    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)
    server.patch_streamlit_bind()
    once = starlette_server._bind_socket
    server.patch_streamlit_bind()
    assert starlette_server._bind_socket is once


def test_as_tcp_keeps_the_bound_address_and_leaves_a_tcp_socket_alone():
    raw = socket.socket(socket.AF_INET)  # what Streamlit's bind creates: protocol 0
    raw.bind(("127.0.0.1", 0))
    raw.listen(4)
    raw.setblocking(False)
    address = raw.getsockname()
    tcp = server.as_tcp(raw)
    assert tcp.getsockname() == address and tcp.proto == socket.IPPROTO_TCP
    assert tcp.getblocking() is False
    assert server.as_tcp(tcp) is tcp
    tcp.close()


def test_the_guarded_app_is_served_on_a_socket_bound_through_the_patched_bind(monkeypatch):
    """`python -m pswbench.app.server run app.py` hands Streamlit's CLI a runner that serves
    pswbench.app.asgi:app with Streamlit's UvicornRunner, and that runner's listening socket comes from
    the patched bind: a TCP socket, so the connections it accepts get TCP_NODELAY (above)."""
    import sys

    import uvicorn
    from streamlit import config
    from streamlit.web import bootstrap

    monkeypatch.setattr(starlette_server, "_bind_socket", starlette_server._bind_socket)
    monkeypatch.setattr(bootstrap, "run", bootstrap.run)
    for name in ("_config_options", "_main_script_path"):  # the CLI sets them for the process
        monkeypatch.setattr(config, name, getattr(config, name))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    served = {}

    def run_asgi_app(main_script_path, app_import_string, args, flag_options):
        served["app"] = app_import_string
        starlette_server.UvicornRunner(app_import_string).run()

    def uvicorn_run(self, sockets=None):
        served["protos"] = [s.proto for s in sockets]  # stop here: the socket is what is checked

    monkeypatch.setattr(bootstrap, "run_asgi_app", run_asgi_app)
    monkeypatch.setattr(uvicorn.Server, "run", uvicorn_run)
    monkeypatch.setattr(bootstrap, "_print_url", lambda **_: None)
    try:
        server.main(
            [
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                "0",
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ]
        )
    except SystemExit:
        pass  # the stopped uvicorn never started, so the runner exits
    assert served == {"app": server.ASGI_APP, "protos": [socket.IPPROTO_TCP]}
