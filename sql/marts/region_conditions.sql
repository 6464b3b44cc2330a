-- The organisational conditions of peer work pooled per NHS region (sums over sums) for one
-- 30 September ($period: a DATE, or NULL for every year).
WITH

pooled AS (
    SELECT * FROM pool_conditions('int_trust_conditions') WHERE scope <> 'national'
),

regions AS (
    SELECT region_code, region_name FROM stg_region
)

SELECT p.period_end, p.scope AS region_code, r.region_name, p.* EXCLUDE (period_end, scope)
FROM pooled AS p
JOIN regions AS r ON r.region_code = p.scope
WHERE CAST($period AS DATE) IS NULL OR p.period_end = CAST($period AS DATE)
ORDER BY p.period_end, region_code
