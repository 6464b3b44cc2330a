-- The trust conditions one user may see (registered by pswbench.reports.queries), pooled per region
-- and for England with the same formulas as every trust (sql/macros/pool_conditions.sql).
SELECT * FROM pool_conditions('scope_condition_rows')
ORDER BY period_end, scope
