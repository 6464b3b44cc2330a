"""`python -m pswbench indicators --theme ...`: demographics as CSV or JSON; workforce unchanged by default."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers.sections_data import build_fixture
from tests.unit.cli.test_cli import cli


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "d.duckdb"
    build_fixture(path).close()
    return path


def test_demographics_by_region_as_json(db):
    r = cli(
        "indicators",
        "--db",
        db,
        "--theme",
        "demographics",
        "--level",
        "region",
        "--period",
        "2025-09-30",
        "--format",
        "json",
    )
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    white = next(x for x in rows if x["region_code"] == "Y63" and x["category"] == "white")
    assert white["headcount"] == 65 and white["n_trusts"] == 4
    assert white["share_of_stated"] == pytest.approx(65 / 78)
    assert white["not_stated_share"] == pytest.approx(7 / 85)


def test_demographics_for_england_as_csv(db):
    r = cli("indicators", "--db", db, "--theme", "demographics", "--level", "national")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert {row["category"]: int(row["headcount"]) for row in rows if row["dimension"] == "ethnic_group"} == {
        "white": 113,
        "mixed": 6,
        "asian": 16,
        "black": 8,
        "other": 3,
        "not_stated": 9,
    }


def test_workforce_is_the_default_theme_and_its_output_is_unchanged(db):
    default = cli("indicators", "--db", db, "--level", "national")
    workforce = cli("indicators", "--db", db, "--level", "national", "--theme", "workforce")
    assert default.returncode == workforce.returncode == 0
    assert default.stdout == workforce.stdout and "wte_in_post" in default.stdout.splitlines()[0]


def test_an_unknown_theme_is_refused(db):
    r = cli("indicators", "--db", db, "--theme", "weather")
    assert r.returncode == 2 and "invalid choice" in r.stderr
