-- Each trust's national percentile rank per quarter and indicator: percent_rank() ordered by
-- value among trusts with a non-null value (0 = lowest, 1 = highest; ties share a rank).
-- Trusts with a null value are listed with a null rank. Long format.
-- $period: a quarter-end DATE, or NULL for every quarter.
WITH

trust_indicators AS (
    SELECT * FROM int_trust_indicators
)
,

trust_values AS (
    SELECT
        t.period_end,
        t.trust_code,
        t.trust_name,
        t.region_code,
        v.indicator_order,
        v.indicator,
        v.value
    FROM trust_indicators AS t
    CROSS JOIN LATERAL (VALUES
        (1,  'headcount',                CAST(t.headcount AS DOUBLE)),
        (2,  'wte_in_post',              t.wte_in_post),
        (3,  'vacancy_wte',              t.vacancy_wte),
        (4,  'vacancy_rate',             t.vacancy_rate),
        (5,  'sickness_rate',            t.sickness_rate),
        (6,  'leaver_rate_quarter',      t.leaver_rate_quarter),
        (7,  'leaver_rate_12m',          t.leaver_rate_12m),
        (8,  'temporary_staffing_share', t.temporary_staffing_share),
        (9,  'wte_per_100k_population',  t.wte_per_100k_population),
        (10, 'mean_wte_per_head',        t.mean_wte_per_head)
    ) AS v(indicator_order, indicator, value)
    WHERE CAST($period AS DATE) IS NULL OR t.period_end = CAST($period AS DATE)
),

ranked AS (
    SELECT
        *,
        CASE WHEN value IS NOT NULL THEN
            percent_rank() OVER (PARTITION BY period_end, indicator, value IS NULL ORDER BY value)
        END                                                                         AS percentile_rank,
        count(value) OVER (PARTITION BY period_end, indicator)                      AS n
    FROM trust_values
)

SELECT period_end, trust_code, trust_name, region_code, indicator, value, percentile_rank, n
FROM ranked
ORDER BY period_end, trust_code, indicator_order
