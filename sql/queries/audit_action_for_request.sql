-- The action of the audit row an earlier answer to admin request $request_id made, if any
-- (only rows since $since: older request ids are refused as stale anyway).
SELECT action FROM audit_log
WHERE event_at >= $since AND json_extract_string(detail, '$.request_id') = $request_id
LIMIT 1
