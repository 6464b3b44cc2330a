"""The synthetic demo returns: deterministic, complete, valid row by row, realistic, consistent.

Row rules are checked here with plain Python, on purpose independent of pswbench/returns/validate.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import time
from collections import defaultdict
from pathlib import Path

import pytest

from pswbench.paths import DATA_DIR, REFERENCE_DIR
from pswbench.returns import contract
from pswbench.synthetic import trust_returns

PERIODS = contract.quarter_ends(dt.date(2019, 9, 30), dt.date(2026, 9, 30))  # 29 quarters
FORWARD = dt.date(2024, 3, 31)  # the first simulated-forward quarter; the ones before are back-cast


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, list[Path], float]:
    out = tmp_path_factory.mktemp("synth")
    t0 = time.process_time()  # CPU time: the machine may be shared
    paths = trust_returns.generate(out, seed=2019)
    return out, paths, time.process_time() - t0


@pytest.fixture(scope="module")
def returns(generated) -> dict[tuple[str, dt.date], list[dict[str, str]]]:
    _, paths, _ = generated
    out = {}
    for p in paths:
        code, period = p.stem.split("_")
        with open(p, newline="", encoding="utf-8") as fh:
            out[(code, dt.date.fromisoformat(period))] = list(csv.DictReader(fh))
    return out


def _open_trusts(day: dt.date) -> set[str]:
    with open(REFERENCE_DIR / "mental_health_trusts.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["trust_code"]
        for r in rows
        if (not r["open_date"] or dt.date.fromisoformat(r["open_date"]) <= day)
        and (not r["close_date"] or dt.date.fromisoformat(r["close_date"]) >= day)
    }


def _two_dp(text: str) -> bool:
    whole, _, frac = text.partition(".")
    return whole.isdigit() and len(frac) <= 2 and (frac == "" or frac.isdigit())


def row_problems(path: Path, encoding: str = "utf-8") -> list[str]:
    """Every breach of the return's row and file rules in a comma-delimited file."""
    with open(path, newline="", encoding=encoding) as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = [dict(zip(header, r)) for r in reader]
    problems = []
    if tuple(header) not in (contract.COLUMNS, contract.WORKFORCE_COLUMNS):  # version 1, or with contacts
        problems.append(f"header {header}")
    if not rows:
        problems.append("no data rows")
    if len({(r["trust_code"], r["period_end"]) for r in rows}) > 1:
        problems.append("more than one trust or period")
    cells = [(r["service_setting"], r["afc_band"]) for r in rows]
    if len(cells) != len(set(cells)):
        problems.append("duplicate cell")
    for i, r in enumerate(rows, start=2):

        def bad(msg: str, i: int = i) -> None:
            problems.append(f"line {i}: {msg}")

        period = contract.parse_period(r["period_end"])
        if not contract.ISO_DATE.match(r["period_end"]) or period is None or not contract.is_quarter_end(period):
            bad("period_end")
            period = None
        if r["service_setting"] not in contract.SERVICE_SETTINGS:
            bad("service_setting")
        if r["afc_band"] not in contract.AFC_BANDS:
            bad("afc_band")
        for col in contract.INTEGER_COLUMNS:
            if not r[col].isdigit():
                bad(col)
        for col in contract.REQUIRED_DECIMAL_COLUMNS:
            if not _two_dp(r[col]):
                bad(col)
        for col in contract.OPTIONAL_DECIMAL_COLUMNS:
            if r[col] != "" and not _two_dp(r[col]):
                bad(col)
        if r.get("contacts", "") != "" and not r["contacts"].isdigit():
            bad("contacts")
        if len(r.get("notes", "")) > contract.MAX_NOTES_CHARS:
            bad("notes too long")
        try:
            h, j = int(r["headcount"]), int(r["joiners_headcount"])
            wte, lost, avail = (float(r[c]) for c in ("wte_in_post", "sickness_fte_days_lost", "fte_days_available"))
        except ValueError:
            continue
        if wte > h:
            bad("wte_in_post > headcount")
        if h > 0 and wte <= 0:
            bad("wte_in_post 0 with staff")
        if lost > avail:
            bad("sickness_fte_days_lost > fte_days_available")
        if wte > 0 and avail <= 0:
            bad("fte_days_available 0 with wte")
        if j > h:
            bad("joiners_headcount > headcount")
    return problems


def fte_days_warnings(rows: list[dict[str, str]], period: dt.date) -> int:
    days = contract.days_in_quarter(period)
    n = 0
    for r in rows:
        expected = float(r["wte_in_post"]) * days
        if expected > 0 and abs(float(r["fte_days_available"]) - expected) > 0.2 * expected:
            n += 1
    return n


def totals(rows: list[dict[str, str]]) -> dict[str, float]:
    def s(col: str) -> float:
        return sum(float(r[col]) for r in rows)

    h, j, lv = s("headcount"), s("joiners_headcount"), s("leavers_headcount")
    return {
        "H": h,
        "J": j,
        "L": lv,
        "S": h - j + lv,
        "wte": s("wte_in_post"),
        "vac": s("vacancy_wte"),
        "lost": s("sickness_fte_days_lost"),
        "avail": s("fte_days_available"),
    }


def trust_warnings(t: dict[str, float], prev_h: float | None) -> set[str]:
    out = set()
    if t["avail"] > 0 and t["lost"] / t["avail"] > 0.15:
        out.add("sickness_rate")
    if t["wte"] + t["vac"] > 0 and t["vac"] / (t["wte"] + t["vac"]) > 0.40:
        out.add("vacancy_rate")
    if t["H"] + t["S"] > 0 and t["L"] / ((t["H"] + t["S"]) / 2) > 0.25:
        out.add("leaver_rate_quarter")
    if prev_h is not None and abs(t["H"] - prev_h) > 10 and prev_h > 0 and abs(t["H"] - prev_h) / prev_h > 0.5:
        out.add("headcount_change")
    return out


def test_fast(generated):
    assert generated[2] < 2.0


def test_same_seed_same_bytes_and_other_seed_differs(generated, tmp_path):
    out, paths, _ = generated
    again = trust_returns.generate(tmp_path / "a", seed=2019)
    assert [p.name for p in again] == [p.name for p in paths]
    assert all(p.read_bytes() == (out / p.name).read_bytes() for p in again)
    other = trust_returns.generate(tmp_path / "b", seed=7)
    assert any(p.read_bytes() != (out / p.name).read_bytes() for p in other if (out / p.name).exists())


def test_every_open_trust_every_quarter_except_the_gaps(returns):
    expected = {(c, q) for q in PERIODS for c in _open_trusts(q)}
    gaps = set(trust_returns.GAPS)
    assert len(gaps) >= 2 and gaps <= expected
    assert set(returns) == expected - gaps
    # The merger and the closure are reflected.
    assert ("G6V2S", dt.date(2024, 12, 31)) in returns and ("G6V2S", dt.date(2024, 9, 30)) not in returns
    assert ("RRP", dt.date(2024, 9, 30)) in returns and ("RRP", dt.date(2024, 12, 31)) not in returns
    assert ("RNK", dt.date(2026, 3, 31)) in returns and ("RNK", dt.date(2026, 6, 30)) not in returns
    assert ("RTV", dt.date(2021, 3, 31)) in returns and ("RTV", dt.date(2021, 6, 30)) not in returns
    assert ("RRP", dt.date(2019, 9, 30)) in returns and ("G6V2S", dt.date(2019, 9, 30)) not in returns


def test_file_names_and_contents_agree(generated, returns):
    for (code, period), rows in returns.items():
        assert {r["trust_code"] for r in rows} == {code}
        assert {r["period_end"] for r in rows} == {period.isoformat()}


def test_every_file_satisfies_the_row_rules(generated):
    _, paths, _ = generated
    problems = {p.name: row_problems(p) for p in paths}
    assert {k: v for k, v in problems.items() if v} == {}


def test_first_row_has_no_note_and_some_rows_do(returns):
    assert all(rows[0]["notes"] == "" for rows in returns.values())
    assert sum(1 for rows in returns.values() for r in rows if r["notes"]) >= 10


def test_national_headcount_and_growth(returns):
    national = defaultdict(int)
    for (_, period), rows in returns.items():
        national[period] += sum(int(r["headcount"]) for r in rows)
    assert len(PERIODS) == 29 and set(national) == set(PERIODS)
    # The stocktake's published figure at its snapshot date, exactly (RTV, closed 2021, included).
    assert national[dt.date(2019, 9, 30)] == 862
    assert 1000 <= national[FORWARD] <= 1400
    for a, b in zip(PERIODS, PERIODS[4:]):
        growth = national[b] / national[a] - 1
        if a >= FORWARD:  # about 15% a year
            assert 0.08 <= growth <= 0.25, (a, b, national[a], national[b])
        else:  # the back-cast years: slower, never falling
            assert 0.03 <= growth <= 0.15, (a, b, national[a], national[b])


def test_realistic_spread(returns):
    first = {c: totals(rows) for (c, q), rows in returns.items() if q == FORWARD}
    heads = [t["H"] for t in first.values()]
    assert sum(h <= 5 for h in heads) >= 3
    assert sum(h >= 60 for h in heads) >= 2
    # 2019: "a few trusts had more than 40, whilst others had none" (the stocktake)
    in_2019 = [totals(rows)["H"] for (c, q), rows in returns.items() if q == PERIODS[0]]
    assert sum(h > 40 for h in in_2019) >= 3 and sum(h == 0 for h in in_2019) >= 1
    every = [totals(rows) for rows in returns.values()]
    sick = [t["lost"] / t["avail"] for t in every if t["avail"]]
    vac = [t["vac"] / (t["wte"] + t["vac"]) for t in every if t["wte"] + t["vac"]]
    assert 0.03 <= statistics.median(sick) <= 0.09
    assert sum(0.02 <= s <= 0.10 for s in sick) / len(sick) > 0.8
    assert 0.05 <= statistics.median(vac) <= 0.25
    annual_leavers = sum(t["L"] for t in every) / (len(PERIODS) / 4) / (sum(t["H"] for t in every) / len(PERIODS))
    assert 0.10 <= annual_leavers <= 0.30
    banks = [r["bank_wte"] for rows in returns.values() for r in rows]
    agencies = [r["agency_wte"] for rows in returns.values() for r in rows]
    for values in (banks, agencies):
        assert "" in values and any(v not in ("", "0.00") for v in values)
        assert all(v == "" or float(v) <= 2 for v in values)
    bands = defaultdict(int)
    for rows in returns.values():
        for r in rows:
            bands[r["afc_band"]] += int(r["headcount"])
    assert (bands["3"] + bands["4"] + bands["5"]) / sum(bands.values()) > 0.75
    assert set(bands) - {"3", "4", "5"}


def test_zero_psw_return(returns):
    for q in trust_returns.ZERO_QUARTERS:
        rows = returns[(trust_returns.ZERO_TRUST, q)]
        assert len(rows) == 1
        r = rows[0]
        assert (r["service_setting"], r["afc_band"], r["headcount"]) == ("adult_community", "3", "0")
        assert float(r["wte_in_post"]) == 0 and float(r["vacancy_wte"]) > 0 and float(r["fte_days_available"]) == 0
    # Before its first PSWs (the back-cast years) RNK returns no PSWs and no vacancy: no warning.
    before = [q for q in PERIODS if q < FORWARD]
    for q in before:
        rows = returns[(trust_returns.ZERO_TRUST, q)]
        assert [(r["headcount"], r["vacancy_wte"]) for r in rows] == [("0", "0.00")]


def test_flows_line_up_cell_by_cell(returns):
    """Start-of-quarter headcount S = H - J + L equals the previous quarter's H, cell by cell."""

    def cells(rows):
        return {(r["service_setting"], r["afc_band"]): r for r in rows}

    checked = 0
    for (code, period), rows in returns.items():
        i = PERIODS.index(period)
        if i == 0:
            continue
        prev_q = PERIODS[i - 1]
        if code == trust_returns.MERGED_INTO and (code, prev_q) not in returns:
            prevs = [returns[(c, prev_q)] for c in trust_returns.MERGED_FROM]
        elif (code, prev_q) in returns:
            prevs = [returns[(code, prev_q)]]
        else:
            continue  # previous quarter is a deliberate gap
        prev_h = defaultdict(int)
        for p in prevs:
            for cell, r in cells(p).items():
                prev_h[cell] += int(r["headcount"])
        now = cells(rows)
        for cell in set(prev_h) | set(now):
            r = now.get(cell)
            start = (
                0 if r is None else (int(r["headcount"]) - int(r["joiners_headcount"]) + int(r["leavers_headcount"]))
            )
            assert start == prev_h.get(cell, 0), (code, period, cell)
        checked += 1
    assert checked > 1300  # every quarter of every trust but the first and those after a gap


def test_warnings_only_for_the_deliberate_outliers(returns):
    found = set()
    last_h: dict[str, float] = {}
    for (code, period), rows in sorted(returns.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        t = totals(rows)
        prev = last_h.get(code)
        if prev is None and code == trust_returns.MERGED_INTO:
            prev = sum(last_h[c] for c in trust_returns.MERGED_FROM)
        for w in trust_warnings(t, prev):
            found.add((code, period, w))
        if fte_days_warnings(rows, period):
            found.add((code, period, "fte_days_available"))
        last_h[code] = t["H"]
    expected = {(c, q, w) for (c, q), w in trust_returns.OUTLIERS.items()}
    assert found == expected


def test_template_and_example_return():
    with open(DATA_DIR / "template.csv", newline="", encoding="utf-8") as fh:
        assert list(csv.reader(fh)) == [list(contract.WORKFORCE_COLUMNS)]
    example = DATA_DIR / "example_return.csv"
    assert row_problems(example) == []
    with open(example, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert 6 <= len(rows) <= 10 and sum(1 for r in rows if r["notes"]) == 1
    period = dt.date.fromisoformat(rows[0]["period_end"])
    assert rows[0]["trust_code"] in _open_trusts(period)
    assert trust_warnings(totals(rows), None) == set() and fte_days_warnings(rows, period) == 0
