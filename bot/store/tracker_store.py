"""Rasa's tracker store, chosen by environment variables only.

endpoints.yml names the class once; the environment decides what it is:

    tracker_store:
      type: bot.store.tracker_store.EnvTrackerStore

Rasa's SQLTrackerStore, same `events` table, same queries:
    TRACKER_STORE_URL   explicit SQLAlchemy URL (rarely needed)
    DATABASE_URL        if it is PostgreSQL, the tracker lives in the same database as our
                        own tables (production profile)
    TRACKER_DB          otherwise: SQLite file (default VAR_DIR/tracker.db) - `make run`, tests
    SQL_POOL_SIZE       connections kept per Rasa worker (default 4, Rasa's own default is 50)
    SQL_MAX_OVERFLOW    extra connections for calls outside the pool threads (default 1,
                        Rasa's default is 100)
    SQL_POOL_TIMEOUT    seconds to wait for a free connection (default 10)
    STORE_CONNECT_TIMEOUT  how long a starting worker waits for the database (default 60 s)
  Queries run in a thread pool of SQL_POOL_SIZE threads per worker (Rasa
  runs them inside the event loop, which then stalls every conversation of that worker while
  one waits for the database), so a worker never holds more connections than 4 + 1, which is
  plenty, and Rasa's 50 + 100 per process is what exhausts PostgreSQL's 100 connections
  with a handful of workers.

Failures are loud. Rasa wraps every tracker store in a FailSafeTrackerStore that, when
the database is unreachable, silently answers from an empty in-memory conversation and
throws the turn away. For EnvTrackerStore it re-raises instead (bot/patches/strict_failsafe.py,
applied by bot.patches.apply() when the Rasa server starts): the channel pipeline then tells
the citizen the service is briefly unavailable, and nothing is written that the database
does not hold. The error is `TrackerStoreUnavailable`, a `StoreUnavailable` (its text
names the store, never a user's data).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Optional, Text

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import settings
from bot.store import sqlite_engine_kwargs, tune_engine, turns
from bot.store.errors import StoreUnavailable
from bot.store.files import private_folder

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_POOL_SIZE = 4
DEFAULT_MAX_OVERFLOW = 1


class TrackerStoreUnavailable(StoreUnavailable, RasaException):
    """The tracker store's database cannot be reached. The message names the store and the
    driver's error class, never SQL parameters or conversation content."""


# --- configuration ---------------------------------------------------------------------


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "postgresql+"))


def _normalise(url: str) -> str:
    # Heroku-style postgres:// is not accepted by SQLAlchemy 1.4.
    return "postgresql://" + url[len("postgres://") :] if url.startswith("postgres://") else url


def tracker_store_url(env: Optional[Mapping[str, str]] = None) -> str:
    """The tracker store's SQLAlchemy URL for this environment (see module docstring)."""
    current = settings.of(env)
    if current.tracker_store_url:
        return _normalise(current.tracker_store_url)
    if _is_postgres(current.database_url):
        return _normalise(current.database_url)
    path = current.tracker_db or str(current.var_dir / "tracker.db")
    if path.startswith("sqlite:"):
        return path
    private_folder(Path(path).parent)
    return f"sqlite:///{path}"


def engine_kwargs(url: str, env: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """create_engine() arguments: sane pool sizes and a connect timeout (EnvTrackerStore also
    pings connections that sat idle: bot.store.tune_engine). A SQLite file gets a small
    pool instead of a connection per query."""
    current = settings.of(env)
    if not _is_postgres(url):
        return sqlite_engine_kwargs(url) if url.startswith("sqlite") else {}
    kwargs = create_engine_kwargs(url)  # honours POSTGRESQL_SCHEMA like Rasa does
    kwargs["pool_size"] = current.sql_pool_size
    kwargs["max_overflow"] = current.sql_max_overflow
    kwargs["pool_timeout"] = current.sql_pool_timeout
    connect_args = dict(kwargs.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", current.sql_connect_timeout)
    connect_args.setdefault("application_name", "rasa-tracker")
    kwargs["connect_args"] = connect_args
    return kwargs


def _describe(error: BaseException) -> str:
    """First line of the driver's message: says what failed without SQL or parameters."""
    orig = getattr(error, "orig", None) or error
    first = (str(orig).strip().splitlines() or [""])[0][:200]
    return f"{type(orig).__name__}: {first}" if first else type(orig).__name__


# --- tracker store ---------------------------------------------------------------------


class EnvTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore on the database the environment names, with sane pools."""

    def __init__(
        self,
        domain=None,
        host: Optional[Text] = None,
        event_broker=None,
        url: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        # `host` is the endpoint's `url:` key; a full URL there wins, like Rasa's SQL store.
        self.url = url or (host if host and "://" in host else None) or tracker_store_url()
        self.engine = tune_engine(sa.create_engine(self.url, **engine_kwargs(self.url)))
        self._create_tables(settings.get().store_connect_timeout)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info(
            "tracker store: %s (pool %s)",
            self.engine.url.render_as_string(hide_password=True)
            if hasattr(self.engine.url, "render_as_string")
            else self.engine.url,
            getattr(self.engine.pool, "size", lambda: "-")(),
        )
        TrackerStore.__init__(self, domain, event_broker, **kwargs)

    def _create_tables(self, timeout: float) -> None:
        """Create the `events` table if missing. Waits for a database that is still starting;
        several workers creating it at once is fine (the loser sees it exists next time)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.Base.metadata.create_all(self.engine)
                return
            except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError) as e:
                if time.monotonic() > deadline:
                    raise TrackerStoreUnavailable(
                        f"tracker store: cannot create tables ({_describe(e)})"
                    ) from None
                time.sleep(0.2)  # another worker is creating the same table
            except sqlalchemy.exc.OperationalError as e:
                if time.monotonic() > deadline:
                    raise TrackerStoreUnavailable(
                        f"tracker store unreachable ({_describe(e)})"
                    ) from None
                logger.warning("tracker store not reachable yet (%s); retrying", _describe(e))
                time.sleep(1)

    @contextmanager
    def _translated(self, what: str):
        try:
            yield
        except (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError) as e:
            raise TrackerStoreUnavailable(
                f"tracker store unavailable during {what} ({_describe(e)})"
            ) from None

    # Rasa's SQL tracker store is synchronous code in async methods: every query blocks the
    # worker's event loop, so no other conversation moves while one waits for the database.
    # We run the same code in a small thread pool (one thread per pooled connection); the
    # Redis lock still keeps one conversation's messages strictly one after the other.
    def _executor(self) -> ThreadPoolExecutor:
        if getattr(self, "_pool_threads", None) is None:
            pool = self.engine.pool
            # As many threads as kept connections: more would open and close overflow
            # connections on every busy moment (a PostgreSQL backend each time).
            size = pool.size() if hasattr(pool, "size") else 4
            self._pool_threads = ThreadPoolExecutor(
                max_workers=max(1, size), thread_name_prefix="tracker-store"
            )
        return self._pool_threads

    async def _in_thread(self, fn: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)

    async def retrieve(self, sender_id: Text):
        with self._translated("retrieve"):
            return await self._in_thread(self._load, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: Text):
        with self._translated("retrieve"):
            return await self._in_thread(self._load, conversation_id, True)

    async def save(self, tracker) -> None:
        await self.stream_events(tracker)  # nothing without an event broker
        with self._translated("save"):
            await self._in_thread(self._save_events, tracker)

    # Rasa 3.6's SQLTrackerStore does the same through ORM queries: an SQLEvent object per
    # stored event on every load, and the whole query rebuilt and re-compiled for every
    # load and every count (a fifth of a worker's CPU per message). Same SQL, same order,
    # same "latest session only" rule, as Core statements built once.
    def _statements(self) -> Dict[str, Any]:
        if getattr(self, "_sql", None) is None:
            events = self.SQLEvent.__table__
            sender = sa.bindparam("sender_id")
            session_start = (
                sa.select(sa.func.max(events.c.timestamp))
                .where(events.c.sender_id == sender, events.c.type_name == SessionStarted.type_name)
                .scalar_subquery()
            )
            latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
            self._sql = {
                "all": sa.select(events.c.data)
                .where(events.c.sender_id == sender)
                .order_by(events.c.id),
                "latest": (
                    sa.select(events.c.data)
                    .where(events.c.sender_id == sender, latest_session)
                    .order_by(events.c.id)
                ),
                "count": (
                    sa.select(sa.func.count())
                    .select_from(events)
                    .where(events.c.sender_id == sender, latest_session)
                ),
                "insert": events.insert(),
            }
        return self._sql

    def _load(self, sender_id: Text, all_sessions: bool):
        """SQLTrackerStore._retrieve (Rasa 3.6)."""
        with self.engine.connect() as connection:
            rows = (
                connection.execute(
                    self._statements()["all" if all_sessions else "latest"],
                    {"sender_id": sender_id},
                )
                .scalars()
                .all()
            )
        if not (self.domain and rows):
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(row) for row in rows], self.domain.slots
        )
        if not all_sessions:
            # What the count at save time would find: the conversation's lock keeps other
            # workers out between this load and the turn's save.
            tracker.cza_stored = len(rows)
        return tracker

    def _save_events(self, tracker) -> None:
        """SQLTrackerStore.save (Rasa 3.6) after stream_events: the events not stored yet
        (the tracker's events past the number stored for its latest session), in one
        transaction. UTF-8 JSON instead of \\u escapes: Arabic text takes a third of the bytes."""
        sql = self._statements()
        with self.engine.begin() as connection:
            stored = getattr(tracker, "cza_stored", None)
            if stored is None:  # a tracker this store did not load (new, or Rasa's API)
                stored = connection.execute(sql["count"], {"sender_id": tracker.sender_id}).scalar()
            rows = []
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                rows.append(
                    {
                        "sender_id": tracker.sender_id,
                        "type_name": event.type_name,
                        "timestamp": data.get("timestamp"),
                        "intent_name": data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        "action_name": data.get("name"),
                        "data": json.dumps(data, ensure_ascii=False),
                    }
                )
            if rows:
                connection.execute(sql["insert"], rows)
        tracker.cza_stored = stored + len(rows)  # a second save in the same turn
        turns.note_events(tracker.sender_id, rows, tracker.active_loop_name)  # console analytics

    async def keys(self):
        with self._translated("keys"):
            return await super().keys()


def ensure_tracker_tables(url: str = "") -> str:
    """Create Rasa's `events` table before the workers start (run-prod's migrate step)."""
    url = url or tracker_store_url()
    engine = tune_engine(sa.create_engine(url, **engine_kwargs(url)))
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    return url
