"""The four disclosure checks, as pure functions of what was received and the ground truth.

They take plain data (harness.Num/Slot/Sequence with their Seen places, truth.Figure/Pooled), so
tests/disclosure/test_checkers.py can show each one failing on hand-made data.

Matching a received number with a figure:
* a binary float or integer (decimals None) matches at relative 1e-9, in raw units or, for a rate,
  in display units (x 100);
* a decimal shown with d decimals matches a figure that rounds to it (|x - v| <= half a unit in
  the last place), in display units only when shown as a percentage;
* integers are everywhere (counts of trusts, sizes), so an integer-valued figure, or a number
  received as an integer, counts only where its context names that figure's column; so does any
  number shown rounded (text, or a table's float read at its shown precision): at one decimal,
  figures of different indicators meet by chance too often to mean anything;
* a received number is a figure of one quarter (its point's or row's date, else the run's quarter
  ending) and is compared with the figures of that quarter.
A number whose context names only figures of the themes the ground truth does not hold (the annual
sections' demographics and conditions, and activity: THEME_COLUMNS) is not compared with workforce figures:
a share of PSWs in a category (7 of 107) that equals another trust's hidden leaver rate (7 of 107) is that
share. Those themes' own small-number rules are proved on their data by their unit tests
(tests/unit/access/test_demographic_disclosure.py, tests/unit/reports/test_conditions.py).
A match is allowed when a figure the user may see matches the received number in the same way (a
visible trust's or their own trust's figure of that quarter, a figure built on those only (pooled
over the visible trusts, their quartiles per region and England: truth.derived), or their own
trust's of any quarter, since its series over time is shown): the number then says nothing the user
did not see.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from tests.disclosure.harness import Num, Seen, Sequence, Slot
from tests.disclosure.truth import Figure, Pooled, is_rate

REL = 1e-9


def _theme_columns() -> frozenset[str]:
    from pswbench.reports.definitions import ACTIVITY_INDICATORS, CONDITION_INDICATORS, DEMOGRAPHIC_INDICATORS

    # "conditions" names the conditions chart, whose title names the theme rather than one indicator.
    return frozenset(i.name for i in DEMOGRAPHIC_INDICATORS + CONDITION_INDICATORS + ACTIVITY_INDICATORS) | {
        "conditions"
    }


THEME_COLUMNS = _theme_columns()


def of_another_theme(num: Num) -> bool:
    """Its context names figures of the new themes only (see the module's docstring)."""
    return bool(num.attrib) and num.attrib <= THEME_COLUMNS


# ---- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    value: float  # in the units of this entry
    display: bool  # True: a rate x 100
    target: object  # a Figure or a Pooled
    column: str
    integral: bool


class Index:
    """Figures by value, in raw and display units, for matching received numbers."""

    def __init__(self, items: Iterable[tuple[float, str, object]]):
        entries = []
        for value, column, target in items:
            integral = float(value).is_integer()
            entries.append(_Entry(float(value), False, target, column, integral))
            if is_rate(column):
                entries.append(_Entry(float(value) * 100, True, target, column, integral))
        entries.sort(key=lambda e: e.value)
        self._entries = entries
        self._values = [e.value for e in entries]

    def matches(self, num: Num, attributed_only: bool = True) -> list[_Entry]:
        if attributed_only and num.quarter is None and num.decimals == 0:
            return []  # a whole number in text of no quarter (documentation): not a figure
        x = num.value
        tol = REL * max(abs(x), 1e-300) if num.decimals is None else 0.5 * 10**-num.decimals + REL * abs(x)
        lo, hi = bisect.bisect_left(self._values, x - tol), bisect.bisect_right(self._values, x + tol)
        out = []
        for e in self._entries[lo:hi]:
            if num.percent and not e.display:
                continue
            if num.decimals is None and abs(e.value - x) > REL * max(abs(e.value), abs(x), 1e-300):
                continue
            if (
                attributed_only
                and (e.integral or num.integer or num.decimals is not None)
                and e.column not in num.attrib
            ):
                continue
            out.append(e)
        return out

    def any(self, num: Num) -> bool:
        return bool(self.matches(num, attributed_only=False))


class ByQuarter:
    """Indexes of figures per quarter: a number of a known quarter is matched with that quarter's."""

    def __init__(self, items: Iterable[tuple[float, str, object]]):
        items = list(items)
        groups = defaultdict(list)
        for item in items:
            groups[item[2].period].append(item)
        self._by = {q: Index(g) for q, g in groups.items()}
        self._all = Index(items)

    def matches(self, num: Num) -> list[_Entry]:
        index = self._all if num.quarter is None else self._by.get(num.quarter, _EMPTY)
        return index.matches(num)


class Allowed:
    """What a user may see, to tell a coincidence from a leak: per quarter, plus their own trust's
    figures of every quarter."""

    def __init__(self, visible: dict[dt.date, list], own: str, extra: Iterable[tuple[float, str, object]] = ()):
        groups = defaultdict(list)
        for period, figs in visible.items():
            groups[period].extend((f.value, f.column, f) for f in figs)
        for item in extra:
            groups[item[2].period].append(item)
        self._by = {q: Index(g) for q, g in groups.items()}
        self._own = Index((f.value, f.column, f) for figs in visible.values() for f in figs if f.trust == own)

    def covers(self, num: Num, period: dt.date) -> bool:
        """Some figure the user may see matches num (as sent, or as rounded: see readings)."""
        index = self._by.get(period, _EMPTY)
        return any(index.any(n) or self._own.any(n) for n in readings(num))


def readings(num: Num) -> list[Num]:
    """num as sent and, for a float that looks rounded for display (one or two decimals), also at
    that precision: it may be a figure rounded as much, so a figure rounding to it explains it."""
    out = [num]
    if num.decimals is None and not num.integer:
        text = repr(float(num.value))
        if "e" not in text and "." in text:
            decimals = len(text.split(".")[1].rstrip("0"))
            if 1 <= decimals <= 2:
                out.append(Num(num.value, decimals, num.percent, num.attrib, False, num.quarter, "rounded"))
            elif decimals == 0:  # 276.0: a figure shown to one decimal that happens to end in 0
                out.append(Num(num.value, 1, num.percent, num.attrib, False, num.quarter, "rounded"))
    return out


def slot_readings(num: Num) -> list[Num]:
    """readings, and for a whole number also one decimal: a spreadsheet reads a region's 276.0 WTE,
    shown to one decimal, back as the integer 276."""
    out = readings(num)
    if num.integer and num.decimals is None:
        out.append(Num(num.value, 1, num.percent, num.attrib, False, num.quarter, "rounded"))
    return out


# ---- 1. no other trust's code or name ------------------------------------------------------------


@dataclass
class NameFinding:
    code: str
    text: str  # the code or name found
    string: str  # the string it was found in (shortened)
    seen: Seen

    def __str__(self) -> str:
        places = "; ".join(str(w) for w in self.seen.wheres[:2])
        return f"{self.text!r} ({self.code}) in {self.string!r}, seen {self.seen.count}x, e.g. {places}"


def names_pattern(others: Iterable[tuple[str, str]]) -> re.Pattern:
    """Word-bounded codes (case as written) and full names (any case) of the given trusts."""
    parts = []
    for code, name in others:
        parts.append(rf"(?-i:\b{re.escape(code)}\b)")
        parts.append(rf"\b{re.escape(name)}(?!\w)")
    return re.compile("|".join(parts), flags=re.IGNORECASE)


def check_names(strings: dict[str, Seen], others: list[tuple[str, str]]) -> list[NameFinding]:
    """Every received string holding another trust's ODS code or full name."""
    pattern = names_pattern(others)
    lookup = {}
    for code, name in others:
        lookup[code] = code
        lookup[name.lower()] = code
    out = []
    for text, seen in strings.items():
        for m in pattern.finditer(text):
            found = m.group(0)
            code = lookup.get(found) or lookup.get(found.lower(), "?")
            start = max(0, m.start() - 60)
            out.append(NameFinding(code, found, text[start : m.end() + 60], seen))
    return out


# ---- 2. no number equal to a suppressed figure -----------------------------------------------------


@dataclass
class NumberFinding:
    num: Num
    seen: Seen
    figures: list  # the suppressed (or all-trusts pooled) figures it equals

    @property
    def exact(self) -> bool:
        """Sent as a binary float of more than two decimals, so equal to the figure itself, not
        only to its rounding."""
        return self.num.decimals is None and len(readings(self.num)) == 1 and not self.num.integer

    def __str__(self) -> str:
        shown = f"{self.num.value:.{self.num.decimals}f}" if self.num.decimals is not None else repr(self.num.value)
        shown += "%" if self.num.percent else ""
        figs = ", ".join(str(f) for f in self.figures[:3]) + (" ..." if len(self.figures) > 3 else "")
        places = "\n      ".join(str(w) for w in self.seen.wheres[:3])
        return f"{shown} equals {figs}; received {self.seen.count}x, e.g.\n      {places}"


def tally(findings: list[NumberFinding]) -> str:
    """How many findings, sent exactly or at a shown precision, and in which kinds of element."""
    kinds: dict[str, int] = defaultdict(int)
    for f in findings:
        for w in f.seen.wheres[:1]:
            kinds[where_kind(w)] += 1
    exact = sum(f.exact for f in findings)
    shown = sum(f.num.decimals is not None for f in findings)
    return (
        f"{exact} sent exactly with 3 or more decimals, {len(findings) - exact - shown} sent as round numbers, "
        f"{shown} in text or rounded cells; first seen in "
        + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    )


def where_kind(where) -> str:
    element, path = where.element, where.path
    if element.startswith("download"):
        return "board pack" if "board pack" in element else "CSV/XLSX download"
    if element.startswith("plotly_chart"):
        return "chart " + ("shape" if ".shapes" in path else "annotation" if ".annotations" in path else "data")
    return element.split("#")[0]


def check_suppressed(
    numbers: dict[Num, Seen],
    suppressed: list[Figure],
    visible: dict[dt.date, list[Figure]],
    own: str,
    derived: dict[dt.date, list[Figure]] | None = None,
) -> list[NumberFinding]:
    """Every received number that equals a suppressed figure of its quarter and no figure the user
    may see (see Allowed)."""
    targets = ByQuarter((f.value, f.column, f) for f in suppressed)
    allowed = Allowed(visible, own, _items(derived))
    out = []
    for num, seen in numbers.items():
        if of_another_theme(num):
            continue
        bad = [e.target for e in targets.matches(num) if not allowed.covers(num, e.target.period)]
        if bad:
            out.append(NumberFinding(num, seen, _unique(bad)))
    return out


_EMPTY = Index(())


def _items(figures: dict[dt.date, list[Figure]] | None) -> list[tuple[float, str, Figure]]:
    return [(f.value, f.column, f) for figs in (figures or {}).values() for f in figs]


def _unique(items: list) -> list:
    return list(dict.fromkeys(items))


# ---- 3. no suppressed figure recoverable by subtraction -------------------------------------------


@dataclass
class SlotFinding:
    slot: Slot
    seen: Seen
    pooled: Pooled

    def __str__(self) -> str:
        n = self.slot.num
        shown = f"{n.value:.{n.decimals}f}" if n.decimals is not None else repr(n.value)
        return (
            f"{self.slot.scope} {self.slot.quantity} {self.slot.period}: received {shown}"
            f"{'%' if n.percent else ''}, pooled over the visible trusts {self.pooled.visible!r}, over all "
            f"{self.pooled.all_trusts!r} (left out: {', '.join(self.pooled.left_out) or 'none'}); "
            f"e.g. {self.seen.wheres[0]}"
        )


@dataclass
class PooledReport:
    leaks: list[NumberFinding] = field(default_factory=list)  # numbers equal to an all-trusts figure
    wrong_slots: list[SlotFinding] = field(default_factory=list)  # pooled figures not over the visible trusts
    slots_checked: int = 0  # slots whose all/visible figures differ
    slots_consistent: int = 0  # slots where the two are the same


def check_pooled(
    numbers: dict[Num, Seen],
    slots: dict[Slot, Seen],
    pooled: list[Pooled],
    visible: dict[dt.date, list[Figure]],
    own: str,
    derived: dict[dt.date, list[Figure]] | None = None,
) -> PooledReport:
    """Numbers equal to a region's or England's pooled figure over ALL trusts where that differs
    from the figure over the trusts the user may see (the difference is what subtraction recovers),
    and received region/England figures (slots) that are not the visible-only pooled figure. Any
    number sent exactly counts; a number shown rounded counts where it is a region/England figure,
    since at one decimal a pooled rate is as often matched by chance as by a leak."""
    report = PooledReport()
    differing = [p for p in pooled if p.differs and p.all_trusts is not None]
    targets = ByQuarter((p.all_trusts, p.quantity, p) for p in differing)
    allowed = Allowed(
        visible, own, [*((p.visible, p.quantity, p) for p in pooled if p.visible is not None), *_items(derived)]
    )
    for num, seen in numbers.items():
        if num.decimals is not None or of_another_theme(num):
            continue  # a rounded number is judged where it is a region/England figure (the slots)
        # A float of one or two decimals may be any figure rounded: it counts where it is named so.
        round_looking = len(readings(num)) > 1
        bad = [
            e.target
            for e in targets.matches(num)
            if not allowed.covers(num, e.target.period) and not (round_looking and e.column not in num.attrib)
        ]
        if bad:
            report.leaks.append(NumberFinding(num, seen, _unique(bad)))
    by_key = {(p.period, p.scope, p.quantity): p for p in pooled}
    for slot, seen in slots.items():
        p = by_key.get((slot.period, slot.scope, slot.quantity))
        if p is None or p.visible is None:
            continue
        if p.differs:
            report.slots_checked += 1
        else:
            report.slots_consistent += 1
        expected = Index([(p.visible, p.quantity, p)])
        if not any(expected.any(n) for n in slot_readings(slot.num)):
            report.wrong_slots.append(SlotFinding(slot, seen, p))
    return report


# ---- 4. label order carries no information --------------------------------------------------------


@dataclass
class OrderReport:
    sequences: int = 0  # distinct code sequences of 4 or more
    mean_rho: float = 0.0
    sorted_long: list[tuple[tuple[str, ...], Seen]] = field(default_factory=list)  # 6+ in exact code order
    expected_sorted: float = 0.0  # how many of those chance gives
    p_value: float = 1.0  # P(at least that many sorted by chance)
    unknown_labels: list[tuple[str, dt.date | None]] = field(default_factory=list)
    strongest: list[tuple[float, tuple[str, ...], Seen]] = field(default_factory=list)


def spearman(codes: list[str]) -> float:
    """Spearman's rho between position in the sequence and alphabetical rank of the code."""
    n = len(codes)
    ranks = {c: i for i, c in enumerate(sorted(codes))}
    d2 = sum((i - ranks[c]) ** 2 for i, c in enumerate(codes))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _poisson_tail(k: int, mean: float) -> float:
    if k <= 0:
        return 1.0
    return max(0.0, 1.0 - sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(k)))


def code_sequences(
    sequences: dict[Sequence, Seen],
    labels: dict[dt.date, dict[str, str]],
    own: str,
    own_names: set[str],
    region_of: dict[str, str],
    report: OrderReport | None = None,
) -> dict[tuple[str, ...], Seen]:
    """Received label sequences as trust codes (labels mapped with the quarter's labelling), each
    also cut down to every region's trusts (a region's codes are public), 4 or more codes each."""
    out: dict[tuple[str, ...], Seen] = {}
    for seq, seen in sequences.items():
        by_label = {label: code for code, label in labels.get(seq.period, {}).items()}
        codes = []
        for label in seq.labels:
            code = own if label in own_names else by_label.get(label)
            if code is None:
                if report is not None:
                    report.unknown_labels.append((label, seq.period))
                continue
            if code not in codes:
                codes.append(code)
        cuts = [codes] + [[c for c in codes if region_of.get(c) == r] for r in set(region_of.values())]
        for cut in cuts:
            if len(cut) >= 4:
                target = out.setdefault(tuple(cut), Seen())
                target.count += seen.count
                target.wheres.extend(seen.wheres[:1])
    return out


def check_label_order(
    sequences: dict[Sequence, Seen],
    labels: dict[dt.date, dict[str, str]],
    own: str,
    own_names: set[str],
    region_of: dict[str, str],
) -> OrderReport:
    report = OrderReport()
    distinct = code_sequences(sequences, labels, own, own_names, region_of, report)
    report.sequences = len(distinct)
    if not distinct:
        return report
    rhos = [(spearman(list(codes)), codes, seen) for codes, seen in distinct.items()]
    report.mean_rho = sum(r for r, _, _ in rhos) / len(rhos)
    report.strongest = sorted(rhos, key=lambda t: -t[0])[:5]
    long = [(codes, seen) for codes, seen in distinct.items() if len(codes) >= 6]
    report.sorted_long = [(codes, seen) for codes, seen in long if list(codes) == sorted(codes)]
    report.expected_sorted = sum(1 / math.factorial(len(codes)) for codes, _ in long)
    report.p_value = _poisson_tail(len(report.sorted_long), report.expected_sorted)
    return report


@dataclass(frozen=True)
class TrackFinding:
    trust: str
    region: str
    label: str
    quarters: tuple[dt.date, ...]

    def __str__(self) -> str:
        return (
            f"label {self.label!r} appears in {self.region} exactly in the quarters {self.trust} was open "
            f"({', '.join(str(q) for q in self.quarters)}) and stands for {self.trust} in each"
        )


def label_regions(sequences: dict[Sequence, Seen]) -> dict[tuple[str, str], set[dt.date]]:
    """(label, region) -> the quarters in which the label was received shown in that region."""
    out: dict[tuple[str, str], set] = defaultdict(set)
    for seq in sequences:
        if seq.regions and seq.period is not None:
            for label, region in zip(seq.labels, seq.regions):
                out[(label, region)].add(seq.period)
    return out


def open_quarters(open_date: dt.date | None, close_date: dt.date | None, quarters: list[dt.date]) -> set[dt.date]:
    """The loaded quarters a trust was open at the end of (public open and close dates)."""
    return {q for q in quarters if (open_date is None or open_date <= q) and (close_date is None or q <= close_date)}


def check_open_close(
    sequences: dict[Sequence, Seen], labels: dict[dt.date, dict[str, str]], changed: list[tuple[str, str, set[dt.date]]]
) -> list[TrackFinding]:
    """For each trust that opened or closed within the loaded quarters (code, region, quarters it
    was open or returned), a label that appears in its region in exactly those quarters and stands
    for that trust in each of them: a label followed over time to a public opening or closing date.
    (A label whose quarters happen to match while standing for different trusts is chance, not a
    trail: the user cannot tell it from any other label.)"""
    seen_in = label_regions(sequences)
    out = []
    for code, region, quarters in changed:
        if len(quarters) < 2:
            continue
        for (label, where), when in seen_in.items():
            if where == region and when == quarters and all(labels.get(q, {}).get(code) == label for q in quarters):
                out.append(TrackFinding(code, region, label, tuple(sorted(quarters))))
    return _unique(out)


def region_persistence(sequences: dict[Sequence, Seen], periods: list[dt.date]) -> tuple[float, int]:
    """Of the labels seen with a region in two consecutive quarters, the share seen in the same
    region both times, and how many there were. Labels that stand for the same trust in every
    quarter keep their region (share 1); labels drawn afresh each quarter keep it only by chance."""
    by_period: dict[dt.date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for seq in sequences:
        if seq.regions and seq.period is not None:
            for label, region in zip(seq.labels, seq.regions):
                by_period[seq.period][label].add(region)
    same = total = 0
    ordered = sorted(periods)
    for a, b in zip(ordered, ordered[1:]):
        for label in set(by_period[a]) & set(by_period[b]):
            total += 1
            same += bool(by_period[a][label] & by_period[b][label])
    return (same / total if total else 0.0), total
