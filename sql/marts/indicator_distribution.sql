-- Spread of trust values per quarter, nationally and per region, for every indicator (long
-- format). n counts trusts with a non-null value; quartiles are quantile_cont over those.
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

national_spread AS (
    SELECT
        period_end,
        'national'                      AS scope,
        indicator_order,
        indicator,
        count(value)                    AS n,
        min(value)                      AS min,
        quantile_cont(value, 0.25)      AS q1,
        quantile_cont(value, 0.5)       AS median,
        quantile_cont(value, 0.75)      AS q3,
        max(value)                      AS max
    FROM trust_values
    GROUP BY period_end, indicator_order, indicator
),

region_spread AS (
    SELECT
        period_end,
        region_code                     AS scope,
        indicator_order,
        indicator,
        count(value)                    AS n,
        min(value)                      AS min,
        quantile_cont(value, 0.25)      AS q1,
        quantile_cont(value, 0.5)       AS median,
        quantile_cont(value, 0.75)      AS q3,
        max(value)                      AS max
    FROM trust_values
    WHERE region_code IS NOT NULL
    GROUP BY period_end, region_code, indicator_order, indicator
),

indicator_distribution AS (
    SELECT * FROM national_spread
    UNION ALL
    SELECT * FROM region_spread
)

SELECT period_end, scope, indicator, n, min, q1, median, q3, max
FROM indicator_distribution
ORDER BY period_end, scope <> 'national', scope, indicator_order
