-- Every trust open on the quarter end, and where its return for that quarter stands:
-- accepted (with the current version), rejected only, or missing.
WITH

open_trusts AS (
    SELECT t.trust_code, t.trust_name, t.region_code, r.region_name
    FROM trust AS t
    JOIN region AS r USING (region_code)
    WHERE (t.open_date IS NULL OR t.open_date <= $period)
      AND (t.close_date IS NULL OR t.close_date >= $period)
),

current_versions AS (
    SELECT rv.trust_code, rv.version, s.submitted_at, s.submitted_by
    FROM return_version AS rv
    JOIN submission AS s USING (submission_id)
    WHERE rv.period_end = $period AND rv.is_current
),

attempts AS (
    SELECT trust_code, count(*) AS attempts, count(*) FILTER (status = 'rejected') AS rejected,
           max(submitted_at) AS last_attempt_at
    FROM submission
    WHERE period_end = $period
    GROUP BY trust_code
)

SELECT
    o.trust_code,
    o.trust_name,
    o.region_code,
    o.region_name,
    CASE WHEN c.version IS NOT NULL THEN 'accepted'
         WHEN a.rejected > 0 THEN 'rejected only'
         ELSE 'missing' END                    AS status,
    c.version                                  AS current_version,
    c.submitted_at                             AS accepted_at,
    c.submitted_by                             AS accepted_by,
    coalesce(a.attempts, 0)                    AS attempts,
    coalesce(a.rejected, 0)                    AS rejected_attempts,
    a.last_attempt_at
FROM open_trusts AS o
LEFT JOIN current_versions AS c USING (trust_code)
LEFT JOIN attempts AS a USING (trust_code)
ORDER BY status, o.trust_code
