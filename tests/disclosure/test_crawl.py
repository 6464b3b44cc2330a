"""The crawl itself: every page the role may open was reached, every picker's every option was run,
every download was fetched, and no run ended in an exception or an error alert."""

from __future__ import annotations

from pswbench.access import permissions


def test_every_page_and_option_was_crawled(received, truth):
    pages = permissions.PAGES_BY_ROLE[received.role]
    missing = [p for p in pages if received.runs_by_page.get(p, 0) == 0]
    assert not missing, f"{received.role}: pages never run: {missing}"
    periods = set(truth.periods)
    for page, pickers in received.pickers_by_page.items():
        if "Quarter ending" in pickers and page != "landing":  # the landing run is the page as first shown
            assert received.periods_by_page[page] >= periods, (
                f"{received.role} {page}: quarters never run: {sorted(periods - received.periods_by_page[page])}"
            )
    assert received.downloads.get("csv", 0) > 0 and received.downloads.get("xlsx", 0) > 0, received.downloads
    if "snapshot" in pages:
        assert received.downloads.get("html", 0) >= len(periods), "the board pack was not fetched for every quarter"


def test_no_run_ends_in_an_exception_or_error(received):
    problems = received.problems
    by_kind = {}
    for where, text in problems:
        by_kind.setdefault(text, []).append(where)
    assert not problems, f"{received.role}: {len(problems)} runs with an exception or error alert:\n  " + "\n  ".join(
        f"{text} in {len(wheres)} runs, e.g. {wheres[0]}" for text, wheres in by_kind.items()
    )
