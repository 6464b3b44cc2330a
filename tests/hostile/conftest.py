"""Fixtures for the hostile-input tests: a small database with users, and a spy on downloads."""

from __future__ import annotations

import pytest

from pswbench.access import auth
from pswbench.store import database, loader
from tests.helpers.demo_data import EXAMPLE
from tests.hostile.hostile_helpers import ANALYST, LEAD


@pytest.fixture
def upload_db(tmp_path, monkeypatch):
    """A database holding RX4's 2025-09-30 return as version 1, a trust lead and an analyst."""
    path = tmp_path / "db" / "hostile.duckdb"
    path.parent.mkdir()
    monkeypatch.setenv("PSWBENCH_DB", str(path))
    con = database.connect(path)
    loader.load_files(con, [("rx4.csv", EXAMPLE)], "loader@nhs.uk")
    users = {
        "trust_lead": auth.add_user(con, LEAD, "trust_lead", "RX4", None),
        "analyst": auth.add_user(con, ANALYST, "analyst", None, None),
    }
    con.close()
    return path, users
