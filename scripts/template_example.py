"""The filled example return the templates ship with: RX4, quarter ending 2026-09-30, all three sections.

Every figure is synthetic. The workforce rows are data/example_return.csv's (the version 1 example,
for 2025-09-30) moved to 2026-09-30 with contacts filled in; the demographics and the organisational
conditions are consistent with their total headcount (63), so the example is a valid return.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pswbench.paths import DATA_DIR
from pswbench.returns import contract

TRUST = "RX4"
PERIOD = dt.date(2026, 9, 30)
VERSION_1_EXAMPLE = DATA_DIR / "example_return.csv"

# Contacts in the quarter per WTE in post: inpatient PSWs run groups on the ward, so they reach more
# people; "other" is the band 6 lead, who delivers fewer.
CONTACTS_PER_WTE = {"adult_inpatient": 96, "crisis": 70, "other": 30}
CONTACTS_PER_WTE_ELSEWHERE = 80

# dimension -> {category: headcount}; each adds up to the workforce's 63.
DEMOGRAPHICS = {
    "age_band": {
        "under_25": 5,
        "25_34": 14,
        "35_44": 15,
        "45_54": 14,
        "55_64": 11,
        "65_and_over": 2,
        "not_stated": 2,
    },
    "gender": {"female": 41, "male": 19, "another_term": 1, "not_stated": 2},
    "ethnic_group": {"white": 48, "mixed": 3, "asian": 5, "black": 4, "other": 1, "not_stated": 2},
    "disability": {"yes": 21, "no": 36, "not_stated": 6},
    "lived_experience": {"own": 38, "carer": 7, "both": 15, "not_stated": 3},
}

ORGANISATION = {
    "teams_with_psw": 11,
    "teams_with_single_psw": 3,
    "psw_with_peer_supervision": 40,
    "psw_with_accredited_training": 35,
    "psw_with_peer_job_description": 52,
    "bank_only_psw_headcount": 6,
    "peer_leadership_post": "yes",
    "notes": "Peer supervision is a monthly group led by the band 7 peer lead",
}


@dataclass(frozen=True)
class Example:
    """Each section as rows of {column: text}, in contract column order (the CSV files' cells)."""

    workforce: list[dict[str, str]]
    demographics: list[dict[str, str]]
    organisation: list[dict[str, str]]


def example(version_1: Path = VERSION_1_EXAMPLE) -> Example:
    return Example(_workforce(version_1), _demographics(), _organisation())


def _workforce(version_1: Path) -> list[dict[str, str]]:
    with open(version_1, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        per_wte = CONTACTS_PER_WTE.get(row["service_setting"], CONTACTS_PER_WTE_ELSEWHERE)
        filled = {**row, "period_end": PERIOD.isoformat(), "contacts": str(round(float(row["wte_in_post"]) * per_wte))}
        out.append({c: filled.get(c, "") for c in contract.WORKFORCE_COLUMNS})
    return out


def _demographics() -> list[dict[str, str]]:
    assert list(DEMOGRAPHICS) == list(contract.DEMOGRAPHIC_DIMENSIONS), "one entry per dimension, in contract order"
    out = []
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        for code, _category_label in categories:
            cells = (TRUST, PERIOD.isoformat(), dimension, code, str(DEMOGRAPHICS[dimension][code]))
            out.append(dict(zip(contract.DEMOGRAPHIC_COLUMNS, cells)))
    return out


def _organisation() -> list[dict[str, str]]:
    row = {"trust_code": TRUST, "period_end": PERIOD.isoformat(), **{k: str(v) for k, v in ORGANISATION.items()}}
    return [{c: row[c] for c in contract.ORGANISATION_COLUMNS}]
