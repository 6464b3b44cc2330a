INSERT INTO finding (submission_id, severity, line, column_name, rule, value, message)
VALUES ($submission_id, $severity, $line, $column_name, $rule, $value, $message)
