"""Real PostgreSQL and Redis for the production-profile tests (tests/prod).

The servers are throwaway clusters started from Debian's `postgresql` and
`redis-server` packages (bot/tools/services.py) on free loopback ports, once per test
session. Without the binaries the tests skip on a developer machine, and FAIL when
CI=true: CI must prove the storage paths against the real engines, not skip them.
"""

from __future__ import annotations

import os

import pytest

from bot.tools.services import Postgres, Redis, missing_binaries


def _require_binaries() -> None:
    missing = missing_binaries()
    if not missing:
        return
    message = (
        f"Debian packages missing: {' '.join(missing)} "
        f"(make system-deps, or apt-get install {' '.join(missing)})"
    )
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _rasa_as_served(rasa_patches) -> None:
    """The stores as the Rasa server runs them: with bot.patches applied (a tracker store
    outage raises through Rasa's FailSafeTrackerStore instead of a blank conversation)."""


@pytest.fixture(scope="session")
def service_binaries() -> None:
    _require_binaries()


@pytest.fixture(scope="session")
def pg_server():
    _require_binaries()
    server = Postgres(durable=False).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server():
    _require_binaries()
    server = Redis().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_database(pg_server):
    """A fresh database per test on the shared cluster: tests never see each other's rows."""
    import uuid

    name = f"t_{uuid.uuid4().hex[:10]}"
    pg_server.create_database(name)
    url = pg_server.url.rsplit("/", 1)[0] + "/" + name
    yield url
    import psycopg2

    conn = psycopg2.connect(pg_server.admin_url())
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


@pytest.fixture
def redis_url(redis_server):
    import redis

    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    client.close()
    return redis_server.url


@pytest.fixture
def prod_env(monkeypatch, pg_database, redis_url, tmp_path):
    """The production profile's environment for code running in this process."""
    from bot.store import reset_engine

    monkeypatch.setenv("DATABASE_URL", pg_database)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for key in (
        "TRACKER_STORE_URL",
        "TRACKER_DB",
        "SQL_POOL_SIZE",
        "SQL_MAX_OVERFLOW",
        "SANIC_WORKERS",
    ):
        monkeypatch.delenv(key, raising=False)
    reset_engine()
    yield {"DATABASE_URL": pg_database, "REDIS_URL": redis_url}
    reset_engine()
