"""The assistant's own database: tickets, objections, SMS outbox, handoffs, audit log.

SQLite file by default (var/app.db), PostgreSQL through DATABASE_URL. Code is
written 2.0-style (select(), Session.execute, future=True) on SQLAlchemy 1.4,
which Rasa pins. Schema changes go through Alembic (bot/store/migrations).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.store.base import Base  # noqa: F401  (re-exported for models)

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs say postgres://, SQLAlchemy 1.4 wants postgresql://
        return url.replace("postgres://", "postgresql://", 1)
    var_dir = Path(os.environ.get("VAR_DIR", ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var_dir / 'app.db'}"


_engine: Optional[Engine] = None
_sessionmaker: Optional[sessionmaker] = None


def engine() -> Engine:
    global _engine, _sessionmaker
    if _engine is None:
        url = database_url()
        kwargs = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        else:
            kwargs.update(
                pool_size=int(os.environ.get("DB_POOL_SIZE", "5")),
                max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "5")),
            )
        _engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(_engine, "connect", _sqlite_pragmas)
        _sessionmaker = sessionmaker(_engine, future=True, expire_on_commit=False)
    return _engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the Rasa server and the action server read while the other writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def reset_engine() -> None:
    """Forget the engine (tests switch DATABASE_URL between SQLite and PostgreSQL)."""
    global _engine, _sessionmaker
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _sessionmaker = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: commits on success, rolls back on any error."""
    engine()
    session = _sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
