"""The events a read-only viewer may hand the writer, signed, and the writer's checks on them.

A viewer cannot write the database, so it appends its audit events to a spool file of its own
(pswbench.store.viewer_mode.record) and the writer ingests them (ingest_spool). Anyone who can write to the
database's folder can append to a spool file too, so the writer takes a line only when:

* its HMAC-SHA256 is right: the key is app_setting 'viewer_event_key', random per database, which
  viewers read from the published snapshot (so whoever can read the snapshot or a backup can sign:
  protect them like the database, as their password hashes already require);
* it names the file it is in and a sequence number above the last one taken from that file, so a
  line copied into another file, or appended again, is a replay;
* its time is no more than MAX_AHEAD in the future nor MAX_AGE in the past (a writer down for longer
  than MAX_AGE loses the viewers' events from before that, counted in the warning);
* its kind is one a viewer produces (VIEWER_EVENTS: the actions of ui.record_event's callers and of
  viewer.authenticate) with only the detail keys and values that kind has; the events only a
  signed-in user causes name an existing account; the trust is the account's, whatever the line says.

What a verified event may do is fixed here too: it adds an audit row (its kind, marked via=viewer)
and a counted sign-in failure adds one failure to that email's count (pswbench.access.throttle). No viewer
event lowers a count or clears a lock, a viewer's successful sign-in included: only the writer's own
checks (its sign-in form, an analyst's unlock or enable) do that. Every other line is skipped,
counted by reason in a logged warning and one 'viewer_events_refused' audit row, and never ingested.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import duckdb

from pswbench.access import auth, throttle, unsafe_text
from pswbench.store import audit, database

log = logging.getLogger(__name__)

FORMAT = 2
MAX_AHEAD = dt.timedelta(minutes=5)  # clocks of hosts sharing the folder may differ this much
MAX_AGE = dt.timedelta(days=7)
MAX_TEXT = 200
KEY_SETTING = database.VIEWER_EVENT_KEY
OFFSET_SETTING = "viewer_spool_offset:"  # app_setting key prefix: per spool file, bytes and last seq taken


def _text(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT and not unsafe_text.hidden_characters(value)


def _time(value) -> bool:
    try:
        dt.datetime.fromisoformat(value)
        return True
    except (TypeError, ValueError):
        return False


def _count(value) -> bool:
    return type(value) is int and 0 <= value <= 1000


Check = tuple | Callable[[object], bool]  # the values a detail key may take, or a test of its value
SIGN_IN_REASONS = (*auth.COUNTED_REASONS, "disabled")

# Each kind of event a viewer produces, with the detail keys it may carry. Where they come from:
#   sign_in, sign_in_failed, sign_in_locked  viewer.authenticate, and ui.sign_in_screen for single sign-on
#   not_permitted                            ui.refuse
#   export                                   ui.export_file (tables), pages/snapshot.py (the board pack)
# A new record_event call with a new kind or detail key must be added here, or a viewer's events of
# that kind are refused (tests/unit/store/test_viewer_events.py reads the callers and checks).
VIEWER_EVENTS: dict[str, dict[str, Check]] = {
    "sign_in": {"method": ("password", "oidc")},
    "sign_in_failed": {
        "reason": SIGN_IN_REASONS,
        "method": ("oidc",),
        "failed_attempts": _count,
        "locked_until": _time,
    },
    "sign_in_locked": {"locked_until": _time},
    "not_permitted": {"what": _text},
    "export": {"table": _text, "format": ("csv", "xlsx", "html"), "board_pack": _text, "period": _text},
}
# Kinds only a signed-in user causes: the actor must be an account.
ACCOUNT_EVENTS = ("sign_in", "not_permitted", "export")


def canonical(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _mac(key: str, body: bytes) -> str:
    return hmac.new(key.encode("utf-8"), body, hashlib.sha256).hexdigest()


def signed_line(key: str | None, event: dict) -> bytes:
    """The spool line for event: its canonical JSON with the HMAC of that JSON added (None unsigned)."""
    return canonical({**event, "mac": _mac(key, canonical(event)) if key else None}) + b"\n"


class Refused(Exception):
    """A spool line the writer does not take; str(exc) is the reason counted."""


def verify(key: str, raw: bytes, file_name: str, last_seq: int, now: dt.datetime) -> dict:
    """The event on one spool line, checked as the module docstring says; raises Refused."""
    try:
        event = json.loads(raw)
        mac = event.pop("mac")
    except (ValueError, TypeError, AttributeError, KeyError):
        raise Refused("unreadable") from None
    if not (isinstance(mac, str) and hmac.compare_digest(mac, _mac(key, canonical(event)))):
        raise Refused("bad_signature")
    if (
        set(event) != {"v", "spool", "seq", "at", "actor", "action", "trust_code", "detail", "pid"}
        or event["v"] != FORMAT
        or type(event["seq"]) is not int
        or type(event["pid"]) is not int
    ):
        raise Refused("unreadable")
    if event["spool"] != file_name or event["seq"] <= last_seq:
        raise Refused("replayed")
    try:
        at = dt.datetime.fromisoformat(event["at"])
    except (TypeError, ValueError):
        raise Refused("unreadable") from None
    if at.tzinfo is not None or not now - MAX_AGE <= at <= now + MAX_AHEAD:
        raise Refused("time_out_of_range")
    action, detail, actor = event["action"], event["detail"], event["actor"]
    allowed = VIEWER_EVENTS.get(action)
    if allowed is None:
        raise Refused("kind_not_allowed")
    if (
        not isinstance(detail, dict)
        or not set(detail) <= set(allowed)
        or not all(
            (value in check) if isinstance(check, tuple) else check(value)
            for name, value in detail.items()
            for check in (allowed[name],)
        )
    ):
        raise Refused("detail_not_allowed")
    if not (isinstance(actor, str) and 0 < len(actor) <= auth.MAX_EMAIL_LENGTH):
        raise Refused("actor_not_allowed")
    event["at"] = at
    return event


class Ingested(NamedTuple):
    events: int  # events taken into audit_log
    users_changed: bool  # a failure count or lock changed (publish, so viewers see it)
    refused: Counter  # lines skipped, by reason


def _parse_state(value: str | None) -> tuple[int, int]:
    if value is None:
        return 0, 0
    if value.isdigit():  # written before lines had sequence numbers
        return int(value), 0
    state = json.loads(value)
    return int(state["offset"]), int(state["seq"])


def _file_state(con, name: str) -> tuple[int, int]:
    """(bytes of the spool file already read, the last sequence number taken from it)."""
    return _parse_state(database.setting(con, OFFSET_SETTING + name))


def offsets(con) -> dict[str, int]:
    """Bytes already read, per spool file name (one query)."""
    rows = con.execute(database.sql("queries/settings_like"), {"pattern": OFFSET_SETTING + "%"}).fetchall()
    return {k[len(OFFSET_SETTING) :]: _parse_state(v)[0] for k, v in rows}


def _apply(con, event: dict) -> bool:
    """Take one verified event: its audit row, and a counted failure; True when a count changed."""
    actor, action, at = event["actor"], event["action"], event["at"]
    row = auth.user_row(con, actor)
    if action in ACCOUNT_EVENTS and row is None:
        raise Refused("actor_not_allowed")
    detail = dict(event["detail"])
    changed = False
    if action == "sign_in_failed" and detail.get("reason") in auth.COUNTED_REASONS:
        before, after = throttle.count_failure(con, actor, at)
        changed = after != before
        detail["failed_attempts"] = after.count  # the writer's count, not the viewer's
        detail.pop("locked_until", None)
        if after.locked_until is not None:
            detail["locked_until"] = after.locked_until.isoformat()
    audit.record(
        con, actor, action, row[2] if row else None, dict(detail, via="viewer", viewer_pid=event["pid"]), at=at
    )
    return changed


def ingest_file(con: duckdb.DuckDBPyConnection, path: Path, key: str, now: dt.datetime) -> Ingested:
    """Take the whole new lines of one spool file, in one transaction with the file's new offset."""
    setting = OFFSET_SETTING + path.name
    offset, last_seq = _file_state(con, path.name)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size < offset:  # the file was cut short or replaced: read it again (seq still guards)
                offset = 0
            fh.seek(offset)
            data = fh.read(size - offset)
    except OSError:
        return Ingested(0, False, Counter())
    end = data.rfind(b"\n")
    if end < 0:
        return Ingested(0, False, Counter())
    taken, changed, refused = 0, False, Counter()
    with database.transaction(con):
        for raw in data[: end + 1].splitlines():
            try:
                event = verify(key, raw, path.name, last_seq, now)
                changed |= _apply(con, event)
            except Refused as why:
                refused[str(why)] += 1
                continue
            last_seq = event["seq"]
            taken += 1
        if refused:
            audit.record(
                con, "system:viewer-spool", "viewer_events_refused", None, {"file": path.name, **refused}, at=now
            )
        con.execute(
            database.sql("queries/set_setting"),
            {"key": setting, "value": json.dumps({"offset": offset + end + 1, "seq": last_seq})},
        )
    if refused:
        log.warning(
            "skipped %d line(s) of %s that could not be verified as a viewer's events (%s); none of them was ingested",
            sum(refused.values()),
            path.name,
            ", ".join(f"{why}: {n}" for why, n in sorted(refused.items())),
        )
    if changed:
        throttle.prune(con, now)
    return Ingested(taken, changed, refused)
