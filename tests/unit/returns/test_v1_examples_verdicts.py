"""A version 1 file gives the same verdict as before the return had sections (issue 12, "Done when").

The expected values are what main gave before the version 2 reader (commit 779c525), recorded here.
"""

from __future__ import annotations

import pytest

from pswbench.paths import DATA_DIR
from pswbench.returns.reader import read_return, read_sections
from pswbench.returns.validate import validate_bytes
from tests.helpers.returns_kit import TODAY

# file: (valid, the set of error rules, the set of warning rules)
BEFORE = {
    "examples/bad_date_format.csv": (False, {"bad_date"}, set()),
    "examples/duplicate_cell.csv": (False, {"duplicate_cell"}, set()),
    "examples/high_sickness_warning.csv": (True, set(), {"high_sickness_rate"}),
    "examples/missing_column.csv": (False, {"missing_column"}, set()),
    "examples/semicolon_windows1252_valid.csv": (True, set(), set()),
    "examples/two_periods_in_one_file.csv": (False, {"mixed_periods"}, set()),
    "examples/unknown_trust_code.csv": (False, {"unknown_trust_code"}, set()),
    "examples/wte_exceeds_headcount.csv": (False, {"wte_exceeds_headcount"}, set()),
    "example_return.csv": (True, set(), set()),
    "template.csv": (False, {"no_data_rows"}, set()),
}


def test_every_example_file_is_listed():
    on_disk = {f"examples/{p.name}" for p in (DATA_DIR / "examples").glob("*.csv")}
    assert on_disk <= set(BEFORE)


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_a_version_1_file_gives_the_verdict_it_gave_before(name):
    data = (DATA_DIR / name).read_bytes()
    result = validate_bytes(name, data, today=TODAY)
    valid, errors, warnings = BEFORE[name]
    assert (result.valid, {f.rule for f in result.errors}, {f.rule for f in result.warnings}) == (
        valid,
        errors,
        warnings,
    ), result.findings


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_a_version_1_file_is_one_workforce_section_with_a_blank_contacts_column(name):
    data = (DATA_DIR / name).read_bytes()
    (raw,) = read_sections(name, data)
    assert raw.section == "workforce" and raw.sheet is None
    again = read_return(name, data)
    assert (again.section, again.findings) == (raw.section, raw.findings)
    if raw.frame is not None:
        assert again.frame.equals(raw.frame)
        assert raw.frame["contacts"].null_count() == raw.frame.height
