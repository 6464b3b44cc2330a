-- The name and file path of the database the connection is connected to.
SELECT database_name, path FROM duckdb_databases() WHERE database_name = current_database()
