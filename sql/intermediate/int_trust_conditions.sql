-- The organisational conditions of peer work per trust and 30 September, over the current version of
-- each trust's organisation section. headcount is the trust's total PSW headcount in its current
-- workforce version for the same quarter (null when there is none, so every share is null); the
-- formulas: sql/macros/pool_conditions.sql, the same for a trust and for a pooled group.
CREATE OR REPLACE VIEW int_trust_conditions AS
WITH

organisation AS (
    SELECT * FROM int_current_organisation
),

trusts AS (
    SELECT trust_code, trust_name, region_code FROM stg_trust
),

regions AS (
    SELECT region_code, region_name FROM stg_region
),

trust_conditions AS (
    SELECT
        o.period_end,
        o.trust_code,
        t.trust_name,
        t.region_code,
        r.region_name,
        CAST(o.workforce_headcount AS BIGINT)                               AS headcount,
        o.teams_with_psw,
        o.teams_with_single_psw,
        o.psw_with_peer_supervision,
        o.psw_with_accredited_training,
        o.psw_with_peer_job_description,
        o.bank_only_psw_headcount,
        CAST(o.workforce_headcount + o.bank_only_psw_headcount AS BIGINT)   AS peer_workforce,
        o.peer_leadership_post,
        o.matches_workforce,
        condition_share(o.teams_with_single_psw, o.teams_with_psw)          AS single_psw_team_share,
        condition_share(o.psw_with_peer_supervision, o.workforce_headcount) AS peer_supervision_share,
        condition_share(o.psw_with_accredited_training, o.workforce_headcount)
                                                                            AS accredited_training_share,
        condition_share(o.psw_with_peer_job_description, o.workforce_headcount)
                                                                            AS peer_job_description_share,
        condition_share(o.bank_only_psw_headcount, o.workforce_headcount + o.bank_only_psw_headcount)
                                                                            AS bank_only_share
    FROM organisation AS o
    LEFT JOIN trusts AS t USING (trust_code)
    LEFT JOIN regions AS r ON r.region_code = t.region_code
)

SELECT * FROM trust_conditions
