"""Synthetic contacts for the demo's workforce returns. EVERYTHING THIS MODULE WRITES IS SYNTHETIC.

`contacts` (individual and group contacts delivered by the PSWs of a row's setting and band in the
quarter) is an optional column that trusts began recording with version 2 of the return. Here most
trusts record it from CONTACTS_FROM or a quarter or few later; NEVER_RECORDED never do (a blank cell),
so national coverage stays below 100%. Files before CONTACTS_FROM are left without the column, as
version 1 files, byte for byte as before the column existed.

Each value is drawn from its own seeded generator (seed, trust, quarter), never from the workforce
generator's, so adding contacts changes no other figure of any file.
"""

from __future__ import annotations

import datetime as dt
import random

CONTACTS_FROM = dt.date(2024, 3, 31)
# Trusts that never record contacts (a blank cell every quarter): coverage below 100% on purpose.
NEVER_RECORDED = ("RHA", "RLY", "RWX", "TAD")
# Contacts per WTE in post per quarter, before each trust's own level and a row's noise: settings with
# short, frequent contacts (crisis, community) deliver more than inpatient and forensic ones.
_SETTING_RATE = {
    "adult_community": 95,
    "crisis": 115,
    "adult_inpatient": 70,
    "early_intervention": 90,
    "older_adults": 75,
    "children_young_people": 85,
    "perinatal": 80,
    "forensic": 60,
    "other": 80,
}
_NOTES_COLUMN = 13  # where contacts goes in a workforce row: before notes (contract.WORKFORCE_COLUMNS)


def _trust_plan(seed: int, code: str, periods: list[dt.date]) -> tuple[dt.date | None, float]:
    """(first quarter the trust records contacts, or None; its level against the settings' rates)."""
    rng = random.Random(f"{seed}/contacts/{code}")
    level = rng.uniform(0.85, 1.1)
    later = rng.random() < 0.3  # a few trusts start a quarter to four quarters late
    start = periods[min(len(periods) - 1, rng.randint(1, 4))] if later else periods[0]
    return (None if code in NEVER_RECORDED else start), level


def with_contacts(files: dict[tuple[str, dt.date], list[list[str]]], seed: int) -> dict:
    """files with a contacts cell in every row of each return from CONTACTS_FROM (blank when the trust
    does not record it yet); earlier returns unchanged. Rows are contract.COLUMNS order in and
    contract.WORKFORCE_COLUMNS order out."""
    periods = sorted({p for _, p in files if p >= CONTACTS_FROM})
    plans = {code: _trust_plan(seed, code, periods) for code in sorted({c for c, _ in files})}
    out = {}
    for (code, period), rows in files.items():
        if period < CONTACTS_FROM:
            out[(code, period)] = rows
            continue
        start, level = plans[code]
        rng = random.Random(f"{seed}/contacts/{code}/{period.isoformat()}")
        recorded = start is not None and period >= start
        out[(code, period)] = [
            r[:_NOTES_COLUMN] + [_contacts(rng, r, level) if recorded else ""] + r[_NOTES_COLUMN:] for r in rows
        ]
    return out


def _contacts(rng: random.Random, row: list[str], level: float) -> str:
    headcount, wte, setting = int(row[4]), float(row[5]), row[2]
    if headcount == 0:
        # A row for a vacancy only: nobody delivered contacts; now and then a trust writes 0, not blank.
        return "0" if rng.random() < 0.1 else ""
    return str(round(wte * _SETTING_RATE[setting] * level * rng.uniform(0.8, 1.2)))
