-- Contacts per PSW WTE per quarter at region level (sql/macros/pool_activity.sql), over all settings
-- or per service setting ($by_setting), for one quarter ($period: a DATE, or NULL for every quarter).
WITH

pooled AS (
    SELECT * FROM pool_activity('int_trust_activity') WHERE level = 'region'
)

SELECT * EXCLUDE (level)
FROM pooled
WHERE (CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE))
  AND (service_setting = 'all') <> CAST($by_setting AS BOOLEAN)
ORDER BY period_end, code, service_setting
