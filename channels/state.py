"""Dedup and rate-limit state.

In-process by default: a bounded LRU with a TTL per entry. With REDIS_URL set, the same
interface is backed by Redis (SET NX EX for dedup, a sorted set of recent message times
per conversation for the sliding-window rate limit) so several Rasa workers share it. If
Redis is unreachable the checks fail open (the message is processed) and a warning is
logged: a citizen getting an answer twice is better than no answer at all.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict, deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Optional

from bot import settings

logger = logging.getLogger(__name__)


class TTLCache:
    """Bounded LRU mapping key -> (value, expires_at). Not thread-safe; used from one event loop."""

    def __init__(self, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_entries = max_entries
        self.clock = clock
        self._data: "OrderedDict[str, tuple]" = OrderedDict()

    def get(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires <= self.clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return value

    def set(self, key: str, value: Any, ttl: float) -> None:
        self._data[key] = (value, self.clock() + ttl)
        self._data.move_to_end(key)
        while len(self._data) > self.max_entries:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class RateDecision:
    allowed: bool
    notify: bool = False  # True once per window: tell the user politely, then stay quiet
    retry_after: int = 0  # refused: whole seconds until a message would be accepted again


def _retry_after(times, limit: int, window: float, now: float) -> int:
    """Seconds until fewer than `limit` of these message times (oldest first: the ones
    that count) are left in the window."""
    expire = len(times) - limit + 1  # how many must leave the window
    if expire <= 0:
        return 0
    return max(1, int(-(-(times[expire - 1] + window - now) // 1)))


class MemoryDeduper:
    def __init__(self, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic):
        self.ttl = ttl
        self.cache = TTLCache(max_entries, clock)

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen within the TTL (atomic within the event loop)."""
        if self.cache.get(key) is not None:
            return False
        self.cache.set(key, 1, self.ttl)
        return True


class MemoryRateLimiter:
    """At most `limit` messages in any `window` seconds per key (a sliding window: a fixed
    per-minute bucket would let a burst straddling the minute through twice).

    `count_refused`: do refused messages count too? For a client address (one client
    posing as many senders) they do, so whoever keeps flooding stays refused until they
    pause. For a conversation they do not: the citizen is told when to send again
    (`retry_after`), and a message sent then must get through whatever they tried in
    between. `notify` is true for at most one refusal per window."""

    def __init__(
        self,
        limit: int,
        window: float,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
        count_refused: bool = True,
    ):
        self.limit, self.window, self.clock = limit, window, clock
        self.count_refused = count_refused
        self.cache = TTLCache(max_entries, clock)
        self.notified = TTLCache(max_entries, clock)

    async def hit(self, key: str) -> RateDecision:
        if self.limit <= 0:
            return RateDecision(True)
        now = self.clock()
        recent = self.cache.get(key) or deque(maxlen=self.limit + 1)
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        before = len(recent)
        allowed = before < self.limit
        if allowed or self.count_refused:
            recent.append(now)  # maxlen keeps the newest limit + 1: enough to decide
        self.cache.set(key, recent, self.window)
        if allowed:
            return RateDecision(True)
        times = list(recent)
        notify = self.notified.get(key) is None
        if notify:
            self.notified.set(key, 1, self.window)
        return RateDecision(False, notify, _retry_after(times, self.limit, self.window, now))


class RedisDeduper:
    def __init__(self, client: Any, ttl: float, prefix: str = "cza:dedup:"):
        self.client, self.ttl, self.prefix = client, int(max(1, ttl)), prefix

    async def first_time(self, key: str) -> bool:
        try:
            return bool(await self.client.set(self.prefix + key, 1, nx=True, ex=self.ttl))
        except Exception as e:  # fail open
            from bot import metrics

            metrics.redis_error("dedup")
            logger.warning("redis dedup unavailable (%s); processing the update", type(e).__name__)
            return True


class RedisRateLimiter:
    """MemoryRateLimiter's sliding window, shared by every worker: one sorted set of recent
    message times per key, updated in one MULTI/EXEC."""

    def __init__(
        self,
        client: Any,
        limit: int,
        window: float,
        prefix: str = "cza:rate:",
        clock: Callable[[], float] = time.time,
        count_refused: bool = True,
    ):
        self.client, self.limit, self.window = client, limit, window
        self.prefix, self.clock = prefix, clock
        self.count_refused = count_refused

    async def hit(self, key: str) -> RateDecision:
        if self.limit <= 0:
            return RateDecision(True)
        now = self.clock()
        rk = f"{self.prefix}{key}"
        member = f"{now!r}:{uuid.uuid4().hex[:8]}"
        try:
            pipe = self.client.pipeline()  # MULTI/EXEC: atomic between workers
            pipe.zremrangebyscore(rk, "-inf", now - self.window)
            pipe.zcard(rk)
            pipe.zadd(rk, {member: now})
            pipe.zremrangebyrank(rk, 0, -(self.limit + 2))  # keep the newest limit + 1
            pipe.pexpire(rk, int(self.window * 1000) + 1000)
            pipe.zrange(rk, 0, -1, withscores=True)
            _, before, *_, kept = await pipe.execute()
            if before < self.limit:
                return RateDecision(True)
            if not self.count_refused:
                await self.client.zrem(rk, member)
            notify = bool(
                await self.client.set(f"{rk}:told", 1, nx=True, ex=max(1, int(self.window)))
            )
        except Exception as e:  # fail open
            from bot import metrics

            metrics.redis_error("rate_limit")
            logger.warning(
                "redis rate limit unavailable (%s); allowing the message", type(e).__name__
            )
            return RateDecision(True)
        mine = member.encode()
        times = sorted(
            float(score)
            for name, score in kept
            if self.count_refused or (name.encode() if isinstance(name, str) else name) != mine
        )
        return RateDecision(False, notify, _retry_after(times, self.limit, self.window, now))


def build_state(redis_client: Optional[Any] = None):
    """(deduper, rate_limiter) from the environment; `redis_client` overrides REDIS_URL (tests)."""
    current = settings.get()
    ttl, max_entries = current.dedup_ttl_seconds, current.dedup_max_entries
    limit, window = current.rate_limit_messages, current.rate_limit_window_seconds
    url = current.redis_url
    if redis_client is None and url:
        import redis.asyncio as aioredis

        redis_client = aioredis.from_url(url)
    if redis_client is not None:
        return RedisDeduper(redis_client, ttl), RedisRateLimiter(
            redis_client, limit, window, count_refused=False
        )
    return MemoryDeduper(ttl, max_entries), MemoryRateLimiter(
        limit, window, max_entries, count_refused=False
    )


# The per-conversation limit does not stop one client from becoming many senders (a new
# REST sender id or widget session per message); these limits are keyed by address.
CLIENT_LIMITS = {
    "rest": ("rest_rate_limit_per_address", "rest_rate_limit_window_seconds"),
    "web-session": ("webchat_sessions_per_address", "webchat_sessions_window_seconds"),
}


def address_limiter(kind: str, conversation_limiter: Any):
    """The per-address limiter of `kind`: the same sliding window as the per-conversation
    limit, and the same Redis (shared by every worker) when that one uses Redis."""
    limit_field, window_field = CLIENT_LIMITS[kind]
    current = settings.get()
    limit, window = getattr(current, limit_field), getattr(current, window_field)
    client = getattr(conversation_limiter, "client", None)
    if client is not None:
        return RedisRateLimiter(client, limit, window, prefix=f"cza:addr:{kind}:")
    return MemoryRateLimiter(limit, window)


class KeyedLocks:
    """One asyncio.Lock per conversation, so a citizen's messages reach Rasa in order."""

    def __init__(self) -> None:
        self._locks: Dict[str, asyncio.Lock] = {}
        self._users: Dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, key: str):
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]
