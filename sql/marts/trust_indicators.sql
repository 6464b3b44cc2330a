-- Benchmarking indicators per trust and quarter, over the current version of each return.
-- $period: a quarter-end DATE, or NULL for every quarter. 
WITH

trust_indicators AS (
    SELECT * FROM int_trust_indicators
)

SELECT *
FROM trust_indicators
WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
ORDER BY period_end, trust_code
