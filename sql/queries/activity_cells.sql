-- Every trust's contacts and WTE per quarter and service setting ($period: a DATE, or NULL for every
-- quarter), the cells pswbench.access.scope applies disclosure to before pooling.
SELECT *
FROM int_trust_activity
WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
ORDER BY period_end, trust_code, service_setting
