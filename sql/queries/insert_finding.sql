INSERT INTO finding (submission_id, severity, line, column_name, rule, value, message, section, sheet)
VALUES ($submission_id, $severity, $line, $column_name, $rule, $value, $message, $section, $sheet)
