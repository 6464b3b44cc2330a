-- The columns of app_user in this database (an old layout is migrated: database._migrate_sign_in_counters).
SELECT column_name FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = 'app_user'
