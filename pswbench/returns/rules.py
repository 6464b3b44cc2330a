"""Every rule a return is checked against: its id, whether it blocks the load, and where it lives.

A finding's `rule` is one of these ids (stable: trusts and docs/return-spec.md refer to them). The
checks run in this order (pswbench.returns.validate): reading the file (reader, its limits in
read_limits, workbooks in xlsx), the column and row rules of the Great Expectations suite
(validation/return_rows_suite.json, run by gx_rules), the rules GX cannot express (cross_checks),
and at upload the trust check (uploads). tests/unit/returns/test_rules_registry.py fails when a check
raises an id that is not listed here, or a listed id is raised nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

READER = "pswbench/returns/reader.py"
READ_LIMITS = "pswbench/returns/read_limits.py"
XLSX = "pswbench/returns/xlsx.py"
SUITE = "validation/return_rows_suite.json"
CROSS_CHECKS = "pswbench/returns/cross_checks.py"
VALIDATE = "pswbench/returns/validate.py"  # names the one-value-per-file rules cross_checks.single_value raises
UPLOADS = "pswbench/returns/uploads.py"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" blocks the load; "warning" is shown and recorded
    where: tuple[str, ...]  # the files that raise it


def _rules(severity: str, where: tuple[str, ...], *ids: str) -> list[Rule]:
    return [Rule(i, severity, where) for i in ids]


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        # reading the file
        *_rules("error", (READER,), "empty_file", "not_a_csv", "malformed_csv", "no_data_rows", "wrong_field_count"),
        *_rules("error", (READER,), "duplicate_column", "unknown_column", "missing_column"),
        *_rules("error", (READ_LIMITS, XLSX), "file_too_large"),
        *_rules("error", (READ_LIMITS, READER), "too_many_rows"),
        *_rules("error", (READ_LIMITS,), "too_many_columns", "cell_too_long"),
        *_rules("error", (XLSX,), "unreadable_xlsx"),
        # the column and row rules (Great Expectations)
        *_rules("error", (SUITE,), "required_value", "not_a_number", "not_a_whole_number", "non_ascii_digit"),
        *_rules("error", (SUITE,), "negative_value", "value_too_large", "notes_too_long", "bad_date"),
        *_rules("error", (SUITE,), "not_a_real_date"),
        *_rules("error", (SUITE,), "not_quarter_end", "period_in_future", "period_too_early"),
        *_rules("error", (SUITE,), "unknown_service_setting", "unknown_afc_band"),
        *_rules("error", (SUITE,), "wte_exceeds_headcount", "joiners_exceed_headcount"),
        *_rules("error", (SUITE,), "sickness_exceeds_available", "no_days_available", "no_wte_with_staff"),
        # across rows and against reference data
        *_rules("error", (VALIDATE,), "mixed_trust_codes", "mixed_periods"),
        *_rules("error", (CROSS_CHECKS,), "duplicate_cell"),
        *_rules("error", (CROSS_CHECKS,), "unknown_trust_code", "trust_not_open"),
        *_rules("warning", (CROSS_CHECKS,), "fte_days_mismatch", "high_sickness_rate", "high_vacancy_rate"),
        *_rules("warning", (CROSS_CHECKS,), "high_leaver_rate", "headcount_change"),
        # at upload
        *_rules("error", (UPLOADS,), "not_your_trust"),
    ]
}
