"""The ASGI app `python -m pswbench.app.server run app.py` serves under uvicorn: the script Streamlit's
CLI was given, behind pswbench.app.web's guard. Streamlit's CLI has set the script's path by the time
uvicorn imports this module."""

# Imported here, once, before any session runs: plotly imports pandas on first use, and two sessions'
# script threads doing that at once left one with a half-imported module ("partially initialized module
# 'pandas' has no attribute 'Series'") and a traceback on screen.
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401

from pswbench.app import streamlit_internals, web

if not streamlit_internals.main_script_path():
    raise RuntimeError(
        "pswbench.app.asgi is served by `python -m pswbench.app.server run app.py`, which names the script"
    )

app = web.make_app(streamlit_internals.main_script_path())
