-- One email's failed sign-ins (pswbench.access.throttle.write), inserted or replacing the stored record.
INSERT INTO sign_in_throttle (email, failures, last_failed_at, locked_until)
VALUES ($email, $failures, $last_failed_at, $locked_until)
ON CONFLICT (email) DO UPDATE SET
    failures = excluded.failures,
    last_failed_at = excluded.last_failed_at,
    locked_until = excluded.locked_until
