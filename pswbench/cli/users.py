"""`pswbench users ...`: add, list, disable, enable and unlock dashboard users.

    users add EMAIL --role ROLE [--trust CODE] [--no-password] [--db PATH]
    users list [--db PATH]
    users disable EMAIL [--db PATH]
    users enable EMAIL [--db PATH]      (also clears a sign-in lock)
    users unlock EMAIL [--db PATH]

`users add` reads the password from standard input when it is not a terminal (the first line,
without its newline), otherwise asks twice without echoing it.

While the app holds the database (DuckDB lets one process write it), `disable`, `enable` and
`unlock` are sent to the running writer as signed requests (pswbench.store.admin_requests) and the
command prints its answer; `list` reads the published snapshot; `add` needs the app stopped.
Exit codes: 0 done, 1 refused (the message says why), 3 the database is held and nothing answered.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from pswbench.access import auth, unsafe_text
from pswbench.paths import db_path
from pswbench.store import admin_requests, audit, database, publish

WAIT_SECONDS = 30.0
EXIT_HELD = 3  # as pswbench.cli.main.EXIT_LOCKED


def add_arguments(subparsers) -> argparse.ArgumentParser:
    """Register the `users` command and its sub-commands on an argparse subparsers object."""
    users = subparsers.add_parser(
        "users", help="manage dashboard users", description="Manage the people who may sign in to the dashboard."
    )
    sub = users.add_subparsers(dest="users_command", metavar="{add,list,disable,enable,unlock}")
    sub.required = True

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db", default=None, metavar="PATH", help="database file (default: PSWBENCH_DB or data/pswbench.duckdb)"
        )

    add = sub.add_parser(
        "add",
        help="add a user",
        description="Add a user. The password is read from standard input when "
        "it is piped in, otherwise asked for twice.",
    )
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=auth.ROLES)
    add.add_argument(
        "--trust", default=None, metavar="CODE", help="trust code; required for trust_lead and board users"
    )
    add.add_argument("--no-password", action="store_true", help="the user signs in only through single sign-on (OIDC)")
    db_option(add)

    lst = sub.add_parser("list", help="list users")
    db_option(lst)
    for name, text in (
        ("disable", "stop a user signing in"),
        ("enable", "let a disabled user sign in again (also clears a lock)"),
        ("unlock", "clear a lock after too many failed sign-ins"),
    ):
        p = sub.add_parser(
            name,
            help=text,
            description=f"{text[0].upper()}{text[1:]}. Works while the app "
            "runs: the running writer applies it within PSWBENCH_SPOOL_SECONDS.",
        )
        p.add_argument("email")
        p.add_argument(
            "--wait",
            type=float,
            default=WAIT_SECONDS,
            metavar="SECONDS",
            help=f"while the app runs, how long to wait for its answer (default {WAIT_SECONDS:.0f})",
        )
        db_option(p)
    users.set_defaults(func=run)
    return users


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def _read_password() -> str:
    if sys.stdin is None:
        raise auth.UserError("No password given: standard input is closed.")
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        password = line.rstrip("\r\n") if line.endswith("\n") else line
        if not password:
            raise auth.UserError("No password given on standard input (the first line is empty).")
        return password
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password again: ")
    if first != second:
        raise auth.UserError("The two passwords do not match. Nothing was changed.")
    return first


def _status(row: dict) -> str:
    if row["disabled"]:
        return "disabled"
    if row["locked_until"] is not None and row["locked_until"] > audit.utc_now():
        return f"locked until {row['locked_until']:%Y-%m-%d %H:%M} UTC"
    return "active"


def _print_list(con) -> None:
    df = auth.list_users(con)
    if df.height == 0:
        print("No users yet. Add one with: users add EMAIL --role ROLE [--trust CODE]")
        return
    rows = [("email", "role", "trust", "sign-in", "status")]
    for r in df.iter_rows(named=True):
        # Escaped: an email from before emails were checked could hold a bidi or terminal control character.
        rows.append(
            tuple(
                map(
                    unsafe_text.escape,
                    (
                        r["email"],
                        r["role"],
                        r["trust_code"] or "-",
                        "password" if r["has_password"] else "single sign-on only",
                        _status(r),
                    ),
                )
            )
        )
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())


def _while_held(command: str, args: argparse.Namespace, db) -> int:
    """The database is held by another process (the running app): do what can be done without it."""
    if command in admin_requests.COMMANDS:
        try:
            answer = admin_requests.submit(db, command, args.email, _actor(), args.wait)
        except admin_requests.AdminRequestError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return EXIT_HELD
        print(answer.message if answer.ok else f"Error: {answer.message}", file=sys.stdout if answer.ok else sys.stderr)
        return 0 if answer.ok else 1
    if command == "list":
        snap = publish.snapshot_path(db)
        try:
            con = database.connect(snap, read_only=True)
        except (database.DatabaseLocked, database.DatabaseUnreadable):
            con = None
        if con is not None:
            try:
                manifest = publish.read_manifest(db) or {}
                print(
                    f"(The app holds {db}: this is its published snapshot, "
                    f"{manifest.get('published_at', 'time unknown')}.)"
                )
                _print_list(con)
                return 0
            finally:
                con.close()
    print(
        f"Error: the database {db} is in use by another process (for example the running app), and "
        f"`users {command}` needs it. Nothing was changed. Stop that process and try again (disable, enable "
        "and unlock work while the app runs).",
        file=sys.stderr,
    )
    return EXIT_HELD


def run(args: argparse.Namespace) -> int:
    """Carry out a parsed `users` command; returns the exit code (0 success, 1 error, 3 held)."""
    command = getattr(args, "users_command", None)
    db = args.db or db_path()
    try:
        password = None
        if command == "add" and not args.no_password:
            password = _read_password()
        con = database.connect(db)
    except database.DatabaseLocked:
        return _while_held(command, args, db)
    except (auth.UserError, database.DatabaseUnreadable) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("Error: cancelled. Nothing was changed.", file=sys.stderr)
        return 1
    try:
        con.execute(database.sql("schema_users"))
        actor = _actor()
        if command == "add":
            user = auth.add_user(con, args.email, args.role, args.trust, password, actor=actor)
            trust = f" for trust {user.trust_code}" if user.trust_code else ""
            print(f"Added {user.email} as {user.role}{trust}.")
        elif command == "list":
            _print_list(con)
        elif command in ("disable", "enable"):
            auth.set_disabled(con, args.email, command == "disable", actor=actor)
            print(f"{auth.normalise_email(args.email)} is now {command}d.")
        elif command == "unlock":
            auth.unlock(con, args.email, actor=actor)
            print(f"{auth.normalise_email(args.email)} is unlocked.")
        else:
            print(f"Error: unknown users command {command!r}.", file=sys.stderr)
            return 1
        if command != "list":
            # Readers and backups use the published snapshot: make account changes reach it now.
            publish.publish_quietly(con)
        return 0
    except auth.UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    finally:
        con.close()
