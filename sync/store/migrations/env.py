"""Alembic environment: runs migrations on the engine the caller passes in.

``render_as_batch`` lets SQLite alter tables by copy-and-move, which is how column changes
must be done there.
"""

from alembic import context
from sqlalchemy import Engine

from sync.store.models import Base

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:
    from sync.store.database import default_db_path, make_engine

    engine = make_engine(default_db_path())

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
