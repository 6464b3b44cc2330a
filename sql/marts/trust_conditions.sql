-- The organisational conditions of peer work per trust, for one 30 September ($period: a DATE, or
-- NULL for every year): each condition as a share with its numerator and denominator.
WITH

trust_conditions AS (
    SELECT * FROM int_trust_conditions
)

SELECT *
FROM trust_conditions
WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
ORDER BY period_end, trust_code
