"""Alembic's environment: run by assistant.store.database.migrate on the connection it opens."""

from __future__ import annotations

from alembic import context

from assistant.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `plan-assistant migrate` (assistant.store.database.migrate)")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
