"""Sweeping every option of every picker of a page run by AppTest, read from each run (never listed).

Used by tests/disclosure/test_apptest_sweep.py: no exception, no error alert and (missing_words) no
"None", "nan", "null" or "NaT" anywhere a reader sees text. Pickers are the page's
selectboxes and radios as the last run drew them, so a picker added to a page later is swept too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import Radio, Selectbox


def send_labels_as_the_browser_does(monkeypatch) -> None:
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


def pickers(at) -> dict[str, object]:
    return {w.key or w.label: w for w in [*at.selectbox, *at.radio]}


def where(at) -> str:
    return ", ".join(f"{k}={w.options[w.index] if w.index is not None else None}" for k, w in pickers(at).items())


def combinations(at) -> int:
    n = 1
    for w in pickers(at).values():
        n *= max(1, len(w.options))
    return n


class Sweep:
    """Runs of one page, each checked: exceptions and error alerts, plus `extra(at)` -> problems."""

    def __init__(self, at, role: str, page: str, extra: Callable[[object], list[str]] | None = None):
        self.at, self.role, self.page = at, role, page
        self.extra = extra
        self.runs = 0
        self.problems: list[str] = []
        self.varied: set[str] = set()

    def check(self) -> None:
        self.runs += 1
        found = [f"exception {e.value}" for e in self.at.exception] + [f"error {e.value}" for e in self.at.error]
        if self.extra is not None:
            found += self.extra(self.at)
        if found:
            self.problems.append(f"[{where(self.at)}] " + "; ".join(s.splitlines()[0][:200] for s in found))

    def choose(self, key: str, option: str) -> None:
        pickers(self.at)[key].set_value(option)
        self.at.run()
        self.check()

    def product(self, done: frozenset[str] = frozenset()) -> None:
        """Every combination of options (depth first)."""
        free = [k for k in pickers(self.at) if k not in done]
        if not free:
            return
        key = free[0]
        widget = pickers(self.at)[key]
        start = widget.options[widget.index] if widget.index is not None else None
        # The option it shows now first: that combination has just been run.
        for option in sorted(widget.options, key=lambda o: o != start):
            now = pickers(self.at).get(key)
            if now is None:
                break
            if now.index is None or now.options[now.index] != option:
                self.choose(key, option)
            self.product(done | {key})

    def each_option(self, keys: list[str] | None = None) -> None:
        """Each option of each picker once, the others as they stand; a picker that appears only
        with some option of another is swept there, when it first appears."""
        keys = list(pickers(self.at)) if keys is None else keys
        self.varied.update(keys)
        for key in keys:
            if key not in pickers(self.at):
                continue
            widget = pickers(self.at)[key]
            start = widget.options[widget.index] if widget.index is not None else None
            for option in list(widget.options):
                if key not in pickers(self.at):
                    break
                if option != start:
                    self.choose(key, option)
                    new = [k for k in pickers(self.at) if k not in self.varied]
                    if new:
                        self.each_option(new)
            now = pickers(self.at).get(key)
            if start is not None and now is not None and now.index is not None and now.options[now.index] != start:
                self.choose(key, start)


MISSING_WORDS = re.compile(r"\b(None|nan|NaN|null|NaT)\b")


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
