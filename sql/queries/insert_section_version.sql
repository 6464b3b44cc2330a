INSERT INTO section_version (trust_code, period_end, section, version, submission_id, is_current, checked_headcount)
SELECT $trust_code, $period_end, $section, coalesce(max(version), 0) + 1, $submission_id, true, $checked_headcount
FROM section_version
WHERE trust_code = $trust_code AND period_end = $period_end AND section = $section
RETURNING version
