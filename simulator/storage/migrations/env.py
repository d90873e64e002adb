"""Alembic's entry: runs the migrations on the connection `database.upgrade` hands over,
or on `sqlalchemy.url` when called from the alembic command line."""

from alembic import context
from sqlalchemy import create_engine

from simulator.storage.models import Base

config = context.config


def run(connection) -> None:  # noqa: ANN001 - a SQLAlchemy Connection
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as own:
        run(own)
