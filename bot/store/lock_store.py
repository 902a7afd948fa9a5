"""Rasa's lock store, chosen by environment variables only.

endpoints.yml names the class once; the environment decides what it is:

    lock_store:
      type: bot.store.lock_store.EnvLockStore

    REDIS_URL           set: a Redis lock store shared by every worker and machine
                        (AtomicRedisLockStore, key prefix LOCK_KEY_PREFIX, default "cza")
                        unset: Rasa's in-memory lock store; refused with SANIC_WORKERS > 1
    TICKET_LOCK_LIFETIME  Rasa's lock ticket lifetime in seconds (default 60)
    LOCK_WAIT_SECONDS   polling interval while another message of the same conversation is
                        being processed (default 0.1; Rasa polls every second)
    REDIS_SOCKET_TIMEOUT  seconds before a Redis call fails (default 2)

Failures are loud: `LockStoreUnavailable`, a `StoreUnavailable` and Rasa's `LockError`
(its text names the store, never a user's data).

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
import json
import logging
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncGenerator, Callable, Dict, Mapping, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)

from bot import settings
from bot.store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


class LockStoreUnavailable(StoreUnavailable, LockError):
    """Redis cannot be reached. The message names the store and the driver's error class,
    never conversation content."""


_HOST = socket.gethostname()


def _count_redis_error() -> None:
    # Imported here: Rasa imports this module by path and importing it must change nothing
    # (bot.metrics may create the multiprocess directory).
    from bot import metrics

    metrics.redis_error("lock_store")


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

    def __init__(
        self, url: str, key_prefix: str = "", socket_timeout: float = 0.0, wait_seconds: float = 0.0
    ) -> None:
        import redis

        current = settings.get()
        socket_timeout = socket_timeout or current.redis_socket_timeout
        self.red = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )
        prefix = key_prefix or current.lock_key_prefix
        self.key_prefix = f"{prefix}:lock:"
        self.owner_prefix = f"{prefix}:lockowner:"
        self.wait_seconds = wait_seconds or current.lock_wait_seconds
        LockStore.__init__(self)

    # Each operation: (lock or None, owners) -> (result, new lock or None, owners)
    def _atomic(
        self,
        conversation_id: Text,
        change: Callable[
            [Optional[TicketLock], Dict[str, str]], Tuple[Any, Optional[TicketLock], Dict[str, str]]
        ],
    ) -> Any:
        import redis

        key, owners_key = self.key_prefix + conversation_id, self.owner_prefix + conversation_id
        try:
            with self.red.pipeline() as pipe:
                for _ in range(100):
                    try:
                        pipe.watch(key, owners_key)
                        raw = pipe.get(key)
                        lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                        owners = {
                            k.decode(): v.decode() for k, v in pipe.hgetall(owners_key).items()
                        }
                        result, new_lock, new_owners = change(lock, owners)
                        pipe.multi()
                        if new_lock is None or not new_lock.tickets:
                            pipe.delete(key, owners_key)
                        else:
                            ttl_ms = max(
                                1000,
                                int(
                                    (max(t.expires for t in new_lock.tickets) - time.time() + 5)
                                    * 1000
                                ),
                            )
                            pipe.set(key, new_lock.dumps(), px=ttl_ms)
                            pipe.delete(owners_key)
                            live = {
                                k: v
                                for k, v in new_owners.items()
                                if any(str(t.number) == k for t in new_lock.tickets)
                            }
                            if live:
                                pipe.hset(owners_key, mapping=live)
                                pipe.pexpire(owners_key, ttl_ms)
                        pipe.execute()
                        return result
                    except redis.WatchError:
                        continue
            raise LockError("lock store: too much contention on one conversation")
        except redis.RedisError as e:
            _count_redis_error()
            raise LockStoreUnavailable(
                f"lock store unavailable ({type(e).__name__}: "
                f"{str(e).splitlines()[0][:200] if str(e) else ''})"
            ) from None

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
                logger.warning(
                    "freeing the lock ticket of a worker that died (conversation %s…)",
                    conversation_id[:4],
                )
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
            _count_redis_error()
            raise LockStoreUnavailable(f"lock store unavailable ({type(e).__name__})") from None

    def save_lock(
        self, lock: TicketLock
    ) -> None:  # not used by the paths above; kept atomic anyway
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
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
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

    async def _acquire_off_loop(
        self, conversation_id: Text, ticket: int, wait: float
    ) -> TicketLock:
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
    return max(1, settings.of(env).sanic_workers)


def create_lock_store(env: Optional[Mapping[str, str]] = None, **kwargs: Any) -> LockStore:
    url = settings.of(env).redis_url
    if url:
        store = AtomicRedisLockStore(url, key_prefix=str(kwargs.get("key_prefix") or ""))
        try:
            store.ping()
        except Exception as e:  # start anyway: messages fail clearly until Redis is back
            _count_redis_error()
            logger.warning("lock store: Redis not reachable at start (%s)", type(e).__name__)
        return store
    workers = sanic_workers(env)
    if workers > 1:
        raise ValueError(
            f"SANIC_WORKERS={workers} needs a shared lock store: set REDIS_URL "
            f"(an in-memory lock cannot keep one conversation's messages in order "
            f"across processes)"
        )
    return InMemoryLockStore()


class EnvLockStore(LockStore):
    """Factory named in endpoints.yml: Rasa calls EnvLockStore(endpoint_config=...) and
    gets an AtomicRedisLockStore (REDIS_URL set) or an InMemoryLockStore."""

    def __new__(cls, endpoint_config=None, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        options = dict(getattr(endpoint_config, "kwargs", None) or {})
        options.update(kwargs)
        return create_lock_store(**options)
