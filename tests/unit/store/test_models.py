"""The models (sql/macros, sql/staging, sql/intermediate) are built in the order database.MODELS declares."""

from __future__ import annotations

import re

from pswbench.paths import SQL_DIR
from pswbench.store import database


def test_every_model_file_is_listed_once_and_every_listed_model_exists():
    files = {f"{folder}/{p.stem}" for folder in database.MODEL_FOLDERS for p in (SQL_DIR / folder).glob("*.sql")}
    assert len(set(database.MODELS)) == len(database.MODELS), "a model is listed twice"
    assert sorted(files - set(database.MODELS)) == [], "model files not in database.MODELS"
    assert sorted(set(database.MODELS) - files) == [], "database.MODELS names models with no file"


def test_models_build_in_the_declared_order_on_an_empty_database():
    con = database.connect(":memory:")  # a writer: schema, then every model in order
    try:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert {m.split("/")[1] for m in database.MODELS if not m.startswith("macros/")} <= views
    finally:
        con.close()


def test_only_staging_reads_the_tables():
    """Macros and intermediates read staging models (or each other), never a table itself."""
    con = database.connect(":memory:")
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    for model in database.MODELS:
        if model.startswith("staging/"):
            continue
        words = re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", database.sql(model), re.IGNORECASE)
        assert not set(words) & tables, (model, sorted(set(words) & tables))


def test_a_writer_drops_the_views_of_earlier_versions(tmp_path):
    con = database.connect(tmp_path / "old.duckdb")
    con.execute("CREATE VIEW stg_current_return_rows AS SELECT * FROM return_row")
    con.close()
    con = database.connect(tmp_path / "old.duckdb")
    try:
        views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
        assert not views & set(database.RETIRED_VIEWS)
    finally:
        con.close()


def test_the_rate_formulas_are_written_only_in_the_rates_macros():
    """A division by a guarded denominator anywhere but sql/macros/rates.sql is a formula written twice."""
    for model in database.MODELS:
        if model != "macros/rates":
            assert not re.search(r"/\s*nullif\(", database.sql(model), re.IGNORECASE), model


def test_the_ambitions_are_loaded_and_an_older_file_read_only_still_has_them(tmp_path):
    rows = database._read_reference("ambition.csv")
    con = database.connect(tmp_path / "new.duckdb")
    try:
        loaded = con.sql(database.sql("queries/ambitions")).fetchall()
        assert [r[0] for r in loaded] == sorted((r["ambition_id"] for r in rows), key=lambda i: i)
        # a file written before the table existed: drop it, then open read-only as a viewer would
        con.execute("DROP VIEW stg_ambition")
        con.execute("DROP TABLE ambition")
    finally:
        con.close()
    ro = database.connect(tmp_path / "new.duckdb", read_only=True)
    try:
        assert len(ro.sql(database.sql("queries/ambitions")).fetchall()) == len(rows)
    finally:
        ro.close()
    again = database.connect(tmp_path / "new.duckdb")  # and a writer puts the table back
    try:
        assert again.execute("SELECT count(*) FROM ambition").fetchone()[0] == len(rows)
    finally:
        again.close()
