"""Fixtures every test gets. Builders for small returns live in returns_kit.py (a plain module,
since several folders have a conftest.py and `from conftest import` would pick the wrong one)."""

from __future__ import annotations

import datetime as dt

import pytest

from pswbench.app import streamlit_internals
from pswbench.store import database
from tests.helpers.demo_data import build_demo_db
from tests.helpers.returns_kit import TODAY


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture(autouse=True)
def _every_apptest_run_goes_through_the_router():
    """Make every AppTest run execute app.py (the router), as the live server does.

    Streamlit treats an app whose main script sits next to a folder named pages/ as an old-style
    multipage app (PagesManager.uses_pages_directory). On a live server pswbench.app.ui.through_the_router
    switches that off for the process; AppTest resets the flag before every run, so it is kept off
    here. The live behaviour is tested in the browser (tests/e2e/test_roles.py).
    """
    undo = streamlit_internals.keep_pages_directory_mode_off()
    yield
    undo()


@pytest.fixture
def fast_hasher(monkeypatch):
    """Argon2 at its cheapest for tests that hash many passwords (production parameters are tested on their own)."""
    from argon2 import PasswordHasher

    from pswbench.access import auth

    monkeypatch.setattr(auth, "password_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def con(tmp_path):
    """A new database with the whole schema and nothing loaded, closed after the test."""
    c = database.connect(tmp_path / "test.duckdb")
    yield c
    c.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """The synthetic demo database, built once per test session by the real CLI, for tests that read it."""
    return build_demo_db(tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture
def demo_app(demo_db, monkeypatch):
    """Point the app (and AppTest) at the shared demo database."""
    monkeypatch.setenv("PSWBENCH_DB", str(demo_db))
    return demo_db


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test: Playwright's sync API allows one driver per process.

    Fails (never skips) when Chromium is not installed; `make test` installs it.
    """

    from playwright.sync_api import sync_playwright

    from tests.helpers import app_server

    with sync_playwright() as playwright:
        chromium = app_server.launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def demo_queries(demo_app):
    """Raw queries on the shared demo database, through the app's own cached connection
    (DuckDB refuses a second writer on the same file)."""
    from pswbench.app import ui
    from pswbench.reports.queries import Queries

    return Queries(ui._open(str(demo_app)))


class _Downloads(dict):
    """File name -> bytes. A file made on demand (a callable given to st.download_button) is made
    when the test reads it, as a press of the button would."""

    def __getitem__(self, name: str) -> bytes:
        data = super().__getitem__(name)
        return data() if callable(data) else data


@pytest.fixture
def downloads(monkeypatch):
    """Every file handed to a download button during the test, by its download file name."""
    from streamlit.elements.widgets import button
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    seen = _Downloads()
    original_store, original_marshall = MemoryMediaFileStorage.load_and_get_id, button.marshall_file

    def store(self, data, mimetype, kind, filename=None):
        if filename and isinstance(data, bytes):
            seen[filename] = data
        return original_store(self, data, mimetype, kind, filename)

    def marshall(coordinates, data, proto, mimetype, file_name=None, **kwargs):
        # AppTest has no runtime, so Streamlit drops an on-demand file; keep its maker instead.
        if callable(data) and file_name:
            seen[file_name] = data
        return original_marshall(coordinates, data, proto, mimetype, file_name, **kwargs)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", store)
    monkeypatch.setattr(button, "marshall_file", marshall)
    return seen


_exit_status = 0


def pytest_sessionfinish(session, exitstatus):
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process without the interpreter's final teardown.

    The whole suite leaves DuckDB objects alive at exit (cached demo connections, and types that DuckDB's
    own module and polars keep), and DuckDB's nanobind bindings then print about 90 lines of "leaked
    instance" at teardown, burying the summary. Nothing is written after this hook (every report and
    plugin has finished), so exiting here keeps pytest's exit status and loses nothing. The app's own
    process closes its connections and is checked for the warning (tests/unit/store/test_process_db_exit.py).
    """
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
