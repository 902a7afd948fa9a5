from alembic import context
from sqlalchemy import create_engine, inspect, text

from bot.store.files import private_sqlite

config = context.config


def _forget_superseded_versions(connection) -> None:
    """Until the history was made one line, each feature branched from the base revision, so
    a database migrated then records several revisions that are now ancestors of one another.
    Alembic refuses to plan from such a set ("overlaps with other requested revisions"), and
    each recorded ancestor is implied by its descendant, so only the newest is kept."""
    with connection.begin():
        if not inspect(connection).has_table("alembic_version"):
            return
        recorded = set(
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )
        if len(recorded) < 2:
            return
        implied = set()
        for head in recorded:
            implied |= {r.revision for r in context.script.iterate_revisions(head, "base")} - {head}
        for revision in implied & recorded:
            connection.execute(
                text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": revision}
            )


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    private_sqlite(url)  # the first to create var/app.db: owner-only from the start
    connectable = create_engine(url, future=True)
    with connectable.connect() as connection:
        _forget_superseded_versions(connection)
        context.configure(connection=connection, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
