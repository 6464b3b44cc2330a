-- The rules behind most findings, for one quarter or (with $period null) for every attempt so far.
-- The example message is the most recent one, so it reads like what trusts see today.
SELECT
    f.rule,
    f.severity,
    count(*)                                  AS findings,
    count(DISTINCT f.submission_id)           AS submissions,
    arg_max(f.message, s.submitted_at)        AS example_message
FROM finding AS f
JOIN submission AS s USING (submission_id)
WHERE CAST($period AS DATE) IS NULL OR s.period_end = $period
GROUP BY f.rule, f.severity
ORDER BY findings DESC, submissions DESC, f.rule
