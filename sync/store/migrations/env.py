"""Alembic environment: runs migrations on the connection (or engine) the caller passes in.

``sync.store.database`` passes a connection that is already inside one real SQLite
transaction (``BEGIN IMMEDIATE``, DDL included), so a whole upgrade commits or rolls back as
one; ``render_as_batch`` lets SQLite alter tables by copy-and-move, which is how column
changes must be done there.
"""

from alembic import context
from sqlalchemy import Connection, Engine

from sync.store.models import Base

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given: Connection | None = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine: Engine | None = config.attributes.get("engine")
    if engine is None:
        from sync.store.database import _migration_engine, default_db_path

        engine = _migration_engine(default_db_path())
    with engine.begin() as connection:
        _run(connection)
