"""Synthetic demo returns. EVERYTHING THIS MODULE WRITES IS SYNTHETIC.

No figure here comes from any trust: headcounts, vacancies, sickness, flows and notes
are made up by a seeded random generator so the demo has something realistic-looking
to load. The trust list (codes, open and close dates) is the real reference file; the
numbers attached to it are not, apart from one published national total (below). Label any
screen or export built on these files as synthetic demo data.

``generate(out_dir, seed)`` writes one CSV per trust per quarter, named
``{trust_code}_{period_end}.csv``, for every trust open on each quarter end from
2019-09-30 (the HEE / NHS Benchmarking Network stocktake's snapshot date) to 2026-09-30,
29 quarters (a trust is open on a date when its open_date is blank or on or before it, and
its close_date is blank or on or after it), apart from the deliberate gaps in ``GAPS``.
Same seed gives byte-identical files; nothing depends on today's date.

How it is made: each trust's staff at 2023-12-31 is drawn, the quarters from 2024-03-31
are simulated forward from it, and the quarters 2019-09-30 .. 2023-12-31 are back-cast from
it (``_backcast``: joiners taken out of the end staff, leavers added back). The back-cast
follows a headcount path per trust whose first point is the trust's share of 862, split in
proportion to its 2023 staff undone by its own growth rate, whole numbers by largest remainder,
so the national total at 2019-09-30 is exactly the stocktake's published 862.

Shape of the data:
- 862 PSWs nationally at 2019-09-30 (RTV's included), growing about 7% a year to about
  1,160 at 2023-12-31, then about 1,200 at 2024-03-31 growing about 15% a year;
- most trusts 10-40 PSWs, a few 60+, a few 0-5 (RNK has none until 2024-09-30: one-row
  returns with no vacancy until 2023-12-31, then two quarters with a vacancy);
- sickness mostly 3-9%, vacancy 5-25%, annual leaver rate 10-30%, bank and agency small
  and sometimes blank (not recorded);
- flows are exact: for every cell and quarter, start-of-quarter headcount
  S = H - J + L equals the previous quarter's H, including across a missed quarter
  (the quarter still happened; only its file is missing);
- RTV returns until it closes (2021-05-31; simulated forward from 2019, its staff not moved
  into RW4, so RW4 shows no jump);
- RRP and TAF close 2024-10-31; G6V2S opens 2024-11-01 and starts from their combined
  staff, so its first return (2024-12-31) shows no jump;
- ``OUTLIERS`` lists the few trust-quarters built to raise warnings, all from 2024-03-31;
  no other quarter raises one (the back-cast keeps leavers under 22% of the average
  headcount, like ordinary forward quarters, and headcount never falls between quarters);
  ``GAPS`` the two missed returns. The back-cast years have neither outliers nor gaps.

From 2024-03-31 the demo's files carry the optional ``contacts`` column (pswbench/synthetic/contacts.py);
the annual sections and the demo's load order are pswbench/synthetic/sections.py's.

``generate(out_dir, seed, scale=K)`` with K > 1 writes about K times as many rows for load and
page-speed benchmarks, adding synthetic trusts Z0001... over the same 29 quarters; see
``generate_scaled``. Those trusts are not in the reference file: pswbench/synthetic/scale.py
builds a database that knows them.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from pswbench.paths import REFERENCE_DIR
from pswbench.returns import contract
from pswbench.synthetic.contacts import with_contacts

FIRST_PERIOD = contract.EARLIEST_PERIOD  # 2019-09-30, the HEE / NHS Benchmarking Network stocktake's snapshot
FORWARD_FROM = dt.date(2024, 3, 31)  # from this quarter on simulated forward; before it, back-cast
LAST_PERIOD = dt.date(2026, 9, 30)
BACKCAST_FROM = dt.date(2023, 12, 31)  # the last back-cast quarter: the trusts' staff before FORWARD_FROM
NATIONAL_AT_FIRST = 862  # PSWs in NHS mental health trusts at 2019-09-30, as published from the stocktake

# Trust-quarters with no file: the trust missed that return.
GAPS = (("RLY", dt.date(2025, 6, 30)), ("RJ8", dt.date(2026, 3, 31)))

# Trust-quarters built to raise a warning, and which one.
OUTLIERS = {
    ("RNK", dt.date(2024, 3, 31)): "vacancy_rate",  # 0 PSWs, 1 WTE vacancy: 100%
    ("RNK", dt.date(2024, 6, 30)): "vacancy_rate",  # same
    ("RGD", dt.date(2024, 12, 31)): "fte_days_available",  # one row uses working days, not calendar days
    ("RXE", dt.date(2025, 3, 31)): "sickness_rate",  # about 19%
    ("RWR", dt.date(2025, 9, 30)): "vacancy_rate",  # about 47%
    ("RP7", dt.date(2025, 12, 31)): "leaver_rate_quarter",  # about 30% in the quarter
    ("RXY", dt.date(2026, 6, 30)): "headcount_change",  # +60% and more than 10 people
}

ZERO_TRUST = "RNK"
ZERO_QUARTERS = (dt.date(2024, 3, 31), dt.date(2024, 6, 30))
MERGED_FROM = ("RRP", "TAF")
MERGED_INTO = "G6V2S"

LARGE = ("RX4", "RV5", "RXV", "RW4")  # 60+ PSWs
SMALL = ("RJ8", "RLY", "RP1")  # 1-5 PSWs
NATIONAL_START = 1160  # at 2023-12-31; about 1,200 a quarter later

_SETTING_WEIGHTS = {
    "adult_community": 10,
    "crisis": 6,
    "adult_inpatient": 6,
    "early_intervention": 5,
    "older_adults": 3,
    "children_young_people": 3,
    "perinatal": 2,
    "forensic": 2,
    "other": 1,
}
_BAND_WEIGHTS = {"2": 2, "3": 30, "4": 40, "5": 18, "6": 6, "7": 3, "8a": 1}

_NOTES = (
    "Two posts out to advert",
    "One PSW on maternity leave",
    "New starter in month 3",
    "Post moved from inpatient to community",
    "Includes one fixed-term post",
    "Lead PSW post created this quarter",
    "One PSW seconded to the ICB",
    "Vacancy held pending service review",
    "Bank use covers leave, not vacancy",
    "Recruitment event held this quarter",
)
_OUTLIER_NOTES = {
    "sickness_rate": "Several staff on long-term sickness absence",
    "vacancy_rate": "New crisis PSW posts funded; recruitment under way",
    "leaver_rate_quarter": "Fixed-term pilot posts ended this quarter",
    "headcount_change": "New community PSW team started this quarter",
}

Cell = tuple[str, str]  # (service_setting, afc_band)


def read_trusts() -> list[dict[str, str]]:
    with open(REFERENCE_DIR / "mental_health_trusts.csv", newline="", encoding="utf-8") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: r["trust_code"])


def _is_open(trust: dict[str, str], day: dt.date) -> bool:
    opened = trust["open_date"] and dt.date.fromisoformat(trust["open_date"])
    closed = trust["close_date"] and dt.date.fromisoformat(trust["close_date"])
    return (not opened or opened <= day) and (not closed or closed >= day)


def _moved(staff: dict[Cell, int], out: dict[Cell, int], into: dict[Cell, int]) -> dict[Cell, int]:
    """Staff after people leave (out) and arrive (into) by cell; cells left empty are dropped."""
    after = dict(staff)
    for c, n in out.items():
        after[c] -= n
    for c, n in into.items():
        after[c] = after.get(c, 0) + n
    return {c: n for c, n in after.items() if n > 0}


def _stoch_round(rng: random.Random, x: float) -> int:
    base = math.floor(x)
    return base + (1 if rng.random() < x - base else 0)


def _cell_order(cell: Cell) -> tuple[int, int]:
    return contract.SERVICE_SETTINGS.index(cell[0]), contract.AFC_BANDS.index(cell[1])


class _Trust:
    """One trust's parameters and its current staff, cell by cell."""

    def __init__(self, rng: random.Random, code: str, size: int):
        self.code = code
        self.leave_q = 1 - (1 - rng.uniform(0.10, 0.28)) ** 0.25
        self.growth = rng.uniform(0.015, 0.055)
        self.vac = rng.uniform(0.05, 0.21)
        self.sick = rng.uniform(0.03, 0.075)
        self.wte_frac = rng.uniform(0.72, 0.9)
        self.bank_recorded = rng.random() < 0.7
        self.agency_recorded = rng.random() < 0.5
        self.exact_days = rng.random() < 0.5
        n_settings = 1 if size <= 3 else 2 if size <= 10 else 3 if size <= 25 else rng.randint(4, 6)
        settings = list(_SETTING_WEIGHTS)
        chosen: list[str] = []
        while len(chosen) < n_settings:
            s = rng.choices(settings, weights=[_SETTING_WEIGHTS[x] for x in settings])[0]
            if s not in chosen:
                chosen.append(s)
        self.cells: list[Cell] = []
        self.weights: list[float] = []
        for s in chosen:
            for band in self._bands(rng, size):
                self._add_cell((s, band))
        self.staff: dict[Cell, int] = {}
        for _ in range(size):
            c = rng.choices(self.cells, weights=self.weights)[0]
            self.staff[c] = self.staff.get(c, 0) + 1

    @staticmethod
    def _bands(rng: random.Random, size: int) -> list[str]:
        bands = list(_BAND_WEIGHTS)
        n = 1 if size <= 5 else rng.randint(1, 3)
        out: list[str] = []
        while len(out) < n:
            b = rng.choices(bands, weights=[_BAND_WEIGHTS[x] for x in bands])[0]
            if b not in out:
                out.append(b)
        return out

    def _add_cell(self, cell: Cell) -> None:
        if cell not in self.cells:
            self.cells.append(cell)
            self.weights.append(_BAND_WEIGHTS[cell[1]])

    def remove_people(self, rng: random.Random, staff: dict[Cell, int], n: int) -> dict[Cell, int]:
        """Pick n distinct people out of staff; their cells, counted."""
        people = [c for c in sorted(staff, key=_cell_order) for _ in range(staff[c])]
        out: dict[Cell, int] = {}
        for c in rng.sample(people, min(n, len(people))):
            out[c] = out.get(c, 0) + 1
        return out

    def step(self, rng: random.Random, kind: str | None) -> tuple[dict[Cell, int], dict[Cell, int], dict[Cell, int]]:
        """Move one quarter on: returns (start, leavers, joiners) by cell; self.staff becomes the end."""
        start = dict(self.staff)
        s_tot = sum(start.values())
        if kind == "leaver_rate_quarter":
            leavers = self.remove_people(rng, start, math.ceil(0.3 * s_tot))
        else:
            leavers = {}
            for c in sorted(start, key=_cell_order):
                n = sum(1 for _ in range(start[c]) if rng.random() < self.leave_q)
                if n:
                    leavers[c] = n
        g = self.growth + rng.uniform(-0.015, 0.015)
        target = _stoch_round(rng, s_tot * (1 + g))
        if kind == "headcount_change":
            target = max(math.ceil(s_tot * 1.6), s_tot + 12)
        if kind == "leaver_rate_quarter":
            target = s_tot - 2

        def joiners_needed() -> int:
            return max(0, target - (s_tot - sum(leavers.values())))

        if kind != "leaver_rate_quarter":
            # Keep ordinary quarters under the 25% leaver-rate warning, with a margin.
            while leavers:
                l_tot = sum(leavers.values())
                h = s_tot - l_tot + joiners_needed()
                if l_tot / ((h + s_tot) / 2) <= 0.22:
                    break
                c = rng.choice(sorted(leavers, key=_cell_order))
                leavers[c] -= 1
                if leavers[c] == 0:
                    del leavers[c]
        joiners: dict[Cell, int] = {}
        for _ in range(joiners_needed()):
            if rng.random() < 0.04 and s_tot >= 6:
                setting = rng.choices(list(_SETTING_WEIGHTS), weights=list(_SETTING_WEIGHTS.values()))[0]
                self._add_cell((setting, rng.choice(("3", "4", "5"))))
            c = rng.choices(self.cells, weights=self.weights)[0]
            joiners[c] = joiners.get(c, 0) + 1
        self.staff = _moved(start, out=leavers, into=joiners)
        return start, leavers, joiners


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _rows(
    rng: random.Random,
    t: _Trust,
    period: dt.date,
    start: dict[Cell, int],
    leavers: dict[Cell, int],
    joiners: dict[Cell, int],
    kind: str | None,
) -> list[list[str]]:
    days = contract.days_in_quarter(period)
    cells = sorted(set(start) | set(leavers) | set(joiners) | set(t.staff), key=_cell_order)
    bank_on = t.bank_recorded and rng.random() > 0.05
    agency_on = t.agency_recorded and rng.random() > 0.05
    recs = []
    for c in cells:
        h = t.staff.get(c, 0)
        if h > 0:
            wte = round(h * min(1.0, max(0.5, t.wte_frac + rng.uniform(-0.08, 0.08))), 2)
            if kind == "vacancy_rate":
                vac = round(wte * 0.9, 2)
            elif rng.random() < 0.35:
                vac = 0.0
            else:
                vac = round(wte * t.vac / (1 - t.vac) * rng.uniform(0.6, 1.4), 2)
            avail = round(wte * days * (1.0 if t.exact_days else rng.uniform(0.97, 1.0)), 2)
            rate = 0.19 if kind == "sickness_rate" else min(0.3, t.sick * rng.uniform(0.4, 1.6))
            lost = round(avail * rate, 2)
        else:
            wte, avail, lost = 0.0, 0.0, 0.0
            vac = rng.choice((0.0, 0.6, 0.8))
        bank = "" if not bank_on else _fmt(0.0 if rng.random() < 0.6 else rng.uniform(0.1, min(1.5, 0.3 + 0.1 * h)))
        agency = "" if not agency_on else _fmt(0.0 if rng.random() < 0.85 else rng.uniform(0.1, 0.6))
        recs.append(
            {
                "cell": c,
                "h": h,
                "wte": wte,
                "vac": vac,
                "lost": lost,
                "avail": avail,
                "l": leavers.get(c, 0),
                "j": joiners.get(c, 0),
                "bank": bank,
                "agency": agency,
                "notes": "",
            }
        )
    if kind is None:
        # Keep ordinary trust-quarters well clear of the trust-level warnings.
        s_wte = sum(r["wte"] for r in recs)
        s_vac = sum(r["vac"] for r in recs)
        if s_vac and s_vac / (s_wte + s_vac) > 0.3:
            k = 0.25 * s_wte / 0.75 / s_vac
            for r in recs:
                r["vac"] = round(r["vac"] * k, 2)
    if kind == "fte_days_available":
        r = max(recs, key=lambda r: r["wte"])
        r["avail"] = round(r["wte"] * 64, 2)  # working days instead of calendar days
        r["lost"] = round(r["avail"] * t.sick, 2)
    for i, r in enumerate(recs):
        if i > 0 and rng.random() < 0.08:
            r["notes"] = rng.choice(_NOTES)
    if kind in _OUTLIER_NOTES and len(recs) > 1:
        recs[-1]["notes"] = _OUTLIER_NOTES[kind]
    return [
        [
            t.code,
            period.isoformat(),
            r["cell"][0],
            r["cell"][1],
            str(r["h"]),
            _fmt(r["wte"]),
            _fmt(r["vac"]),
            _fmt(r["lost"]),
            _fmt(r["avail"]),
            str(r["l"]),
            str(r["j"]),
            r["bank"],
            r["agency"],
            r["notes"],
        ]
        for r in recs
    ]


def _zero_rows(code: str, period: dt.date, vacancy: str = "1.00") -> list[list[str]]:
    """A one-row return of a trust with no PSWs: with a vacancy (RNK's outliers) or none (before that)."""
    return [
        [code, period.isoformat(), "adult_community", "3", "0", "0.00", vacancy, "0.00", "0.00", "0", "0", "", "", ""]
    ]


def generate(out_dir: Path, seed: int = 2019, scale: int = 1) -> list[Path]:
    """Write the synthetic demo returns into out_dir; the paths written, in period then trust order.

    scale=1 is the demo; scale=K writes about K times the demo's rows, the demo's files among them
    byte for byte, adding synthetic trusts (see ``generate_scaled``).
    """
    if scale == 1:
        return _write_all(Path(out_dir), _demo_returns(seed))
    return generate_scaled(out_dir, seed, scale).paths


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        # From contacts.CONTACTS_FROM rows carry contacts; earlier files stay version 1 files.
        w.writerow(contract.WORKFORCE_COLUMNS if len(rows[0]) == len(contract.WORKFORCE_COLUMNS) else contract.COLUMNS)
        w.writerows(rows)


def _write_all(out_dir: Path, files: dict[tuple[str, dt.date], list[list[str]]]) -> list[Path]:
    """One file per (trust, quarter); the paths in period then trust order (oldest first)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for code, period in sorted(files, key=lambda key: (key[1], key[0])):
        path = out_dir / f"{code}_{period.isoformat()}.csv"
        _write(path, files[(code, period)])
        written.append(path)
    return written


def _demo_returns(seed: int) -> dict[tuple[str, dt.date], list[list[str]]]:
    """The demo's returns by (trust, quarter): simulated forward from FORWARD_FROM, back-cast before it."""
    rng = random.Random(seed)
    trusts = read_trusts()
    gaps = set(GAPS)

    # Sizes at BACKCAST_FROM (2023-12-31) for the trusts open then.
    open_at_start = [t["trust_code"] for t in trusts if _is_open(t, BACKCAST_FROM)]
    sizes: dict[str, int] = {}
    for code in open_at_start:
        if code == ZERO_TRUST:
            sizes[code] = 0
        elif code in LARGE:
            sizes[code] = rng.randint(58, 80)
        elif code in SMALL:
            sizes[code] = rng.randint(1, 4)
        else:
            sizes[code] = rng.randint(8, 40)
    fixed = sum(n for c, n in sizes.items() if c in LARGE or c in SMALL or c == ZERO_TRUST)
    medium = [c for c in open_at_start if c not in LARGE and c not in SMALL and c != ZERO_TRUST]
    k = (NATIONAL_START - fixed) / sum(sizes[c] for c in medium)
    for c in medium:
        sizes[c] = max(6, round(sizes[c] * k))

    state: dict[str, _Trust] = {c: _Trust(rng, c, sizes[c]) for c in open_at_start}
    if ZERO_TRUST in state:
        z = state[ZERO_TRUST]
        z.cells, z.weights = [("adult_community", "3"), ("adult_community", "4")], [3.0, 1.0]
    initial = copy.deepcopy(state)  # no random draws: the forward quarters do not depend on the back-cast

    files: dict[tuple[str, dt.date], list[list[str]]] = {}
    for period in contract.quarter_ends(FORWARD_FROM, LAST_PERIOD):
        open_codes = [t["trust_code"] for t in trusts if _is_open(t, period)]
        if MERGED_INTO in open_codes and MERGED_INTO not in state:
            parts = [state.pop(c) for c in MERGED_FROM]
            merged = _Trust(rng, MERGED_INTO, 0)
            merged.cells, merged.weights = [], []
            for p in parts:
                for c in p.cells:
                    merged._add_cell(c)
                for c, n in p.staff.items():
                    merged.staff[c] = merged.staff.get(c, 0) + n
            for attr in ("leave_q", "growth", "vac", "sick", "wte_frac"):
                setattr(merged, attr, sum(getattr(p, attr) for p in parts) / len(parts))
            state[MERGED_INTO] = merged
        for code in open_codes:
            t = state[code]
            kind = OUTLIERS.get((code, period))
            if code == ZERO_TRUST and period in ZERO_QUARTERS:
                rows = _zero_rows(code, period)
            elif code == ZERO_TRUST and not t.staff:
                t.staff = {("adult_community", "3"): 2}  # first PSWs recruited
                rows = _rows(rng, t, period, {}, {}, dict(t.staff), kind)
            else:
                start, leavers, joiners = t.step(rng, kind)
                rows = _rows(rng, t, period, start, leavers, joiners, kind)
            if (code, period) not in gaps:
                files[(code, period)] = rows
    for key, rows in _backcast_demo(random.Random(f"{seed}/backcast"), trusts, initial).items():
        if key not in gaps:
            files[key] = rows
    return with_contacts(files, seed)


def _apportion(total: int, weights: dict[str, float], caps: dict[str, int]) -> dict[str, int]:
    """total split in proportion to weights into whole numbers from 1 to caps[key], summing to total
    exactly: the floors of the shares, then one more each to the largest remainders (ties by key)."""
    if not len(weights) <= total <= sum(caps.values()):
        raise ValueError(f"cannot split {total} over {len(weights)} trusts holding at most {sum(caps.values())}")
    k = total / sum(weights.values())
    exact = {c: min(float(caps[c]), max(1.0, w * k)) for c, w in weights.items()}
    counts = {c: math.floor(x) for c, x in exact.items()}
    by_remainder = sorted(weights, key=lambda c: (-(exact[c] - counts[c]), c))
    while (diff := total - sum(counts.values())) != 0:
        step = 1 if diff > 0 else -1
        order = by_remainder if step > 0 else by_remainder[::-1]
        for c in order:
            if 1 <= counts[c] + step <= caps[c]:
                counts[c] += step
                if total == sum(counts.values()):
                    break
    return counts


def _headcount_path(rng: random.Random, first: int, last: int, periods: list[dt.date]) -> dict[dt.date, int]:
    """Total headcount at each of periods: first at the first, last at the last, between them
    geometric growth with a little noise, never falling from one quarter to the next."""
    n = len(periods) - 1
    path = {periods[0]: first}
    for i, period in enumerate(periods[1:-1], start=1):
        x = round(first * (last / first) ** (i / n) * (1 + rng.uniform(-0.02, 0.02)))
        path[period] = min(last, max(path[periods[i - 1]], x))
    path[periods[-1]] = last
    return path


def _backcast_demo(
    rng: random.Random, trusts: list[dict[str, str]], initial: dict[str, _Trust]
) -> dict[tuple[str, dt.date], list[list[str]]]:
    """The quarters FIRST_PERIOD .. BACKCAST_FROM, with NATIONAL_AT_FIRST PSWs at FIRST_PERIOD exactly.

    Trusts closed before FORWARD_FROM (RTV, 2021-05-31) are simulated forward until they close; RNK
    (no PSWs at BACKCAST_FROM) returns a one-row return with no vacancy; every other trust is
    back-cast from its staff at BACKCAST_FROM along a headcount path whose first quarter is its share
    of the national figure (in proportion to its staff undone by its own growth rate; largest
    remainder), so the flows line up cell by cell into the forward quarters.
    """
    earlier = contract.quarter_ends(FIRST_PERIOD, BACKCAST_FROM)
    files: dict[tuple[str, dt.date], list[list[str]]] = {}
    for ref in trusts:
        code = ref["trust_code"]
        open_quarters = [q for q in earlier if _is_open(ref, q)]
        if code not in initial and open_quarters:
            t = _Trust(rng, code, rng.randint(10, 24))
            files.update({(code, q): rows for q, rows in _forward(rng, t, open_quarters).items()})
    closed_at_first = sum(int(r[4]) for (_, q), rows in files.items() if q == FIRST_PERIOD for r in rows)
    staffed = {c: t for c, t in sorted(initial.items()) if t.staff}
    now = {c: sum(t.staff.values()) for c, t in staffed.items()}
    steps = len(earlier) - 1
    first = _apportion(
        NATIONAL_AT_FIRST - closed_at_first,
        {c: now[c] / (1 + t.growth) ** steps for c, t in staffed.items()},
        now,
    )
    for code, t in sorted(initial.items()):
        quarters = [q for q in earlier if _is_open(next(r for r in trusts if r["trust_code"] == code), q)]
        if code not in staffed:  # no PSWs before its first (RNK)
            files.update({(code, q): _zero_rows(code, q, vacancy="0.00") for q in quarters})
            continue
        ends = _headcount_path(rng, first[code], now[code], quarters)
        files.update({(code, q): rows for q, rows in _backcast(rng, copy.deepcopy(t), quarters, ends).items()})
    return files


# ---- scaled data sets (benchmarks of data growth) -------------------------------------------
# ``generate(out, seed, scale=K)`` writes about K times the demo's rows with the same realism:
# - the demo's files, unchanged (same seed, same bytes), over its 29 quarters;
# - synthetic trusts 'Z0001', 'Z0002', ... ('Synthetic trust Z0001', in a real NHS region, picked in
#   proportion to the real trusts per region), which cannot clash with ODS codes (these start with
#   R, T or a letter-digit ICB pattern, never Z + 4 digits), each with the demo's mix of sizes
#   (8% large, 6% small, the rest 6-33 PSWs at 2023-12-31) and rates, returning every quarter;
#   they are added one by one until the rows reach K x the demo's rows.
# Synthetic trusts carry no deliberate outliers; their returns are valid and raise few warnings.
SYNTHETIC_PREFIX = "Z"
_BACKCAST_LEAVER_CAP = 0.22  # as the forward model's ordinary quarters


@dataclass(frozen=True)
class SyntheticTrust:
    trust_code: str
    trust_name: str
    region_code: str


@dataclass
class ScaledReturns:
    paths: list[Path]  # period then trust order (oldest first)
    synthetic_trusts: list[SyntheticTrust]
    rows: int  # data rows written
    demo_rows: int  # data rows of the demo (scale 1)
    periods: list[dt.date]


def synthetic_code(i: int) -> str:
    return f"{SYNTHETIC_PREFIX}{i:04d}"


def is_synthetic_code(code: str) -> bool:
    return len(code) == 5 and code[0] == SYNTHETIC_PREFIX and code[1:].isdigit()


def _count_rows(rows_by_file: dict) -> int:
    return sum(len(r) for r in rows_by_file.values())


def _backcast(
    rng: random.Random, t: _Trust, periods: list[dt.date], ends: dict[dt.date, int] | None = None
) -> dict[dt.date, list[list[str]]]:
    """Returns for the quarters before t's current staff (t.staff is the end of the last of periods).

    Walks back a quarter at a time: joiners are people in the end staff, leavers are added back,
    start = end - joiners + leavers becomes the previous quarter's end. ends, when given, is the
    total headcount at each period's end (never falling from one quarter to the next); otherwise, and
    for the first period's start, the start is undone by t's growth rate. Never empties a trust.
    """
    out: dict[dt.date, list[list[str]]] = {}
    end = dict(t.staff)
    for i in range(len(periods) - 1, -1, -1):
        period = periods[i]
        t.staff = end
        h = sum(end.values())
        if h == 0:
            out[period] = _zero_rows(t.code, period, vacancy="0.00")
            continue
        g = t.growth + rng.uniform(-0.015, 0.015)
        s = max(1, _stoch_round(rng, h / (1 + g)) if ends is None or i == 0 else ends[periods[i - 1]])
        n_leave = sum(1 for _ in range(s) if rng.random() < t.leave_q)
        n_leave = max(n_leave, s - h)  # joiners never negative
        n_leave = min(n_leave, math.floor(_BACKCAST_LEAVER_CAP * (h + s) / 2), s)
        n_leave = max(n_leave, s - h)
        n_join = h - s + n_leave
        joiners = t.remove_people(rng, end, n_join)  # people in the end staff
        leavers: dict[Cell, int] = {}
        for _ in range(n_leave):
            c = rng.choices(t.cells, weights=t.weights)[0]
            leavers[c] = leavers.get(c, 0) + 1
        start = _moved(end, out=joiners, into=leavers)  # the quarter run backwards
        out[period] = _rows(rng, t, period, start, leavers, joiners, None)
        end = start
    return out


def _forward(rng: random.Random, t: _Trust, periods: list[dt.date]) -> dict[dt.date, list[list[str]]]:
    out = {}
    for period in periods:
        start, leavers, joiners = t.step(rng, None)
        out[period] = _rows(rng, t, period, start, leavers, joiners, None)
    return out


def _initial_size(rng: random.Random, back_quarters: int) -> int:
    """A trust's PSWs at the quarter before its first return, like the demo's trusts at 2023-12-31."""
    draw = rng.random()
    size = (
        rng.randint(58, 80)
        if draw < 0.08
        else rng.randint(1, 4)
        if draw < 0.14
        else max(6, round(rng.randint(8, 40) * 0.83))
    )
    return max(1, round(size / 1.035**back_quarters))  # about 15% a year of growth, undone


def generate_scaled(out_dir: Path, seed: int = 2019, scale: int = 2) -> ScaledReturns:
    """About scale x the demo's rows; see the notes above. scale >= 2."""
    if not isinstance(scale, int) or scale < 2:
        raise ValueError(f"scale must be a whole number of at least 2, not {scale!r}")
    out_dir = Path(out_dir)
    files = _demo_returns(seed)
    demo_rows = _count_rows(files)
    periods = contract.quarter_ends(FIRST_PERIOD, LAST_PERIOD)
    back = len(contract.quarter_ends(FIRST_PERIOD, BACKCAST_FROM))

    regions = sorted(r["region_code"] for r in read_trusts())
    target = scale * demo_rows
    synthetic: list[SyntheticTrust] = []
    rows_now = demo_rows
    region_rng = random.Random(f"{seed}/synthetic-regions")
    while rows_now < target:
        code = synthetic_code(len(synthetic) + 1)
        if len(synthetic) + 1 > 9999:
            raise ValueError("scale too large: more than 9,999 synthetic trusts")
        rng = random.Random(f"{seed}/synthetic/{code}")
        t = _Trust(rng, code, _initial_size(rng, back))
        made = _forward(rng, t, periods)
        extra = sum(len(r) for r in made.values())
        if rows_now + extra / 2 > target:  # nearer the target without this trust
            break
        synthetic.append(SyntheticTrust(code, f"Synthetic trust {code}", region_rng.choice(regions)))
        for period, rows in made.items():
            files[(code, period)] = rows
        rows_now += extra
    return ScaledReturns(_write_all(out_dir, files), synthetic, rows_now, demo_rows, periods)
