-- Trusts' numerators and denominators summed per quarter, for each NHS region and for England
-- (scope = region_code, or 'national'), with the pooled indicators: sums over sums, never a mean
-- of trust rates (the formulas: sql/macros/rates.sql). England's population is all seven regions,
-- whichever have returns.
-- trust_rows: the name of a relation shaped like int_trust_indicators. int_trust_pooled pools every
-- trust; pswbench.access.scope pools only the trust figures a user may see (docs/disclosure.md), through
-- this same macro, so the formulas exist once.
CREATE OR REPLACE MACRO pool_trusts(trust_rows) AS TABLE
WITH

trust_indicators AS (
    SELECT * FROM query_table(trust_rows)
),

sums AS (
    SELECT
        period_end,
        CASE WHEN grouping(region_code) = 1 THEN 'national' ELSE region_code END AS scope,
        count(*)                                      AS n_trusts,
        CAST(sum(headcount) AS BIGINT)                AS headcount,
        sum(wte_in_post)                              AS wte_in_post,
        sum(vacancy_wte)                              AS vacancy_wte,
        sum(sickness_fte_days_lost)                   AS sickness_fte_days_lost,
        sum(fte_days_available)                       AS fte_days_available,
        CAST(sum(leavers) AS BIGINT)                  AS leavers,
        CAST(sum(joiners) AS BIGINT)                  AS joiners,
        CAST(sum(start_headcount) AS BIGINT)          AS start_headcount,
        sum(average_headcount)                        AS average_headcount,
        -- 12-month terms: only trusts with all four quarters (null otherwise, so skipped)
        count(leavers_12m)                            AS n_trusts_12m,
        CAST(sum(leavers_12m) AS BIGINT)              AS leavers_12m,
        CAST(sum(start_headcount_12m) AS BIGINT)      AS start_headcount_12m,
        sum(average_headcount_12m)                    AS average_headcount_12m,
        -- temporary staffing: only trusts with some bank or agency cell filled in
        count(temp_staffing_wte)                      AS n_trusts_temp_staffing,
        sum(bank_wte)                                 AS bank_wte,
        sum(agency_wte)                               AS agency_wte,
        sum(temp_staffing_wte)                        AS temp_staffing_wte,
        sum(temp_staffing_total_wte)                  AS temp_staffing_total_wte
    FROM trust_indicators
    WHERE region_code IS NOT NULL
    GROUP BY GROUPING SETS ((period_end, region_code), (period_end))
),

populations AS (
    SELECT region_code AS scope, population FROM stg_region
    UNION ALL
    SELECT 'national', CAST(sum(population) AS BIGINT) FROM stg_region
)

SELECT
    s.period_end,
    s.scope,
    s.n_trusts,
    s.headcount,
    s.wte_in_post,
    s.vacancy_wte,
    -- the formulas: sql/macros/rates.sql, the same as each trust's
    vacancy_rate(s.vacancy_wte, s.wte_in_post)                           AS vacancy_rate,
    sickness_rate(s.sickness_fte_days_lost, s.fte_days_available)        AS sickness_rate,
    leaver_rate(s.leavers, s.average_headcount)                          AS leaver_rate_quarter,
    leaver_rate(s.leavers_12m, s.average_headcount_12m)                  AS leaver_rate_12m,
    temporary_staffing_share(s.temp_staffing_wte, s.temp_staffing_total_wte) AS temporary_staffing_share,
    wte_per_100k_population(s.wte_in_post, p.population)                 AS wte_per_100k_population,
    mean_wte_per_head(s.wte_in_post, s.headcount)                        AS mean_wte_per_head,
    -- pooled components, for funnel plots
    s.sickness_fte_days_lost,
    s.fte_days_available,
    s.leavers,
    s.joiners,
    s.start_headcount,
    s.average_headcount,
    s.n_trusts_12m,
    s.leavers_12m,
    s.start_headcount_12m,
    s.average_headcount_12m,
    s.n_trusts_temp_staffing,
    s.bank_wte,
    s.agency_wte,
    s.temp_staffing_wte,
    s.temp_staffing_total_wte,
    p.population
FROM sums AS s
JOIN populations AS p USING (scope)
