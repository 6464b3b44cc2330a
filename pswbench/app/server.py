"""`python -m pswbench.app.server run app.py [streamlit options]`: the app behind pswbench.app.web's guard,
on Streamlit's own server (uvicorn), without the 40 ms stall.

Streamlit's CLI parses the options and config files as for `streamlit run`; where it would start
its plain server, this serves `pswbench.app.asgi:app` instead (st.App with the session cookie guard,
security headers and sign-in routes), through Streamlit's own uvicorn runner. Plain `streamlit run
app.py` starts, but the app refuses to sign anybody in without the guard.

Streamlit 1.67's server binds its listening socket as `socket.socket(family)`, whose protocol
number is 0. asyncio switches Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol
is IPPROTO_TCP (uvicorn does not set it either), so every connection the app accepts keeps Nagle
on. A script run sends many small websocket frames; with Nagle on, the frames after the first wait
for the client's delayed ACK (40 ms on Linux), so every page view and every click took at least
~45 ms however little the page did (measured with tests/helpers/st_protocol.py: a two-line app 44 ms
per run, 6 ms with this fix).

This wraps Streamlit's own bind (used by both its runners) so the listening socket says it is TCP;
the accepted connections inherit that and asyncio sets TCP_NODELAY on each. If a later Streamlit
moves the bind, the app still starts and says so.
"""

from __future__ import annotations

import logging
import socket
import sys

from pswbench.app import streamlit_internals

log = logging.getLogger(__name__)


def as_tcp(sock: socket.socket) -> socket.socket:
    """The same listening socket, marked IPPROTO_TCP so asyncio disables Nagle on what it accepts."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.proto == socket.IPPROTO_TCP:
        return sock
    blocking = sock.getblocking()
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, sock.detach())
    tcp.setblocking(blocking)
    tcp.set_inheritable(True)
    return tcp


def patch_streamlit_bind() -> bool:
    """Make Streamlit's server bind through as_tcp. False if this Streamlit has no such bind."""
    return streamlit_internals.wrap_bind_socket(as_tcp)


ASGI_APP = "pswbench.app.asgi:app"


def serve_guarded(main_script_path: str, is_hello: bool, args: list[str], flag_options: dict, **_) -> None:
    """Stands in for streamlit.web.bootstrap.run: the same script, served as the guarded ASGI app."""
    streamlit_internals.run_asgi_app(main_script_path, ASGI_APP, args, flag_options)


def main(argv: list[str] | None = None) -> int:
    if not patch_streamlit_bind():
        log.warning(
            "pswbench.app.server: this Streamlit has no starlette_server._bind_socket; "
            "page views may wait ~40 ms for TCP acks"
        )
    from streamlit.web.cli import main as streamlit_main

    streamlit_internals.serve_with(serve_guarded)
    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    return streamlit_main()


if __name__ == "__main__":
    sys.exit(main())
