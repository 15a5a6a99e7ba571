"""Persistence: the case database (SQLite by default) and the content-addressed object store."""
