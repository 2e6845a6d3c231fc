"""Alembic environment for the service schema. Run by `tractatus.service.db.migrate` with a connection."""

from __future__ import annotations

from alembic import context

from tractatus.service.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=context.config.attributes.get("version_table", "alembic_version"),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
