-- For a 30 September quarter: every open trust's two annual sections, where each stands (a current
-- version, rejected attempts only, or missing), and whether a current one still matches the trust's
-- current workforce total (it was checked against a total that a later workforce version may change),
-- and for demographics the dimension with the most PSWs not stated (a data quality measure).
WITH

open_trusts AS (
    SELECT t.trust_code, t.trust_name, r.region_name
    FROM trust AS t
    JOIN region AS r USING (region_code)
    WHERE (t.open_date IS NULL OR t.open_date <= $period)
      AND (t.close_date IS NULL OR t.close_date >= $period)
),

sections AS (
    SELECT unnest(['demographics', 'organisation']) AS section
),

current_sections AS (
    SELECT trust_code, section, version, checked_headcount, matches_workforce
    FROM int_current_sections
    WHERE period_end = $period
),

workforce_totals AS (
    SELECT trust_code, sum(headcount) AS workforce_headcount
    FROM int_current_return_rows
    WHERE period_end = $period
    GROUP BY trust_code
),

not_stated_by_dimension AS (
    SELECT
        trust_code,
        dimension,
        coalesce(sum(headcount) FILTER (WHERE category = 'not_stated'), 0) AS not_stated,
        sum(headcount)                                                      AS total
    FROM int_current_demographics
    WHERE period_end = $period
    GROUP BY trust_code, dimension
),

most_not_stated AS (
    SELECT
        trust_code,
        'demographics'                                            AS section,
        first(dimension ORDER BY not_stated DESC, dimension)      AS most_not_stated_dimension,
        first(not_stated ORDER BY not_stated DESC, dimension)     AS most_not_stated,
        first(total ORDER BY not_stated DESC, dimension)          AS demographics_headcount
    FROM not_stated_by_dimension
    GROUP BY trust_code
),

attempts AS (
    SELECT trust_code, section, count(*) FILTER (status = 'rejected') AS rejected_attempts,
           max(submitted_at) AS last_attempt_at
    FROM submission
    WHERE period_end = $period AND section IN ('demographics', 'organisation')
    GROUP BY trust_code, section
)

SELECT
    o.trust_code,
    o.trust_name,
    o.region_name,
    s.section,
    CASE WHEN c.version IS NOT NULL THEN 'current'
         WHEN a.rejected_attempts > 0 THEN 'rejected only'
         ELSE 'missing' END                       AS status,
    c.version                                     AS current_version,
    c.checked_headcount,
    w.workforce_headcount,
    CASE WHEN c.version IS NOT NULL THEN c.matches_workforce END AS matches_workforce,
    coalesce(a.rejected_attempts, 0)              AS rejected_attempts,
    a.last_attempt_at,
    n.most_not_stated_dimension,
    n.most_not_stated,
    n.demographics_headcount
FROM open_trusts AS o
CROSS JOIN sections AS s
LEFT JOIN current_sections AS c ON c.trust_code = o.trust_code AND c.section = s.section
LEFT JOIN workforce_totals AS w ON w.trust_code = o.trust_code
LEFT JOIN attempts AS a ON a.trust_code = o.trust_code AND a.section = s.section
LEFT JOIN most_not_stated AS n ON n.trust_code = o.trust_code AND n.section = s.section
ORDER BY s.section, o.trust_code
