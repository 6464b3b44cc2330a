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


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database; a writer also makes sure the schema and reference data exist."""
    path = Path(path)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise DatabaseLocked(
                f"The database {path} is in use by another process (for example the running app). "
                "Nothing was changed. Stop that process or try again in a moment."
            ) from exc
        raise DatabaseUnreadable(
            f"The database {path} could not be opened: {text.splitlines()[0]}. "
            "Check the file and its permissions, or restore it from a backup."
        ) from exc
    except (duckdb.Error, OSError) as exc:
        raise DatabaseUnreadable(
            f"The database {path} could not be opened: {str(exc).splitlines()[0]}. "
            "Check the file, or restore it from a backup."
        ) from exc
    if not read_only:
        ensure_schema(con)
    return con


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(sql("schema"))
        con.execute(sql("schema_users"))
        # Views, in dependency order: staging renames, intermediate builds on staging.
        for folder in ("staging", "intermediate"):
            for path in sorted((SQL_DIR / folder).glob("*.sql")):
                con.execute(sql(f"{folder}/{path.stem}"))
        if con.execute("SELECT count(*) FROM region").fetchone()[0] == 0:
            _load_reference(con)
        con.execute(
            "INSERT INTO data_version SELECT 1, 0, now() WHERE NOT EXISTS (SELECT 1 FROM data_version)"
        )
        # A random secret per database, so peer labels cannot be recomputed from the public code list.
        con.execute("INSERT INTO app_setting SELECT 'peer_salt', ? WHERE NOT EXISTS "
                    "(SELECT 1 FROM app_setting WHERE key = 'peer_salt')", [secrets.token_hex(16)])
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
