-- Contacts with people using services, per trust, quarter and service setting, over the current
-- version of each return. A row records contacts when its cell is filled in; only those rows' WTE
-- is the denominator of contacts per WTE, so a setting that records none does not dilute the rate.
-- The pooling: sql/macros/pool_activity.sql.
CREATE OR REPLACE VIEW int_trust_activity AS
WITH

current_rows AS (
    SELECT * FROM int_current_return_rows
),

trusts AS (
    SELECT trust_code, trust_name, region_code FROM stg_trust
),

cells AS (
    SELECT
        trust_code,
        period_end,
        service_setting,
        CAST(sum(headcount) AS BIGINT)                                  AS headcount,
        sum(wte_in_post)                                                AS wte_in_post,
        CAST(sum(contacts) AS BIGINT)                                   AS contacts,  -- null: none recorded
        sum(wte_in_post) FILTER (contacts IS NOT NULL)                  AS wte_recorded,
        CAST(sum(headcount) FILTER (contacts IS NOT NULL) AS BIGINT)    AS headcount_recorded
    FROM current_rows
    GROUP BY trust_code, period_end, service_setting
)

SELECT
    c.period_end,
    c.trust_code,
    t.trust_name,
    t.region_code,
    c.service_setting,
    c.headcount,
    c.wte_in_post,
    c.contacts,
    c.wte_recorded,
    c.headcount_recorded
FROM cells AS c
LEFT JOIN trusts AS t USING (trust_code)
