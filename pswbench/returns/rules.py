"""Every rule a return is checked against: its id, whether it blocks the load, and where it lives.

A finding's `rule` is one of these ids (stable: trusts and docs/return-spec.md refer to them). The
checks run in this order (pswbench.returns.validate): reading the file (reader, its header in headers,
its limits in read_limits, workbooks in xlsx), the column and row rules of the Great Expectations suite
(validation/return_rows_suite.json, run by gx_rules), the rules GX cannot express (cross_checks),
the annual sections' rules (section_common, demographics_rules, organisation_rules), and at upload
the trust check (uploads). tests/unit/returns/test_rules_registry.py fails when a check
raises an id that is not listed here, or a listed id is raised nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

READER = "pswbench/returns/reader.py"
HEADERS = "pswbench/returns/headers.py"
READ_LIMITS = "pswbench/returns/read_limits.py"
XLSX = "pswbench/returns/xlsx.py"
SUITE = "validation/return_rows_suite.json"
CROSS_CHECKS = "pswbench/returns/cross_checks.py"
VALIDATE = "pswbench/returns/validate.py"  # names the one-value-per-file rules cross_checks.single_value raises
UPLOADS = "pswbench/returns/uploads.py"
SECTION_COMMON = "pswbench/returns/section_common.py"  # the annual sections' trust, period, total and counts
DEMOGRAPHICS_RULES = "pswbench/returns/demographics_rules.py"
ORGANISATION_RULES = "pswbench/returns/organisation_rules.py"
ANNUAL_CELLS = (SECTION_COMMON, DEMOGRAPHICS_RULES, ORGANISATION_RULES)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" blocks the load; "warning" is shown and recorded
    where: tuple[str, ...]  # the files that raise it
    title: str  # a short plain-English name, for charts and tables that count findings by rule


def _rules(severity: str, where: tuple[str, ...], **titles: str) -> list[Rule]:
    return [Rule(i, severity, where, title) for i, title in titles.items()]


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        # reading the file
        *_rules(
            "error",
            (READER,),
            empty_file="File is empty",
            not_a_csv="Not a CSV or Excel file",
            malformed_csv="CSV cannot be read",
            no_data_rows="No data rows",
            wrong_field_count="Wrong number of cells in a row",
        ),
        *_rules("error", (READER,), formula_without_value="Formula with no saved result"),
        *_rules("warning", (READER,), hidden_sheet="Hidden sheet not read", unread_sheet="Sheet not read"),
        *_rules(
            "error",
            (HEADERS,),
            duplicate_column="Column given twice",
            unknown_column="Column we do not know",
            missing_column="Required column missing",
        ),
        *_rules(
            "error",
            (HEADERS,),
            header_not_found="No row of column names",
            tab_delimited="Separated by tabs",
            section_on_wrong_sheet="Section on the wrong sheet",
        ),
        *_rules("error", (READ_LIMITS, XLSX), file_too_large="File too large"),
        *_rules("error", (READ_LIMITS, READER), too_many_rows="Too many rows"),
        *_rules("error", (READ_LIMITS,), too_many_columns="Too many columns", cell_too_long="Cell too long"),
        *_rules("error", (XLSX,), unreadable_xlsx="Workbook cannot be read"),
        # the column and row rules (Great Expectations); the annual sections' cells break the same ones
        *_rules("error", (SUITE, *ANNUAL_CELLS), required_value="Required value blank"),
        *_rules("error", (SUITE,), not_a_number="Not a number"),
        *_rules(
            "error",
            (SUITE, SECTION_COMMON),
            not_a_whole_number="Not a whole number",
            non_ascii_digit="Digits other than 0-9",
            negative_value="Negative number",
            value_too_large="Number far too large",
        ),
        *_rules("error", (SUITE, ORGANISATION_RULES), notes_too_long="Notes too long"),
        *_rules(
            "error",
            (SUITE, SECTION_COMMON),
            bad_date="Date we cannot read",
            not_a_real_date="Date that does not exist",
            date_has_time="Date with a time of day",
            not_quarter_end="Date is not a quarter end",
            period_in_future="Quarter not yet ended",
        ),
        *_rules("error", (SUITE,), period_too_early="Quarter before collection began"),
        *_rules(
            "error", (SUITE,), unknown_service_setting="Unknown service setting", unknown_afc_band="Unknown AfC band"
        ),
        *_rules(
            "error",
            (SUITE,),
            wte_exceeds_headcount="WTE above headcount",
            joiners_exceed_headcount="Joiners above headcount",
        ),
        *_rules(
            "error",
            (SUITE,),
            sickness_exceeds_available="Sickness above days available",
            no_days_available="No days available for staff in post",
            no_wte_with_staff="No WTE for staff in post",
        ),
        # across rows and against reference data
        *_rules(
            "error",
            (VALIDATE, SECTION_COMMON),
            mixed_trust_codes="More than one trust",
            mixed_periods="More than one quarter",
        ),
        # across the files and sections of one upload
        *_rules(
            "error", (VALIDATE,), mixed_returns="Files hold more than one return", section_twice="Section given twice"
        ),
        *_rules("error", (CROSS_CHECKS,), duplicate_cell="Setting and band given twice"),
        *_rules(
            "error", (CROSS_CHECKS,), unknown_trust_code="Unknown trust code", trust_not_open="Trust not open then"
        ),
        *_rules(
            "warning",
            (CROSS_CHECKS,),
            fte_days_mismatch="Days available do not match WTE",
            high_sickness_rate="High sickness rate",
            high_vacancy_rate="High vacancy rate",
        ),
        *_rules(
            "warning",
            (CROSS_CHECKS,),
            high_leaver_rate="High leaver rate",
            headcount_change="Large change in headcount",
        ),
        # at upload
        *_rules("error", (UPLOADS,), not_your_trust="Another trust's return"),
        # the annual sections (demographics, organisational conditions)
        *_rules(
            "error",
            (SECTION_COMMON,),
            not_annual_period="Annual section not for 30 September",
            no_workforce_total="No workforce total to check against",
        ),
        *_rules(
            "error",
            (DEMOGRAPHICS_RULES,),
            unknown_dimension="Unknown dimension",
            unknown_category="Unknown category",
            missing_dimension="Dimension missing",
            missing_category="Category missing",
            duplicate_category="Category given twice",
            dimension_total_mismatch="Dimension does not add up to total",
        ),
        *_rules(
            "error",
            (ORGANISATION_RULES,),
            too_many_organisation_rows="More than one organisation row",
            no_teams_with_psw="No teams with PSWs for staff in post",
            count_exceeds_headcount="Count above total headcount",
            single_psw_teams_exceed_teams="Single-PSW teams above teams",
            not_yes_no="Not yes or no",
        ),
    ]
}


def title(rule_id: str) -> str:
    """The rule's plain-English name; an id no longer listed (an old finding) is shown as it is."""
    rule = RULES.get(rule_id)
    return rule.title if rule else rule_id
