"""Every role (analyst too), every page the role may open, every option of every picker, through
AppTest in this process: no run ends in an exception or an error alert.

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
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import Radio, Selectbox

from pswbench.access import permissions
from tests.disclosure.disclosure_report import ARTIFACTS
from tests.helpers import app_server
from tests.helpers.apptest_helpers import ACCOUNTS, page_file, signed_in

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
    """AppTest turns a chosen option into its label through the widget's format_func, which fails
    when given the label itself for a format_func such as dict.get; the browser sends the label, so
    send that."""
    for cls in (Radio, Selectbox):
        original = cls._widget_state

        def state(self, original=original):
            if isinstance(self._value, str) and self._value in self.options:
                return WidgetState(id=self.id, string_value=self._value)
            return original.fget(self)

        monkeypatch.setattr(cls, "_widget_state", property(state))


def _pickers(at) -> dict[str, object]:
    return {w.key or w.label: w for w in [*at.selectbox, *at.radio]}


def _where(at) -> str:
    return ", ".join(f"{k}={w.options[w.index] if w.index is not None else None}" for k, w in _pickers(at).items())


class Sweep:
    def __init__(self, at, role: str, page: str):
        self.at, self.role, self.page = at, role, page
        self.runs = 0
        self.problems: list[str] = []
        self.varied: set[str] = set()

    def check(self) -> None:
        self.runs += 1
        found = [f"exception {e.value}" for e in self.at.exception] + [f"error {e.value}" for e in self.at.error]
        if found:
            self.problems.append(f"[{_where(self.at)}] " + "; ".join(s.splitlines()[0][:200] for s in found))

    def choose(self, key: str, option: str) -> None:
        _pickers(self.at)[key].set_value(option)
        self.at.run()
        self.check()

    def product(self, done: frozenset[str] = frozenset()) -> None:
        free = [k for k in _pickers(self.at) if k not in done]
        if not free:
            return
        key = free[0]
        widget = _pickers(self.at)[key]
        start = widget.options[widget.index] if widget.index is not None else None
        # The option it shows now first: that combination has just been run.
        for option in sorted(widget.options, key=lambda o: o != start):
            now = _pickers(self.at).get(key)
            if now is None:
                break
            if now.index is None or now.options[now.index] != option:
                self.choose(key, option)
            self.product(done | {key})

    def each_option(self, keys: list[str] | None = None) -> None:
        """Each option of each picker once, the others as they stand; a picker that appears only
        with some option of another is swept there, when it first appears."""
        keys = list(_pickers(self.at)) if keys is None else keys
        self.varied.update(keys)
        for key in keys:
            if key not in _pickers(self.at):
                continue
            widget = _pickers(self.at)[key]
            start = widget.options[widget.index] if widget.index is not None else None
            for option in list(widget.options):
                if key not in _pickers(self.at):
                    break
                if option != start:
                    self.choose(key, option)
                    new = [k for k in _pickers(self.at) if k not in self.varied]
                    if new:
                        self.each_option(new)
            if (
                start is not None
                and key in _pickers(self.at)
                and _pickers(self.at)[key].index is not None
                and _pickers(self.at)[key].options[_pickers(self.at)[key].index] != start
            ):
                self.choose(key, start)


def _combinations(at) -> int:
    n = 1
    for w in _pickers(at).values():
        n *= max(1, len(w.options))
    return n


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_every_option_of_every_picker_runs_cleanly(sweep_db, role, page):
    at = signed_in(*ACCOUNTS[role])
    at.switch_page(page_file(page)).run()
    sweep = Sweep(at, role, page)
    sweep.check()
    combos = _combinations(at)
    if combos <= FULL_PRODUCT:
        sweep.product()
    else:
        sweep.each_option()
    RUNS[f"{role}-{page}"] = sweep.runs
    assert not sweep.problems, (
        f"{role} on {page}: {len(sweep.problems)} of {sweep.runs} runs ended in an "
        f"exception or error alert:\n  " + "\n  ".join(sweep.problems[:20])
    )
    assert sweep.runs >= min(combos, 2) or not _pickers(at), f"{role} on {page}: only {sweep.runs} runs"
