-- The conditions of peer work pooled per region and for England (scope = region_code, or 'national'):
-- sums of the trusts' numerators over sums of their denominators, never a mean of trust shares.
-- trust_rows: the name of a relation shaped like int_trust_conditions. The marts pool every trust;
-- pswbench.access.scope pools only the trust figures a user may see (docs/disclosure.md), through this
-- same macro. A trust without a headcount (no workforce return that quarter) adds nothing to a
-- headcount share, and its numerators are left out with it, so a share never exceeds what was counted.
CREATE OR REPLACE MACRO pool_conditions(trust_rows) AS TABLE
WITH

trust_conditions AS (
    SELECT * FROM query_table(trust_rows)
),

sums AS (
    SELECT
        period_end,
        CASE WHEN grouping(region_code) = 1 THEN 'national' ELSE region_code END    AS scope,
        count(*)                                                                    AS n_trusts,
        CAST(sum(headcount) AS BIGINT)                                              AS headcount,
        CAST(sum(teams_with_psw) AS BIGINT)                                         AS teams_with_psw,
        CAST(sum(teams_with_single_psw) AS BIGINT)                                  AS teams_with_single_psw,
        CAST(sum(psw_with_peer_supervision) FILTER (headcount IS NOT NULL) AS BIGINT)
                                                                                    AS psw_with_peer_supervision,
        CAST(sum(psw_with_accredited_training) FILTER (headcount IS NOT NULL) AS BIGINT)
                                                                                    AS psw_with_accredited_training,
        CAST(sum(psw_with_peer_job_description) FILTER (headcount IS NOT NULL) AS BIGINT)
                                                                                    AS psw_with_peer_job_description,
        CAST(sum(bank_only_psw_headcount) FILTER (headcount IS NOT NULL) AS BIGINT) AS bank_only_psw_headcount,
        CAST(sum(peer_workforce) AS BIGINT)                                         AS peer_workforce,
        count(peer_leadership_post)                                                 AS n_trusts_leadership_known,
        count(*) FILTER (peer_leadership_post)                                      AS n_trusts_with_leadership_post
    FROM trust_conditions
    WHERE region_code IS NOT NULL
    GROUP BY GROUPING SETS ((period_end, region_code), (period_end))
)

SELECT
    s.*,
    condition_share(s.teams_with_single_psw, s.teams_with_psw)           AS single_psw_team_share,
    condition_share(s.psw_with_peer_supervision, s.headcount)            AS peer_supervision_share,
    condition_share(s.psw_with_accredited_training, s.headcount)         AS accredited_training_share,
    condition_share(s.psw_with_peer_job_description, s.headcount)        AS peer_job_description_share,
    condition_share(s.bank_only_psw_headcount, s.peer_workforce)         AS bank_only_share,
    condition_share(s.n_trusts_with_leadership_post, s.n_trusts_leadership_known) AS leadership_post_share
FROM sums AS s
