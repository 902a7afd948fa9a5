"""One Redis server per test session (bot/tools/services.py, Debian's redis-server on
loopback), flushed before each test that asks for it."""

from __future__ import annotations

import pytest

from tests.support.ci import unavailable


@pytest.fixture(scope="session")
def redis_server():
    from bot.tools.services import Redis, ServiceError, missing_binaries

    if "redis-server" in missing_binaries():
        unavailable("redis-server not found (make system-deps installs it)")
    try:
        server = Redis().start()
    except ServiceError as exc:
        unavailable(f"Redis did not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url
