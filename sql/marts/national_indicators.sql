-- Benchmarking indicators pooled over every trust in England, per quarter. Population is the sum
-- of the seven regions. $period: a quarter-end DATE, or NULL for every quarter.
SELECT * EXCLUDE (scope)
FROM int_trust_pooled
WHERE scope = 'national'
  AND (CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE))
ORDER BY period_end
