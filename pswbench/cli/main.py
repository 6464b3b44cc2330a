"""Command line: python -m pswbench validate|load|synth|demo|indicators|backup|restore|users ..."""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

from pswbench.returns import contract
from pswbench.returns.findings import counted

EXIT_OK, EXIT_INVALID, EXIT_UNREADABLE, EXIT_LOCKED = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # wrong arguments exit 2, as for an unreadable file
        self.print_usage(sys.stderr)
        self.exit(EXIT_UNREADABLE, f"{self.prog}: error: {message}\n")


def read_upload(path: Path) -> tuple[bytes, int, str]:
    """The file's bytes (at most one byte over the limit, so a huge file is never held), size and SHA-256."""
    digest, size, head = hashlib.sha256(), 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            if size <= contract.MAX_FILE_BYTES:
                head += chunk[: contract.MAX_FILE_BYTES + 1 - size]
            size += len(chunk)
    return head, size, digest.hexdigest()


def _read_files(paths: list[str]) -> tuple[list[tuple[str, bytes]], list[tuple[int, str]], list[str]]:
    files, meta, problems = [], [], []
    for p in paths:
        try:
            data, size, sha = read_upload(Path(p))
        except OSError as exc:
            problems.append(f"{p}: cannot be read ({exc.strerror or exc}). Check the path and permissions.")
            continue
        files.append((Path(p).name, data))
        meta.append((size, sha))
    return files, meta, problems


def _fix_meta(results, meta) -> None:
    for r, (size, sha) in zip(results, meta):
        r.size_bytes, r.sha256 = size, sha


def cmd_validate(args) -> int:
    from pswbench.returns.validate import validate_many, validate_upload

    files, meta, problems = _read_files(args.files)
    previous = loaded_total = None
    con = None
    if args.db:
        from pswbench.store import loader, publish

        con, note = publish.connect_read_only(args.db, "the loaded versions")
        if note:
            print(note, file=sys.stderr)
        previous, loaded_total = loader.previous_headcount_lookup(con), loader.loaded_total_lookup(con)
    try:
        if not files:
            results = []
        elif args.each:
            results = validate_many(files, previous, loaded_total=loaded_total)
        else:
            results = validate_upload(files, previous, loaded_total=loaded_total).files
    finally:
        if con is not None:
            con.close()
    _fix_meta(results, meta)
    if args.json:
        print(json.dumps([r.as_json() for r in results], indent=2))
    else:
        for r in results:
            verdict = "valid" if r.valid else "INVALID"
            counts = (
                f"{counted(r.rows, 'row')}, {counted(len(r.errors), 'error')}, {counted(len(r.warnings), 'warning')}"
            )
            print(f"{r.file_name}: {verdict} ({counts})")
            if len(r.sections) > 1 or any(s.sheet for s in r.sections):
                for s in r.sections:
                    sheet = f" (sheet '{s.sheet}')" if s.sheet else ""
                    print(f"  {s.section or 'unidentified'}{sheet}: {'valid' if s.valid else 'INVALID'}")
            for f in r.findings:
                where = f"line {f.line}" if f.line else "file"
                section = f"[{f.section}] " if f.section and len(r.sections) > 1 else ""
                print(f"  {f.severity:7} {where:>9}  {f.column or '-':24} {f.rule:28} {section}{f.message}")
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return EXIT_UNREADABLE
    return EXIT_OK if all(r.valid for r in results) else EXIT_INVALID


def cmd_load(args) -> int:
    from pswbench.store import database
    from pswbench.store.loader import load_files

    files, meta, problems = _read_files(args.files)
    for p in problems:
        print(p, file=sys.stderr)
    con = database.connect(args.db)
    try:
        outcomes = load_files(con, files, args.user, meta=meta)
    finally:
        con.close()
    for o in outcomes:
        print(o.summary())
        for f in o.result.errors:
            print(f"  error  line {f.line or '-'}  {f.column or '-'}  {f.message}")
    if problems:
        return EXIT_UNREADABLE
    return EXIT_OK if all(o.status != "rejected" for o in outcomes) else EXIT_INVALID


def cmd_synth(args) -> int:
    from pswbench.synthetic.trust_returns import generate

    paths = generate(Path(args.out), seed=args.seed, scale=args.scale)
    print(f"wrote {counted(len(paths), 'synthetic return')} to {args.out}")
    if args.scale > 1:
        print(
            "synthetic trusts Z0001... are not in the reference list: build a database that knows them "
            "with pswbench.synthetic.scale.build_scaled (benchmarks/bench_scale.py)"
        )
    return EXIT_OK


def cmd_demo(args) -> int:
    from pswbench.synthetic.demo import DEMO_ACCOUNTS, build_demo

    if Path(args.db).exists():
        print(f"{args.db} already exists; choose another path or remove it first.", file=sys.stderr)
        return EXIT_UNREADABLE
    outcomes = build_demo(Path(args.db), args.seed)
    sections = [s for o in outcomes for s in o.sections]
    annual = [s for s in sections if s.section in (contract.DEMOGRAPHICS, contract.ORGANISATION)]
    workforce = [s for s in sections if s not in annual]  # an unreadable file counts here: a failure
    counts = {s: sum(o.status == s for o in workforce) for s in ("accepted", "rejected", "duplicate")}
    print(
        f"demo database {args.db} (SYNTHETIC demo data): {counted(counts['accepted'], 'workforce return')} "
        f"accepted, {counts['rejected']} rejected, {counted(sum(o.warnings for o in workforce), 'warning')}; "
        f"{counted(sum(s.status == 'accepted' for s in annual), 'annual section')} accepted, "
        f"{sum(s.status == 'rejected' for s in annual)} rejected"
    )
    print("demo accounts: " + ", ".join(f"{email} ({role})" for email, role, _, _ in DEMO_ACCOUNTS))
    # Only a rejected workforce return is a failed build: some annual sections are rejected on purpose
    # (pswbench/synthetic/sections.py, the data quality cases).
    return EXIT_OK if counts["rejected"] == 0 else EXIT_INVALID


def cmd_backup(args) -> int:
    from pswbench.store import backup

    try:
        report = backup.backup(Path(args.db), Path(args.out))
    except backup.BackupError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
    print(report.summary())
    return EXIT_OK


def cmd_restore(args) -> int:
    from pswbench.store import backup

    try:
        tables = backup.restore(Path(args.source), Path(args.db))
    except backup.BackupError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
    print(
        f"Restored {counted(sum(tables.values()), 'row')} in {counted(len(tables), 'table')} from {args.source} "
        f"into the new database {args.db}. Point PSWBENCH_DB (or --db) at it to use it."
    )
    return EXIT_OK


def cmd_indicators(args) -> int:
    from pswbench.reports.theme_indicators import THEME_INDICATORS
    from pswbench.store import publish

    figures = THEME_INDICATORS[args.theme]

    # It only reads: while the app holds the database, the snapshot the app publishes is read instead.
    con, source_note = publish.connect_read_only(args.db, "the indicators")
    if source_note:
        print(source_note, file=sys.stderr)
    try:
        frame = figures(con, args.level, args.period)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(frame.to_dicts(), default=str, indent=2))
    else:
        sys.stdout.write(frame.write_csv())
    return EXIT_OK


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def _scale(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 400:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number from 1 to 400")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    from pswbench.cli import statistics, users

    parser = _Parser(prog="python -m pswbench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser(
        "validate", help="check the files of one return (one trust, one quarter); exit 0 valid, 1 errors, 2 unreadable"
    )
    p.add_argument("files", nargs="+", help="the files of one upload: a workbook, or CSV files one per section")
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--db", help="check against the versions loaded here (the annual sections' totals, the headcount change)"
    )
    p.add_argument("--each", action="store_true", help="check each file as a return of its own (a folder of returns)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("load", help="validate and load return files into the database")
    p.add_argument("files", nargs="+")
    p.add_argument("--db", required=True)
    p.add_argument("--user", default=None, help="who is loading (recorded); default cli:<login>")
    p.set_defaults(func=cmd_load)

    p = sub.add_parser("synth", help="write the synthetic demo returns as CSV files")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2019)
    p.add_argument(
        "--scale",
        type=_scale,
        default=1,
        help="K times the demo's rows (1 = the demo; more synthetic trusts over its 29 quarters)",
    )
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("demo", help="build a demo database from the synthetic returns")
    p.add_argument("--db", required=True)
    p.add_argument("--seed", type=int, default=2019)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("indicators", help="print the benchmarking indicators")
    p.add_argument("--db", required=True)
    p.add_argument("--period", type=_date, default=None)
    p.add_argument("--level", choices=("trust", "region", "national"), default="trust")
    p.add_argument("--format", choices=("csv", "json"), default="csv")
    from pswbench.reports.definitions import THEMES

    p.add_argument(
        "--theme",
        choices=THEMES,
        default="workforce",
        help="which figures: workforce (default), demographics, organisation (30 September), activity (contacts)",
    )
    p.set_defaults(func=cmd_indicators)

    p = sub.add_parser("backup", help="write a consistent copy of the database (Parquet) to a new folder")
    p.add_argument("--db", required=True)
    p.add_argument("--out", required=True, help="a new or empty folder")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="rebuild a database from a backup folder into a NEW file")
    p.add_argument("--from", dest="source", required=True, help="the backup folder")
    p.add_argument("--db", required=True, help="the new database file (never overwritten)")
    p.set_defaults(func=cmd_restore)

    statistics.add_arguments(sub, _date)
    users.add_arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from pswbench.store import database

    args = build_parser().parse_args(argv)
    # Every command says the same plain thing about a database it cannot use.
    try:
        return args.func(args)
    except database.DatabaseLocked as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_LOCKED
    except database.DatabaseUnreadable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNREADABLE
