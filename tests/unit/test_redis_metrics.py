"""/metrics counts failed Redis calls wherever the product makes them
(`cza_redis_errors_total{where}`): each fallback below is taken against a Redis that
refuses every call, and the counter for that place moves by one or more."""

from __future__ import annotations

import asyncio
import socket

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import metrics


def _count(where: str) -> float:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for s in family.samples:
            if s.name == "cza_redis_errors_total" and s.labels.get("where") == where:
                return s.value
    return 0.0


def _dead_url() -> str:
    """A local port nobody listens on: every connection is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


class Broken:
    """A Redis client whose every call fails, sync or async."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("redis down")

        return fail


@pytest.fixture
def dead_redis(monkeypatch):
    url = _dead_url()
    monkeypatch.setenv("REDIS_URL", url)
    monkeypatch.setenv("REDIS_SOCKET_TIMEOUT", "0.5")
    return url


def test_dedup_and_rate_limiter_count_and_fail_open():
    from channels.state import RedisDeduper, RedisRateLimiter

    before = _count("dedup"), _count("rate_limit")
    assert asyncio.run(RedisDeduper(Broken(), 60).first_time("telegram:1")) is True
    assert asyncio.run(RedisRateLimiter(Broken(), 5, 60).hit("telegram:1")).allowed
    assert (_count("dedup"), _count("rate_limit")) == (before[0] + 1, before[1] + 1)


def test_the_lock_store_counts_before_it_fails_loudly(dead_redis):
    from bot.store.lock_store import AtomicRedisLockStore, LockStoreUnavailable

    store = AtomicRedisLockStore(dead_redis, socket_timeout=0.5)
    before = _count("lock_store")
    with pytest.raises(LockStoreUnavailable):
        store.issue_ticket("telegram:1")
    with pytest.raises(LockStoreUnavailable):
        store.get_lock("telegram:1")
    assert _count("lock_store") == before + 2


def test_desk_notices_and_the_live_listener_count(dead_redis):
    from bot.services.handoff import events
    from channels.desk.live import Hub

    before = _count("desk_notice")
    events.emit("changed", 1)  # falls back to this process's listeners
    assert _count("desk_notice") == before + 1

    async def listen_once():
        task = asyncio.create_task(Hub()._listen_redis(dead_redis))
        for _ in range(100):
            await asyncio.sleep(0.02)
            if _count("desk_live") > live_before:
                break
        task.cancel()

    live_before = _count("desk_live")
    asyncio.run(listen_once())
    assert _count("desk_live") > live_before


def test_the_notification_push_fan_out_counts(dead_redis):
    from channels.notify import push as notify_push

    before = _count("notify_push")
    assert asyncio.run(notify_push._publish(dead_redis, "web:abc", 7)) == 0
    assert _count("notify_push") == before + 1


def test_the_sign_in_throttle_counts_and_falls_back():
    from bot.services.desk.throttle import RedisCounters, SignInThrottle

    throttle = SignInThrottle(RedisCounters(Broken()), salt="t")
    before = _count("desk_signin")
    throttle._run("add", "k", 1.0)
    assert throttle._run("since", "k", 0.0)[0] == 1  # counted in this process meanwhile
    assert _count("desk_signin") == before + 2
