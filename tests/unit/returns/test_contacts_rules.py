"""The workforce section's optional contacts column: a whole number of 0 or more, or blank (not recorded).

Each rule on a wrong value is a case of test_validation_rules.test_gx_rule."""

from __future__ import annotations

from pswbench.returns import contract
from pswbench.returns.validate import validate_bytes
from tests.helpers.returns_kit import TODAY, csv_bytes, valid_rows


def checked(*contacts: str):
    rows = [{**r, "contacts": c} for r, c in zip(valid_rows(len(contacts)), contacts, strict=True)]
    return validate_bytes("return.csv", csv_bytes(rows, contract.WORKFORCE_COLUMNS), today=TODAY)


def test_contacts_are_read_into_the_clean_rows_blank_as_not_recorded():
    result = checked("120", "", "7.0")
    assert result.valid, [f.message for f in result.errors]
    assert result.clean["contacts"].to_list() == [120, None, 7]


def test_contacts_are_allowed_on_a_row_with_headcount_zero():
    rows = [
        {
            **valid_rows(1)[0],
            "headcount": "0",
            "wte_in_post": "0",
            "sickness_fte_days_lost": "0",
            "fte_days_available": "0",
            "leavers_headcount": "0",
            "joiners_headcount": "0",
            "contacts": "4",
        }
    ]
    result = validate_bytes("return.csv", csv_bytes(rows, contract.WORKFORCE_COLUMNS), today=TODAY)
    assert result.valid, [f.message for f in result.errors]
    assert result.clean["contacts"].to_list() == [4]
