"""Alembic environment for dmdesk. Batch mode throughout, since SQLite cannot ALTER much."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from dmdesk.db.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    db = context.get_x_argument(as_dictionary=True).get("db")
    if not db:
        raise SystemExit("give the database: alembic -x db=path/to/file.sqlite ...")
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit("dmdesk migrations run online only")
run_migrations_online()
