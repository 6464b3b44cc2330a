-- The trust-by-setting activity cells one user may see (registered by pswbench.reports.queries),
-- pooled with the same formulas as every trust (sql/macros/pool_activity.sql).
SELECT * FROM pool_activity('scope_activity_cells')
ORDER BY period_end, level, code, service_setting
