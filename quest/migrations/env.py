"""Alembic's entry point: always handed an open connection by `quest.core.migrate`.

There is no alembic.ini and no URL here: the caller owns the engine (and its transaction,
which on PostgreSQL also holds the migration lock), so Alembic only runs the scripts.
"""

from __future__ import annotations

from alembic import context

from quest.core.migrate import compare_options, model_metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `talentquest db upgrade`, not the alembic command")
context.configure(
    connection=connection,
    target_metadata=model_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters by copying tables
    **compare_options(),
)
with context.begin_transaction():
    context.run_migrations()
