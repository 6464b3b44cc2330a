-- Every user by email, without password hashes (has_password says whether one is set), with the
-- failed sign-ins counted for that email and any lock.
SELECT
    u.email,
    u.role,
    u.trust_code,
    u.password_hash IS NOT NULL AS has_password,
    u.disabled,
    coalesce(t.failures, 0) AS failed_attempts,
    t.locked_until,
    u.created_at
FROM app_user u LEFT JOIN sign_in_throttle t USING (email)
ORDER BY u.email
