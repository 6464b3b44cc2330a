"""pswbench: the entry point. Signs the user in and routes them to the pages their role may open."""

import streamlit as st

from pswbench.access import auth
from pswbench.app import ui

st.set_page_config(page_title="pswbench: PSW workforce benchmarking", layout="wide")
ui.through_the_router()

ui.connection()  # first start builds the synthetic demo; a broken database stops here with a clear message
user = ui.current_user()

LANDING = {"analyst": "overview", "trust_lead": "upload", "board": "snapshot"}
FILES = {
    "overview": "pages/overview.py",
    "regions": "pages/regions.py",
    "benchmark": "pages/benchmark.py",
    "snapshot": "pages/snapshot.py",
    "upload": "pages/upload.py",
    "submissions": "pages/submissions.py",
    "definitions": "pages/definitions.py",
}
# Every page is registered, so a page opened by URL without permission says "not permitted"
# (each page checks) instead of silently showing another; the menu lists only the user's pages.
pages = {
    key: st.Page(
        path, title=ui.PAGE_TITLES[key], url_path=key, default=key == LANDING[user.role if user else "analyst"]
    )
    for key, path in FILES.items()
}
navigation = st.navigation(list(pages.values()), position="hidden")
if user is None:  # a shared link (/snapshot?trust=RT1) opens that page, query and all, after sign-in
    st.session_state[auth.NEXT_KEY] = auth.requested_next(navigation.url_path, st.query_params.to_dict())
    ui.sign_in_screen()
ui.sidebar(user, pages)
navigation.run()
