"""pswbench: the entry point. Signs the user in and routes them to the pages their role may open."""

import streamlit as st

from pswbench.access import auth
from pswbench.app import ui

st.set_page_config(page_title="pswbench: PSW workforce benchmarking", layout="wide")
ui.through_the_router()

ui.connection()  # first start builds the synthetic demo; a broken database stops here with a clear message
FILES = {
    "overview": "pages/overview.py",
    "regions": "pages/regions.py",
    "benchmark": "pages/benchmark.py",
    "snapshot": "pages/snapshot.py",
    "upload": "pages/upload.py",
    "submissions": "pages/submissions.py",
    "definitions": "pages/definitions.py",
    # the themes of return version 2 (issue 12)
    "workforce_profile": "pages/workforce_profile.py",
    "conditions": "pages/conditions.py",
}
user = ui.current_user()
if user is None:
    # Which page the address asks for (a shared link such as /snapshot?trust=RT1), to open it after
    # sign-in; the sign-in screen is this navigation's default, so nothing here outlives the sign-in.
    asked = st.navigation(
        [st.Page(ui.sign_in_screen, title="Sign in", default=True)]
        + [st.Page(path, title=ui.PAGE_TITLES[key], url_path=key) for key, path in FILES.items()],
        position="hidden",
    )
    st.session_state[auth.NEXT_KEY] = auth.requested_next(asked.url_path, st.query_params.to_dict())
    ui.sign_in_screen()

LANDING = {"analyst": "overview", "trust_lead": "upload", "board": "snapshot"}
# Every page is registered, so a page opened by URL without permission says "not permitted"
# (each page checks) instead of silently showing another; the menu lists only the user's pages.
pages = {
    key: st.Page(path, title=ui.PAGE_TITLES[key], url_path=key, default=key == LANDING[user.role])
    for key, path in FILES.items()
}
navigation = st.navigation(list(pages.values()), position="hidden")
ui.sidebar(user, pages)
navigation.run()
