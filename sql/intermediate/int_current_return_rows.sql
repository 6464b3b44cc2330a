-- The rows of the current version of every trust's return for every quarter.
CREATE OR REPLACE VIEW int_current_return_rows AS
WITH

return_rows AS (
    SELECT * FROM stg_return_row
),

current_versions AS (
    SELECT submission_id, version FROM stg_return_version WHERE is_current
)

SELECT
    rr.trust_code,
    rr.period_end,
    cv.version,
    rr.submission_id,
    rr.service_setting,
    rr.afc_band,
    rr.headcount,
    rr.wte_in_post,
    rr.vacancy_wte,
    rr.sickness_fte_days_lost,
    rr.fte_days_available,
    rr.leavers_headcount,
    rr.joiners_headcount,
    rr.bank_wte,
    rr.agency_wte,
    rr.contacts
FROM return_rows AS rr
JOIN current_versions AS cv USING (submission_id)
