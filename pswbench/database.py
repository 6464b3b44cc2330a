"""Opening the DuckDB file, running the schema, and loading SQL by name."""
from __future__ import annotations

import csv
import secrets
from functools import cache
from pathlib import Path

import duckdb

from .paths import REFERENCE_DIR, SQL_DIR


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


RESTORE_HINT = ("Restore it from a backup (python -m pswbench restore --from BACKUP_DIR --db NEW_PATH) "
                "or point PSWBENCH_DB / --db at the right file. The file has been left exactly as it was.")
_HEADER_BYTES = 3 * 4096        # DuckDB's main header and its two database headers
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
            return   # this process already has it open (and checked it when it did)
        raise
    # Read every stored value once: a file cut short fails here, read-only, before a writer touches
    # it. (Comparing the file's size with DuckDB's block count is not enough: a checkpoint can
    # shrink a healthy file below the blocks DuckDB still lists as free.)
    try:
        tables = probe.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
                               ).fetchall()
        for (table,) in tables:
            quoted = table.replace('"', '""')
            probe.execute(f'SELECT count(*), sum(hash(COLUMNS(*))) FROM "{quoted}"').fetchall()
    except duckdb.Error as exc:
        raise _unreadable(path, "the file is damaged or truncated (DuckDB could not read all of it: "
                                f"{str(exc).splitlines()[0]})") from exc
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
        _create_views(con, temporary=True)
    else:
        ensure_schema(con)
    return con


def _create_views(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """The views, in dependency order: staging renames, intermediate builds on staging.

    A read-only connection cannot change the file, so it gets them as temporary views: a database
    written by an older version still answers with today's definitions.
    """
    for folder in ("staging", "intermediate"):
        for path in sorted((SQL_DIR / folder).glob("*.sql")):
            text = sql(f"{folder}/{path.stem}")
            if temporary:
                text = text.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW", 1)
            con.execute(text)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("schema"))
        con.execute(sql("schema_users"))
        _create_views(con)
        if con.execute("SELECT count(*) FROM region").fetchone()[0] == 0:
            _load_reference(con)
        con.execute(
            "INSERT INTO data_version SELECT 1, 0, now() WHERE NOT EXISTS (SELECT 1 FROM data_version)"
        )
        # A random secret per database, so peer labels cannot be recomputed from the public code list.
        con.execute("INSERT INTO app_setting SELECT 'peer_salt', ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM app_setting WHERE key = 'peer_salt')", [secrets.token_hex(16)])
        # The key that signs session cookies (pswbench.session_cookie), here so the writer and every
        # viewer reading its snapshot accept the same cookie.
        con.execute("INSERT INTO app_setting SELECT 'session_key', ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM app_setting WHERE key = 'session_key')", [secrets.token_hex(32)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _read_reference(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _load_reference(con: duckdb.DuckDBPyConnection) -> None:
    for r in _read_reference("nhs_regions.csv"):
        con.execute(
            sql("queries/insert_region"),
            [r["region_code"], r["region_name"], r["ons_code"], int(r["population_census_2021"])],
        )
    for t in _read_reference("mental_health_trusts.csv"):
        con.execute(
            sql("queries/insert_trust"),
            [
                t["trust_code"], t["trust_name"], t["region_code"], t["icb_code"] or None,
                t["open_date"] or None, t["close_date"] or None,
            ],
        )


def bump_data_version(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("UPDATE data_version SET version = version + 1, changed_at = now()")


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT version FROM data_version").fetchone()[0]


def setting(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    row = con.execute("SELECT value FROM app_setting WHERE key = ?", [key]).fetchall()
    return row[0][0] if row else None
