"""A hand-worked fixture for the organisational conditions and activity: rows written straight into the
tables as pswbench/store/loader.py writes them (submission, return_version, return_row, section_version,
organisation_row), since the loader on main does not take the organisation section yet.

SEPTEMBER (2025-09-30):
  trust  region  headcount  teams(single)  supervision training job-desc bank-only leadership
  RX4    Y63     63         11 (3)         42          30       50       7         yes
  RX3    Y63      3          2 (2)          1           0        3       2         no   (under 5: hidden)
  RGD    Y63     20          5 (1)         10          12       15       5         yes
  R1L    Y61     30          6 (0)         21           9       27       0         no
Workforce cells (setting: headcount, WTE, contacts):
  RX4 adult_community 40, 30.0, 600; crisis 23, 20.0, not recorded
  RX3 adult_community  3,  2.5,  40                   (a cell under 5: hidden)
  RGD adult_community 16, 12.0, 240; crisis 4, 3.0, 50 (a cell under 5: hidden)
  R1L adult_community 30, 25.0, not recorded          (does not record contacts)
DECEMBER (2025-12-31): RX4 adult_community 40, 30.0, 700 and crisis 23, 20.0, not recorded only.
"""

from __future__ import annotations

import datetime as dt
import itertools

import duckdb

from pswbench.store import database
from pswbench.store.database import transaction

SEPTEMBER = dt.date(2025, 9, 30)
DECEMBER = dt.date(2025, 12, 31)

ORGANISATION = {
    # trust: teams_with_psw, teams_with_single_psw, supervision, training, job description, bank-only, leadership
    "RX4": (11, 3, 42, 30, 50, 7, True),
    "RX3": (2, 2, 1, 0, 3, 2, False),
    "RGD": (5, 1, 10, 12, 15, 5, True),
    "R1L": (6, 0, 21, 9, 27, 0, False),
}
WORKFORCE = {
    # (trust, quarter): [(setting, headcount, wte, contacts)]
    ("RX4", SEPTEMBER): [("adult_community", 40, 30.0, 600), ("crisis", 23, 20.0, None)],
    ("RX3", SEPTEMBER): [("adult_community", 3, 2.5, 40)],
    ("RGD", SEPTEMBER): [("adult_community", 16, 12.0, 240), ("crisis", 4, 3.0, 50)],
    ("R1L", SEPTEMBER): [("adult_community", 30, 25.0, None)],
    ("RX4", DECEMBER): [("adult_community", 40, 30.0, 700), ("crisis", 23, 20.0, None)],
}

_ids = itertools.count(900_000)


def _submission(con, trust: str, period: dt.date, section: str, rows: int) -> int:
    sid = next(_ids)
    con.execute(
        database.sql("queries/insert_submission"),
        {
            "submission_id": sid,
            "trust_code": trust,
            "period_end": period,
            "file_name": f"{trust}-{period}-{section}.csv",
            "sha256": f"{sid:064d}",
            "size_bytes": 100,
            "row_count": rows,
            "submitted_by": "fixture",
            "submitted_at": dt.datetime(2025, 10, 20, 9, 0),
            "status": "accepted",
            "version": 1,
            "error_count": 0,
            "warning_count": 0,
            "section": section,
            "sheet": None,
            "upload_id": f"u{sid}",
            "content_sha256": f"{sid:064d}",
        },
    )
    return sid


def write_workforce(con: duckdb.DuckDBPyConnection, trust: str, period: dt.date, cells) -> int:
    sid = _submission(con, trust, period, "workforce", len(cells))
    con.execute(
        "INSERT INTO return_version VALUES (?, ?, 1, ?, true)",
        [trust, period, sid],
    )
    for line, (setting, head, wte, contacts) in enumerate(cells, start=2):
        con.execute(
            "INSERT INTO return_row (submission_id, line, trust_code, period_end, service_setting, afc_band, "
            "headcount, wte_in_post, vacancy_wte, sickness_fte_days_lost, fte_days_available, leavers_headcount, "
            "joiners_headcount, bank_wte, agency_wte, notes, contacts) "
            "VALUES (?, ?, ?, ?, ?, '4', ?, ?, 0, 0, ?, 0, 0, NULL, NULL, NULL, ?)",
            [sid, line, trust, period, setting, head, wte, wte * 92, contacts],
        )
    return sid


def write_organisation(con: duckdb.DuckDBPyConnection, trust: str, period: dt.date, values, checked: int) -> int:
    sid = _submission(con, trust, period, "organisation", 1)
    con.execute(
        "INSERT INTO section_version VALUES (?, ?, 'organisation', 1, ?, true, ?)", [trust, period, sid, checked]
    )
    con.execute(
        "INSERT INTO organisation_row VALUES (?, 2, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)", [sid, trust, period, *values]
    )
    return sid


def load_fixture(con: duckdb.DuckDBPyConnection, organisation: bool = True) -> None:
    """The fixture above into a database with the schema (conftest's `con`)."""
    with transaction(con):
        for (trust, period), cells in WORKFORCE.items():
            write_workforce(con, trust, period, cells)
        if organisation:
            for trust, values in ORGANISATION.items():
                checked = sum(c[1] for c in WORKFORCE[(trust, SEPTEMBER)])
                write_organisation(con, trust, SEPTEMBER, values, checked)
        database.bump_data_version(con)
