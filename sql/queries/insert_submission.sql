INSERT INTO submission (
    submission_id, trust_code, period_end, file_name, sha256, size_bytes, row_count,
    submitted_by, submitted_at, status, version, error_count, warning_count,
    section, sheet, upload_id, content_sha256
) VALUES (
    $submission_id, $trust_code, $period_end, $file_name, $sha256, $size_bytes, $row_count,
    $submitted_by, $submitted_at, $status, $version, $error_count, $warning_count,
    $section, $sheet, $upload_id, $content_sha256
)
