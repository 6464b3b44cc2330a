-- A database from before sign_in_throttle kept failures on app_user: copy them into sign_in_throttle.
-- The last failure's time was not kept: a lock's start, else $now, so nothing is forgotten early.
INSERT OR IGNORE INTO sign_in_throttle
SELECT email, failed_attempts, coalesce(locked_until - INTERVAL 15 MINUTE, $now), locked_until
FROM app_user
WHERE failed_attempts > 0 OR locked_until IS NOT NULL
