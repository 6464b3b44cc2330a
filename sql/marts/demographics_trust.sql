-- PSWs by demographic category for each trust's current demographics section (30 September quarters):
-- people, share of those whose category is stated, and the not-stated share of all (a data quality
-- measure). 'not_stated' is pswbench.returns.contract.NOT_STATED. $period: a quarter-end DATE, or NULL
-- for every quarter.
WITH

demographics AS (
    SELECT *
    FROM int_current_demographics
    WHERE CAST($period AS DATE) IS NULL OR period_end = CAST($period AS DATE)
),

trusts AS (
    SELECT trust_code, trust_name, region_code FROM stg_trust
),

dimension_totals AS (
    SELECT
        submission_id,
        dimension,
        CAST(sum(headcount) AS BIGINT)                                             AS total_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category <> 'not_stated'), 0) AS BIGINT) AS stated_headcount,
        CAST(coalesce(sum(headcount) FILTER (WHERE category = 'not_stated'), 0) AS BIGINT)  AS not_stated_headcount
    FROM demographics
    GROUP BY submission_id, dimension
)

SELECT
    d.period_end,
    d.trust_code,
    t.trust_name,
    t.region_code,
    d.version,
    d.matches_workforce,
    d.dimension,
    d.category,
    CAST(d.headcount AS BIGINT) AS headcount,
    dt.stated_headcount,
    dt.total_headcount,
    CASE WHEN d.category = 'not_stated' THEN NULL ELSE d.headcount / nullif(dt.stated_headcount, 0) END AS share_of_stated,
    dt.not_stated_headcount / nullif(dt.total_headcount, 0) AS not_stated_share,
    1 AS n_trusts
FROM demographics AS d
JOIN dimension_totals AS dt USING (submission_id, dimension)
LEFT JOIN trusts AS t USING (trust_code)
ORDER BY d.period_end, d.trust_code, d.dimension, d.category
