-- The rows an accepted submission loaded, one per (service_setting, afc_band).
SELECT
    service_setting, afc_band, headcount, wte_in_post, vacancy_wte, sickness_fte_days_lost,
    fte_days_available, leavers_headcount, joiners_headcount, bank_wte, agency_wte, notes
FROM return_row
WHERE submission_id = $submission_id
ORDER BY service_setting, afc_band
