"""Persistence: SQLAlchemy models, the engine with SQLite pragmas, migrations and backups."""
