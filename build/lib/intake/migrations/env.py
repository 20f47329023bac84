"""Alembic environment: runs on the connection :mod:`intake.migrate` passes in."""

from alembic import context

from intake.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run intake migrations through intake.migrate (e.g. `mingbai db upgrade`)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
