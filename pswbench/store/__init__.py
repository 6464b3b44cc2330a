"""The DuckDB store: connection and schema, loads with versions, the audit log, published read-only
copies, read-only viewer processes and their events, backups.
"""
