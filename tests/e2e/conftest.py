"""Browser-test fixtures: a demo database, the running app, headless Chromium, screenshots.

The app runs as a real `streamlit run app.py` subprocess on a free port, once per session. A
missing Chromium makes the tests error (fail), never skip: CI installs it with `make test`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pswbench.paths import ROOT
from tests.helpers import app_server, demo_data
from tests.helpers.app_server import VIEWPORT, main_area, sidebar, sign_in  # noqa: F401  (fixtures and helpers the e2e tests import from here)

ARTIFACTS = ROOT / "artifacts" / "e2e"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    return demo_data.build_demo_db(tmp_path_factory.mktemp("e2e") / "demo.duckdb")


@pytest.fixture(scope="session")
def app_url(demo_db):
    """Base URL of the app, started once for the session and stopped at the end."""
    with app_server.running_app(demo_db, ARTIFACTS / "app.log", timeout=60) as url:
        yield url


@pytest.fixture(scope="session")
def pristine_db(tmp_path_factory) -> Path:
    """A demo database no app ever opens: tests that need an app of their own copy it (copying the
    served demo_db could catch a write half-done)."""
    return demo_data.build_demo_db(tmp_path_factory.mktemp("pristine") / "pristine.duckdb")


@pytest.fixture
def own_db(pristine_db, tmp_path) -> Path:
    """A copy of the pristine demo database, for one test's own app."""
    return app_server.copy_db(pristine_db, tmp_path / "own.duckdb")


@pytest.fixture
def fresh_app_url(own_db):
    """A second app process of its own, so a test sees a server nobody has signed in to yet."""
    with app_server.running_app(own_db, ARTIFACTS / "fresh-app.log", timeout=60) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def shot(page, request):
    """shot("step") saves artifacts/e2e/<test>/<nn>-<step>.png of the whole page."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    count = iter(range(1, 100))

    def take(step: str) -> Path:
        path = folder / f"{next(count):02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', step)}.png"
        app_server.full_page_screenshot(page, path)
        return path

    return take
