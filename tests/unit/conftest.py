"""Fixtures for the page tests that also call the modules beneath the pages on the demo database."""
from __future__ import annotations

import pytest


@pytest.fixture
def q(demo_queries):
    """Raw queries on the shared demo database (tests/conftest.py)."""
    return demo_queries


@pytest.fixture
def period(q):
    """The demo's latest quarter."""
    return q.periods()[0]
