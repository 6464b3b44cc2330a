-- Every accepted return row, every version (source: return_row). Staging only names and types.
CREATE OR REPLACE VIEW stg_return_row AS
SELECT
    submission_id,
    line,
    trust_code,
    period_end,
    service_setting,
    afc_band,
    headcount,
    wte_in_post,
    vacancy_wte,
    sickness_fte_days_lost,
    fte_days_available,
    leavers_headcount,
    joiners_headcount,
    bank_wte,
    agency_wte,
    contacts,
    notes
FROM return_row
