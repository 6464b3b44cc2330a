"""Fixtures of the disclosure suite: one demo database, the app serving a copy of it, the ground
truth read from another copy, and one crawl per role (the expensive part), made once per session
on one websocket session per role and shared by every check.

The crawl's size and time are written to artifacts/disclosure/crawl-<role>.json and printed at the
end of the run.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.disclosure import checkers, harness
from tests.disclosure import truth as ground
from tests.disclosure.disclosure_report import ARTIFACTS
from tests.helpers import app_server, demo_data
from tests.helpers.demo_data import DEMO_ACCOUNTS

OWN = "RX4"
CRAWLED_ROLES = ("trust_lead", "board")
MAX_RUNS = 2000  # per role: the trust lead's pickers multiply to about 600 runs on the demo
# Set to fetch every download of every run, not once per table content and page (about 5x slower).
EVERY_DOWNLOAD = os.environ.get("PSWBENCH_DISCLOSURE_EVERY_DOWNLOAD") == "1"
_SUMMARIES: dict[str, dict] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(__file__).resolve().parent in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.disclosure)


@pytest.fixture(scope="session")
def disclosure_demo(tmp_path_factory) -> Path:
    """A demo database of the suite's own, never opened by an app (the copies are)."""
    return demo_data.build_demo_db(tmp_path_factory.mktemp("disclosure") / "demo.duckdb")


@pytest.fixture(scope="session")
def truth(disclosure_demo, tmp_path_factory) -> ground.Truth:
    copy = app_server.copy_db(disclosure_demo, tmp_path_factory.mktemp("truth") / "truth.duckdb")
    return ground.load(copy, OWN)


@pytest.fixture(scope="session")
def disclosure_app_url(disclosure_demo, tmp_path_factory):
    copy = app_server.copy_db(disclosure_demo, tmp_path_factory.mktemp("served") / "served.duckdb")
    with app_server.running_app(copy, ARTIFACTS / "app.log", timeout=90) as url:
        yield url


def vocabulary(t: ground.Truth) -> harness.Vocabulary:
    from pswbench.reports import charts
    from pswbench.reports.definitions import INDICATORS

    own = t.trusts.filter(t.trusts["trust_code"] == t.own).row(0, named=True)
    denominators = {charts.denominator_label(i): i.denominator for i in INDICATORS if i.denominator}
    return harness.Vocabulary.build(
        t.trusts["region_name"].unique().to_list(),
        ground.basis_rules(),
        [own["trust_code"], own["trust_name"], f"{own['trust_name']} ({own['trust_code']})"],
        {**denominators, **theme_names()},
    )


def theme_names() -> dict[str, str]:
    """What names a figure of the annual sections' themes (demographics, conditions) and of activity: their
    registry labels, the demographic charts' axis, and the two charts' titles that name no label. A share of
    PSWs in a category that happens to equal another trust's hidden leaver rate is that share, not the rate;
    these themes' own small-number rules are tested on their data (tests/unit/access/test_demographic_disclosure.py,
    tests/unit/reports/test_conditions.py), which the ground truth here does not hold."""
    from pswbench.reports import demographics_view
    from pswbench.reports.definitions import ACTIVITY_INDICATORS, CONDITION_INDICATORS, DEMOGRAPHIC_INDICATORS

    every = DEMOGRAPHIC_INDICATORS + CONDITION_INDICATORS + ACTIVITY_INDICATORS
    names = {i.label: i.name for i in every}
    names[demographics_view.SHARE_UNIT] = "share_of_stated"  # the x axis of every demographic chart
    names["against England's population"] = "share_of_stated"  # the ethnic mix chart's title
    names["Conditions for peer work"] = "conditions"  # the conditions chart's title
    names["contacts per WTE per quarter"] = "contacts_per_wte"  # the activity tables' unit
    assert set(names.values()) <= checkers.THEME_COLUMNS
    return names


@pytest.fixture(scope="session")
def vocab(truth) -> harness.Vocabulary:
    return vocabulary(truth)


@pytest.fixture(scope="session")
def crawls(disclosure_app_url, vocab):
    """received(role): everything that role received, crawled the first time it is asked for."""
    from pswbench.access import permissions
    from pswbench.app import ui

    done: dict[str, harness.Received] = {}

    def received(role: str) -> harness.Received:
        if role not in done:
            email, password = DEMO_ACCOUNTS[role]
            got = harness.run_crawl(
                disclosure_app_url,
                role,
                email,
                password,
                permissions.PAGES_BY_ROLE[role],
                ui.PAGE_TITLES,
                vocab,
                max_runs=MAX_RUNS,
                every_download=EVERY_DOWNLOAD,
            )
            done[role] = got
            _SUMMARIES[role] = got.summary()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / f"crawl-{role}.json").write_text(json.dumps(got.summary(), indent=2))
        return done[role]

    return received


@pytest.fixture(params=CRAWLED_ROLES)
def received(request, crawls) -> harness.Received:
    return crawls(request.param)


def pytest_terminal_summary(terminalreporter):
    for role, s in _SUMMARIES.items():
        terminalreporter.write_line(
            f"disclosure crawl {role}: {s['runs']} runs (picker combinations) {s['runs_by_page']}, "
            f"{sum(s['downloads'].values())} downloads fetched {s['downloads']} "
            f"({s['downloads_not_refetched']} not fetched again: same table), {s['messages']} messages "
            f"({s['message_bytes'] / 1e6:.1f} MB), {s['seconds']} s"
        )
