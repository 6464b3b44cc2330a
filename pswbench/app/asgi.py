"""The ASGI app `python -m pswbench.app.server run app.py` serves under uvicorn: the script Streamlit's
CLI was given, behind pswbench.app.web's guard. Streamlit's CLI has set the script's path by the time
uvicorn imports this module."""

from pswbench.app import streamlit_internals, web

if not streamlit_internals.main_script_path():
    raise RuntimeError(
        "pswbench.app.asgi is served by `python -m pswbench.app.server run app.py`, which names the script"
    )

app = web.make_app(streamlit_internals.main_script_path())
