-- new_return_rows is the validated, typed frame registered by the loader.
INSERT INTO return_row (
    submission_id, line, trust_code, period_end, service_setting, afc_band,
    headcount, wte_in_post, vacancy_wte, sickness_fte_days_lost, fte_days_available,
    leavers_headcount, joiners_headcount, bank_wte, agency_wte, contacts, notes
)
SELECT
    $submission_id, line, trust_code, period_end, service_setting, afc_band,
    headcount, wte_in_post, vacancy_wte, sickness_fte_days_lost, fte_days_available,
    leavers_headcount, joiners_headcount, bank_wte, agency_wte, contacts, notes
FROM new_return_rows
