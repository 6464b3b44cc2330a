-- new_organisation_rows is the validated, typed frame registered by the loader (one row).
INSERT INTO organisation_row (
    submission_id, line, trust_code, period_end, teams_with_psw, teams_with_single_psw,
    psw_with_peer_supervision, psw_with_accredited_training, psw_with_peer_job_description,
    bank_only_psw_headcount, peer_leadership_post, notes
)
SELECT
    $submission_id, line, trust_code, period_end, teams_with_psw, teams_with_single_psw,
    psw_with_peer_supervision, psw_with_accredited_training, psw_with_peer_job_description,
    bank_only_psw_headcount, peer_leadership_post, notes
FROM new_organisation_rows
