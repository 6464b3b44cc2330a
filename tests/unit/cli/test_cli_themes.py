"""python -m pswbench indicators --theme organisation | activity, on the hand-worked fixture."""

from __future__ import annotations

import csv
import io
import json

import pytest

from pswbench.cli.main import main
from pswbench.store import database
from tests.helpers.conditions_data import load_fixture


@pytest.fixture
def fixture_db(tmp_path):
    path = tmp_path / "conditions.duckdb"
    con = database.connect(path)
    load_fixture(con)
    con.close()
    return path


def test_organisation_theme_prints_each_trusts_shares(fixture_db, capsys):
    assert main(["indicators", "--db", str(fixture_db), "--theme", "organisation"]) == 0
    rows = {r["trust_code"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert set(rows) == {"RX4", "RX3", "RGD", "R1L"}
    assert float(rows["RX4"]["bank_only_share"]) == pytest.approx(7 / 70)


def test_activity_theme_nationally_as_json(fixture_db, capsys):
    assert (
        main(["indicators", "--db", str(fixture_db), "--theme", "activity", "--level", "national", "--format", "json"])
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    assert [r["contacts"] for r in rows] == [930, 700]
    assert rows[0]["n_trusts_recording"] == 3 and rows[0]["n_trusts_returned"] == 4


def test_workforce_stays_the_default(fixture_db, capsys):
    assert main(["indicators", "--db", str(fixture_db)]) == 0
    default = capsys.readouterr().out
    assert main(["indicators", "--db", str(fixture_db), "--theme", "workforce"]) == 0
    assert capsys.readouterr().out == default and "vacancy_rate" in default.splitlines()[0]
