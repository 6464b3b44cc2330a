-- The organisational conditions of the current version of each trust's return for each 30 September,
-- with the trust's current workforce total and whether the section still matches it.
CREATE OR REPLACE VIEW int_current_organisation AS
WITH

organisation_rows AS (
    SELECT * FROM stg_organisation_row
),

current_sections AS (
    SELECT submission_id, version, workforce_headcount, matches_workforce
    FROM int_current_sections
    WHERE section = 'organisation'
)

SELECT
    orow.trust_code,
    orow.period_end,
    cs.version,
    orow.submission_id,
    orow.teams_with_psw,
    orow.teams_with_single_psw,
    orow.psw_with_peer_supervision,
    orow.psw_with_accredited_training,
    orow.psw_with_peer_job_description,
    orow.bank_only_psw_headcount,
    orow.peer_leadership_post,
    cs.workforce_headcount,
    cs.matches_workforce
FROM organisation_rows AS orow
JOIN current_sections AS cs USING (submission_id)
