-- Whether the database file has a table of this name (in any schema of the file).
SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = $name AND NOT temporary
