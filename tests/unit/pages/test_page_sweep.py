"""Every role, every page it may open, every option of every picker (AppTest, synthetic demo): no
exception, no error alert, and no "None", "nan" or "null" anywhere a reader sees text.

Combination rule: each option of each picker (every selectbox and radio the page draws, read from the
run, so a picker added later is swept too) is chosen once, with the other pickers at their default;
a picker that appears only after another is set (the submissions page's version pickers) is swept
where it first appears. The full product is run by tests/disclosure/test_apptest_sweep.py where small.
Text checked: titles, headers, markdown, captions, alerts, plain text, expander labels, metrics
(label, value, change), pickers' option labels, and every heading and cell of every dataframe and
table (a null cell is shown as "None" by the browser, so a null cell counts too).
"""

from __future__ import annotations

import re
import time

import pytest

from pswbench.access import permissions
from tests.helpers.apptest_helpers import ACCOUNTS, page_file, signed_in
from tests.helpers.picker_sweep import Sweep, send_labels_as_the_browser_does

pytestmark = pytest.mark.usefixtures("demo_app")

CASES = [(role, page) for role in ACCOUNTS for page in permissions.PAGES_BY_ROLE[role]]
MISSING_WORDS = re.compile(r"\b(None|nan|NaN|null|NaT)\b")
SECONDS: dict[str, float] = {}


@pytest.fixture(autouse=True)
def _labels_as_the_browser_sends_them(monkeypatch):
    send_labels_as_the_browser_does(monkeypatch)


def shown_text(at) -> list[tuple[str, str]]:
    """(element, text) for everything a reader sees as text in the main area and sidebar."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "success"):
        out += [(kind, str(e.value)) for e in getattr(at, kind)]
    out += [("expander", str(e.label)) for e in at.expander]
    for m in at.metric:
        out += [("metric", f"{m.label}: {m.value} ({m.delta})" if m.delta is not None else f"{m.label}: {m.value}")]
    for w in [*at.selectbox, *at.radio]:
        out += [(f"picker {w.label}", str(o)) for o in w.options]
    for kind in ("dataframe", "table"):
        for d in getattr(at, kind):
            frame = d.value
            out += [(f"{kind} heading", str(c)) for c in frame.columns]
            for col in frame.columns:
                for i, v in enumerate(frame[col].tolist()):
                    if v is None or (isinstance(v, float) and v != v):
                        out.append((f"{kind} {col!r} row {i}", "None"))  # drawn as "None" by the browser
                    else:
                        out.append((f"{kind} {col!r} row {i}", str(v)))
    return out


def missing_words(at) -> list[str]:
    return [f"{where}: {text[:120]!r}" for where, text in shown_text(at) if MISSING_WORDS.search(text)]


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


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_every_option_of_every_picker_shows_no_missing_word(role, page):
    started = time.monotonic()
    at = signed_in(*ACCOUNTS[role])
    at.switch_page(page_file(page)).run()
    sweep = Sweep(at, role, page, extra=missing_words)
    sweep.check()
    sweep.each_option()
    SECONDS[f"{role}-{page}"] = round(time.monotonic() - started, 1)
    assert not sweep.problems, (
        f"{role} on {page}: {len(sweep.problems)} of {sweep.runs} runs showed an exception, an error or a "
        "missing word:\n  " + "\n  ".join(sweep.problems[:15])
    )
    assert sweep.runs >= 1
