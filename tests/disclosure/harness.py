"""The disclosure suite's crawl, and what it takes out of everything received.

The crawl signs in over Streamlit's own websocket protocol (tests/helpers/st_protocol.py), as a
browser does, follows the sidebar's link to every page the role may open, and sets every option of
every picker the server sends (a selectbox or radio in the page), depth first, so every combination
of options is run once: the options are read from each run, never listed here, so a picker whose
options depend on another is followed too. After each run it fetches the download buttons' files
as the browser does on a click (a table's CSV and XLSX once per table content and page, the board
pack every time). Sign-in is one function, signed_in. Every frame received and every file is read
into a Received:

* strings: every string in every message (protobuf fields, plotly JSON, Arrow cells and column
  names), every CSV/XLSX cell and every text node of an HTML file, each with where it was first seen;
* numbers: every number a user could read, with its precision (a binary float, or a decimal shown
  with d decimals), whether it is a percentage, the indicators its context names (a column
  header, an axis or chart title, a metric label, a row's indicator cell, its sentence) and the
  quarter it is a figure of (its point's date on a time axis, its row's date, else the run's
  "Quarter ending");
* label sequences: the peer labels of every trace and table column in the order sent, with the
  region of each where the element shows it;
* pooled slots: region and England figures, found by what names them (a column, row, x value or
  trace named after a region or England, an annotation "England 8.4%", a metric on a page about
  England).

Nothing here knows the answers: the checks (checkers.py) compare a Received with the ground truth
(truth.py).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import datetime as dt
import hashlib
import html.parser
import io
import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from google.protobuf.descriptor import FieldDescriptor
from streamlit.proto.WidgetStates_pb2 import WidgetState

from pswbench.access.disclosure import SMALL_NUMBER_THRESHOLD
from pswbench.reports.definitions import BY_NAME, INDICATORS
from tests.helpers import st_protocol

PICKER_KINDS = ("selectbox", "radio")
PERIOD_LABEL = "Quarter ending"  # the label of ui.period_picker
PEER_LABEL = re.compile(r"^Peer \d{2,}$")
# Headings of numbers that are not one trust's or one pool's figure: ranks and counts of trusts.
NOT_A_FIGURE = re.compile(r"percentile|quartile$|^trusts with", re.I)
# Statistics of a series or a funnel (an SPC chart's mean and limits, a z-score), which Scope computes only
# from figures the user may see (tests/unit/statistics and test_page_benchmark prove that): not figures of
# any trust or quarter, so not read as figures (a series' mean would otherwise be "the figure" of every
# quarter on whose row it is printed, and match some hidden trust's figure by chance).
STATISTIC = re.compile(r"^mean \(|process limit|2 sigma|^z-score", re.I)
# A heading that states a count's own unit: its numbers are that count, not the rate a table's title names
# (the funnel table under "Leaver rate (12 months) and its denominator" holds average headcounts).
COUNT_UNIT = re.compile(r"\((people[^)]*|days|WTE[^)]*)\)$")
RATE_COLUMNS = frozenset(n for n, i in BY_NAME.items() if i.is_rate)
ENGLAND = "England"
STEP_TIMEOUT_S = 120


# ---- sign-in: the one place that knows how a browser-less client signs in ----------------------


@contextlib.asynccontextmanager
async def signed_in(
    base_url: str, email: str, password: str
) -> AsyncIterator[tuple[st_protocol.Session, st_protocol.Run]]:
    """A websocket session signed in as email, the way a browser signs in (the form, then the session
    cookie from the app's sign-in route, then a reconnect with it), and the run of its landing page."""
    async with st_protocol.signed_in(base_url, email, password, timeout_s=STEP_TIMEOUT_S) as session:
        if not session.landing.page_links():
            raise RuntimeError(
                f"sign-in as {email} failed: {session.landing.problems() or session.landing.texts()[:3]}"
            )
        yield session, session.landing


# ---- where a thing was received -----------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    role: str
    page: str
    pickers: tuple[tuple[str, str], ...]
    element: str = ""
    path: str = ""

    def at(self, element: str | None = None, path: str | None = None) -> Where:
        return Where(
            self.role,
            self.page,
            self.pickers,
            self.element if element is None else element,
            self.path if path is None else path,
        )

    def __str__(self) -> str:
        picks = ", ".join(f"{k}={v}" for k, v in self.pickers) or "no pickers"
        return f"{self.role} {self.page} [{picks}] {self.element} {self.path}".strip()


@dataclass(frozen=True)
class Num:
    """A number as a user receives it. decimals None: a binary float or integer, exact; otherwise a
    decimal shown with that many decimals (text, or a float that looks rounded for display)."""

    value: float
    decimals: int | None
    percent: bool  # shown as a percentage ("8.4%"), so it is compared with rates x 100
    attrib: frozenset[str]  # indicator and component columns its context names
    integer: bool  # an integer as sent (JSON/Arrow/CSV integer, or text without decimals)
    quarter: dt.date | None  # the quarter it is a figure of: its point's or row's date, else the run's
    source: str = "binary"  # "binary" (as sent), "rounded" (a float read at its shown precision), "text"


@dataclass(frozen=True)
class Slot:
    """A region or England figure received: scope (region name or England), quarter, quantity."""

    scope: str
    period: dt.date | None
    quantity: str
    num: Num


@dataclass(frozen=True)
class Sequence:
    """Labels (peer labels and the user's own trust) in the order an element sent them."""

    period: dt.date | None
    labels: tuple[str, ...]
    regions: tuple[str, ...] | None  # the region shown with each label, where the element shows one


@dataclass
class Seen:
    count: int = 0
    wheres: list[Where] = field(default_factory=list)

    def add(self, where: Where, keep: int = 5) -> None:
        self.count += 1
        if len(self.wheres) < keep:
            self.wheres.append(where)


@dataclass
class Received:
    """Everything one role received in the crawl, deduplicated, each with where it was seen."""

    role: str
    strings: dict[str, Seen] = field(default_factory=dict)
    numbers: dict[Num, Seen] = field(default_factory=dict)
    slots: dict[Slot, Seen] = field(default_factory=dict)
    sequences: dict[Sequence, Seen] = field(default_factory=dict)
    problems: list[tuple[Where, str]] = field(default_factory=list)
    runs_by_page: Counter = field(default_factory=Counter)
    periods_by_page: dict[str, set] = field(default_factory=dict)
    pickers_by_page: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    downloads: Counter = field(default_factory=Counter)  # fetched, by kind: csv, xlsx, html, other
    downloads_not_refetched: int = 0  # same table content as one fetched before
    download_bytes: int = 0
    message_count: int = 0
    message_bytes: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        return {
            "role": self.role,
            "runs": sum(self.runs_by_page.values()),
            "runs_by_page": dict(self.runs_by_page),
            "pickers_by_page": {p: {k: len(v) for k, v in d.items()} for p, d in self.pickers_by_page.items()},
            "messages": self.message_count,
            "message_bytes": self.message_bytes,
            "downloads": dict(self.downloads),
            "download_bytes": self.download_bytes,
            "downloads_not_refetched": self.downloads_not_refetched,
            "distinct_strings": len(self.strings),
            "distinct_numbers": len(self.numbers),
            "slots": len(self.slots),
            "sequences": len(self.sequences),
            "problems": len(self.problems),
            "seconds": round(self.seconds, 1),
        }


# ---- what names an indicator --------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The public words the extraction recognises: region names, indicator labels, column names."""

    regions: frozenset[str]
    columns: frozenset[str]  # every value column of the small-number rule
    header_names: tuple[tuple[str, str], ...]  # (text naming a column, column), longest text first
    own_names: frozenset[str]  # the user's own trust's code and name

    @classmethod
    def build(
        cls,
        regions: Iterable[str],
        columns: Iterable[str],
        own_names: Iterable[str],
        extra_names: dict[str, str] | None = None,
    ) -> Vocabulary:
        names = {i.label: i.name for i in INDICATORS}
        names.update(extra_names or {})
        ordered = tuple(sorted(names.items(), key=lambda kv: -len(kv[0])))
        return cls(frozenset(regions), frozenset(columns), ordered, frozenset(own_names))

    @property
    def scopes(self) -> frozenset[str]:
        return self.regions | {ENGLAND}

    def named_in(self, text: str) -> frozenset[str]:
        """The columns a piece of text names: an exact column name, or an indicator label in it."""
        if not text:
            return frozenset()
        if text in self.columns:
            return frozenset({text})
        low, out = text.lower(), set()
        for name, column in self.header_names:
            if name.lower() in low:
                out.add(column)
                low = low.replace(name.lower(), " ")  # "Leaver rate (12 months)" is not also "Leaver rate"
        return frozenset(out)

    def label_cell(self, text: str) -> str | None:
        """The column a cell that is exactly an indicator label stands for (a row's indicator)."""
        return next((c for n, c in self.header_names if n == text), None)


# ---- numbers in text ----------------------------------------------------------------------------

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_NOT_FIGURES = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"  # ISO dates and times
    rf"|\b\d{{1,2}} (?:{_MONTHS})\b(?: \d{{4}})?|\b(?:{_MONTHS}) \d{{4}}\b"  # 30 September 2026, Sep 2026
    r"|\bPeer \d+\b|\b\d{1,2}:\d{2}(?::\d{2})?\b"  # labels, clock times
    rf"|<\s*{SMALL_NUMBER_THRESHOLD}\b|fewer than {SMALL_NUMBER_THRESHOLD}\b"  # the rule, not a figure
    r"|\b(?:99\.8|95)% limits\b|%\{[^}]*\}"
)  # funnel levels, plotly templates
_NUMBER = re.compile(r"(?<![\w.])([-+\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w])(\s*%|\s*percentage point)?")


_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")


def text_numbers(
    text: str, vocab: Vocabulary, attrib: frozenset[str] = frozenset(), quarter: dt.date | None = None
) -> Iterator[Num]:
    """The figures in a piece of text at the precision shown. A figure is attributed to the
    columns its sentence names (and to attrib, what its element names)."""
    if not text or not any(ch.isdigit() for ch in text):
        return
    for sentence in _SENTENCE.split(text):
        if not any(ch.isdigit() for ch in sentence):
            continue
        named = attrib | vocab.named_in(sentence)
        cleaned = _NOT_FIGURES.sub(" ", sentence)
        for name, _ in vocab.header_names:  # "WTE per 100,000 population", "Leaver rate (12 months)"
            cleaned = cleaned.replace(name, " ")
        for m in _NUMBER.finditer(cleaned):
            sign, whole, frac, pct = m.groups()
            value = float(whole.replace(",", "") + (f".{frac}" if frac else ""))
            if sign in ("-", "\u2212"):
                value = -value
            yield Num(value, len(frac) if frac else 0, bool(pct), named, not frac, quarter, "text")


def float_num(value: float, attrib: frozenset[str], quarter: dt.date | None = None) -> Iterator[Num]:
    """A binary float as received, and, where it looks rounded for display (one or two decimals)
    under a header naming a figure, also as a decimal at that precision, so a rounded suppressed
    figure is caught in its column."""
    if value != value or value in (float("inf"), float("-inf")):
        return
    yield Num(float(value), None, False, attrib, False, quarter)
    text = repr(float(value))
    if "e" not in text and "." in text:
        decimals = len(text.split(".")[1].rstrip("0"))
        if 1 <= decimals <= 2 and attrib:
            yield Num(float(value), decimals, False, attrib, False, quarter, "rounded")


def int_num(value: int, attrib: frozenset[str], quarter: dt.date | None = None) -> Iterator[Num]:
    yield Num(float(value), None, False, attrib, True, quarter)


# ---- the extraction -----------------------------------------------------------------------------

_SKIP_STRING_FIELDS = {
    "id",
    "form_id",
    "page_script_hash",
    "deferred_file_id",
    "spec",
    "hash",
    "session_id",
    "script_run_id",
    "active_script_hash",
    "fragment_id",
    "main_script_hash",
    "url",
    "query_param_key",
    "ref_hash",
    "raw_value",
}
_NUMBER_FREE_FIELDS = _SKIP_STRING_FIELDS | {
    "config",
    "columns",
    "icon",
    "main_script_path",
    "theme",
    "css",
    "script_path",
    "url_pathname",
    "page_name",
    "placeholder",
}
_DATA_SCALARS = {
    "x0",
    "x1",
    "y0",
    "y1",
    "base",
    "median",
    "q1",
    "q3",
    "mean",
    "lowerfence",
    "upperfence",
    "x",
    "y",
    "dx",
    "dy",
}


@dataclass
class Table:
    columns: list[str]
    rows: list[list[object]]

    def __post_init__(self):
        # Spreadsheet rows may stop at their last filled cell: every row as wide as the header.
        width = len(self.columns)
        self.rows = [list(r[:width]) + [None] * (width - len(r)) for r in self.rows]


class Extractor:
    """Reads runs and downloads into a Received (see the module's docstring)."""

    def __init__(self, received: Received, vocab: Vocabulary):
        self.r, self.v = received, vocab
        self.quarter: dt.date | None = None  # the quarter of the run being read

    # -- recording --

    def _string(self, text: str, where: Where) -> None:
        if text:
            self.r.strings.setdefault(text, Seen()).add(where, keep=2)

    def _nums(self, nums: Iterable[Num], where: Where) -> list[Num]:
        out = list(nums)
        for n in out:
            self.r.numbers.setdefault(n, Seen()).add(where)
        return out

    def _text(self, text: str, where: Where, attrib: frozenset[str] = frozenset(), quarter=None) -> list[Num]:
        return self._nums(text_numbers(text, self.v, attrib, quarter or self.quarter), where)

    def _value(self, value, attrib: frozenset[str], where: Where, quarter=None) -> list[Num]:
        return self._nums(_json_num(value, attrib, quarter or self.quarter), where)

    def _slot(self, scope: str, period, quantity: str, num: Num, where: Where) -> None:
        self.r.slots.setdefault(Slot(scope, period, quantity, num), Seen()).add(where)

    def _sequence(self, labels: list[str], regions: list[str] | None, where: Where) -> None:
        seq = Sequence(self.quarter, tuple(labels), tuple(regions) if regions else None)
        self.r.sequences.setdefault(seq, Seen()).add(where)

    # -- one run --

    def add_run(
        self, where: Where, run: st_protocol.Run, period: dt.date | None, downloads: list[tuple[Where, str, bytes]]
    ) -> None:
        self.quarter = period
        h1 = run.h1() or ""
        seen = Counter()
        places = _Places()
        for msg in run.messages:
            self.r.message_count += 1
            self.r.message_bytes += msg.ByteSize()
            kind = msg.WhichOneof("type")
            if kind != "delta":
                self._proto_strings(msg, where.at(kind), numbers=False)
                continue
            delta = msg.delta
            path = tuple(msg.metadata.delta_path)
            if delta.WhichOneof("type") == "add_block":
                places.block(path, delta.add_block)
                self._proto_strings(delta.add_block, where.at(f"block {places.context(path)}"), numbers=True)
                continue
            if delta.WhichOneof("type") != "new_element":
                self._proto_strings(delta, where.at("delta"), numbers=False)
                continue
            element = delta.new_element
            name = element.WhichOneof("type")
            obj = getattr(element, name)
            if name == "heading":
                places.heading(obj.body)
            context = places.context(path)
            label = (
                f"{name}#{seen[name]}"
                + (f" {_snippet(obj)!r}" if _snippet(obj) else "")
                + (f" under {context!r}" if context else "")
            )
            seen[name] += 1
            self._element(name, obj, where.at(label), context, h1)
        for file_where, kind, data in downloads:
            self.add_download(file_where, kind, data, period)

    def _element(self, name: str, obj, where: Where, context: str, h1: str) -> None:
        if name == "plotly_chart":
            self._proto_strings(obj, where, numbers=True)
            self.plotly(json.loads(obj.spec), where)
            return
        if name in ("dataframe", "table"):
            self._proto_strings(obj, where, numbers=False)
            data = obj.arrow_data.data
            if name == "dataframe" and obj.HasField("lazy_data"):
                lazy = obj.lazy_data
                data = lazy.initial_chunk.data
                rows = pa.ipc.open_stream(data).read_all().num_rows
                if lazy.HasField("row_count") and lazy.row_count > rows:
                    raise RuntimeError(
                        f"{where}: a lazily loaded table of {lazy.row_count} rows; the crawl "
                        "does not page through lazy tables, so it would miss rows"
                    )
            self.table(arrow_table(data), where, context)
            return
        if name == "metric":
            attrib = self.v.named_in(obj.label)
            for text in (obj.label, obj.body, obj.delta, obj.help):
                self._string(text, where)
            nums = self._text(obj.body, where.at(path="value"), attrib)
            self._text(obj.delta, where.at(path="delta"), attrib)
            self._text(obj.help, where.at(path="help"), attrib)
            quantity = only(attrib)
            if ENGLAND in h1 and quantity and nums:  # a metric on a page about England
                self._slot(ENGLAND, self.quarter, quantity, nums[0], where.at(path="value"))
            return
        self._proto_strings(obj, where, numbers=True)

    def _proto_strings(self, msg, where: Where, numbers: bool, prefix: str = "") -> None:
        """Every string field of a protobuf message, at any depth (ids and URLs left out)."""
        for fd, value in msg.ListFields():
            path = f"{prefix}{fd.name}"
            items = value if fd.is_repeated else [value]
            if fd.type == FieldDescriptor.TYPE_MESSAGE:
                for i, item in enumerate(items):
                    self._proto_strings(item, where, numbers, f"{path}[{i}]." if fd.is_repeated else f"{path}.")
            elif fd.type == FieldDescriptor.TYPE_STRING and (fd.name not in _SKIP_STRING_FIELDS or fd.name == "url"):
                for text in items:
                    self._string(text, where.at(path=path))
                    if numbers and fd.name not in _NUMBER_FREE_FIELDS:
                        self._text(text, where.at(path=path))

    # -- plotly --

    def plotly(self, spec: dict, where: Where) -> None:
        spec = _decode_typed_arrays(spec)
        for path, text in _json_strings(spec, "spec"):
            self._string(text, where.at(path=path))
        layout = spec.get("layout") or {}
        x_title, y_title = _axis_title(layout, "xaxis"), _axis_title(layout, "yaxis")
        title = _title(layout.get("title"))
        chart_attrib = self.v.named_in(title) | self.v.named_in(x_title) | self.v.named_in(y_title)
        y_attrib = self.v.named_in(y_title) or chart_attrib
        x_attrib = self.v.named_in(x_title) or chart_attrib
        for i, trace in enumerate(spec.get("data") or []):
            name_attrib = self.v.named_in(str(trace.get("name") or ""))
            xs = trace.get("x") if isinstance(trace.get("x"), list) else []
            dates = [_iso_date(x) if isinstance(x, str) else None for x in xs]
            dates = dates if dates and all(dates) else None  # a point's quarter, on a time axis
            for key, value in trace.items():
                if key == "x" and trace.get("hoverinfo") == "skip" and trace.get("mode") == "lines":
                    # A reference curve's x is a grid drawn from the largest visible denominator
                    # (the funnel's limits): points of a drawing, not anyone's figure. Its y is checked.
                    continue
                attrib = x_attrib if key.startswith("x") else y_attrib if key.startswith("y") else chart_attrib
                self._json_numbers(value, key, attrib | name_attrib, where.at(path=f"data[{i}].{key}"), dates)
            self._trace_structure(trace, y_attrib, where.at(path=f"data[{i}]"), dates)
        for key in ("shapes", "annotations"):
            for j, item in enumerate(layout.get(key) or []):
                attrib = y_attrib if "y" in str(item.get("yref", "y")) else chart_attrib
                for k in ("x0", "x1", "y0", "y1", "x", "y"):
                    ref = str(item.get(f"{k[0]}ref", k[0]))
                    if ref == "paper" or ref.endswith("domain"):
                        continue  # a place on the page (a panel's title), not a value on an axis
                    if isinstance(item.get(k), (int, float)) and not isinstance(item.get(k), bool):
                        self._value(
                            item[k], x_attrib if k.startswith("x") else attrib, where.at(path=f"layout.{key}[{j}].{k}")
                        )
                text = item.get("text")
                if isinstance(text, str):
                    nums = self._text(text, where.at(path=f"layout.{key}[{j}].text"), attrib)
                    scope = next((s for s in self.v.scopes if text.startswith(s + " ")), None)
                    quantity = only(attrib)
                    y = item.get("y")
                    if key == "annotations" and scope and quantity and isinstance(y, (int, float)):
                        self._slot(
                            scope,
                            self.quarter,
                            quantity,
                            next(_json_num(y, attrib, self.quarter)),
                            where.at(path=f"layout.{key}[{j}].y"),
                        )
                        for n in nums[:1]:
                            self._slot(scope, self.quarter, quantity, n, where.at(path=f"layout.{key}[{j}].text"))
        for axis, attrib, axis_title in (("xaxis", x_attrib, x_title), ("yaxis", y_attrib, y_title)):
            ax = layout.get(axis) or {}
            # An axis range is the chart's extent (headroom over the largest visible value), not a figure.
            for k in ("tickvals",):
                self._json_numbers(ax.get(k), k, attrib, where.at(path=f"layout.{axis}.{k}"))
            for k, texts in (("title", [axis_title]), ("ticktext", ax.get("ticktext") or [])):
                for t in texts if isinstance(texts, list) else []:
                    if isinstance(t, str):
                        self._text(t, where.at(path=f"layout.{axis}.{k}"), attrib)
        if title:
            self._text(title, where.at(path="layout.title"), chart_attrib)

    def _json_numbers(
        self,
        value,
        key: str,
        attrib: frozenset[str],
        where: Where,
        dates: list[dt.date] | None = None,
        in_array: bool = False,
        quarter=None,
    ) -> None:
        """Numbers in a trace's value: arrays at any depth, and the scalars that are data (x0, base,
        median, ...); styling scalars (sizes, widths, opacity) are not figures. Text in arrays and in
        text/hovertext is read for the numbers it shows. On a time axis, an array as long as x holds
        one figure per quarter."""
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            if in_array or key in _DATA_SCALARS:
                self._value(value, attrib, where, quarter)
        elif isinstance(value, str):
            if key in ("text", "hovertext", "customdata", "name") or in_array:
                self._text(value, where, attrib, quarter)
        elif isinstance(value, list):
            per_point = dates if dates and len(dates) == len(value) else None
            for i, item in enumerate(value):
                self._json_numbers(
                    item,
                    key,
                    attrib,
                    where.at(path=f"{where.path}[{i}]"),
                    None,
                    True,
                    per_point[i] if per_point else quarter,
                )
        elif isinstance(value, dict):
            for k, item in value.items():
                self._json_numbers(item, k, attrib, where.at(path=f"{where.path}.{k}"), dates, in_array, quarter)

    def _trace_structure(self, trace: dict, y_attrib: frozenset[str], where: Where, dates) -> None:
        """Label sequences and pooled slots in one trace."""
        xs = trace.get("x") if isinstance(trace.get("x"), list) else None
        ys = trace.get("y") if isinstance(trace.get("y"), list) else None
        for key in ("x", "y", "hovertext", "text", "customdata"):
            values = trace.get(key)
            if isinstance(values, list) and sum(isinstance(v, str) and self._is_label(v) for v in values) >= 4:
                keep = [i for i, v in enumerate(values) if isinstance(v, str) and self._is_label(v)]
                regions = None
                if (
                    xs
                    and len(xs) == len(values)
                    and all(isinstance(xs[i], str) and xs[i] in self.v.regions for i in keep)
                ):
                    regions = [xs[i] for i in keep]
                self._sequence([values[i] for i in keep], regions, where.at(path=f"{where.path}.{key}"))
                break
        quantity = only(y_attrib)
        if not (quantity and xs and ys and len(xs) == len(ys)) or trace.get("type") in ("box", "violin"):
            return
        name = str(trace.get("name") or "")
        if all(isinstance(x, str) and x in self.v.scopes for x in xs):
            points = [(x, self.quarter, y) for x, y in zip(xs, ys)]
        elif dates and name in self.v.scopes:
            points = [(name, d, y) for d, y in zip(dates, ys)]
        else:
            return
        for i, (scope, quarter, y) in enumerate(points):
            if isinstance(y, (int, float)) and not isinstance(y, bool):
                for n in _json_num(y, y_attrib, quarter):
                    self._slot(scope, quarter, quantity, n, where.at(path=f"{where.path}.y[{i}]"))

    def _is_label(self, text: str) -> bool:
        return bool(PEER_LABEL.match(text)) or text in self.v.own_names

    # -- tables (Arrow, CSV, XLSX) --

    def table(self, t: Table, where: Where, context: str) -> None:
        context_attrib = self.v.named_in(context)
        # A percentile rank or a count of trusts in an indicator's row is not that indicator's figure.
        col_attrib = [frozenset() if NOT_A_FIGURE.search(c) else self.v.named_in(c) for c in t.columns]
        for j, c in enumerate(t.columns):
            self._string(c, where.at(path=f"column {j}"))
        label_cols = [
            j for j in range(len(t.columns)) if sum(isinstance(r[j], str) and self._is_label(r[j]) for r in t.rows) >= 4
        ]
        region_cols = [
            j
            for j in range(len(t.columns))
            if t.rows and all(isinstance(r[j], str) and r[j] in self.v.regions for r in t.rows)
        ]
        for j in label_cols:
            keep = [i for i, r in enumerate(t.rows) if isinstance(r[j], str) and self._is_label(r[j])]
            regions = [t.rows[i][region_cols[0]] for i in keep] if region_cols else None
            self._sequence([t.rows[i][j] for i in keep], regions, where.at(path=f"column {t.columns[j]!r}"))
        national = ENGLAND.lower() in context.lower() or "national" in context.lower()
        for i, row in enumerate(t.rows):
            row_attrib = frozenset(c for c in (self.v.label_cell(v) for v in row if isinstance(v, str)) if c)
            strings = [v for v in row if isinstance(v, str)]
            trust_row = any(self._is_label(s) for s in strings)
            median_row = any("median" in s.lower() for s in strings)
            row_scope = next((s for s in strings if s in self.v.scopes), None)
            row_date = next((d for d in (_cell_date(v) for v in row) if d), None)
            quarter = row_date or self.quarter
            # A change on the year is the difference of two pooled figures the checks read where they are shown.
            change_row = any(s.startswith("Change on") for s in strings)
            for j, value in enumerate(row):
                here = where.at(path=f"row {i}, column {t.columns[j]!r}")
                if STATISTIC.search(t.columns[j]) or change_row:
                    if isinstance(value, str):
                        self._string(value, here)  # still searched for names, not read as a figure
                    continue
                own_unit = COUNT_UNIT.search(t.columns[j]) and all(c in RATE_COLUMNS for c in context_attrib)
                attrib = (
                    frozenset()
                    if NOT_A_FIGURE.search(t.columns[j])
                    else col_attrib[j] | row_attrib | (frozenset() if own_unit else context_attrib)
                )
                if isinstance(value, str):
                    self._string(value, here)
                    self._text(value, here, attrib, quarter)
                    continue
                if isinstance(value, bool) or value is None or isinstance(value, (dt.date, dt.datetime)):
                    continue
                nums = self._value(value, attrib, here, quarter)
                if trust_row or median_row:
                    continue
                header = t.columns[j]
                if header in self.v.scopes and only(row_attrib):
                    scope, quantity = header, only(row_attrib)
                elif row_scope and only(col_attrib[j]):
                    scope, quantity = row_scope, only(col_attrib[j])
                elif national and row_date and only(col_attrib[j]) and not row_scope:
                    scope, quantity = ENGLAND, only(col_attrib[j])
                else:
                    continue
                for n in nums:
                    self._slot(scope, quarter, quantity, n, here)

    # -- downloads --

    def add_download(self, where: Where, kind: str, data: bytes, period) -> None:
        self.quarter = period
        self.r.downloads[kind] += 1
        self.r.download_bytes += len(data)
        context = where.element
        if kind == "csv":
            self.table(csv_table(data), where, context)
        elif kind == "xlsx":
            for t in xlsx_tables(data):
                self.table(t, where, context)
        elif kind == "html":
            self.html(data.decode("utf-8"), where)
        else:
            text = data.decode("utf-8", errors="replace")
            self._string(text, where)
            self._text(text, where)

    def html(self, document: str, where: Where) -> None:
        self._string(document, where.at(path="raw HTML"))
        for n, (text, section) in enumerate(_html_texts(document)):
            here = where.at(path=f"text node {n} in {section[:60]!r}")
            self._string(text, here)
            self._text(text, here, self.v.named_in(section))


def only(attrib: frozenset[str]) -> str | None:
    return next(iter(attrib)) if len(attrib) == 1 else None


def _json_num(value, attrib: frozenset[str], quarter: dt.date | None = None) -> Iterator[Num]:
    return int_num(value, attrib, quarter) if isinstance(value, int) else float_num(value, attrib, quarter)


def _iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", text) else None
    except ValueError:
        return None


def _cell_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _iso_date(value) if isinstance(value, str) else None


def _title(title) -> str:
    if isinstance(title, dict):
        return str(title.get("text") or "")
    return title if isinstance(title, str) else ""


def _axis_title(layout: dict, axis: str) -> str:
    return _title((layout.get(axis) or {}).get("title"))


def _json_strings(value, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, item in value.items():
            yield from _json_strings(item, f"{path}.{k}")


def _decode_typed_arrays(value):
    """Plotly sends numpy arrays as {"dtype": "f8", "bdata": base64, "shape": ...}: decode them to
    lists, so their numbers are read and their base64 text is not taken for words."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                shape = value["shape"]
                array = array.reshape([int(s) for s in (shape.split(",") if isinstance(shape, str) else shape)])
            return array.tolist()
        return {k: _decode_typed_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_typed_arrays(v) for v in value]
    return value


def arrow_table(data: bytes) -> Table:
    table = pa.ipc.open_stream(data).read_all()
    columns = [str(c) for c in table.column_names]
    rows = [list(r.values()) for r in table.to_pylist()]
    return Table(columns, rows)


def _csv_cell(text: str):
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+|\d+)(e[-+]?\d+)?", text, flags=re.I):
        return float(text)
    return text if text != "" else None


def csv_table(data: bytes) -> Table:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    if not rows:
        return Table([], [])
    return Table(rows[0], [[_csv_cell(c) for c in r] for r in rows[1:]])


def xlsx_tables(data: bytes) -> list[Table]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out = []
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        if rows:
            out.append(Table([str(c) for c in rows[0]], rows[1:]))
    book.close()
    return out


class _HtmlText(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[tuple[str, str]] = []
        self.section = ""
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        self._tag = tag
        for _, value in attrs:
            if value and not value.replace(" ", "").replace(",", "").replace(".", "").isdigit():
                self.texts.append((value, self.section))

    def handle_data(self, data):
        text = data.strip()
        if not text:
            return
        if self._tag == "h3" or self._tag == "th":
            self.section = text  # a card's or a definition row's indicator
        self.texts.append((text, self.section))


def _html_texts(document: str) -> list[tuple[str, str]]:
    parser = _HtmlText()
    parser.feed(document)
    return parser.texts


def file_kind(data: bytes) -> str:
    if data[:2] == b"PK":
        return "xlsx"
    head = data[:200].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "html"
    return "csv" if b"," in data[:2000] else "other"


# ---- the crawl ----------------------------------------------------------------------------------


def _pickers(run: st_protocol.Run) -> list:
    return [e for kind, e in run.main + run.sidebar if kind in PICKER_KINDS]


def _current(picker) -> str | None:
    if picker.set_value and picker.raw_value:
        return picker.raw_value
    if picker.HasField("default") and 0 <= picker.default < len(picker.options):
        return picker.options[picker.default]
    return None


def parse_period(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d %B %Y").date()
    except ValueError:
        return None


class Crawl:
    """Every page of a role, every combination of picker options, on one websocket session."""

    def __init__(
        self, session: st_protocol.Session, role: str, vocab: Vocabulary, max_runs: int, every_download: bool = False
    ):
        self.session, self.role, self.max_runs = session, role, max_runs
        self.every_download = every_download
        self.fetched: set[tuple] = set()
        self.received = Received(role)
        self.extract = Extractor(self.received, vocab)

    async def page(self, key: str, page_hash: str) -> None:
        self.received.periods_by_page.setdefault(key, set())
        self.received.pickers_by_page.setdefault(key, {})
        await self._visit(key, page_hash, {}, None)

    async def _visit(self, key: str, page_hash: str, values: dict[str, str], run) -> None:
        if run is None:
            run = await self._run(key, page_hash, values)
        free = [p for p in _pickers(run) if p.id not in values]
        if not free:
            return
        picker = free[0]
        now = _current(picker)
        for option in picker.options:
            # The run already made shows the picker at its current option: no need to ask again.
            await self._visit(key, page_hash, {**values, picker.id: option}, run if option == now else None)

    async def _run(self, key: str, page_hash: str, values: dict[str, str]) -> st_protocol.Run:
        if sum(self.received.runs_by_page.values()) >= self.max_runs:
            raise RuntimeError(
                f"the {self.role} crawl passed {self.max_runs} runs: the pickers multiply to more "
                "combinations than the bound; raise max_runs knowingly"
            )
        s = self.session
        s.page_hash, s.values = page_hash, {i: WidgetState(id=i, string_value=v) for i, v in values.items()}
        run = await s.run()
        if s.page_hash != page_hash:
            raise RuntimeError(f"{self.role} on {key}: the run went to another page ({s.page_hash})")
        await self.record(key, run, values)
        return run

    async def record(self, key: str, run: st_protocol.Run, values: dict[str, str]) -> None:
        """Read a run and every file behind its download buttons (fetched now: a file made when
        asked for can be asked for only until the next run)."""
        pickers = [(p.label, values.get(p.id) or _current(p) or "") for p in _pickers(run)]
        for p in _pickers(run):
            self.received.pickers_by_page.setdefault(key, {}).setdefault(p.label, set()).update(p.options)
        period = parse_period(next((v for label, v in pickers if label == PERIOD_LABEL), None))
        where = Where(self.role, key, tuple(pickers))
        self.received.runs_by_page[key] += 1
        self.received.periods_by_page.setdefault(key, set()).add(period)
        if not st_protocol.ok(run):
            self.received.problems.append((where, f"script run status {run.status}"))
        self.received.problems.extend((where, p) for p in run.problems())
        downloads = []
        for n, (button, context, table) in enumerate(_buttons(run)):
            # A table's CSV and XLSX (made when asked for) are made from the table shown with them:
            # once fetched for a table's content they are not fetched again for the same content on
            # the same page (downloads were nine tenths of the crawl's time), unless every_download.
            same = (key, button.label, table) if table is not None and button.deferred_file_id else None
            if same is not None and same in self.fetched and not self.every_download:
                self.received.downloads_not_refetched += 1
                continue
            data = await self.session.fetch(button)
            if same is not None:
                self.fetched.add(same)
            downloads.append((where.at(f"download {button.label!r} #{n} ({context})", ""), file_kind(data), data))
        self.extract.add_run(where, run, period, downloads)


def _buttons(run: st_protocol.Run) -> list[tuple[object, str, str | None]]:
    """Each download button of a run with the expander label or heading it sits under and a digest
    of the table it sits with (the last table before it in the same container), if any."""
    places, out, last_table = _Places(), [], {}
    for msg in run.messages:
        if msg.WhichOneof("type") != "delta":
            continue
        d, path = msg.delta, tuple(msg.metadata.delta_path)
        if d.WhichOneof("type") == "add_block":
            places.block(path, d.add_block)
        elif d.WhichOneof("type") == "new_element":
            kind = d.new_element.WhichOneof("type")
            element = getattr(d.new_element, kind)
            if kind == "heading":
                places.heading(element.body)
            elif kind == "dataframe":
                data = element.arrow_data.data or element.lazy_data.initial_chunk.data
                last_table[path[:-1]] = hashlib.sha256(data + element.columns.encode()).hexdigest()
            elif kind == "download_button":
                container = path[:-1]
                # st.columns puts the buttons one level deeper than the table they belong to.
                table = next(
                    (last_table[c] for c in (container, container[:-2], container[:-4]) if c in last_table), None
                )
                out.append((element, places.context(path), table))
    return out


class _Places:
    """Where an element sits: inside an expander (by its delta path), else under the last heading."""

    def __init__(self):
        self.expanders: dict[tuple, str] = {}
        self.last_heading = ""

    def block(self, path: tuple, block) -> None:
        if block.WhichOneof("type") == "expandable":
            self.expanders[path] = block.expandable.label

    def heading(self, text: str) -> None:
        self.last_heading = text

    def context(self, path: tuple) -> str:
        inside = [p for p in self.expanders if path[: len(p)] == p and len(path) > len(p)]
        return self.expanders[max(inside, key=len)] if inside else self.last_heading


def _snippet(obj) -> str:
    """A few words that say which element this is."""
    for attr in ("label", "body"):
        text = getattr(obj, attr, "") if hasattr(obj, attr) else ""
        if isinstance(text, str) and text:
            return text[:50]
    return ""


async def crawl_role(
    base_url: str,
    role: str,
    email: str,
    password: str,
    pages: Iterable[str],
    titles: dict[str, str],
    vocab: Vocabulary,
    max_runs: int = 2000,
    every_download: bool = False,
) -> Received:
    """Sign in as email and crawl every page in pages (keys; titles maps a key to its sidebar link)."""
    t0 = time.perf_counter()
    async with signed_in(base_url, email, password) as (session, landing):
        crawl = Crawl(session, role, vocab, max_runs, every_download)
        await crawl.record("landing", landing, {})
        links = landing.page_links()
        for key in pages:
            if titles[key] not in links:
                raise RuntimeError(f"{role}: no sidebar link to {titles[key]!r} (links: {sorted(links)})")
            await crawl.page(key, links[titles[key]])
    crawl.received.seconds = time.perf_counter() - t0
    return crawl.received


def run_crawl(*args, **kwargs) -> Received:
    return asyncio.run(crawl_role(*args, **kwargs))
