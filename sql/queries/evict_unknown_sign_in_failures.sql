-- Caps the records of emails no account has at $keep, the oldest last failure evicted first.
DELETE FROM sign_in_throttle WHERE email IN (
    SELECT t.email
    FROM sign_in_throttle t
    WHERE NOT EXISTS (SELECT 1 FROM app_user u WHERE u.email = t.email)
    ORDER BY t.last_failed_at DESC, t.email
    OFFSET $keep
)
