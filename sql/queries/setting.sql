-- One app_setting value by key (no row when it is not set).
SELECT value FROM app_setting WHERE key = $key
