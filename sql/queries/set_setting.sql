-- Sets one app_setting value, replacing any earlier one.
INSERT OR REPLACE INTO app_setting VALUES ($key, $value)
