"""The synthetic demo's annual sections, contacts and file order (pswbench/synthetic/sections.py,
pswbench/synthetic/contacts.py), checked on the generated files themselves with plain Python: the
annual sections' rules are not the judge here."""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import time
from collections import defaultdict
from pathlib import Path

import pytest

from pswbench.paths import REFERENCE_DIR
from pswbench.returns import contract
from pswbench.store import database
from pswbench.store.loader import load_files
from pswbench.synthetic import contacts, sections
from tests.unit.synthetic.test_trust_returns import row_problems

LONDON = "Y56"


def _kind(path: Path) -> str:
    parts = path.stem.split("_")
    return parts[2] if len(parts) > 2 else "workforce"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> tuple[list[Path], float]:
    t0 = time.process_time()
    paths = sections.generate_demo(tmp_path_factory.mktemp("demo_files"), seed=2019)
    return paths, time.process_time() - t0


@pytest.fixture(scope="module")
def files(made) -> dict[tuple[str, dt.date, str], list[dict[str, str]]]:
    out = {}
    for p in made[0]:
        code, period = p.stem.split("_")[:2]
        out[(code, dt.date.fromisoformat(period), _kind(p))] = _read(p)
    return out


def _total(rows: list[dict[str, str]]) -> int:
    return sum(int(r["headcount"]) for r in rows)


def test_fast(made):
    assert made[1] < 3.0


def test_same_seed_same_bytes_and_other_seed_differs(made, tmp_path):
    paths, _ = made
    again = sections.generate_demo(tmp_path / "a", seed=2019)
    assert [p.name for p in again] == [p.name for p in paths]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(again, paths))
    other = {p.name: p for p in sections.generate_demo(tmp_path / "b", seed=7)}
    annual = [p for p in paths if _kind(p) in ("demographics", "organisation") and p.name in other]
    assert annual and sum(p.read_bytes() != other[p.name].read_bytes() for p in annual) > len(annual) / 2


def test_every_trust_with_a_return_sends_both_sections_but_the_designed_gaps(files):
    for period in sections.ANNUAL_PERIODS:
        with_return = {c for (c, q, k) in files if q == period and k == "workforce"}
        expected = with_return - set(sections.NO_SECTIONS) if period == sections.LATEST else with_return
        demographics = {c for (c, q, k) in files if q == period and k == "demographics"}
        organisation = {c for (c, q, k) in files if q == period and k == "organisation"}
        assert demographics == expected
        gap = {sections.NO_ORGANISATION[0]} if period == sections.NO_ORGANISATION[1] else set()
        assert gap <= expected and organisation == expected - gap
    assert set(sections.NO_SECTIONS) <= {c for (c, q, k) in files if q == sections.LATEST and k == "workforce"}
    assert {q for (_, q, k) in files if k != "workforce"} == set(sections.ANNUAL_PERIODS)


def test_demographics_have_every_category_once_and_add_up_to_the_workforce_total(files):
    expected = [(d, c) for d, (_, cats) in contract.DEMOGRAPHIC_DIMENSIONS.items() for c, _ in cats]
    checked = 0
    for (code, period, kind), rows in files.items():
        if kind != "demographics":
            continue
        assert [(r["dimension"], r["category"]) for r in rows] == expected
        assert {(r["trust_code"], r["period_end"]) for r in rows} == {(code, period.isoformat())}
        assert list(rows[0]) == list(contract.DEMOGRAPHIC_COLUMNS)
        sums = defaultdict(int)
        for r in rows:
            assert r["headcount"].isdigit()
            sums[r["dimension"]] += int(r["headcount"])
        total = _total(files[(code, period, "workforce")])
        wrong = (code, period) == (sections.WRONG_TOTAL, sections.LATEST)
        assert set(sums.values()) == {total + sections.WRONG_TOTAL_BY if wrong else total}, (code, period)
        checked += 1
    assert checked > 140


def test_organisation_rows_are_within_their_bounds(files):
    assert all(len(r) == 1 for (_, _, k), r in files.items() if k == "organisation")
    rows = {(c, q): r[0] for (c, q, k), r in files.items() if k == "organisation"}
    for (code, period), row in rows.items():
        assert list(row) == list(contract.ORGANISATION_COLUMNS)
        h = _total(files[(code, period, "workforce")])
        n = {c: int(row[c]) for c in contract.ORGANISATION_COUNT_COLUMNS}
        teams, single = n["teams_with_psw"], n["teams_with_single_psw"]
        if h == 0:
            assert set(n.values()) == {0}
            continue
        assert 1 <= teams <= h and 0 <= single <= teams
        # The teams with more than one PSW hold at least two each.
        assert (h - single) >= 2 * (teams - single) and (single < teams or h == teams), (code, period, h, n)
        for c in contract.ORGANISATION_AT_MOST_HEADCOUNT:
            assert 0 <= n[c] <= h, (code, period, c)
        assert 0 <= n["bank_only_psw_headcount"] <= max(2, h // 5)
        assert row["peer_leadership_post"] in contract.YES_NO and len(row["notes"]) <= contract.MAX_NOTES_CHARS
    staffed = [(r, _total(files[(c, q, "workforce")])) for (c, q), r in rows.items()]
    staffed = [(r, h) for r, h in staffed if h >= 10]

    def median_share(col: str) -> float:
        return statistics.median(int(r[col]) / h for r, h in staffed)

    assert 0.4 <= median_share("psw_with_peer_supervision") <= 0.9
    assert 0.3 <= median_share("psw_with_accredited_training") <= 0.8
    assert 0.6 <= median_share("psw_with_peer_job_description") <= 1.0
    latest = [r["peer_leadership_post"] for (c, q), r in rows.items() if q == sections.LATEST]
    assert 0.3 <= latest.count("yes") / len(latest) <= 0.7


def test_the_demo_trust_has_complete_consistent_latest_sections(files):
    (code, (teams, single)) = next(iter(sections.DEMO_TEAMS.items()))
    assert code == "RX4"
    (org,) = files[(code, sections.LATEST, "organisation")]
    assert (int(org["teams_with_psw"]), int(org["teams_with_single_psw"])) == (teams, single) == (11, 3)
    total = _total(files[(code, sections.LATEST, "workforce")])
    demo = files[(code, sections.LATEST, "demographics")]
    assert {sum(int(r["headcount"]) for r in demo if r["dimension"] == d) for d in contract.DEMOGRAPHIC_DIMENSIONS} == {
        total
    }
    assert code not in (sections.WRONG_TOTAL, sections.RESUBMITTED, sections.HIGH_NOT_STATED, *sections.NO_SECTIONS)


def test_the_resubmission_comes_after_the_sections_and_changes_the_total(made, files):
    paths, _ = made
    names = [p.name for p in paths]
    stem = f"{sections.RESUBMITTED}_{sections.LATEST.isoformat()}"
    first, again = names.index(f"{stem}.csv"), names.index(f"{stem}_resubmitted.csv")
    assert first < names.index(f"{stem}_demographics.csv") < again
    assert first < names.index(f"{stem}_organisation.csv") < again
    path = paths[again]
    assert row_problems(path) == []
    before = files[(sections.RESUBMITTED, sections.LATEST, "workforce")]
    after = files[(sections.RESUBMITTED, sections.LATEST, "resubmitted")]
    assert _total(after) == _total(before) + 1
    demographics = files[(sections.RESUBMITTED, sections.LATEST, "demographics")]
    assert sum(int(r["headcount"]) for r in demographics if r["dimension"] == "gender") == _total(before)

    def starts(rows):  # start-of-quarter headcount by cell: the previous quarter's, unchanged
        return {
            (r["service_setting"], r["afc_band"]): int(r["headcount"])
            - int(r["joiners_headcount"])
            + int(r["leavers_headcount"])
            for r in rows
        }

    assert starts(after) == starts(before)


def test_load_order_is_by_quarter_workforce_first(made):
    paths, _ = made
    periods = [p.stem.split("_")[1] for p in paths]
    assert periods == sorted(periods)
    for period in {q.isoformat() for q in sections.ANNUAL_PERIODS}:
        kinds = [_kind(p) for p in paths if p.stem.split("_")[1] == period]
        last_workforce = max(i for i, k in enumerate(kinds) if k == "workforce")
        first_annual = min(i for i, k in enumerate(kinds) if k != "workforce")
        assert last_workforce < first_annual


def _regions() -> dict[str, str]:
    with open(REFERENCE_DIR / "mental_health_trusts.csv", newline="", encoding="utf-8") as fh:
        return {r["trust_code"]: r["region_code"] for r in csv.DictReader(fh)}


def _shares(rows: list[dict[str, str]], dimension: str) -> dict[str, float]:
    mine = [r for r in rows if r["dimension"] == dimension]
    total = sum(int(r["headcount"]) for r in mine)
    return {r["category"]: int(r["headcount"]) / total for r in mine}


def test_plausible_mixes_and_the_high_not_stated_trust(files):
    regions = _regions()
    demo = {(c, q): rows for (c, q, k), rows in files.items() if k == "demographics" and _total(rows) >= 50}
    white = defaultdict(list)
    for (code, _q), rows in demo.items():
        white[regions[code] == LONDON].append(_shares(rows, "ethnic_group")["white"])
    assert statistics.median(white[True]) + 0.2 < statistics.median(white[False])
    national = defaultdict(lambda: defaultdict(int))
    for rows in demo.values():
        for r in rows:
            national[r["dimension"]][r["category"]] += int(r["headcount"])

    def share(dimension: str, *categories: str) -> float:
        return sum(national[dimension][c] for c in categories) / sum(national[dimension].values())

    assert share("age_band", "25_34", "35_44", "45_54") > 0.6
    assert share("lived_experience", "own") > 0.5
    assert share("gender", "female") > 0.55
    for dimension in contract.DEMOGRAPHIC_DIMENSIONS:
        assert 0.005 < share(dimension, contract.NOT_STATED) < 0.1
        high = _shares(files[(sections.HIGH_NOT_STATED, sections.LATEST, "demographics")], dimension)
        assert high[contract.NOT_STATED] >= 0.35, dimension


def test_contacts_from_their_first_quarter_with_coverage_below_all(files):
    workforce = {(c, q): rows for (c, q, k), rows in files.items() if k == "workforce"}
    for (code, period), rows in workforce.items():
        assert ("contacts" in rows[0]) == (period >= contacts.CONTACTS_FROM), (code, period)
    latest = {c: rows for (c, q), rows in workforce.items() if q == sections.LATEST}
    recording = {c for c, rows in latest.items() if any(r["contacts"] for r in rows)}
    assert set(contacts.NEVER_RECORDED) & set(latest) and not recording & set(contacts.NEVER_RECORDED)
    assert 0.7 <= len(recording) / len(latest) < 1
    first = {
        c for (c, q), rows in workforce.items() if q == contacts.CONTACTS_FROM and any(r["contacts"] for r in rows)
    }
    assert first & set(latest) < recording  # some trusts start later
    per_wte, zero_filled, zero_rows = [], 0, 0
    for rows in workforce.values():
        for r in rows:
            if r.get("contacts", "") and int(r["headcount"]) > 0:
                per_wte.append(int(r["contacts"]) / float(r["wte_in_post"]))
            elif int(r["headcount"]) == 0 and "contacts" in r:
                zero_rows += 1
                zero_filled += r["contacts"] != ""
    assert 60 <= statistics.median(per_wte) <= 120
    assert sum(40 <= x <= 150 for x in per_wte) / len(per_wte) > 0.9
    assert zero_rows and zero_filled / zero_rows < 0.25


def test_the_resubmission_loads_as_a_new_version(made, tmp_path):
    paths, _ = made
    stem = f"{sections.RESUBMITTED}_{sections.LATEST.isoformat()}"
    chosen = [p for p in paths if p.name in (f"{stem}.csv", f"{stem}_resubmitted.csv")]
    con = database.connect(tmp_path / "db.duckdb")
    try:
        outcomes = load_files(con, [(p.name, p.read_bytes()) for p in chosen], "test", publish=False)
        assert [(o.status, o.version) for o in outcomes] == [("accepted", 1), ("accepted", 2)]
    finally:
        con.close()
