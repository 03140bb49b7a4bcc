"""Alembic environment: always run from the store with a connection it has opened."""

from alembic import context
from sqlmodel import SQLModel

import xmen_desktop.store.models  # noqa: F401  (registers the tables on the metadata)

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SQLModel.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
