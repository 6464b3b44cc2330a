INSERT INTO audit_log (audit_id, event_at, actor, action, trust_code, detail)
VALUES (nextval('audit_id_seq'), $event_at, $actor, $action, $trust_code, $detail)
RETURNING audit_id
