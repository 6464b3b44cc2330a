"""Account changes asked for while the app holds the database: disable, enable and unlock.

DuckDB lets one process write a database file, and the running app (the writer) is that process, so
`python -m pswbench users disable EMAIL` cannot open the file while the app runs. Instead the command
writes a signed request into <stem>.admin-requests/ next to the database and waits. The writer's spool
watcher (pswbench.store.spool_watcher.watch_spool, every PSWBENCH_SPOOL_SECONDS) verifies each request, applies it
with the functions the command would have called (auth.set_disabled, auth.unlock: audited under the
command's user, with the request's id), publishes the snapshot so every viewer has it, and only then
writes the answer, which the command prints. So when the command says "done", the writer already
refuses the account, and each viewer does from its users' next interaction.

Who may ask: whoever can read the key file <stem>.admin-key next to the database, which the writer
creates with mode 0600 (the account the app runs as, and root). It is not in the database, so not in
the snapshot or backups that viewers and readers see. A request is applied once (its id is in the
audit row it makes), only within REQUEST_TTL of being signed, and only for COMMANDS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pswbench.access import auth
from pswbench.store import audit, database, durable_files

log = logging.getLogger(__name__)

COMMANDS = {"disable": "disabled", "enable": "enabled", "unlock": "unlocked"}
REQUEST_TTL = dt.timedelta(minutes=2)  # a request not applied by then is refused as stale
MAX_AHEAD = dt.timedelta(minutes=1)
MAX_REQUEST_BYTES = 4096
ACTOR = "system:admin-requests"
_ID = re.compile(r"^[0-9a-f]{32}$")


class AdminRequestError(Exception):
    """The request could not be made or answered; str(exc) says why and what to do."""


def key_path(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.admin-key")


def folder(db: str | Path) -> Path:
    db = Path(db)
    return db.with_name(f"{db.stem}.admin-requests")


def ensure_key(db: str | Path) -> str:
    """The writer's side: the key file's key, creating the file (0600) and the request folder (0700)."""
    path = key_path(db)
    folder(db).mkdir(mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(db)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return read_key(db)


def read_key(db: str | Path) -> str:
    path = key_path(db)
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise AdminRequestError(
            f"The admin key file {path} does not exist, so no request can be signed. It is created by "
            "the app (PSWBENCH_MODE=writer) when it starts serving this database: is it a pswbench "
            "writer of this version?"
        ) from None
    except PermissionError:
        raise AdminRequestError(
            f"The admin key file {path} cannot be read (permission denied). Run this command as the "
            "user the app runs as (or root)."
        ) from None
    if not re.fullmatch(r"[0-9a-f]{64}", key):
        raise AdminRequestError(
            f"The admin key file {path} is damaged. Stop the app, delete the file "
            "and start the app again: it writes a new one."
        )
    return key


def _canonical(request: dict) -> bytes:
    return json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _mac(key: str, request: dict) -> str:
    return hmac.new(key.encode("ascii"), _canonical(request), hashlib.sha256).hexdigest()


# ---- the command's side ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    ok: bool
    message: str


def submit(db: str | Path, command: str, email: str, requested_by: str, wait: float, poll: float = 0.1) -> Answer:
    """Ask the running writer to carry out command for email; its answer, or AdminRequestError when
    no writer answered within wait seconds (the request is then withdrawn: nothing changes later)."""
    if command not in COMMANDS:
        raise ValueError(f"not an admin request: {command!r}")
    key = read_key(db)
    where = folder(db)
    request = {
        "v": 1,
        "id": uuid.uuid4().hex,
        "command": command,
        "email": auth.normalise_email(email),
        "requested_by": requested_by,
        "requested_at": audit.utc_now().isoformat(),
    }
    request["mac"] = _mac(key, request)
    asked, answer = where / f"{request['id']}.request.json", where / f"{request['id']}.answer.json"
    try:
        where.mkdir(mode=0o700, exist_ok=True)
        durable_files.write_atomic(asked, _canonical(request), mode=0o600)
    except OSError as exc:
        raise AdminRequestError(
            f"The request could not be written to {where} ({exc.strerror or exc}). Run this "
            "command as the user the app runs as (or root)."
        ) from None
    found = _await(answer, wait, poll)
    if found is None:
        try:
            asked.unlink()  # not taken: withdrawn, so no writer applies it later
        except FileNotFoundError:
            found = _await(answer, wait, poll)  # taken just now: the answer follows
        if found is None:
            raise AdminRequestError(
                f"The database {db} is in use by another process, so this was sent to the running app as a "
                f"request, but no pswbench writer answered within {wait:g} s. Nothing was changed. Check "
                "that the app runs with PSWBENCH_MODE=writer on this database (it takes requests every "
                "PSWBENCH_SPOOL_SECONDS once it has served its first page), or stop it and run the command again."
            )
    return found


def _await(path: Path, wait: float, poll: float) -> Answer | None:
    deadline = time.monotonic() + wait
    while True:
        try:
            data = json.loads(path.read_bytes())
        except FileNotFoundError:
            data = None
        except ValueError:  # never half-written (atomic), but a stranger's file is not an answer
            data = {"ok": False, "message": f"The answer {path.name} could not be read."}
        if data is not None:
            path.unlink(missing_ok=True)
            return Answer(bool(data.get("ok")), str(data.get("message")))
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)


# ---- the writer's side ----------------------------------------------------------------------


@dataclass
class Taken:
    path: Path  # the claimed request file
    request_id: str
    answer: Answer


def _earlier(con, request_id: str, now: dt.datetime) -> str | None:
    """The action of the audit row an earlier answer to this request made, if any."""
    since = now - 2 * (REQUEST_TTL + MAX_AHEAD)  # older ids are refused as stale anyway
    rows = con.execute(
        database.sql("queries/audit_action_for_request"), {"since": since, "request_id": request_id}
    ).fetchall()
    return rows[0][0] if rows else None


def _refuse(con, request_id: str, reason: str, requested_by: str | None = None, **detail) -> Answer:
    audit.record(
        con,
        requested_by or ACTOR,
        "admin_request_refused",
        None,
        {"request_id": request_id, "reason": reason, **detail},
    )
    return Answer(False, reason)


def _apply(con, key: str, request_id: str, raw: bytes, now: dt.datetime) -> Answer:
    try:
        request = json.loads(raw)
        mac = request.pop("mac")
    except (ValueError, TypeError, AttributeError, KeyError):
        return _refuse(con, request_id, "The request could not be read.")
    if not (isinstance(mac, str) and hmac.compare_digest(mac, _mac(key, request))):
        return _refuse(
            con,
            request_id,
            "The request's signature is not right: it was not signed with this "
            "database's admin key. Nothing was changed.",
        )
    if (
        request.get("v") != 1
        or request.get("id") != request_id
        or request.get("command") not in COMMANDS
        or not isinstance(request.get("email"), str)
        or not isinstance(request.get("requested_by"), str)
    ):
        return _refuse(con, request_id, "The request is not one this writer understands. Nothing was changed.")
    try:
        at = dt.datetime.fromisoformat(request["requested_at"])
    except (KeyError, TypeError, ValueError):
        return _refuse(con, request_id, "The request has no readable time. Nothing was changed.")
    earlier = _earlier(con, request_id, now)
    if earlier is not None:  # a writer stopped before answering, or the file was put back: never twice
        return Answer(
            earlier != "admin_request_refused",
            f"Request {request_id} was answered before ({earlier}); it is not applied twice.",
        )
    who, command, email = request["requested_by"][:200], request["command"], request["email"]
    if not now - REQUEST_TTL <= at <= now + MAX_AHEAD:
        return _refuse(
            con,
            request_id,
            f"The request was made at {at:%H:%M:%S} UTC, too long ago (or ahead) "
            "to apply now. Nothing was changed; run the command again.",
            who,
        )
    detail = {"request_id": request_id, "via": "admin_request"}
    try:
        if command == "unlock":
            auth.unlock(con, email, actor=who, now=now, detail=detail)
        else:
            auth.set_disabled(con, email, command == "disable", actor=who, now=now, detail=detail)
    except auth.UserError as exc:
        return _refuse(con, request_id, str(exc), who, command=command, email=email)
    return Answer(True, f"{email} is now {COMMANDS[command]}.")


def take(con: duckdb.DuckDBPyConnection, db: str | Path, now: dt.datetime | None = None) -> list[Taken]:
    """Apply every request waiting in db's request folder (each claimed first, so a withdrawn one is
    never applied). The answers are written by answer(), after the caller has published."""
    where = folder(db)
    if not where.is_dir():
        return []
    now = audit.as_utc_naive(now)
    try:
        key = read_key(db)
    except AdminRequestError:
        log.exception("admin requests are waiting but cannot be checked")
        return []
    done = []
    # *.taken: claimed by a writer that stopped before answering; applying again is refused by id.
    for path in sorted([*where.glob("*.request.json"), *where.glob("*.taken")]):
        request_id = path.name.split(".", 1)[0]
        if not _ID.match(request_id):
            continue
        claimed = where / f"{request_id}.taken"
        if path != claimed:
            try:
                os.replace(path, claimed)
            except FileNotFoundError:
                continue  # withdrawn meanwhile
        try:
            with open(claimed, "rb") as fh:
                raw = fh.read(MAX_REQUEST_BYTES + 1)
        except OSError:
            continue
        if len(raw) > MAX_REQUEST_BYTES:
            answer = _refuse(con, request_id, "The request is too large to be one. Nothing was changed.")
        else:
            answer = _apply(con, key, request_id, raw, now)
        done.append(Taken(claimed, request_id, answer))
    return done


def answer(db: str | Path, taken: list[Taken], published: bool) -> None:
    """Write each applied request's answer for the waiting command, then drop the claimed file."""
    for t in taken:
        message = t.answer.message
        if t.answer.ok and not published:
            message += (
                " The read-only snapshot could not be published, so viewers see it only after the "
                "next publish (the writer refuses the account already)."
            )
        durable_files.write_atomic(
            folder(db) / f"{t.request_id}.answer.json",
            json.dumps({"ok": t.answer.ok, "message": message}).encode("utf-8"),
            mode=0o600,
        )
        t.path.unlink(missing_ok=True)
