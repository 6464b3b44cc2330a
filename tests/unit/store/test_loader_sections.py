"""Loading an upload by section: each section its own submission, verdict and version, in one transaction."""

from __future__ import annotations

import datetime as dt

import pytest

from pswbench.paths import DATA_DIR
from pswbench.returns import contract
from pswbench.returns.validate import validate_upload
from pswbench.store import database, loader

TODAY = dt.date(2026, 11, 15)
WORKBOOK = (DATA_DIR / "example_return.xlsx").read_bytes()


@pytest.fixture
def con(tmp_path):
    c = database.connect(tmp_path / "s.duckdb")
    yield c
    c.close()


def load(con, files):
    upload = validate_upload(files, today=TODAY, loaded_total=loader.loaded_total_lookup(con))
    return loader.load_upload(con, upload.files, "lead@trust.nhs.uk", publish=False)


def test_a_workbooks_sections_each_get_their_own_submission_and_verdict(con):
    (outcome,) = load(con, [("example_return.xlsx", WORKBOOK)])
    by_section = {o.section: o for o in outcome.sections}
    assert set(by_section) == {"workforce", "demographics", "organisation"}
    assert by_section["workforce"].status == "accepted" and by_section["workforce"].version == 1
    assert by_section["demographics"].status == by_section["organisation"].status == "accepted"
    assert by_section["demographics"].version == by_section["organisation"].version == 1
    rows = con.sql("SELECT section, sheet, status, upload_id FROM submission ORDER BY submission_id").fetchall()
    assert [(s, sh, st) for s, sh, st, _ in rows] == [
        ("workforce", "Workforce", "accepted"),
        ("demographics", "Demographics", "accepted"),
        ("organisation", "Organisation", "accepted"),
    ]
    assert len({u for *_, u in rows}) == 1  # one upload
    n = sum(len(c) for _l, c in contract.DEMOGRAPHIC_DIMENSIONS.values())
    assert con.sql("SELECT count(*) FROM demographic_row").fetchall() == [(n,)]
    assert con.sql("SELECT count(*), min(trust_code), min(period_end) FROM organisation_row").fetchall() == [
        (1, "RX4", dt.date(2026, 9, 30))
    ]
    # Each annual version records the workforce total it was checked against.
    total = con.sql("SELECT sum(headcount) FROM return_row").fetchall()[0][0]
    versions = con.sql(
        "SELECT section, version, checked_headcount FROM section_version WHERE section <> 'workforce' ORDER BY section"
    ).fetchall()
    assert versions == [("demographics", 1, total), ("organisation", 1, total)]
    assert con.sql("SELECT sum(headcount) FROM demographic_row WHERE dimension = 'gender'").fetchall() == [(total,)]
    assert outcome.status == "accepted"


def test_an_unchanged_section_inside_a_changed_workbook_is_a_duplicate_by_content(con):
    load(con, [("example_return.xlsx", WORKBOOK)])
    # The same workforce figures from another file (the CSV example for the same quarter): same content.
    csv = (DATA_DIR / "example_workforce.csv").read_bytes()
    (outcome,) = load(con, [("example_workforce.csv", csv)])
    assert outcome.status == "duplicate" and outcome.version == 1


def test_an_upload_holds_one_return_and_each_section_once():
    csv = (DATA_DIR / "example_workforce.csv").read_bytes()
    other = (DATA_DIR / "example_return.csv").read_bytes()  # RX4, but 2025-09-30
    upload = validate_upload([("a.csv", csv), ("b.csv", other)], today=TODAY)
    rules = {f.rule for r in upload.files for f in r.errors}
    assert "mixed_returns" in rules and "section_twice" in rules
    assert not upload.valid
    (mixed,) = {f.message for f in upload.files[0].errors if f.rule == "mixed_returns"}
    assert "a.csv" in mixed and "b.csv" in mixed
    upload = validate_upload([("a.csv", csv), ("a-again.csv", csv)], today=TODAY)
    assert {f.rule for r in upload.files for f in r.errors} == {"section_twice"}


def test_annual_sections_checked_against_a_loaded_total_are_rechecked_with_the_same_trusts_and_day(con):
    """A trust only the caller's reference knows (as the scale test's synthetic trusts): the loader's re-check
    inside its transaction must use that reference and day too, or it would reject what the check accepted."""
    reference = {"ZZ1": ("A synthetic trust", None, None)}

    def example(name: str) -> tuple[str, bytes]:
        return name, (DATA_DIR / name).read_bytes().replace(b"RX4", b"ZZ1")

    def upload(*names: str):
        files = [example(n) for n in names]
        checked = validate_upload(
            files, today=TODAY, trust_reference=reference, loaded_total=loader.loaded_total_lookup(con)
        )
        return loader.load_upload(con, checked.files, "lead@trust.nhs.uk", publish=False)

    (workforce,) = upload("example_workforce.csv")
    assert workforce.status == "accepted"
    outcomes = upload("example_demographics.csv", "example_organisation.csv")
    assert [o.status for o in outcomes] == ["accepted", "accepted"], [
        f.message for o in outcomes for f in o.result.errors
    ]
    assert con.sql("SELECT DISTINCT trust_code FROM organisation_row").fetchall() == [("ZZ1",)]
