"""The models (sql/macros, sql/staging, sql/intermediate) are built in the order database.MODELS declares."""

from __future__ import annotations

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
