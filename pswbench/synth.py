"""Synthetic demo returns. EVERYTHING THIS MODULE WRITES IS SYNTHETIC.

No figure here comes from any trust: headcounts, vacancies, sickness, flows and notes
are made up by a seeded random generator so the demo has something realistic-looking
to load. The trust list (codes, open and close dates) is the real reference file; the
numbers attached to it are not. Label any screen or export built on these files as
synthetic demo data.

``generate(out_dir, seed)`` writes one CSV per trust per quarter, named
``{trust_code}_{period_end}.csv``, for every trust open on each quarter end from
2024-03-31 to 2026-09-30 (a trust is open on a date when its open_date is blank or on or
before it, and its close_date is blank or on or after it), apart from the deliberate gaps
in ``GAPS``. Same seed gives byte-identical files; nothing depends on today's date.

Shape of the data:
- about 1,200 PSWs nationally at 2024-03-31, growing about 15% a year;
- most trusts 10-40 PSWs, a few 60+, a few 0-5 (RNK has none for two quarters and
  still submits a one-row return with a vacancy);
- sickness mostly 3-9%, vacancy 5-25%, annual leaver rate 10-30%, bank and agency small
  and sometimes blank (not recorded);
- flows are exact: for every cell and quarter, start-of-quarter headcount
  S = H - J + L equals the previous quarter's H, including across a missed quarter
  (the quarter still happened; only its file is missing);
- RRP and TAF close 2024-10-31; G6V2S opens 2024-11-01 and starts from their combined
  staff, so its first return (2024-12-31) shows no jump;
- ``OUTLIERS`` lists the few trust-quarters built to raise warnings.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import random
from pathlib import Path

from . import contract
from .paths import REFERENCE_DIR

FIRST_PERIOD = dt.date(2024, 3, 31)
LAST_PERIOD = dt.date(2026, 9, 30)

# Trust-quarters with no file: the trust missed that return.
GAPS = (("RLY", dt.date(2025, 6, 30)), ("RJ8", dt.date(2026, 3, 31)))

# Trust-quarters built to raise a warning, and which one.
OUTLIERS = {
    ("RNK", dt.date(2024, 3, 31)): "vacancy_rate",          # 0 PSWs, 1 WTE vacancy: 100%
    ("RNK", dt.date(2024, 6, 30)): "vacancy_rate",          # same
    ("RGD", dt.date(2024, 12, 31)): "fte_days_available",   # one row uses working days, not calendar days
    ("RXE", dt.date(2025, 3, 31)): "sickness_rate",         # about 19%
    ("RWR", dt.date(2025, 9, 30)): "vacancy_rate",          # about 47%
    ("RP7", dt.date(2025, 12, 31)): "leaver_rate_quarter",  # about 30% in the quarter
    ("RXY", dt.date(2026, 6, 30)): "headcount_change",      # +60% and more than 10 people
}

ZERO_TRUST = "RNK"
ZERO_QUARTERS = (dt.date(2024, 3, 31), dt.date(2024, 6, 30))
MERGED_FROM = ("RRP", "TAF")
MERGED_INTO = "G6V2S"

LARGE = ("RX4", "RV5", "RXV", "RW4")      # 60+ PSWs
SMALL = ("RJ8", "RLY", "RP1")             # 1-5 PSWs
NATIONAL_START = 1160                     # at 2023-12-31; about 1,200 a quarter later

_SETTING_WEIGHTS = {
    "adult_community": 10, "crisis": 6, "adult_inpatient": 6, "early_intervention": 5,
    "older_adults": 3, "children_young_people": 3, "perinatal": 2, "forensic": 2, "other": 1,
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


def _read_trusts() -> list[dict[str, str]]:
    with open(REFERENCE_DIR / "mental_health_trusts.csv", newline="", encoding="utf-8") as fh:
        return sorted(csv.DictReader(fh), key=lambda r: r["trust_code"])


def _is_open(trust: dict[str, str], day: dt.date) -> bool:
    opened = trust["open_date"] and dt.date.fromisoformat(trust["open_date"])
    closed = trust["close_date"] and dt.date.fromisoformat(trust["close_date"])
    return (not opened or opened <= day) and (not closed or closed >= day)


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
        end = dict(start)
        for c, n in leavers.items():
            end[c] -= n
        for c, n in joiners.items():
            end[c] = end.get(c, 0) + n
        self.staff = {c: n for c, n in end.items() if n > 0}
        return start, leavers, joiners


def _fmt(x: float) -> str:
    return f"{x:.2f}"


def _rows(rng: random.Random, t: _Trust, period: dt.date, start: dict[Cell, int],
          leavers: dict[Cell, int], joiners: dict[Cell, int], kind: str | None) -> list[list[str]]:
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
        bank = "" if not bank_on else _fmt(0.0 if rng.random() < 0.6 else
                                           rng.uniform(0.1, min(1.5, 0.3 + 0.1 * h)))
        agency = "" if not agency_on else _fmt(0.0 if rng.random() < 0.85 else rng.uniform(0.1, 0.6))
        recs.append({"cell": c, "h": h, "wte": wte, "vac": vac, "lost": lost, "avail": avail,
                     "l": leavers.get(c, 0), "j": joiners.get(c, 0), "bank": bank,
                     "agency": agency, "notes": ""})
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
        [t.code, period.isoformat(), r["cell"][0], r["cell"][1], str(r["h"]), _fmt(r["wte"]),
         _fmt(r["vac"]), _fmt(r["lost"]), _fmt(r["avail"]), str(r["l"]), str(r["j"]),
         r["bank"], r["agency"], r["notes"]]
        for r in recs
    ]


def _zero_rows(code: str, period: dt.date) -> list[list[str]]:
    return [[code, period.isoformat(), "adult_community", "3", "0", "0.00", "1.00", "0.00",
             "0.00", "0", "0", "", "", ""]]


def generate(out_dir: Path, seed: int = 2019) -> list[Path]:
    """Write the synthetic demo returns into out_dir; the paths written, in period then trust order."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    trusts = _read_trusts()
    periods = contract.quarter_ends(FIRST_PERIOD, LAST_PERIOD)
    gaps = set(GAPS)

    # Sizes at 2023-12-31 for the trusts open then.
    open_at_start = [t["trust_code"] for t in trusts if _is_open(t, dt.date(2023, 12, 31))]
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

    written: list[Path] = []
    for period in periods:
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
            if (code, period) in gaps:
                continue
            path = out_dir / f"{code}_{period.isoformat()}.csv"
            with open(path, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(contract.COLUMNS)
                w.writerows(rows)
            written.append(path)
    return written
