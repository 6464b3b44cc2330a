-- The trust rows one user may see (registered by pswbench.reports.queries.pooled_over), pooled per region
-- and for England with the same formulas as every trust (sql/macros/pool_trusts.sql).
SELECT * FROM pool_trusts('scope_trust_rows')
ORDER BY period_end, scope
