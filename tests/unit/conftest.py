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


@pytest.fixture
def scope_for(q):
    """scope_for(user): that user's Scope on the shared demo database (the pages' only data door)."""
    from pswbench.access.scope import Scope

    class Cached:  # the page's cached queries, without Streamlit's cache
        version = q.data_version()

        def __getattr__(self, name):
            return getattr(q, name)

    return lambda user: Scope(user, Cached(), q)
