-- Spread of trust values per quarter, nationally and per region, for every indicator (long
-- format). n counts trusts with a non-null value; quartiles are quantile_cont over those.
-- $period: a quarter-end DATE, or NULL for every quarter.
WITH

trust_values AS (
    SELECT * FROM int_trust_values
    WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
),

spread AS (
    SELECT
        period_end,
        CASE WHEN grouping(region_code) = 1 THEN 'national' ELSE region_code END AS scope,
        indicator_order,
        indicator,
        count(value)                    AS n,
        min(value)                      AS min,
        quantile_cont(value, 0.25)      AS q1,
        quantile_cont(value, 0.5)       AS median,
        quantile_cont(value, 0.75)      AS q3,
        max(value)                      AS max
    FROM trust_values
    GROUP BY GROUPING SETS ((period_end, indicator_order, indicator, region_code),
                            (period_end, indicator_order, indicator))
    HAVING grouping(region_code) = 1 OR region_code IS NOT NULL
)

SELECT period_end, scope, indicator, n, min, q1, median, q3, max
FROM spread
ORDER BY period_end, scope <> 'national', scope, indicator_order
