"""Alembic environment: jic runs migrations programmatically (see jic.store.migrate).

The connection to migrate is handed over in ``config.attributes["connection"]``, so
the same code path serves SQLite files, PostgreSQL and test schemas.
"""

from __future__ import annotations

from alembic import context

from jic.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    version_table="alembic_version",
)
with context.begin_transaction():
    context.run_migrations()
