"""Writing to the audit log: who did what, when, for which trust.

``record`` does not open a transaction of its own, so a caller can write the audit row in the
same transaction as the change it describes (and both are kept or both are lost).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import duckdb

from pswbench.store import database


def utc_now() -> datetime:
    """The current time in UTC as a naive datetime (how TIMESTAMP columns store it)."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_utc_naive(moment: datetime | None) -> datetime:
    """A naive UTC datetime: now when None; an aware datetime is converted; naive is taken as UTC."""
    if moment is None:
        return utc_now()
    if moment.tzinfo is not None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _detail_text(detail: Any) -> str | None:
    if detail is None or isinstance(detail, str):
        return detail
    if isinstance(detail, Mapping) or (isinstance(detail, Sequence) and not isinstance(detail, bytes)):
        return json.dumps(detail, sort_keys=True, default=str, ensure_ascii=False)
    raise TypeError(f"audit detail must be text, a dict or a list, not {type(detail).__name__}")


def record(
    con: duckdb.DuckDBPyConnection,
    actor: str,
    action: str,
    trust_code: str | None = None,
    detail: str | Mapping[str, Any] | None = None,
    *,
    at: datetime | None = None,
) -> int:
    """Insert one audit_log row (bound parameters only) and return its audit_id.

    detail: plain text, or a dict/list stored as JSON text. at: when it happened (default now, UTC).
    """
    if not isinstance(actor, str) or not actor.strip():
        raise ValueError("audit actor must be a non-empty string")
    if not isinstance(action, str) or not action.strip():
        raise ValueError("audit action must be a non-empty string")
    rows = con.execute(
        database.sql("queries/insert_audit_row"),
        {
            "event_at": as_utc_naive(at),
            "actor": actor,
            "action": action,
            "trust_code": trust_code,
            "detail": _detail_text(detail),
        },
    ).fetchall()
    return int(rows[0][0])
