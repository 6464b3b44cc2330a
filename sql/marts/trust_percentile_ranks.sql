-- Each trust's national percentile rank per quarter and indicator: percent_rank() ordered by
-- value among trusts with a non-null value (0 = lowest, 1 = highest; ties share a rank).
-- Trusts with a null value are listed with a null rank. Long format.
-- $period: a quarter-end DATE, or NULL for every quarter.
WITH

trust_values AS (
    SELECT * FROM int_trust_values
    WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
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
