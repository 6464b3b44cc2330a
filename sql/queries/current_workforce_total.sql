-- The total PSW headcount and version of a trust's current workforce section for a quarter, if loaded.
SELECT sum(rr.headcount) AS headcount, rv.version
FROM return_version AS rv
JOIN return_row AS rr USING (submission_id)
WHERE rv.trust_code = $trust_code AND rv.period_end = $period_end AND rv.is_current
GROUP BY rv.version
