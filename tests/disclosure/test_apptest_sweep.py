"""Every role (analyst too), every page the role may open, every option of every picker, through
AppTest in this process: no run ends in an exception or an error alert, and no run shows "None",
"nan", "null" or "NaT" anywhere a reader sees text (titles, markdown, captions, alerts, metrics, picker
options, every table heading and cell: a null cell is drawn as "None" by the browser).

Pickers (selectboxes and radios) are read from each run, never listed here. Where a page's pickers
multiply to at most FULL_PRODUCT combinations every combination is run; otherwise each option of
each picker is run once with the others as they stand (a picker that appears only after another is
set, such as the version pickers of the submissions page, is swept where it appears). The websocket
crawl (conftest.crawls) runs every combination for the trust lead and the board.
"""

from __future__ import annotations

import json
import os

import pytest

from pswbench.access import permissions
from tests.disclosure.disclosure_report import ARTIFACTS
from tests.helpers import app_server
from tests.helpers.apptest_helpers import ACCOUNTS, page_file, signed_in
from tests.helpers.picker_sweep import Sweep, combinations, missing_words, pickers, send_labels_as_the_browser_does

FULL_PRODUCT = 40
CASES = [(role, page) for role in ACCOUNTS for page in permissions.PAGES_BY_ROLE[role]]
RUNS: dict[str, int] = {}  # runs per case, written to artifacts/disclosure/sweep.json


@pytest.fixture(scope="module")
def sweep_db(disclosure_demo, tmp_path_factory):
    """The app in this process reads its own copy of the demo (the served copy belongs to the
    crawl's app process, and DuckDB lets one process write a file)."""
    copy = app_server.copy_db(disclosure_demo, tmp_path_factory.mktemp("sweep") / "sweep.duckdb")
    before = os.environ.get("PSWBENCH_DB")
    os.environ["PSWBENCH_DB"] = str(copy)
    yield copy
    if before is None:
        os.environ.pop("PSWBENCH_DB", None)
    else:
        os.environ["PSWBENCH_DB"] = before


@pytest.fixture(scope="module", autouse=True)
def _runs_written():
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "sweep.json").write_text(json.dumps(RUNS, indent=2))


@pytest.fixture(autouse=True)
def _labels_as_the_browser_sends_them(monkeypatch):
    send_labels_as_the_browser_does(monkeypatch)


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_every_option_of_every_picker_runs_cleanly(sweep_db, role, page):
    at = signed_in(*ACCOUNTS[role])
    at.switch_page(page_file(page)).run()
    sweep = Sweep(at, role, page, extra=missing_words)
    sweep.check()
    combos = combinations(at)
    if combos <= FULL_PRODUCT:
        sweep.product()
    else:
        sweep.each_option()
    RUNS[f"{role}-{page}"] = sweep.runs
    assert not sweep.problems, (
        f"{role} on {page}: {len(sweep.problems)} of {sweep.runs} runs ended in an "
        f"exception, error alert or missing word (None, nan, null):\n  " + "\n  ".join(sweep.problems[:20])
    )
    assert sweep.runs >= min(combos, 2) or not pickers(at), f"{role} on {page}: only {sweep.runs} runs"


def test_shown_text_catches_a_null_cell_and_the_word_none():
    """The checker itself: a table with a null and a caption saying None are both found."""
    from streamlit.testing.v1 import AppTest

    def script():
        import polars as pl
        import streamlit as st

        st.caption("Median: None")
        st.dataframe(pl.DataFrame({"a": [1.0, None]}).to_arrow())

    at = AppTest.from_function(script).run()
    found = missing_words(at)
    assert any(f.startswith("caption") for f in found) and any(f.startswith("dataframe 'a' row 1") for f in found)
