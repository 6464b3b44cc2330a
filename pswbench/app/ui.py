"""Streamlit building blocks shared by the pages: database, sign-in, pickers, tables and downloads.

Pages call page(key) first: it signs the user in, checks the page is theirs (recording a refusal)
and hands back the user and the cached queries. Great Expectations is never imported here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NoReturn

import polars as pl
import streamlit as st

from pswbench import paths
from pswbench.access import auth, browser_session, permissions, sso
from pswbench.access.auth import User
from pswbench.access.scope import PEER_GROUPS, Scope
from pswbench.app import streamlit_internals
from pswbench.reports import exports, tables
from pswbench.reports.queries import Queries
from pswbench.store import audit, database, process_db, viewer_mode


def through_the_router() -> None:
    """Make sure this run goes through the router in app.py.

    The product's layout keeps page scripts in pages/, which Streamlit treats as an old-style
    multipage app (a page file run without app.py, and widgets whose identity changes on the next
    run, so the first sign-in on a new server is lost) until st.navigation is first called. Switch
    that off for the process and start the run again the normal way.
    """
    if streamlit_internals.leave_pages_directory_mode():
        st.rerun()


PAGE_TITLES = {
    "overview": "Overview",
    "regions": "Regional comparison",
    "benchmark": "Trust benchmark",
    "snapshot": "Board snapshot",
    "upload": "Upload return",
    "submissions": "Submissions and data quality",
    "definitions": "Definitions",
    # organisational conditions and activity (issue 12)
    "conditions": "Conditions for peer work",
}
# ---- demographics (issue 12) ----
PAGE_TITLES["workforce_profile"] = "Workforce profile"


# ---- database -------------------------------------------------------------------------------


def _open(db: str):
    """The process's writer connection (pswbench.store.process_db: opened once, whatever a client sends);
    every query takes its own cursor from it."""
    return process_db.writer(
        db, building=lambda: st.spinner("First start: building the synthetic demo database (about 10 seconds)...")
    )


def _viewer_reader(db: str) -> viewer_mode.SnapshotReader:
    """A viewer process's reader of the published snapshot: one connection per generation."""
    return process_db.reader(db)


def _connect(db: str):
    if not viewer_mode.is_viewer():
        return _open(db)
    # Viewer: the manifest is checked once per script run, and the whole run reads one generation.
    memo = streamlit_internals.run_memo()
    con = getattr(memo, "_pswbench_viewer_con", None)
    if con is None:
        con = _viewer_reader(db).connection()
        try:
            memo._pswbench_viewer_con = con
        except AttributeError:  # no script run: check every time
            pass
    return con


def connection():
    db = str(paths.db_path())
    try:
        return _connect(db)
    except (database.DatabaseLocked, database.DatabaseUnreadable) as exc:
        st.error(str(exc))
        st.stop()


def record_event(con, actor: str, action: str, trust_code: str | None = None, detail: dict | None = None) -> None:
    """audit.record on its own cursor, or in a read-only viewer an event in its spool for the writer
    to ingest (no cursor: the snapshot connection may have been replaced by then)."""
    if viewer_mode.is_viewer():
        viewer_mode.record(paths.db_path(), actor, action, trust_code, detail)
    else:
        with con.cursor() as cur:
            audit.record(cur, actor, action, trust_code, detail)


class CachedQueries:
    """Queries with results cached per data version: a newly loaded return is visible at once."""

    def __init__(self, con):
        self._db = str(paths.db_path())
        self._con = con
        self._raw = Queries(con)
        self.version = self._raw.data_version()
        self.mode = viewer_mode.mode()

    def __getattr__(self, method):
        def call(*args):
            # The key holds the data version read from this very connection, and a miss is answered
            # from it too: a viewer never files one snapshot generation's answer under another's.
            return _cached(self._db, self.mode, self.version, method, args, self._con)

        return call


@st.cache_data(show_spinner=False, max_entries=512)
def _cached(db: str, mode: str, version: int, method: str, args: tuple, _con=None):
    return getattr(Queries(_con if _con is not None else _connect(db)), method)(*args)


def scope(user: User) -> Scope:
    """The user's only door to the data: queries cached per data version, under their access rules."""
    con = connection()
    return Scope(user, CachedQueries(con), Queries(con))


def is_synthetic() -> bool:
    from pswbench.synthetic.demo import is_synthetic as flag

    with connection().cursor() as cur:
        return flag(cur)


# ---- sign-in --------------------------------------------------------------------------------


def current_user() -> User | None:
    """The user this run is signed in as, never a value kept in the session: with single sign-on from
    st.user and the users table (pswbench.access.sso), otherwise from this run's connection's signed cookie
    (pswbench.access.browser_session)."""
    if sso.configured():
        user = sso.signed_in_user(connection(), record_event)
        if user is not None:
            # The guard in front of Streamlit (pswbench.app.web) lets only browsers holding the session
            # cookie upload, download or change widgets: a provider's sign-in gets the cookie too.
            bound = browser_session.user_for_run(connection(), streamlit_internals.run_memo())
            if bound is None or bound.email != user.email:
                sso.record_sign_in(connection(), record_event, user)
                browser_session.begin(user, connection())
        return user
    return browser_session.user_for_run(connection(), streamlit_internals.run_memo())


# Streamlit's theme cannot reach these, so CSS does (WCAG 2.2 AA, checked by axe-core in
# tests/e2e/test_accessibility.py):
# * captions are drawn at 60% opacity, #828180 on white (3.9:1, AA asks 4.5:1 of 14 px text): full
#   opacity in NHS dark grey (7.6:1), which also keeps a badge inside a caption at its own colour;
# * on a phone-sized screen a page title at Streamlit's 2.75rem fills the first screen: smaller there.
HOUSE_CSS = """<style>
[data-testid="stCaptionContainer"] { opacity: 1; color: #425563; }
@media (max-width: 640px) {
  [data-testid="stMain"] h1 { font-size: 1.6rem; line-height: 1.25; overflow-wrap: anywhere; }
  [data-testid="stMain"] h2, [data-testid="stMain"] h3 { font-size: 1.25rem; }
}
</style>"""


def house_style() -> None:
    """The app's CSS (HOUSE_CSS), on every screen: signed in (from the sidebar) or not."""
    st.html(HOUSE_CSS)


def sign_in_screen() -> None:
    """The sign-in form (or the OIDC button); stops the script until someone is signed in."""
    house_style()
    st.title("pswbench: peer support worker workforce benchmarking")
    st.write("Sign in to compare peer support worker (PSW) workforce figures across NHS mental health trusts.")
    browser_session.explain_failed_hand_over()
    con = connection()
    if sso.configured():
        sso.sign_in_screen()  # stops the script
    with st.form("sign_in"):
        email = st.text_input("Email address", max_chars=254)
        password = st.text_input("Password", type="password", max_chars=256)
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            with con.cursor() as cur:
                if viewer_mode.is_viewer():  # read-only: verified against the snapshot, attempt spooled
                    user = viewer_mode.authenticate(cur, paths.db_path(), email, password)
                else:
                    user = auth.authenticate(cur, email, password)
        except auth.SignInError as exc:
            st.error(str(exc))
        else:
            browser_session.begin(user, con)
    if is_synthetic():
        st.info("This is the SYNTHETIC demo. Demo accounts are listed in the README.")
    st.stop()


def sign_out() -> NoReturn:
    """End the sign-in and clear the whole session state, so the next person in this tab inherits nothing:
    with single sign-on also the provider's session (st.logout), otherwise this browser's cookie and
    every tab's session in this process (browser_session.sign_out does both)."""
    if sso.configured():
        browser_session.sign_out(connection(), oidc=True)  # st.logout: the provider's session ends too
        st.stop()  # a rerun now would drop st.logout's redirect to the provider
    browser_session.sign_out(connection(), oidc=False)
    if browser_session.under_apptest():
        st.rerun()  # AppTest follows no redirect: the sign-in screen at once
    # A rerun now would drop the redirect to the sign-out route (a new run clears the messages not yet
    # sent), and with it the clearing of the cookie; the run ends here and the browser follows it.
    st.stop()


# ---- page frame -----------------------------------------------------------------------------

WRITING_PAGES = ("upload",)  # pages whose purpose is to write: a viewer shows where to go instead


def page(key: str) -> tuple[User, Scope]:
    """Start a page: the signed-in user and their Scope, refused with 'not permitted' unless the page is theirs."""
    through_the_router()
    user = current_user()
    if user is None:
        sign_in_screen()
    try:
        permissions.require_page(user, key)
    except permissions.NotPermitted as exc:
        refuse(user, f"page:{key}", exc)
    if key in WRITING_PAGES and viewer_mode.is_viewer():
        st.title(PAGE_TITLES[key])
        st.warning(viewer_mode.read_only_message())
        st.stop()
    synthetic_banner()
    return user, scope(user)


def refuse(user: User, what: str, exc: Exception) -> None:
    """Show 'not permitted' and no data; record the attempt."""
    record_event(connection(), user.email, "not_permitted", user.trust_code, {"what": what})
    st.error(f"Not permitted. {exc}")
    st.stop()


def synthetic_banner() -> None:
    if is_synthetic():
        st.caption(
            ":orange-badge[SYNTHETIC DEMO DATA] Every figure here is made up for demonstration; "
            "no real trust's workforce is shown."
        )


def sidebar(user: User, pages: dict) -> None:
    house_style()
    with st.sidebar:
        st.markdown(
            f"**pswbench**  \nSigned in as {user.email}  \nRole: {user.role.replace('_', ' ')}"
            + (f" ({user.trust_code})" if user.trust_code else "")
        )
        for key in permissions.pages_for(user):
            st.page_link(pages[key], label=PAGE_TITLES[key])
        if st.button("Sign out"):
            sign_out()  # never returns


# ---- pickers --------------------------------------------------------------------------------


def period_picker(data: Scope, key: str = "period") -> dt.date:
    periods = data.periods()
    if not periods:
        st.info("No returns have been loaded yet.")
        st.stop()
    return st.selectbox("Quarter ending", periods, index=0, key=key, format_func=lambda d: d.strftime("%d %B %Y"))


def peer_group_picker(key: str = "peer_group") -> str:
    return st.radio("Compare with", list(PEER_GROUPS), format_func=PEER_GROUPS.get, horizontal=True, key=key)


def trust_picker(user: User, data: Scope, period: dt.date, key: str = "trust", from_link: bool = False) -> str:
    """Analysts choose any trust with a return; everyone else gets their own trust.

    With from_link, the page can be shared: the address's ?trust=CODE is the trust chosen, and a new
    choice is written back to the address, so the two always agree. A non-analyst's linked code is
    returned as it is, for the page to refuse if it is not theirs."""
    linked = st.query_params.get("trust") if from_link else None
    if user.role != "analyst":
        return linked or user.trust_code
    df = data.trust_rows(period).select("trust_code", "trust_name").sort("trust_name")
    codes = df["trust_code"].to_list()
    names = dict(df.iter_rows())
    if linked in codes and st.session_state.get(key) != linked:
        st.session_state[key] = linked

    def follow() -> None:
        st.query_params["trust"] = st.session_state[key]

    chosen = st.selectbox(
        "Trust", codes, format_func=lambda c: f"{names[c]} ({c})", key=key, on_change=follow if from_link else None
    )
    # A linked code that is unknown, or has no return this quarter, goes to the page to say so.
    return linked if linked and linked not in codes else chosen


# ---- tables, charts, downloads --------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "table"


def _column_config(config: dict[str, dict]) -> dict:
    """reports.tables.screen's column settings as st.column_config columns."""
    out = {}
    for name, c in config.items():
        if c["kind"] == "number":
            out[name] = st.column_config.NumberColumn(c["label"], format=c["format"], step=c["step"])
        elif c["kind"] == "date":
            out[name] = st.column_config.DateColumn(c["label"], format="YYYY-MM-DD")
        else:
            out[name] = st.column_config.TextColumn(c["label"], alignment=c["alignment"])
    return out


def table(df: pl.DataFrame, name: str, user: User, key: str | None = None) -> None:
    """A table with CSV and XLSX downloads (spreadsheet-safe). Each file is made when its button is
    pressed, not on every page view (an XLSX costs more than the rest of a small page), and each file
    made is audited."""
    # As Arrow: Streamlit sends an Arrow table as it is, but turns a polars frame into pandas first
    # (about 8 ms for a 50-row table against 0.04 ms, on every view of every table).
    # Headings in words, numbers by unit, missing values in words: reports.tables, for every table.
    shown, config = tables.screen(df)
    st.dataframe(shown.to_arrow(), hide_index=True, width="stretch", column_config=_column_config(config))
    key = key or _slug(name)
    stamp = dt.date.today().isoformat()
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "Download CSV",
        export_file(df, name, user, "csv"),
        f"{key}-{stamp}.csv",
        "text/csv",
        key=f"{key}-csv",
        on_click="ignore",
    )
    c2.download_button(
        "Download XLSX",
        export_file(df, name, user, "xlsx"),
        f"{key}-{stamp}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}-xlsx",
        on_click="ignore",
    )


def export_file(df: pl.DataFrame, name: str, user: User, fmt: str):
    """A table's download as a callable (see audited)."""
    return audited(
        lambda: (
            exports.rows_to_csv_bytes(*tables.export_rows(df))
            if fmt == "csv"
            else exports.rows_to_xlsx_bytes(*tables.export_rows(df), sheet_name="data")
        ),
        user,
        {"table": name, "format": fmt},
    )


def audited(make, user: User, detail: dict):
    """The download's bytes as a callable that records one export when the file is made. Streamlit
    calls it when the button is pressed, in a server thread after the run, so the connection is taken
    now. Nothing is made on a page view, so no file waits at a /media/ address with the page."""
    con = connection()

    def made() -> bytes:
        record_event(con, user.email, "export", user.trust_code, detail)
        return make()

    return made


def download(label: str, make, file_name: str, mime: str, user: User, detail: dict, key: str, **kwargs) -> None:
    """A download button whose file is made, and audited, only when it is pressed."""
    st.download_button(label, audited(make, user, detail), file_name, mime, key=key, on_click="ignore", **kwargs)


SMALL_CHART_PX = 200  # a chart shorter than this (a sparkline) has no mode bar: on a phone it covers the chart


def plotly_config(fig) -> dict:
    """plotly's options for a figure: no plotly logo; no mode bar (toolbar) on a small chart."""
    config = {"displaylogo": False}
    if fig.layout.height is not None and fig.layout.height < SMALL_CHART_PX:
        config["displayModeBar"] = False
    return config


def chart(fig, data: pl.DataFrame, name: str, user: User, key: str | None = None) -> None:
    """A chart with the data behind it one click away. Streamlit's chart theme is off (theme=None):
    it would grey the tick labels and axis titles below WCAG AA contrast; the figure's own template
    (pswbench.reports.charts.TEMPLATE) sets the colours."""
    st.plotly_chart(fig, width="stretch", key=f"{key or _slug(name)}-chart", config=plotly_config(fig), theme=None)
    with st.expander(f"Data behind this chart: {name}"):
        table(data, name, user, key=key)
