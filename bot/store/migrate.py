"""Schema migrations: `python -m bot.store.migrate` upgrades the database to the head.

The revisions form one line (a test checks there is a single head); `heads` stays the
target so a stray branch still migrates instead of stopping the server.
"""

from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.store import database_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str = "") -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", (url or database_url()).replace("%", "%%"))
    return cfg


def upgrade(url: str = "") -> None:
    command.upgrade(alembic_config(url), "heads")


if __name__ == "__main__":
    upgrade(sys.argv[1] if len(sys.argv) > 1 else "")
    print("database schema is up to date")
