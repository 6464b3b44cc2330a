"""Opening the DuckDB file, running the schema, loading SQL by name, and the one transaction helper.

Every fixed statement is a file in sql/ (sql/queries: one statement each, $name parameters), loaded
with sql("queries/<name>"). Written in Python, because they are built at run time, are only:

* statements naming a file or an attached database, which DuckDB takes no parameter for: ATTACH,
  COPY FROM DATABASE, CHECKPOINT <alias>, DETACH and the read of the copy's data_version
  (store/publish.py), EXPORT DATABASE and IMPORT DATABASE (store/backup.py);
* counts over a table whose name is read from the catalog: every table of a file read once before
  it is opened for writing (_check_file here), each exported table counted (store/backup.py _tables);
* the schema migration's ALTER TABLE (_migrate_sign_in_counters), transaction control (transaction)
  and CHECKPOINT, which are not queries.

tests/unit/test_sql_in_sql_folder.py fails when any other SELECT, INSERT, UPDATE or DELETE is
written in a module under pswbench/.
"""

from __future__ import annotations

import csv
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import duckdb

from pswbench.paths import REFERENCE_DIR, SQL_DIR

log = logging.getLogger(__name__)

VIEWER_EVENT_KEY = "viewer_event_key"  # app_setting: the HMAC key of viewer events


class DatabaseLocked(RuntimeError):
    """Another process holds the database file for writing."""


class DatabaseUnreadable(RuntimeError):
    """The file exists but is not a DuckDB database we can open."""


@cache
def sql(name: str) -> str:
    """The text of sql/<name>.sql (name may include a sub-folder, e.g. 'marts/trust_indicators')."""
    path = (SQL_DIR / f"{name}.sql").resolve()
    if SQL_DIR.resolve() not in path.parents:
        raise ValueError(f"not a query name: {name!r}")
    return path.read_text(encoding="utf-8")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN TRANSACTION; COMMIT when the block ends; ROLLBACK when it raises anything, then re-raise.

    A failed COMMIT (a write conflict, a duplicate key) is raised as itself: DuckDB has already ended
    that transaction. The exception the block (or COMMIT) raised is the one the caller gets, even when
    ROLLBACK then fails too: "no transaction is active" (COMMIT had already ended it) is expected and
    ignored; any other failure of ROLLBACK is logged, never raised in the original's place.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error as exc:
            if "no transaction is active" not in str(exc):
                log.warning("ROLLBACK failed after an error (raising the error): %s", exc)
        raise


RESTORE_HINT = (
    "Restore it from a backup (python -m pswbench restore --from BACKUP_DIR --db NEW_PATH) "
    "or point PSWBENCH_DB / --db at the right file. The file has been left exactly as it was."
)
_MAGIC, _MAGIC_AT = b"DUCK", 8


def _unreadable(path: Path, why: str) -> DatabaseUnreadable:
    return DatabaseUnreadable(f"The database {path} could not be opened: {why}. {RESTORE_HINT}")


def _check_file(path: Path) -> None:
    """Refuse, before DuckDB touches it, a path that is not a whole DuckDB file.

    DuckDB opens a truncated file read-write and writes to it; an empty file is refused too,
    rather than ever treated as a new database. A missing path is fine: a writer creates it.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise _unreadable(path, "it is a folder, not a database file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(_MAGIC_AT + len(_MAGIC))
    except OSError as exc:
        raise _unreadable(path, f"it cannot be read ({exc.strerror or exc}); check its permissions") from exc
    if not head:
        raise _unreadable(path, "the file is empty (0 bytes), so it holds no data")
    if head[_MAGIC_AT:] != _MAGIC:
        raise _unreadable(path, "it is not a DuckDB database file (it may be damaged or the wrong file)")
    try:
        probe = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException as exc:
        if "different configuration" in str(exc):
            return  # this process already has it open (and checked it when it did)
        raise
    # Read every stored value once: a file cut short fails here, read-only, before a writer touches
    # it. (Comparing the file's size with DuckDB's block count is not enough: a checkpoint can
    # shrink a healthy file below the blocks DuckDB still lists as free.)
    try:
        tables = probe.execute(sql("queries/stored_table_names")).fetchall()
        for (table,) in tables:
            quoted = table.replace('"', '""')
            probe.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{quoted}"').fetchall()
    except duckdb.Error as exc:
        raise _unreadable(
            path, f"the file is damaged or truncated (DuckDB could not read all of it: {str(exc).splitlines()[0]})"
        ) from exc
    finally:
        probe.close()


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; a writer also makes sure the schema and reference data exist.

    Raises DatabaseLocked when another process holds it, DatabaseUnreadable when the file is not
    a whole DuckDB database (empty, truncated, not DuckDB, a folder, unreadable): such a file is
    never opened for writing, so it is left byte for byte as it was.
    """
    path = Path(path)
    try:
        _check_file(path)
        con = duckdb.connect(str(path), read_only=read_only)
    except DatabaseUnreadable:
        raise
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseLocked(
                f"The database {path} is in use by another process (for example the running app). "
                "Nothing was changed. Stop that process or try again in a moment."
            ) from exc
        raise _unreadable(path, text.splitlines()[0]) from exc
    except (duckdb.Error, OSError) as exc:
        raise _unreadable(path, str(exc).splitlines()[0]) from exc
    if read_only:
        if not con.execute(sql("queries/table_exists"), {"name": "ambition"}).fetchone()[0]:
            # A file last written before the ambition table existed: the reference rows as a temp table.
            con.execute(sql("schema_ambition").replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE"))
            _load_ambitions(con)
        _add_section_tables_for_reading(con)
        _create_views(con, temporary=True)
    else:
        ensure_schema(con)
    return con


# Every model (macro or view) in build order: each may use only those above it. database.connect
# creates them in this order and backup.py writes them into a backup in this order, so neither
# depends on file names. tests/unit/store/test_models.py fails when a file in sql/macros, sql/staging or
# sql/intermediate is missing here, or a name here has no file.
MODELS: tuple[str, ...] = (
    "macros/rates",
    "macros/pool_trusts",
    # organisational conditions and activity (issue 12)
    "macros/pool_conditions",
    "macros/pool_activity",
    "staging/stg_return_row",
    "staging/stg_return_version",
    "staging/stg_trust",
    "staging/stg_region",
    "staging/stg_ambition",
    "staging/stg_demographic_row",
    "staging/stg_organisation_row",
    "staging/stg_section_version",
    "intermediate/int_current_return_rows",
    "intermediate/int_current_sections",
    "intermediate/int_current_demographics",
    "intermediate/int_current_organisation",
    # organisational conditions and activity (issue 12)
    "intermediate/int_trust_conditions",
    "intermediate/int_trust_activity",
    "intermediate/int_trust_indicators",
    "intermediate/int_trust_pooled",
)
MODEL_FOLDERS = ("macros", "staging", "intermediate")
# Views of earlier versions, dropped by a writer so a database file holds only today's models.
RETIRED_VIEWS = ("stg_current_return_rows", "int_trust_values")


_ADDED_COLUMN = re.compile(
    r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+) (\w+)(?: DEFAULT ('[^']*'))?", re.IGNORECASE
)


def _add_section_tables_for_reading(con: duckdb.DuckDBPyConnection) -> None:
    """A file last written before version 2 of the return, opened read-only: its new tables as empty
    temporary tables and its tables without their new columns as temporary views that add them (the
    default, or null), so today's models answer without changing the file. A writer adds them for
    good (sql/schema_sections.sql)."""
    if con.execute(sql("queries/table_exists"), {"name": "section_version"}).fetchone()[0]:
        return
    added: dict[str, list[str]] = {}
    for statement in duckdb.extract_statements(sql("schema_sections")):
        text = statement.query.strip()
        if text.upper().startswith("CREATE TABLE IF NOT EXISTS"):
            con.execute(text.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE", 1))
        elif m := _ADDED_COLUMN.match(text):
            table, column, kind, default = m.groups()
            added.setdefault(table, []).append(f"{default or 'NULL'}::{kind} AS {column}")
    catalog = identifier(con.execute(sql("queries/current_database_file")).fetchone()[0])
    for table, columns in added.items():
        # Named with its catalog: an unqualified name would find this view itself.
        con.execute(f"CREATE TEMP VIEW {table} AS SELECT *, {', '.join(columns)} FROM {catalog}.main.{table}")


def _create_views(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """The macros and views of MODELS, in that order.

    A read-only connection cannot change the file, so it gets them as temporary views: a database
    written by an older version still answers with today's definitions.
    """
    for model in MODELS:
        text = sql(model)
        if temporary:
            text = text.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW").replace(
                "CREATE OR REPLACE MACRO", "CREATE OR REPLACE TEMP MACRO"
            )
        con.execute(text)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    with transaction(con):
        con.execute(sql("schema"))
        con.execute(sql("schema_users"))
        con.execute(sql("schema_ambition"))
        con.execute(sql("schema_sections"))
        _create_views(con)
        for view in RETIRED_VIEWS:
            con.execute(f"DROP VIEW IF EXISTS {view}")
        if con.execute(sql("queries/region_count")).fetchone()[0] == 0:
            _load_reference(con)
        _load_ambitions(con)  # on every writer's start: a database made before the file existed gets it
        con.execute(sql("queries/init_data_version"))
        _migrate_sign_in_counters(con)
        # Random secrets per database: peer_salt, so peer labels cannot be recomputed from the public
        # code list; viewer_event_key, with which read-only viewers sign the events they spool for the
        # writer (they read it from the snapshot; pswbench.store.viewer_events); session_key, which signs
        # session cookies (pswbench.access.session_cookie), so the writer and every viewer accept the same cookie.
        for key, size in (("peer_salt", 16), (VIEWER_EVENT_KEY, 32), ("session_key", 32)):
            con.execute(sql("queries/add_setting_if_absent"), {"key": key, "value": secrets.token_hex(size)})


def _migrate_sign_in_counters(con: duckdb.DuckDBPyConnection) -> None:
    """A database from before sign_in_throttle kept failures on app_user: move them, drop the columns."""
    columns = {r[0] for r in con.execute(sql("queries/app_user_columns")).fetchall()}
    if "failed_attempts" not in columns:
        return
    con.execute(sql("queries/move_sign_in_counters"), {"now": datetime.now(UTC).replace(tzinfo=None)})
    con.execute("ALTER TABLE app_user DROP COLUMN failed_attempts")
    con.execute("ALTER TABLE app_user DROP COLUMN IF EXISTS locked_until")


def _read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    for r in _read_reference("nhs_regions.csv"):
        con.execute(
            sql("queries/insert_region"),
            {
                "region_code": r["region_code"],
                "region_name": r["region_name"],
                "ons_code": r["ons_code"],
                "population": int(r["population_census_2021"]),
            },
        )
    for t in _read_reference("mental_health_trusts.csv"):
        con.execute(
            sql("queries/insert_trust"),
            {
                "trust_code": t["trust_code"],
                "trust_name": t["trust_name"],
                "region_code": t["region_code"],
                "icb_code": t["icb_code"] or None,
                "open_date": t["open_date"] or None,
                "close_date": t["close_date"] or None,
            },
        )


def _load_ambitions(con: duckdb.DuckDBPyConnection) -> None:
    for a in _read_reference("ambition.csv"):
        con.execute(sql("queries/insert_ambition"), {**a, "target": float(a["target"]), "note": a["note"] or None})


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql("queries/bump_data_version"))


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute(sql("queries/data_version")).fetchone()[0]


def setting(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute(sql("queries/setting"), {"key": key}).fetchall()
    return row[0][0] if row else None


def literal(text: str) -> str:
    """A string as an SQL literal, for the statements that take no parameters (ATTACH, EXPORT, IMPORT)."""
    return "'" + text.replace("'", "''") + "'"


def identifier(text: str) -> str:
    """A name as a quoted SQL identifier."""
    return '"' + text.replace('"', '""') + '"'
