-- The organisational conditions of peer work pooled over every trust in England (sums over sums)
-- for one 30 September ($period: a DATE, or NULL for every year).
WITH

pooled AS (
    SELECT * FROM pool_conditions('int_trust_conditions') WHERE scope = 'national'
)

SELECT * EXCLUDE (scope)
FROM pooled
WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
ORDER BY period_end
