-- The rows of the current version of every trust's return for every quarter.
CREATE OR REPLACE VIEW stg_current_return_rows AS
SELECT
    rr.trust_code,
    rr.period_end,
    rv.version,
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
    rr.agency_wte
FROM return_row AS rr
JOIN return_version AS rv USING (submission_id)
WHERE rv.is_current
