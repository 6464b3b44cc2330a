-- Benchmarking indicators pooled per NHS region and quarter (sums of the trusts' numerators over
-- sums of their denominators). $period: a quarter-end DATE, or NULL for every quarter.
WITH

pooled AS (
    SELECT * FROM int_trust_pooled WHERE scope <> 'national'
),

regions AS (
    SELECT region_code, region_name FROM stg_region
)

SELECT p.period_end, p.scope AS region_code, r.region_name, p.* EXCLUDE (period_end, scope)
FROM pooled AS p
JOIN regions AS r ON r.region_code = p.scope
WHERE CAST($period AS DATE) IS NULL OR p.period_end = CAST($period AS DATE)
ORDER BY p.period_end, region_code
