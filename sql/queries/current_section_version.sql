-- The current accepted version of one of a trust's annual sections for a quarter, if any.
SELECT sv.version, sv.submission_id, s.sha256, s.content_sha256
FROM section_version AS sv
JOIN submission AS s USING (submission_id)
WHERE sv.trust_code = $trust_code AND sv.period_end = $period_end AND sv.section = $section AND sv.is_current
