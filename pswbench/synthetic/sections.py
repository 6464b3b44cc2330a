"""The synthetic demo's annual sections and its whole file set. EVERYTHING THIS MODULE WRITES IS SYNTHETIC.

For each of ANNUAL_PERIODS (the last three quarters ending 30 September) every trust with a workforce
return that quarter sends a demographics file and an organisation file, named
``{trust_code}_{period_end}_demographics.csv`` and ``..._organisation.csv``. Each demographics file has
every dimension and every category once, each dimension adding up to the trust's total PSW headcount in
its workforce file for that quarter; the organisation file is one row within the return's bounds. No
figure comes from any trust: the mixes are plausible, drawn by generators seeded by (seed, trust), so a
trust's profile changes little from year to year.

A few returns are built to be wrong or missing so the data quality page has something to show (see the
constants below); every other annual section is consistent with its workforce return.

``generate_demo(out_dir, seed)`` writes the demo's files (trust_returns.generate's workforce returns,
these sections and the one workforce resubmission) and gives them in load order.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from pswbench.returns import contract
from pswbench.synthetic import trust_returns

ANNUAL_PERIODS = (dt.date(2024, 9, 30), dt.date(2025, 9, 30), dt.date(2026, 9, 30))
LATEST = ANNUAL_PERIODS[-1]

# The data quality cases, all but one in the latest year:
NO_SECTIONS = ("RPG", "RWV")  # send no annual sections for LATEST at all
NO_ORGANISATION = ("RXT", dt.date(2025, 9, 30))  # sends demographics but no organisation file that year
# Demographics for LATEST that add up to WRONG_TOTAL_BY more than the workforce return: rejected by the
# rules, a visible rejected section.
WRONG_TOTAL = "RT2"
WRONG_TOTAL_BY = 3
# Sends sections matching its workforce return, then resubmits the workforce return for LATEST with one
# more joiner: its loaded sections no longer match the current workforce total.
RESUBMITTED = "RDY"
HIGH_NOT_STATED = "RKL"  # about 40% not stated in every dimension
HIGH_NOT_STATED_SHARE = 0.4

# The demo trust's latest organisation return, in the spirit of the example workbook
# (data/example_organisation.csv), so the board page can say "3 of your 11 teams have a peer worker
# on their own".
DEMO_TEAMS = {"RX4": (11, 3)}  # trust -> (teams_with_psw, teams_with_single_psw) for LATEST

_LONDON = "Y56"
_MIDLANDS = "Y60"
# Shares before not stated, by category code (contract.DEMOGRAPHIC_DIMENSIONS' order).
_AGE = {"under_25": 8, "25_34": 24, "35_44": 26, "45_54": 24, "55_64": 15, "65_and_over": 3}
_GENDER = {"female": 68, "male": 28, "another_term": 2}
_ETHNIC = {
    _LONDON: {"white": 46, "mixed": 8, "asian": 16, "black": 24, "other": 6},
    _MIDLANDS: {"white": 72, "mixed": 5, "asian": 14, "black": 7, "other": 2},
    None: {"white": 86, "mixed": 4, "asian": 5, "black": 4, "other": 1},
}
_DISABILITY = {"yes": 30, "no": 70}
_LIVED = {"own": 64, "carer": 12, "both": 24}
_ORG_NOTES = (
    "Peer supervision is a monthly group led by the peer lead",
    "Accredited training through the regional peer support programme",
    "Two teams share one PSW across sites",
    "Job descriptions under review with HR",
)


def _regions() -> dict[str, str]:
    return {t["trust_code"]: t["region_code"] for t in trust_returns.read_trusts()}


def _mix(rng: random.Random, base: dict[str, float], spread: float = 0.25) -> dict[str, float]:
    """A trust's own version of base: each share moved up or down by up to spread of itself."""
    return {k: w * rng.uniform(1 - spread, 1 + spread) for k, w in base.items()}


def _profile(rng: random.Random, region: str | None, not_stated: float) -> dict[str, dict[str, float]]:
    """Each dimension's category weights for one trust, not_stated a share of each."""
    ethnic = _ETHNIC.get(region, _ETHNIC[None])
    mixes = {
        "age_band": _mix(rng, _AGE),
        "gender": _mix(rng, _GENDER),
        "ethnic_group": _mix(rng, ethnic, 0.35),
        "disability": _mix(rng, _DISABILITY, 0.3),
        "lived_experience": _mix(rng, _LIVED),
    }
    out = {}
    for dimension, weights in mixes.items():
        total = sum(weights.values())
        shares = {k: (1 - not_stated) * w / total for k, w in weights.items()}
        shares[contract.NOT_STATED] = not_stated * rng.uniform(0.6, 1.4)
        out[dimension] = shares
    return out


def _counts(rng: random.Random, total: int, shares: dict[str, float]) -> dict[str, int]:
    """total people, each drawn into a category by shares; every category of shares present, 0 or more."""
    counts = dict.fromkeys(shares, 0)
    for k in rng.choices(list(shares), weights=list(shares.values()), k=total):
        counts[k] += 1
    return counts


def demographic_rows(seed: int, code: str, period: dt.date, total: int, region: str | None) -> list[list[str]]:
    """Every dimension and category once, in the template's order, each dimension adding up to total."""
    trust_rng = random.Random(f"{seed}/demographics/{code}")
    not_stated = HIGH_NOT_STATED_SHARE if code == HIGH_NOT_STATED else trust_rng.uniform(0.01, 0.06)
    profile = _profile(trust_rng, region, not_stated)
    rng = random.Random(f"{seed}/demographics/{code}/{period.isoformat()}")
    rows = []
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        shares = profile[dimension]
        if code == HIGH_NOT_STATED:  # exactly its share, so the case shows whatever the draws
            unstated = round(total * HIGH_NOT_STATED_SHARE)
            stated = {k: w for k, w in shares.items() if k != contract.NOT_STATED}
            counts = _counts(rng, total - unstated, stated) | {contract.NOT_STATED: unstated}
        else:
            counts = _counts(rng, total, shares)
        rows += [[code, period.isoformat(), dimension, c, str(counts[c])] for c, _ in categories]
    return rows


def organisation_row(seed: int, code: str, period: dt.date, headcount: int) -> list[str]:
    """One organisation row: teams and the psw_with_* counts within headcount, at plausible shares."""
    trust_rng = random.Random(f"{seed}/organisation/{code}")
    per_team = trust_rng.uniform(2.5, 6.0)
    shares = {
        "supervision": trust_rng.uniform(0.4, 0.9),
        "training": trust_rng.uniform(0.3, 0.8),
        "job_description": trust_rng.uniform(0.6, 1.0),
    }
    bank_share = trust_rng.uniform(0.0, 0.08)
    leadership = "yes" if trust_rng.random() < 0.5 or code in DEMO_TEAMS else "no"
    rng = random.Random(f"{seed}/organisation/{code}/{period.isoformat()}")
    if headcount == 0:
        return [code, period.isoformat(), "0", "0", "0", "0", "0", "0", leadership, ""]
    if code in DEMO_TEAMS and period == LATEST:
        teams, single = DEMO_TEAMS[code]
    else:
        teams = min(headcount, max(1, round(headcount / per_team * rng.uniform(0.85, 1.15))))
        # Teams of one and teams of two or more: the rest must hold at least two each.
        lowest = max(0, 2 * teams - headcount)
        highest = teams if headcount == teams else teams - 1
        single = min(highest, max(lowest, round(teams * rng.uniform(0.1, 0.45))))

    def share(name: str) -> str:
        return str(min(headcount, round(headcount * min(1.0, shares[name] * rng.uniform(0.9, 1.1)))))

    bank_only = round(headcount * bank_share * rng.uniform(0.5, 1.5))
    notes = rng.choice(_ORG_NOTES) if rng.random() < 0.2 else ""
    return [
        code,
        period.isoformat(),
        str(teams),
        str(single),
        share("supervision"),
        share("training"),
        share("job_description"),
        str(bank_only),
        leadership,
        notes,
    ]


def resubmitted_rows(rows: list[list[str]], period: dt.date) -> list[list[str]]:
    """A workforce return again with one more joiner in its largest row (WTE and days in step), as a
    trust resubmits after finding a starter missed."""
    out = [list(r) for r in rows]
    i = max(range(len(out)), key=lambda k: (int(out[k][4]), -k))
    r = out[i]
    h, wte = int(r[4]), float(r[5])
    new_wte = min(h + 1.0, wte + 0.8)
    factor = new_wte / wte if wte else 1.0
    r[4], r[10] = str(h + 1), str(int(r[10]) + 1)
    r[5] = f"{new_wte:.2f}"
    r[7] = f"{float(r[7]) * factor:.2f}"
    r[8] = f"{(float(r[8]) * factor if wte else new_wte * contract.days_in_quarter(period)):.2f}"
    if len(r) == len(contract.WORKFORCE_COLUMNS) and r[13]:
        r[13] = str(round(int(r[13]) * factor))
    r[-1] = "Resubmitted: one new starter was missed in the first return"
    return out


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return path


def generate_demo(out_dir: Path, seed: int = 2019) -> list[Path]:
    """Write the demo's files into out_dir; the paths in load order: by quarter, and within a quarter
    the workforce returns (trust order), then the annual sections (trust order, demographics before
    organisation), then the workforce resubmission."""
    out_dir = Path(out_dir)
    workforce = trust_returns.generate(out_dir, seed=seed)
    regions = _regions()
    by_period: dict[str, list[Path]] = {}
    for p in workforce:
        by_period.setdefault(p.stem.split("_")[1], []).append(p)
    ordered: list[Path] = []
    for period_text in sorted(by_period):
        period = dt.date.fromisoformat(period_text)
        ordered += by_period[period_text]
        if period not in ANNUAL_PERIODS:
            continue
        resubmissions = []
        for p in by_period[period_text]:
            code = p.stem.split("_")[0]
            if period == LATEST and code in NO_SECTIONS:
                continue
            header, *rows = _read(p)
            total = sum(int(r[4]) for r in rows)
            claimed = total + WRONG_TOTAL_BY if (code, period) == (WRONG_TOTAL, LATEST) else total
            stem = f"{code}_{period_text}"
            ordered.append(
                _write(
                    out_dir / f"{stem}_demographics.csv",
                    contract.DEMOGRAPHIC_COLUMNS,
                    demographic_rows(seed, code, period, claimed, regions.get(code)),
                )
            )
            if (code, period) != NO_ORGANISATION:
                ordered.append(
                    _write(
                        out_dir / f"{stem}_organisation.csv",
                        contract.ORGANISATION_COLUMNS,
                        [organisation_row(seed, code, period, total)],
                    )
                )
            if (code, period) == (RESUBMITTED, LATEST):
                again = _write(out_dir / f"{stem}_resubmitted.csv", tuple(header), resubmitted_rows(rows, period))
                resubmissions.append(again)
        ordered += resubmissions
    return ordered
