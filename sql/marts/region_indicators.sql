-- Benchmarking indicators pooled per NHS region and quarter: sums of the trusts' numerators
-- over sums of their denominators (never a mean of trust rates).
-- $period: a quarter-end DATE, or NULL for every quarter.
WITH

trust_indicators AS (
    SELECT * FROM int_trust_indicators
)
,

regions AS (
    SELECT region_code, region_name, population FROM region
)
,

region_sums AS (
    SELECT
        period_end,
        region_code,
        count(*)                                   AS n_trusts,
        CAST(sum(headcount) AS BIGINT)                             AS headcount,
        sum(wte_in_post)                           AS wte_in_post,
        sum(vacancy_wte)                           AS vacancy_wte,
        sum(sickness_fte_days_lost)                AS sickness_fte_days_lost,
        sum(fte_days_available)                    AS fte_days_available,
        CAST(sum(leavers) AS BIGINT)                               AS leavers,
        CAST(sum(joiners) AS BIGINT)                               AS joiners,
        CAST(sum(start_headcount) AS BIGINT)                       AS start_headcount,
        sum(average_headcount)                     AS average_headcount,
        -- 12-month terms: only trusts with all four quarters (null otherwise, so skipped)
        count(leavers_12m)                         AS n_trusts_12m,
        CAST(sum(leavers_12m) AS BIGINT)                           AS leavers_12m,
        CAST(sum(start_headcount_12m) AS BIGINT)                   AS start_headcount_12m,
        sum(average_headcount_12m)                 AS average_headcount_12m,
        -- temporary staffing: only trusts with some bank or agency cell filled in
        count(temp_staffing_wte)                   AS n_trusts_temp_staffing,
        sum(bank_wte)                              AS bank_wte,
        sum(agency_wte)                            AS agency_wte,
        sum(temp_staffing_wte)                     AS temp_staffing_wte,
        sum(temp_staffing_total_wte)               AS temp_staffing_total_wte
    FROM trust_indicators
    WHERE region_code IS NOT NULL
    GROUP BY period_end, region_code
),

region_pooled AS (
    SELECT s.*, r.region_name, r.population
    FROM region_sums AS s
    JOIN regions AS r USING (region_code)
),

region_indicators AS (
    SELECT
        p.period_end,
        p.region_code,
        p.region_name,
        p.n_trusts,
        p.headcount,
        p.wte_in_post,
        p.vacancy_wte,
        p.vacancy_wte / nullif(p.wte_in_post + p.vacancy_wte, 0)             AS vacancy_rate,
        p.sickness_fte_days_lost / nullif(p.fte_days_available, 0)           AS sickness_rate,
        p.leavers / nullif(p.average_headcount, 0)                           AS leaver_rate_quarter,
        p.leavers_12m / nullif(p.average_headcount_12m, 0)                   AS leaver_rate_12m,
        p.temp_staffing_wte / nullif(p.temp_staffing_total_wte, 0)           AS temporary_staffing_share,
        p.wte_in_post / nullif(p.population, 0) * 100000                     AS wte_per_100k_population,
        p.wte_in_post / nullif(p.headcount, 0)                               AS mean_wte_per_head,
        -- pooled components, for funnel plots
        p.sickness_fte_days_lost,
        p.fte_days_available,
        p.leavers,
        p.joiners,
        p.start_headcount,
        p.average_headcount,
        p.n_trusts_12m,
        p.leavers_12m,
        p.start_headcount_12m,
        p.average_headcount_12m,
        p.n_trusts_temp_staffing,
        p.bank_wte,
        p.agency_wte,
        p.temp_staffing_wte,
        p.temp_staffing_total_wte,
        p.population
    FROM region_pooled AS p
)

SELECT *
FROM region_indicators
WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
ORDER BY period_end, region_code
