-- The tables a backup exports and counts (not internal, not temporary), by name.
SELECT table_name FROM duckdb_tables()
WHERE database_name = current_database() AND NOT internal AND NOT temporary
ORDER BY 1
