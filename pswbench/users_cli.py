"""`pswbench users ...`: add, list, disable, enable and unlock dashboard users.

    users add EMAIL --role ROLE [--trust CODE] [--no-password] [--db PATH]
    users list [--db PATH]
    users disable EMAIL [--db PATH]
    users enable EMAIL [--db PATH]      (also clears a sign-in lock)
    users unlock EMAIL [--db PATH]

`users add` reads the password from standard input when it is not a terminal (the first line,
without its newline), otherwise asks twice without echoing it.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from . import audit, auth, database, publish, unsafe_text
from .paths import db_path


def add_arguments(subparsers) -> argparse.ArgumentParser:
    """Register the `users` command and its sub-commands on an argparse subparsers object."""
    users = subparsers.add_parser("users", help="manage dashboard users",
                                  description="Manage the people who may sign in to the dashboard.")
    sub = users.add_subparsers(dest="users_command", metavar="{add,list,disable,enable,unlock}")
    sub.required = True

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", default=None, metavar="PATH",
                       help="database file (default: PSWBENCH_DB or data/pswbench.duckdb)")

    add = sub.add_parser("add", help="add a user",
                         description="Add a user. The password is read from standard input when "
                                     "it is piped in, otherwise asked for twice.")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=auth.ROLES)
    add.add_argument("--trust", default=None, metavar="CODE",
                     help="trust code; required for trust_lead and board users")
    add.add_argument("--no-password", action="store_true",
                     help="the user signs in only through single sign-on (OIDC)")
    db_option(add)

    lst = sub.add_parser("list", help="list users")
    db_option(lst)
    for name, text in (("disable", "stop a user signing in"),
                       ("enable", "let a disabled user sign in again (also clears a lock)"),
                       ("unlock", "clear a lock after too many failed sign-ins")):
        p = sub.add_parser(name, help=text)
        p.add_argument("email")
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
        rows.append(tuple(map(unsafe_text.escape, (r["email"], r["role"], r["trust_code"] or "-",
                     "password" if r["has_password"] else "single sign-on only", _status(r)))))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip())


def run(args: argparse.Namespace) -> int:
    """Carry out a parsed `users` command; returns the exit code (0 success, 1 error)."""
    command = getattr(args, "users_command", None)
    try:
        password = None
        if command == "add" and not args.no_password:
            password = _read_password()
        con = database.connect(args.db or db_path())
    except (auth.UserError, database.DatabaseLocked, database.DatabaseUnreadable) as exc:
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
