-- PSWs by demographic category pooled over every trust in England for each 30 September (current
-- demographics sections): sums of people, and shares as sums over sums (never a mean of trust shares).
-- 'not_stated' is pswbench.returns.contract.NOT_STATED. $period: a quarter-end DATE, or NULL for every quarter.
WITH

demographics AS (
    SELECT *
    FROM int_current_demographics
    WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
),

cells AS (
    SELECT period_end, dimension, category, CAST(sum(headcount) AS BIGINT) AS headcount
    FROM demographics
    GROUP BY period_end, dimension, category
),

dimension_totals AS (
    SELECT
        period_end,
        dimension,
        CAST(sum(headcount) AS BIGINT)                                                      AS total_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category <> 'not_stated'), 0) AS BIGINT) AS stated_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category = 'not_stated'), 0) AS BIGINT)  AS not_stated_headcount
    FROM cells
    GROUP BY period_end, dimension
),

contributing AS (
    SELECT period_end, count(DISTINCT trust_code) AS n_trusts
    FROM demographics
    GROUP BY period_end
)

SELECT
    c.period_end,
    c.dimension,
    c.category,
    c.headcount,
    dt.stated_headcount,
    dt.total_headcount,
    CASE WHEN c.category = 'not_stated' THEN NULL ELSE c.headcount / nullif(dt.stated_headcount, 0) END AS share_of_stated,
    dt.not_stated_headcount / nullif(dt.total_headcount, 0) AS not_stated_share,
    n.n_trusts
FROM cells AS c
JOIN dimension_totals AS dt USING (period_end, dimension)
JOIN contributing AS n USING (period_end)
ORDER BY c.period_end, c.dimension, c.category
