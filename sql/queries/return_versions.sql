-- The accepted versions of one trust's return for one quarter, oldest first.
SELECT
    rv.version,
    rv.submission_id,
    rv.is_current,
    s.submitted_at,
    s.submitted_by,
    s.file_name,
    s.row_count
FROM return_version AS rv
JOIN submission AS s USING (submission_id)
WHERE rv.trust_code = $trust_code AND rv.period_end = $period
ORDER BY rv.version
