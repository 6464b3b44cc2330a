"""The command line: exit codes, JSON shape, and the locked-database case."""

from __future__ import annotations

import json
import subprocess
import sys

import duckdb
import pytest

from pswbench.paths import EXAMPLES_DIR, ROOT
from tests.helpers.demo_data import EXAMPLE_FILE as EXAMPLE


def cli(*args, timeout=120, **kw):
    return subprocess.run(
        [sys.executable, "-m", "pswbench", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **kw,
    )


def test_validate_json_for_valid_and_invalid_files():
    r = cli("validate", EXAMPLE, EXAMPLES_DIR / "wte_exceeds_headcount.csv", "--json", "--each")
    assert r.returncode == 1, r.stderr
    good, bad = json.loads(r.stdout)
    assert good == {
        "file": "example_return.csv",
        "valid": True,
        "trust_code": "RX4",
        "period_end": "2025-09-30",
        "rows": 8,
        "errors": [],
        "warnings": [],
        "sections": [{"section": "workforce", "sheet": None, "valid": True, "rows": 8, "errors": [], "warnings": []}],
    }
    assert bad["valid"] is False
    assert set(bad["errors"][0]) == {"line", "column", "rule", "value", "message", "section"}
    assert "wte_exceeds_headcount" in {e["rule"] for e in bad["errors"]}


def test_validate_exit_0_when_all_valid_and_2_when_a_file_cannot_be_read(tmp_path):
    assert cli("validate", EXAMPLE).returncode == 0
    r = cli("validate", EXAMPLE, tmp_path / "missing.csv")
    assert r.returncode == 2 and "missing.csv" in r.stderr and "cannot be read" in r.stderr


def test_wrong_arguments_exit_2():
    assert cli("validate").returncode == 2
    assert cli("indicators", "--db", "x.duckdb", "--level", "county").returncode == 2


def test_load_prints_a_line_per_file_and_exit_codes(tmp_path):
    db = tmp_path / "p.duckdb"
    r = cli("load", EXAMPLE, "--db", db, "--user", "analyst@hee.nhs.uk")
    assert r.returncode == 0 and "accepted as version 1" in r.stdout
    r = cli("load", EXAMPLE, "--db", db)
    assert r.returncode == 0 and "duplicate" in r.stdout
    r = cli("load", EXAMPLES_DIR / "duplicate_cell.csv", "--db", db)
    assert r.returncode == 1 and "rejected" in r.stdout


def test_load_into_a_locked_database_exits_3_and_loses_nothing(tmp_path):
    db = tmp_path / "locked.duckdb"
    assert cli("load", EXAMPLE, "--db", db).returncode == 0
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        changed = tmp_path / "changed.csv"
        changed.write_bytes(EXAMPLE.read_bytes().replace(b"crisis", b"forensic", 1))
        r = cli("load", changed, "--db", db)
        assert r.returncode == 3
        assert "in use by another process" in r.stderr and "Traceback" not in r.stderr
    finally:
        holder.kill()
        holder.wait()
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*), max(version) FROM return_version").fetchone() == (1, 1)
    assert con.execute("SELECT count(*) FROM return_row").fetchone()[0] == 8
    con.close()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    r = cli("demo", "--db", db, timeout=900)  # 1,735 files: about a minute, longer on a busy machine
    assert r.returncode == 0, r.stderr
    assert "SYNTHETIC" in r.stdout
    return db


def test_demo_loads_every_synthetic_return(demo_db, tmp_path):
    from pswbench.synthetic import sections

    made = sections.generate_demo(tmp_path, seed=2019)
    annual_files = sum(p.stem.endswith(("_demographics", "_organisation")) for p in made)
    con = duckdb.connect(str(demo_db), read_only=True)
    accepted, rejected = con.execute(
        "SELECT count(*) FILTER (status = 'accepted'), count(*) FILTER (status = 'rejected') FROM submission "
        "WHERE section = 'workforce'"
    ).fetchone()
    annual = con.execute("SELECT count(*) FROM submission WHERE section <> 'workforce'").fetchone()[0]
    periods = con.execute("SELECT count(DISTINCT period_end) FROM return_version").fetchone()[0]
    con.close()
    # 29 quarters (2019-09-30 .. 2026-09-30) of every open trust, less the two deliberate gaps, and one
    # resubmission (pswbench/synthetic/sections.py RESUBMITTED)
    assert accepted == 1446 and rejected == 0 and periods == 29
    # Every annual section file is an attempt (some rejected on purpose; all, until their rules land).
    assert annual == annual_files > 0


def test_demo_national_headcount_at_the_stocktake_snapshot_is_862(demo_db):
    r = cli("indicators", "--db", demo_db, "--period", "2019-09-30", "--level", "national", "--format", "json")
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert row["headcount"] == 862


def test_indicators_csv_and_json(demo_db):
    r = cli("indicators", "--db", demo_db, "--period", "2026-09-30", "--level", "national", "--format", "json")
    assert r.returncode == 0, r.stderr
    (row,) = json.loads(r.stdout)
    assert row["period_end"] == "2026-09-30"
    assert 0 <= row["vacancy_rate"] <= 1 and row["headcount"] > 1000
    r = cli("indicators", "--db", demo_db, "--level", "region", "--period", "2026-09-30")
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 8 and lines[0].startswith("period_end,region_code")
    r = cli("indicators", "--db", demo_db)
    header = r.stdout.splitlines()[0].split(",")
    for name in (
        "trust_code",
        "period_end",
        "headcount",
        "wte_in_post",
        "vacancy_wte",
        "vacancy_rate",
        "sickness_rate",
        "leaver_rate_quarter",
        "leaver_rate_12m",
        "temporary_staffing_share",
        "wte_per_100k_population",
        "mean_wte_per_head",
    ):
        assert name in header


def test_users_commands_run_through_the_main_command_line(tmp_path):
    db = tmp_path / "u.duckdb"
    r = cli(
        "users",
        "add",
        "lead@nhs.net",
        "--role",
        "trust_lead",
        "--trust",
        "RX4",
        "--db",
        db,
        input="a-long-password-123\n",
    )
    assert r.returncode == 0, r.stderr
    assert "Added lead@nhs.net as trust_lead for trust RX4" in r.stdout
    r = cli("users", "list", "--db", db)
    assert r.returncode == 0 and "lead@nhs.net" in r.stdout
    r = cli("users", "add", "x@nhs.net", "--role", "board", "--db", db, input="a-long-password-123\n")
    assert r.returncode == 1 and "Traceback" not in r.stderr


def test_counts_agree_with_their_number(tmp_path):
    """'1 error', '1 warning', never '1 errors' / '1 warnings', in validate and load output."""
    one_error = tmp_path / "one_error.csv"
    one_error.write_bytes(EXAMPLE.read_bytes().replace(b"adult_community,3,12,", b"adult_community,3,-12,", 1))
    r = cli("validate", one_error, EXAMPLES_DIR / "high_sickness_warning.csv", "--each")
    assert "one_error.csv: INVALID (8 rows, 1 error, 0 warnings)" in r.stdout, r.stdout
    assert "high_sickness_warning.csv: valid (3 rows, 0 errors, 1 warning)" in r.stdout, r.stdout
    r = cli("load", one_error, "--db", tmp_path / "p.duckdb")
    assert "8 rows, 1 error, 0 warnings)" in r.stdout, r.stdout
    assert "1 errors" not in r.stdout and "1 warnings" not in r.stdout


def test_indicators_read_the_published_snapshot_while_the_app_holds_the_database(tmp_path):
    db = tmp_path / "held.duckdb"
    assert cli("load", EXAMPLE, "--db", db).returncode == 0  # an accepted load publishes the snapshot
    free = cli("indicators", "--db", db, "--level", "national")
    assert free.returncode == 0 and free.stderr == ""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        r = cli("indicators", "--db", db, "--level", "national")
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 0, r.stderr
    assert r.stdout == free.stdout
    assert "read from its published snapshot (held.snapshot.duckdb): data version" in r.stderr
    assert "published at 20" in r.stderr and "Traceback" not in r.stderr


def test_indicators_without_a_snapshot_exit_3_when_the_database_is_held(tmp_path):
    db = tmp_path / "held.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        r = cli("indicators", "--db", db)
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 3 and "no published snapshot" in r.stderr and "Traceback" not in r.stderr
