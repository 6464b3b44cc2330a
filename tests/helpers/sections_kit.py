"""Frames of the annual sections as the reader gives them (a 'line' column, then text cells; blank = None),
valid for RX4 at 2026-09-30 against a workforce total of TOTAL, and the same with one cell changed."""

from __future__ import annotations

import datetime as dt

import polars as pl

from pswbench.returns import contract
from pswbench.returns.section_rules import WorkforceTotal

TODAY = dt.date(2026, 11, 15)
PERIOD = "2026-09-30"
TOTAL = WorkforceTotal(12, "upload", None)


def frame(rows: list[dict[str, str | None]], columns: tuple[str, ...], first_line: int = 2) -> pl.DataFrame:
    return pl.DataFrame(
        {"line": list(range(first_line, first_line + len(rows))), **{c: [r.get(c) for r in rows] for c in columns}},
        schema={"line": pl.Int64, **{c: pl.String for c in columns}},
    )


def demographic_rows(total: int = TOTAL.headcount) -> list[dict[str, str | None]]:
    """Every category of every dimension once; each dimension's first category holds the whole total."""
    rows = []
    for dimension, (_label, categories) in contract.DEMOGRAPHIC_DIMENSIONS.items():
        for i, (category, _category_label) in enumerate(categories):
            rows.append(
                {
                    "trust_code": "RX4",
                    "period_end": PERIOD,
                    "dimension": dimension,
                    "category": category,
                    "headcount": str(total if i == 0 else 0),
                }
            )
    return rows


def demographics(rows: list[dict] | None = None, **at: dict) -> pl.DataFrame:
    """The valid section (or rows), with cells of some rows changed: demographics(r0={"headcount": "x"})."""
    rows = [dict(r) for r in (rows if rows is not None else demographic_rows())]
    for key, cells in at.items():
        rows[int(key[1:])].update(cells)
    return frame(rows, contract.DEMOGRAPHIC_COLUMNS)


def organisation_row(**cells: str | None) -> dict[str, str | None]:
    row = {
        "trust_code": "RX4",
        "period_end": PERIOD,
        "teams_with_psw": "5",
        "teams_with_single_psw": "2",
        "psw_with_peer_supervision": "10",
        "psw_with_accredited_training": "8",
        "psw_with_peer_job_description": "12",
        "bank_only_psw_headcount": "3",
        "peer_leadership_post": "yes",
        "notes": None,
    }
    return {**row, **cells}


def organisation(
    *rows: dict[str, str | None], columns: tuple[str, ...] = contract.ORGANISATION_COLUMNS
) -> pl.DataFrame:
    return frame(list(rows) or [organisation_row()], columns)
