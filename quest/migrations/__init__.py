"""Alembic migrations of the schema, shipped with the package and run by `quest.core.migrate`."""
