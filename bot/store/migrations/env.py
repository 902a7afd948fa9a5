from alembic import context
from sqlalchemy import create_engine

config = context.config


def run_migrations_online() -> None:
    connectable = create_engine(config.get_main_option("sqlalchemy.url"), future=True)
    with connectable.connect() as connection:
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
