-- Sets one app_setting value only when the key has none yet (the per-database secrets).
INSERT INTO app_setting SELECT $key, $value WHERE NOT EXISTS (SELECT 1 FROM app_setting WHERE key = $key)
