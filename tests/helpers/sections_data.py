"""A small database with workforce returns and demographics sections, for the demographics tests.

Workforce returns are loaded the normal way (validate, then the loader). The loader does not accept
demographics yet, so their rows are inserted as pswbench.store.loader._load_section would write them:
a submission row (section 'demographics', accepted), a current section_version whose checked_headcount
is the trust's workforce total, and the demographic_row cells.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from pswbench.returns import contract
from pswbench.store import database, loader
from pswbench.store.database import sql, transaction
from tests.helpers.returns_kit import TODAY, csv_bytes

SEPT = dt.date(2025, 9, 30)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    return database.connect(path)


def workforce_rows(trust_code: str, period_end: dt.date, headcount: int) -> list[dict[str, str]]:
    """One valid workforce row with this headcount (WTE 0.8 a head, no absence, no turnover)."""
    wte = round(headcount * 0.8, 2)
    return [
        {
            "trust_code": trust_code,
            "period_end": period_end.isoformat(),
            "service_setting": "adult_community",
            "afc_band": "4",
            "headcount": str(headcount),
            "wte_in_post": f"{wte:.2f}",
            "vacancy_wte": "0.00",
            "sickness_fte_days_lost": "0.00",
            "fte_days_available": f"{wte * 92:.2f}",
            "leavers_headcount": "0",
            "joiners_headcount": "0",
            "bank_wte": "",
            "agency_wte": "",
            "notes": "",
        }
    ]


def load_workforce(con, trust_code: str, headcount: int, period_end: dt.date = SEPT) -> None:
    data = csv_bytes(workforce_rows(trust_code, period_end, headcount))
    (outcome,) = loader.load_files(con, [(f"{trust_code}.csv", data)], "lead@trust.nhs.uk", today=TODAY, publish=False)
    assert outcome.status == "accepted", outcome.summary()


def insert_demographics(
    con, trust_code: str, cells: dict[str, dict[str, int]], period_end: dt.date = SEPT, checked_headcount=None
) -> int:
    """cells: dimension -> {category: people}; categories left out are 0. Returns the submission id.
    A second call for the same trust and quarter makes a new current version (the old one retired)."""
    full = {
        dim: {code: int(cells.get(dim, {}).get(code, 0)) for code, _ in cats}
        for dim, (_label, cats) in contract.DEMOGRAPHIC_DIMENSIONS.items()
    }
    total = sum(next(iter(full.values())).values())
    key = {"trust_code": trust_code, "period_end": period_end, "section": contract.DEMOGRAPHICS}
    with transaction(con):
        sid = con.execute(sql("queries/next_submission_id")).fetchall()[0][0]
        con.execute(sql("queries/retire_current_section_version"), key)
        version = con.execute(
            sql("queries/insert_section_version"),
            {
                **key,
                "submission_id": sid,
                "checked_headcount": total if checked_headcount is None else checked_headcount,
            },
        ).fetchall()[0][0]
        line = 1
        for dim, cats in full.items():
            for code, n in cats.items():
                line += 1
                con.execute(
                    "INSERT INTO demographic_row VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [sid, line, trust_code, period_end, dim, code, n],
                )
        con.execute(
            sql("queries/insert_submission"),
            {
                "trust_code": trust_code,
                "period_end": period_end,
                "submission_id": sid,
                "file_name": f"{trust_code}_demographics.csv",
                "sha256": f"{sid:064d}",
                "size_bytes": 100,
                "row_count": line - 1,
                "submitted_by": "lead@trust.nhs.uk",
                "submitted_at": dt.datetime(2025, 10, 15, 9, 0),
                "status": "accepted",
                "version": version,
                "error_count": 0,
                "warning_count": 0,
                "section": contract.DEMOGRAPHICS,
                "sheet": None,
                "upload_id": f"demo-{sid}",
                "content_sha256": f"{sid:064x}",
            },
        )
        database.bump_data_version(con)
    return int(sid)


def split(total: int, shares: dict[str, int]) -> dict[str, int]:
    """Every dimension with the same cells would be dull: this gives one dimension's cells by weights
    that sum to total (the last category takes the remainder)."""
    keys = list(shares)
    out, left = {}, total
    weight = sum(shares.values())
    for k in keys[:-1]:
        out[k] = total * shares[k] // weight
        left -= out[k]
    out[keys[-1]] = left
    return out


# The hand-worked fixture: trust -> (region, headcount, ethnic group cells in the order white, mixed,
# asian, black, other, not_stated). RX4 (Y63) is the signed-in trust lead's own trust; RGD has 3 PSWs
# (hidden from non-analysts); Y62 and Y60 hold one trust each (never shown pooled to a non-analyst).
ETHNIC = ("white", "mixed", "asian", "black", "other", "not_stated")
FIXTURE = {
    "RX4": ("Y63", (30, 2, 3, 1, 0, 4)),
    "RX3": ("Y63", (24, 1, 2, 1, 0, 2)),
    "RGD": ("Y63", (3, 0, 0, 0, 0, 0)),
    "RV9": ("Y63", (8, 0, 2, 0, 1, 1)),
    "RT1": ("Y61", (14, 1, 3, 2, 0, 0)),
    "RMY": ("Y61", (10, 0, 2, 1, 1, 1)),
    "RW4": ("Y62", (18, 1, 3, 2, 1, 0)),
    "RXT": ("Y60", (6, 1, 1, 1, 0, 1)),
}


def fixture_cells(code: str) -> dict[str, dict[str, int]]:
    """Every dimension of a fixture trust: ethnic group as listed; the others split from its total."""
    ethnic = dict(zip(ETHNIC, FIXTURE[code][1]))
    total = sum(ethnic.values())
    return {
        "ethnic_group": ethnic,
        "gender": split(total, {"female": 6, "male": 3, "another_term": 0, "not_stated": 1}),
        "age_band": split(
            total, {"under_25": 1, "25_34": 3, "35_44": 3, "45_54": 2, "55_64": 1, "65_and_over": 0, "not_stated": 0}
        ),
        "disability": split(total, {"yes": 2, "no": 7, "not_stated": 1}),
        "lived_experience": split(total, {"own": 6, "carer": 2, "both": 1, "not_stated": 1}),
    }


def load_workforce_many(con, headcounts: dict[str, int], period_end: dt.date = SEPT) -> None:
    """Several trusts' workforce returns in one batch (one Great Expectations run, not one each)."""
    files = [(f"{c}.csv", csv_bytes(workforce_rows(c, period_end, n))) for c, n in headcounts.items()]
    outcomes = loader.load_files(con, files, "lead@trust.nhs.uk", today=TODAY, publish=False)
    assert all(o.status == "accepted" for o in outcomes), [o.summary() for o in outcomes]


def build_fixture(path: Path) -> duckdb.DuckDBPyConnection:
    con = connect(path)
    load_workforce_many(con, {code: sum(FIXTURE[code][1]) for code in FIXTURE})
    for code in FIXTURE:
        insert_demographics(con, code, fixture_cells(code))
    return con


def scope_on(con, user):
    """user's Scope on con, without Streamlit's cache (as tests/unit/conftest.py scope_for does)."""
    from pswbench.access.scope import Scope
    from pswbench.reports.queries import Queries

    q = Queries(con)

    class Cached:
        version = q.data_version()

        def __getattr__(self, name):
            return getattr(q, name)

    return Scope(user, Cached(), q)
