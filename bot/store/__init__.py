"""The assistant's own database: tickets, objections, SMS outbox, handoffs, audit log.

SQLite file by default (var/app.db), PostgreSQL through DATABASE_URL. Code is
written 2.0-style (select(), Session.execute, future=True) on SQLAlchemy 1.4,
which Rasa pins. Schema changes go through Alembic (bot/store/migrations).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot import settings
from bot.store.files import private_folder, private_sqlite

ROOT = Path(__file__).resolve().parents[2]

logger = logging.getLogger(__name__)


def database_url() -> str:
    current = settings.get()
    if not current.database_url:
        private_folder(current.var_dir)
    return current.app_database_url()


_engine: Optional[Engine] = None
_sessionmaker: Optional[sessionmaker] = None


def engine() -> Engine:
    global _engine, _sessionmaker
    if _engine is None:
        url = database_url()
        kwargs = {"future": True}
        if url.startswith("sqlite"):
            kwargs.update(sqlite_engine_kwargs(url))
        else:
            # asyncio.to_thread's default pool has min(32, cores + 4) threads: keep that
            # many connections, so a busy worker does not open and close overflow ones.
            kwargs.update(
                pool_size=settings.get().db_pool_size,
                max_overflow=settings.get().db_max_overflow,
            )
        _engine = tune_engine(create_engine(url, **kwargs))
        _sessionmaker = sessionmaker(_engine, future=True, expire_on_commit=False)
    return _engine


def sqlite_engine_kwargs(url: str) -> dict:
    """create_engine() arguments for a SQLite file shared by threads.

    SQLAlchemy 1.4 gives file databases a NullPool: every transaction opened a new
    connection and re-ran the pragmas, which was a fifth of the server's CPU per message
    (py-spy, docs/benchmarks.md "Load"). A small pool keeps connections open; a file
    cannot go away like a server, so no pre-ping."""
    kwargs = {"connect_args": {"check_same_thread": False, "timeout": 15}}
    if ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite+pysqlite:"):
        kwargs.update(poolclass=QueuePool, pool_size=5, max_overflow=10)
    return kwargs


PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> Engine:
    """Test a pooled server connection before use only if it sat unused for a while.

    pool_pre_ping sends a round trip before every transaction: about a tenth of a worker's
    CPU at five transactions per message (py-spy, docs/benchmarks.md "Load"). A connection
    used within the last second is handed out as is; if the server died in that second,
    the statement fails with a disconnect error, SQLAlchemy drops the whole pool and the
    next transaction reconnects. A connection idle for longer (e.g. the database was
    restarted overnight) is pinged, and replaced without an error if the ping fails."""

    @event.listens_for(engine, "checkin")
    def _remember(_dbapi_connection, record) -> None:
        record.info["cza_checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        checked_in = record.info.get("cza_checked_in")
        if checked_in is None or time.monotonic() - checked_in <= idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as e:
            # The pool discards this connection and retries with a new one.
            raise DisconnectionError(type(e).__name__) from None

    return engine


def tune_engine(engine: Engine) -> Engine:
    """What every engine of ours gets after create_engine(): a SQLite file created 0600
    (bot/store/files.py), WAL and foreign keys, or the idle-connection ping for a database
    server."""
    if engine.dialect.name == "sqlite":
        private_sqlite(engine.url)
        event.listen(engine, "connect", sqlite_pragmas)
    else:
        ping_when_idle(engine)
    return engine


def sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets the Rasa server and the action server read while the other writes.
    # synchronous=NORMAL is SQLite's advice for WAL: a commit is one write to the log, no
    # fsync; a killed process loses nothing, a power cut the last commits. FULL made the
    # fsync of each of a turn's commits the largest single cost of `make run` (py-spy,
    # docs/benchmarks.md "Half the CPU"); PostgreSQL, the production store, is untouched.
    mode = "FULL" if settings.get().sqlite_synchronous.strip().lower() == "full" else "NORMAL"
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={mode}")
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
def transaction() -> Iterator[Connection]:
    """One Core transaction (no ORM unit of work): for the few writes made on every
    message, where the ORM's bookkeeping costs more than the SQL."""
    with engine().begin() as connection:
        yield connection


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
