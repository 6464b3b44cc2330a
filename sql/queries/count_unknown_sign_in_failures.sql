-- Failure records of emails no account has.
SELECT count(*) FROM sign_in_throttle t WHERE NOT EXISTS (SELECT 1 FROM app_user u WHERE u.email = t.email)
