-- PSWs by demographic category pooled per NHS region for each 30 September, over every trust's current
-- demographics section: sums of people, and shares as sums over sums (never a mean of trust shares).
-- 'not_stated' is pswbench.returns.contract.NOT_STATED. $period: a quarter-end DATE, or NULL for every quarter.
WITH

demographics AS (
    SELECT *
    FROM int_current_demographics
    WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
),

trusts AS (
    SELECT trust_code, region_code FROM stg_trust
),

regions AS (
    SELECT region_code, region_name FROM stg_region
),

cells AS (
    SELECT
        d.period_end,
        t.region_code,
        d.dimension,
        d.category,
        CAST(sum(d.headcount) AS BIGINT) AS headcount,
        count(DISTINCT d.trust_code)      AS n_trusts
    FROM demographics AS d
    JOIN trusts AS t USING (trust_code)
    WHERE t.region_code IS NOT NULL
    GROUP BY d.period_end, t.region_code, d.dimension, d.category
),

dimension_totals AS (
    SELECT
        period_end,
        region_code,
        dimension,
        CAST(sum(headcount) AS BIGINT)                                                      AS total_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category <> 'not_stated'), 0) AS BIGINT) AS stated_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category = 'not_stated'), 0) AS BIGINT)  AS not_stated_headcount
    FROM cells
    GROUP BY period_end, region_code, dimension
),

contributing AS (
    SELECT d.period_end, t.region_code, count(DISTINCT d.trust_code) AS n_trusts
    FROM demographics AS d
    JOIN trusts AS t USING (trust_code)
    GROUP BY d.period_end, t.region_code
)

SELECT
    c.period_end,
    c.region_code,
    r.region_name,
    c.dimension,
    c.category,
    c.headcount,
    dt.stated_headcount,
    dt.total_headcount,
    CASE WHEN c.category = 'not_stated' THEN NULL ELSE c.headcount / nullif(dt.stated_headcount, 0) END AS share_of_stated,
    dt.not_stated_headcount / nullif(dt.total_headcount, 0) AS not_stated_share,
    n.n_trusts
FROM cells AS c
JOIN dimension_totals AS dt USING (period_end, region_code, dimension)
JOIN contributing AS n USING (period_end, region_code)
LEFT JOIN regions AS r USING (region_code)
ORDER BY c.period_end, c.region_code, c.dimension, c.category
