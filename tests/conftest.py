"""Fixtures every test gets. Builders for small returns live in returns_kit.py (a plain module,
since several folders have a conftest.py and `from conftest import` would pick the wrong one)."""
from __future__ import annotations

import datetime as dt

import pytest

from returns_kit import TODAY


@pytest.fixture
def today() -> dt.date:
    return TODAY


@pytest.fixture(autouse=True)
def _every_apptest_run_goes_through_the_router(monkeypatch):
    """Make every AppTest run execute app.py (the router), as the live server does.

    Streamlit treats an app whose main script sits next to a folder named pages/ as an old-style
    multipage app (PagesManager.uses_pages_directory). On a live server pswbench.ui.through_the_router
    switches that off for the process; AppTest resets the flag before every run, so it is kept off
    here. The live behaviour is tested in the browser (tests/e2e/test_roles.py).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
