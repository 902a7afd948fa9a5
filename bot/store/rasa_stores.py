"""Rasa's tracker store and lock store, chosen by environment variables only.

endpoints.yml names the two classes once; the environment decides what they are:

    tracker_store:
      type: bot.store.rasa_stores.EnvTrackerStore
    lock_store:
      type: bot.store.rasa_stores.EnvLockStore

Tracker store (Rasa's SQLTrackerStore, same `events` table, same queries):
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

Lock store:
    REDIS_URL           set: a Redis lock store shared by every worker and machine
                        (AtomicRedisLockStore, key prefix LOCK_KEY_PREFIX, default "cza")
                        unset: Rasa's in-memory lock store; refused with SANIC_WORKERS > 1
    TICKET_LOCK_LIFETIME  Rasa's lock ticket lifetime in seconds (default 60)
    LOCK_WAIT_SECONDS   polling interval while another message of the same conversation is
                        being processed (default 0.1; Rasa polls every second)
    REDIS_SOCKET_TIMEOUT  seconds before a Redis call fails (default 2)

Failures are loud. Rasa wraps every tracker store in a FailSafeTrackerStore that, when
the database is unreachable, silently answers from an empty in-memory conversation and
throws the turn away. For EnvTrackerStore we make it re-raise instead (see
`_install_strict_failsafe`): the channel pipeline then tells the citizen the service is
briefly unavailable, and nothing is written that the database does not hold. The
error is `StoreUnavailable` (its text names the store, never a user's data).

Why not Rasa's RedisLockStore as is: it reads the lock, changes it in Python and writes
it back. Two workers issuing a ticket for the same conversation at the same moment both
read "no tickets", both get ticket 0 and both process the conversation at once
(DESIGN.md pitfall). AtomicRedisLockStore does each read-modify-write in a Redis
transaction (WATCH/MULTI, retried on conflict), gives lock keys an expiry, and frees
the ticket of a worker that died on this machine instead of making the conversation
wait for the ticket to expire.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Dict, Mapping, Optional, Text, Tuple

import sqlalchemy as sa
import sqlalchemy.exc
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot import rasa_speedups
from bot.store import sqlite_engine_kwargs, tune_engine

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]

DEFAULT_POOL_SIZE = 4
DEFAULT_MAX_OVERFLOW = 1


class StoreUnavailable(RasaException):
    """The tracker store or the lock store cannot be reached. The message names the store
    and the driver's error class, never SQL parameters or conversation content."""


class TrackerStoreUnavailable(StoreUnavailable):
    pass


class LockStoreUnavailable(StoreUnavailable, LockError):
    pass


# --- configuration ---------------------------------------------------------------------

def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "postgresql+"))


def _normalise(url: str) -> str:
    # Heroku-style postgres:// is not accepted by SQLAlchemy 1.4.
    return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url


def tracker_store_url(env: Optional[Mapping[str, str]] = None) -> str:
    """The tracker store's SQLAlchemy URL for this environment (see module docstring)."""
    env = os.environ if env is None else env
    explicit = (env.get("TRACKER_STORE_URL") or "").strip()
    if explicit:
        return _normalise(explicit)
    database = (env.get("DATABASE_URL") or "").strip()
    if _is_postgres(database):
        return _normalise(database)
    path = (env.get("TRACKER_DB") or "").strip()
    if not path:
        path = str(Path(env.get("VAR_DIR") or ROOT / "var") / "tracker.db")
    if path.startswith("sqlite:"):
        return path
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _env_number(env: Mapping[str, str], name: str, default, cast=int):
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except ValueError:
        logger.warning("%s=%r is not a number; using %s", name, raw, default)
        return default


def engine_kwargs(url: str, env: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """create_engine() arguments: sane pool sizes and a connect timeout (EnvTrackerStore also
    pings connections that sat idle: bot.store.tune_engine). A SQLite file gets a small
    pool instead of a connection per query."""
    env = os.environ if env is None else env
    if not _is_postgres(url):
        return sqlite_engine_kwargs(url) if url.startswith("sqlite") else {}
    kwargs = create_engine_kwargs(url)  # honours POSTGRESQL_SCHEMA like Rasa does
    kwargs["pool_size"] = _env_number(env, "SQL_POOL_SIZE", DEFAULT_POOL_SIZE)
    kwargs["max_overflow"] = _env_number(env, "SQL_MAX_OVERFLOW", DEFAULT_MAX_OVERFLOW)
    kwargs["pool_timeout"] = _env_number(env, "SQL_POOL_TIMEOUT", 10.0, float)
    connect_args = dict(kwargs.get("connect_args") or {})
    connect_args.setdefault("connect_timeout", _env_number(env, "SQL_CONNECT_TIMEOUT", 5))
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

    def __init__(self, domain=None, host: Optional[Text] = None, event_broker=None,
                 url: Optional[Text] = None, **kwargs: Any) -> None:
        # `host` is the endpoint's `url:` key; a full URL there wins, like Rasa's SQL store.
        self.url = url or (host if host and "://" in host else None) or tracker_store_url()
        self.engine = tune_engine(sa.create_engine(self.url, **engine_kwargs(self.url)))
        self._create_tables(_env_number(os.environ, "STORE_CONNECT_TIMEOUT", 60.0, float))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        logger.info("tracker store: %s (pool %s)", self.engine.url.render_as_string(hide_password=True)
                    if hasattr(self.engine.url, "render_as_string") else self.engine.url,
                    getattr(self.engine.pool, "size", lambda: "-")())
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
                    raise TrackerStoreUnavailable(f"tracker store: cannot create tables ({_describe(e)})") from None
                time.sleep(0.2)  # another worker is creating the same table
            except sqlalchemy.exc.OperationalError as e:
                if time.monotonic() > deadline:
                    raise TrackerStoreUnavailable(f"tracker store unreachable ({_describe(e)})") from None
                logger.warning("tracker store not reachable yet (%s); retrying", _describe(e))
                time.sleep(1)

    @contextmanager
    def _translated(self, what: str):
        try:
            yield
        except (sqlalchemy.exc.DBAPIError, sqlalchemy.exc.TimeoutError) as e:
            raise TrackerStoreUnavailable(f"tracker store unavailable during {what} ({_describe(e)})") from None

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
            self._pool_threads = ThreadPoolExecutor(max_workers=max(1, size), thread_name_prefix="tracker-store")
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
            session_start = (sa.select(sa.func.max(events.c.timestamp))
                             .where(events.c.sender_id == sender,
                                    events.c.type_name == SessionStarted.type_name)
                             .scalar_subquery())
            latest_session = sa.or_(events.c.timestamp >= session_start, session_start.is_(None))
            self._sql = {
                "all": sa.select(events.c.data).where(events.c.sender_id == sender).order_by(events.c.id),
                "latest": (sa.select(events.c.data).where(events.c.sender_id == sender, latest_session)
                           .order_by(events.c.id)),
                "count": (sa.select(sa.func.count()).select_from(events)
                          .where(events.c.sender_id == sender, latest_session)),
                "insert": events.insert(),
            }
        return self._sql

    def _load(self, sender_id: Text, all_sessions: bool):
        """SQLTrackerStore._retrieve (Rasa 3.6)."""
        with self.engine.connect() as connection:
            rows = connection.execute(self._statements()["all" if all_sessions else "latest"],
                                      {"sender_id": sender_id}).scalars().all()
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row) for row in rows], self.domain.slots)

    def _save_events(self, tracker) -> None:
        """SQLTrackerStore.save (Rasa 3.6) after stream_events: the events not stored yet
        (the tracker's events past the number stored for its latest session), in one
        transaction. UTF-8 JSON instead of \\u escapes: Arabic text takes a third of the bytes."""
        sql = self._statements()
        with self.engine.begin() as connection:
            stored = connection.execute(sql["count"], {"sender_id": tracker.sender_id}).scalar()
            rows = []
            for event in itertools.islice(tracker.events, stored, None):
                data = event.as_dict()
                rows.append({"sender_id": tracker.sender_id, "type_name": event.type_name,
                             "timestamp": data.get("timestamp"),
                             "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                             "action_name": data.get("name"),
                             "data": json.dumps(data, ensure_ascii=False)})
            if rows:
                connection.execute(sql["insert"], rows)

    async def keys(self):
        with self._translated("keys"):
            return await super().keys()


def ensure_tracker_tables(url: str = "") -> str:
    """Create Rasa's `events` table before the workers start (run-prod's migrate step)."""
    url = url or tracker_store_url()
    engine = sa.create_engine(url, **engine_kwargs(url))
    try:
        SQLTrackerStore.Base.metadata.create_all(engine)
    finally:
        engine.dispose()
    return url


def _install_strict_failsafe() -> None:
    """Make Rasa's FailSafeTrackerStore re-raise errors of EnvTrackerStore instead of
    silently continuing on an empty in-memory tracker (see the module docstring)."""
    from rasa.core import tracker_store as rasa_ts

    cls = rasa_ts.FailSafeTrackerStore
    if getattr(cls, "_cza_strict", False):
        return
    original_error = cls.on_tracker_store_error
    original_retrieve_error = cls.on_tracker_store_retrieve_error

    def _strict(original: Callable) -> Callable:
        def handler(self, error: Exception) -> None:
            if isinstance(getattr(self, "_tracker_store", None), EnvTrackerStore):
                logger.error("%s", error if isinstance(error, StoreUnavailable)
                             else f"tracker store error: {type(error).__name__}")
                raise error
            original(self, error)
        return handler

    cls.on_tracker_store_error = _strict(original_error)
    cls.on_tracker_store_retrieve_error = _strict(original_retrieve_error)
    cls._cza_strict = True


_install_strict_failsafe()
rasa_speedups.install()


# --- lock store ------------------------------------------------------------------------

_HOST = socket.gethostname()


def _proc_start(pid: int) -> Optional[str]:
    """Start time of a running process (field 22 of /proc/<pid>/stat), which tells a reused
    pid apart; None if there is no such process or it is a zombie (a killed Sanic worker
    stays one until the main process exits)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return None if fields[0] in ("Z", "X") else fields[19]
    except (OSError, IndexError):
        return None


_OWNER = f"{_HOST}:{os.getpid()}:{_proc_start(os.getpid())}"


def _owner() -> str:
    # Sanic forks its workers after this module may have been imported: ask every time.
    global _OWNER
    pid = os.getpid()
    if not _OWNER.startswith(f"{_HOST}:{pid}:"):
        _OWNER = f"{_HOST}:{pid}:{_proc_start(pid)}"
    return _OWNER


def _owner_dead(owner: str) -> bool:
    """True only if the owner is a process on this machine that no longer exists."""
    try:
        host, pid, started = owner.rsplit(":", 2)
    except ValueError:
        return False
    if host != _HOST:
        return False  # cannot tell; the ticket's lifetime bounds the wait
    current = _proc_start(int(pid))
    return current is None or current != started


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's ticket lock in Redis, with every read-modify-write done atomically."""

    def __init__(self, url: str, key_prefix: str = "", socket_timeout: float = 0.0,
                 wait_seconds: float = 0.0) -> None:
        import redis

        env = os.environ
        socket_timeout = socket_timeout or _env_number(env, "REDIS_SOCKET_TIMEOUT", 2.0, float)
        self.red = redis.Redis.from_url(url, socket_timeout=socket_timeout,
                                        socket_connect_timeout=socket_timeout, health_check_interval=30)
        prefix = key_prefix or env.get("LOCK_KEY_PREFIX") or "cza"
        self.key_prefix = f"{prefix}:lock:"
        self.owner_prefix = f"{prefix}:lockowner:"
        self.wait_seconds = wait_seconds or _env_number(env, "LOCK_WAIT_SECONDS", 0.1, float)
        LockStore.__init__(self)

    # Each operation: (lock or None, owners) -> (result, new lock or None, owners)
    def _atomic(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock], Dict[str, str]],
                                 Tuple[Any, Optional[TicketLock], Dict[str, str]]]) -> Any:
        import redis

        key, owners_key = self.key_prefix + conversation_id, self.owner_prefix + conversation_id
        try:
            with self.red.pipeline() as pipe:
                for _ in range(100):
                    try:
                        pipe.watch(key, owners_key)
                        raw = pipe.get(key)
                        lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                        owners = {k.decode(): v.decode() for k, v in pipe.hgetall(owners_key).items()}
                        result, new_lock, new_owners = change(lock, owners)
                        pipe.multi()
                        if new_lock is None or not new_lock.tickets:
                            pipe.delete(key, owners_key)
                        else:
                            ttl_ms = max(1000, int((max(t.expires for t in new_lock.tickets) - time.time() + 5) * 1000))
                            pipe.set(key, new_lock.dumps(), px=ttl_ms)
                            pipe.delete(owners_key)
                            live = {k: v for k, v in new_owners.items()
                                    if any(str(t.number) == k for t in new_lock.tickets)}
                            if live:
                                pipe.hset(owners_key, mapping=live)
                                pipe.pexpire(owners_key, ttl_ms)
                        pipe.execute()
                        return result
                    except redis.WatchError:
                        continue
            raise LockError(f"lock store: too much contention on one conversation")
        except redis.RedisError as e:
            raise LockStoreUnavailable(f"lock store unavailable ({type(e).__name__}: "
                                       f"{str(e).splitlines()[0][:200] if str(e) else ''})") from None

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock, owners):
            lock = lock or self.create_lock(conversation_id)
            ticket = lock.issue_ticket(lock_lifetime)
            owners[str(ticket)] = _owner()
            return ticket, lock, owners

        return self._atomic(conversation_id, change)

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets, and the ticket being served if its worker died on this machine."""
        def change(lock, owners):
            if lock is None:
                return None, None, owners
            lock.remove_expired_tickets()
            serving = lock.now_serving
            if lock.tickets and owners.get(str(serving)) and _owner_dead(owners[str(serving)]):
                logger.warning("freeing the lock ticket of a worker that died (conversation %s…)",
                               conversation_id[:4])
                lock.remove_ticket_for(serving)
            return None, lock, owners

        self._atomic(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def change(lock, owners):
            if lock is None:
                return None, None, owners
            lock.remove_ticket_for(ticket_number)
            owners.pop(str(ticket_number), None)
            return None, lock, owners

        self._atomic(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # finish_serving deletes the key when no ticket is left: the same as Rasa's
        # "remove ticket, then delete the lock if nobody waits", in one step.
        self.finish_serving(conversation_id, ticket_number)

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        import redis

        try:
            return super().get_lock(conversation_id)
        except redis.RedisError as e:
            raise LockStoreUnavailable(f"lock store unavailable ({type(e).__name__})") from None

    def save_lock(self, lock: TicketLock) -> None:  # not used by the paths above; kept atomic anyway
        self._atomic(lock.conversation_id, lambda _old, owners: (None, lock, owners))

    def delete_lock(self, conversation_id: Text) -> None:
        self._atomic(conversation_id, lambda _old, owners: (None, None, owners))

    # Rasa's LockStore.lock calls these Redis operations synchronously, i.e. ~9 round trips
    # per message that stop the worker's event loop; on a busy machine each one waits for
    # Redis to get a core, and the profile showed the loop idle 15% of the time on them.
    # Same ticket protocol as Rasa's, each operation in a small thread pool instead.
    def _executor(self) -> ThreadPoolExecutor:
        if getattr(self, "_threads", None) is None:
            self._threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lock-store")
        return self._threads

    async def _off_loop(self, fn: Callable, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor(), fn, *args)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        wait = min(wait_time_in_seconds, self.wait_seconds)
        ticket = await self._off_loop(self.issue_ticket, conversation_id, lock_lifetime)
        try:
            yield await self._acquire_off_loop(conversation_id, ticket, wait)
        finally:
            try:
                # Runs to the end even if the request is cancelled while awaiting it.
                await asyncio.shield(self._off_loop(self.cleanup, conversation_id, ticket))
            except LockStoreUnavailable as e:
                # The message was handled and saved; failing it now would add an apology
                # to a real answer. The ticket expires with its lifetime.
                logger.warning("could not release a lock ticket (%s); it will expire", e)

    async def _acquire_off_loop(self, conversation_id: Text, ticket: int, wait: float) -> TicketLock:
        """Rasa's LockStore._acquire_lock (3.6) with the Redis calls off the event loop."""
        while True:
            lock = await self._off_loop(self.get_lock, conversation_id)
            if not lock:
                break  # expired while we waited
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(wait)
            await self._off_loop(self.update_lock, conversation_id)
        raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")

    def ping(self) -> bool:
        return bool(self.red.ping())


def sanic_workers(env: Optional[Mapping[str, str]] = None) -> int:
    env = os.environ if env is None else env
    return max(1, _env_number(env, "SANIC_WORKERS", 1))


def create_lock_store(env: Optional[Mapping[str, str]] = None, **kwargs: Any) -> LockStore:
    env = os.environ if env is None else env
    url = (env.get("REDIS_URL") or "").strip()
    if url:
        store = AtomicRedisLockStore(url, key_prefix=str(kwargs.get("key_prefix") or ""))
        try:
            store.ping()
        except Exception as e:  # start anyway: messages fail clearly until Redis is back
            logger.warning("lock store: Redis not reachable at start (%s)", type(e).__name__)
        return store
    workers = sanic_workers(env)
    if workers > 1:
        raise ValueError(f"SANIC_WORKERS={workers} needs a shared lock store: set REDIS_URL "
                         f"(an in-memory lock cannot keep one conversation's messages in order "
                         f"across processes)")
    return InMemoryLockStore()


class EnvLockStore(LockStore):
    """Factory named in endpoints.yml: Rasa calls EnvLockStore(endpoint_config=...) and
    gets an AtomicRedisLockStore (REDIS_URL set) or an InMemoryLockStore."""

    def __new__(cls, endpoint_config=None, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        options = dict(getattr(endpoint_config, "kwargs", None) or {})
        options.update(kwargs)
        return create_lock_store(**options)
