-- The app_setting rows whose key matches the LIKE pattern $pattern.
SELECT key, value FROM app_setting WHERE key LIKE $pattern
