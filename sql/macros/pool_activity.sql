-- Contacts per PSW WTE per quarter, pooled over trust-by-setting cells (rows shaped like
-- int_trust_activity) for every trust, region and England, over all settings ('all') and per setting:
-- level 'trust' | 'region' | 'national', code = trust_code | region_code | 'national'. Sums over sums,
-- only over the cells that record contacts. Coverage: trusts recording (any cell with contacts) of the
-- trusts with a return, and the WTE of the recording cells of all WTE. pswbench.access.scope pools
-- only the cells a user may see through this same macro (docs/disclosure.md).
CREATE OR REPLACE MACRO pool_activity(cell_rows) AS TABLE
WITH

cells AS (
    SELECT *, contacts IS NOT NULL AS records FROM query_table(cell_rows)
),

sums AS (
    SELECT
        period_end,
        CASE WHEN grouping(trust_code) = 0 THEN 'trust'
             WHEN grouping(region_code) = 0 THEN 'region'
             ELSE 'national' END                                        AS level,
        CASE WHEN grouping(trust_code) = 0 THEN trust_code
             WHEN grouping(region_code) = 0 THEN region_code
             ELSE 'national' END                                        AS code,
        CASE WHEN grouping(service_setting) = 0 THEN service_setting ELSE 'all' END AS service_setting,
        count(DISTINCT trust_code)                                      AS n_trusts_returned,
        count(DISTINCT trust_code) FILTER (records)                     AS n_trusts_recording,
        CAST(sum(contacts) AS BIGINT)                                   AS contacts,
        sum(wte_recorded)                                               AS wte_recorded,
        sum(wte_in_post)                                                AS wte_in_post
    FROM cells
    WHERE region_code IS NOT NULL
    GROUP BY GROUPING SETS (
        (period_end, region_code, trust_code), (period_end, region_code, trust_code, service_setting),
        (period_end, region_code), (period_end, region_code, service_setting),
        (period_end), (period_end, service_setting)
    )
)

SELECT
    *,
    contacts_per_wte(contacts, wte_recorded)        AS contacts_per_wte,
    wte_coverage(wte_recorded, wte_in_post)         AS wte_coverage
FROM sums
