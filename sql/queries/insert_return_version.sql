INSERT INTO return_version (trust_code, period_end, version, submission_id, is_current)
SELECT $trust_code, $period_end, coalesce(max(version), 0) + 1, $submission_id, true
FROM return_version
WHERE trust_code = $trust_code AND period_end = $period_end
RETURNING version
