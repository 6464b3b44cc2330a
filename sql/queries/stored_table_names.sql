-- Every table of the database itself (not of an attached one), each read once to check the file.
SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()
