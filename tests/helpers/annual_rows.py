"""Annual sections put into a test database as the loader writes them (pswbench.store.loader._load_section):
a submission row with its section, and for an accepted one a current section_version row.

The annual sections cannot be loaded on main yet (their rules refuse them), so the data-quality views
are tested on rows made here; keep the columns in step with sql/queries/insert_submission.sql."""

from __future__ import annotations

import datetime as dt

from pswbench.store.database import sql


def add_section(con, trust_code: str, period_end: dt.date, section: str, status: str, checked_headcount=None):
    """One attempt at an annual section; accepted ones become the current version (the last retired)."""
    submission_id = con.execute(sql("queries/next_submission_id")).fetchall()[0][0]
    key = {"trust_code": trust_code, "period_end": period_end}
    version = None
    if status == "accepted":
        con.execute(sql("queries/retire_current_section_version"), {**key, "section": section})
        version = con.execute(
            sql("queries/insert_section_version"),
            {**key, "section": section, "submission_id": submission_id, "checked_headcount": checked_headcount},
        ).fetchall()[0][0]
    con.execute(
        sql("queries/insert_submission"),
        {
            **key,
            "submission_id": submission_id,
            "file_name": f"{section}.csv",
            "sha256": f"sha-{submission_id}",
            "size_bytes": 100,
            "row_count": 3,
            "submitted_by": "lead@trust.nhs.uk",
            "submitted_at": dt.datetime(2025, 10, 20, 9, 0),
            "status": status,
            "version": version,
            "error_count": 0 if status == "accepted" else 1,
            "warning_count": 0,
            "section": section,
            "sheet": None,
            "upload_id": f"upload-{submission_id}",
            "content_sha256": f"content-{submission_id}" if status == "accepted" else None,
        },
    )
    return version
