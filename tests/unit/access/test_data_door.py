"""The one door to the data: pages reach data only through the user's Scope (pswbench.access.scope).

A page that imported the raw queries, opened a connection or called a function that takes one would
get figures that have not passed disclosure control; this reads every page's source and fails on that.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PAGES = sorted((Path(__file__).resolve().parents[3] / "pages").glob("*.py"))
RAW_MODULES = {
    "pswbench.reports.queries",
    "pswbench.store.database",
    "pswbench.reports.indicators",
    "pswbench.store.loader",
    "pswbench.store.audit",
    "pswbench.store.viewer_mode",
    "pswbench.store.publish",
    "duckdb",
}
# Functions that take a connection or raw rows, reached through an allowed module.
RAW_CALLS = {
    ("ui", "connection"),
    ("ui", "record_event"),
    ("ui", "CachedQueries"),
    ("ui", "_open"),
    ("submissions", "submission_history"),
    ("submissions", "failing_rules"),
    ("submissions", "versions"),
    ("submissions", "submission_rows"),
    ("submissions", "version_diff"),
    ("uploads", "check"),
    ("uploads", "submit"),
    ("disclosure", "disclose"),
}


def offences(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in RAW_MODULES]
        elif isinstance(node, ast.ImportFrom):
            if node.module in RAW_MODULES:
                found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in RAW_MODULES]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in RAW_CALLS:
                found.append(f"{node.value.id}.{node.attr}")
            if node.attr in ("cursor", "execute", "sql", "_q", "_raw"):
                found.append(f"{node.value.id}.{node.attr}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_pages_reach_data_only_through_the_scope(page):
    assert offences(page.read_text(encoding="utf-8")) == []


def test_the_check_catches_each_way_round_the_door():
    for source in (
        "from pswbench.reports.queries import Queries",
        "import duckdb",
        "from pswbench.reports import queries",
        "from pswbench.store import database",
        "from pswbench.store import viewer_mode as v",
        "from pswbench.app import ui\nui.connection().cursor()",
        "con.sql('SELECT 1')",
        "from pswbench.reports import submissions\nsubmissions.submission_history(c, u, 'RX4')",
        "from pswbench.access import disclosure\ndisclosure.disclose(df, u, s, codes, rules)",
        "data._q.trusts()",
    ):
        assert offences(source), source
    assert offences("from pswbench.app import ui\nuser, data = ui.page('overview')\ndata.trust_rows(None)") == []
