-- Every upload attempt, newest first; $trust_code and $period narrow it when not null.
SELECT
    submission_id,
    submitted_at,
    submitted_by,
    file_name,
    section,
    trust_code,
    period_end,
    status,
    version,
    row_count,
    error_count,
    warning_count
FROM submission
WHERE (CAST($trust_code AS VARCHAR) IS NULL OR trust_code = $trust_code)
  AND (CAST($period AS DATE) IS NULL OR period_end = $period)
ORDER BY submitted_at DESC, submission_id DESC
