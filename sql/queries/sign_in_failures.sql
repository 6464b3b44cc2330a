-- One email's failed sign-ins (pswbench.access.throttle.Failures).
SELECT failures, last_failed_at, locked_until FROM sign_in_throttle WHERE email = $email
