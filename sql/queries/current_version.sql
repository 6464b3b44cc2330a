-- The current accepted version of a trust's return (its workforce section) for a quarter, if any.
SELECT rv.version, rv.submission_id, s.sha256, s.content_sha256
FROM return_version AS rv
JOIN submission AS s USING (submission_id)
WHERE rv.trust_code = $trust_code AND rv.period_end = $period_end AND rv.is_current
