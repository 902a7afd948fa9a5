"""Real PostgreSQL and Redis for the production-profile tests (tests/prod).

The servers are throwaway clusters started from Debian's `postgresql` and
`redis-server` packages (bot/tools/services.py) on free loopback ports, once per test
session. Without the binaries the tests skip on a developer machine, and FAIL when
CI=true: CI must prove the storage paths against the real engines, not skip them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.tools.services import Postgres, Redis, missing_binaries
from tests.environment import restore_environment

ROOT = Path(__file__).resolve().parents[2]


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


# What earlier tests left in the environment must not steer a production stack.
STACK_ENV = ("DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL")


@contextmanager
def running_prod_stack(model, var_dir, name, env_overrides, clear=STACK_ENV):
    """A production profile (two workers by `env_overrides`) on throwaway PostgreSQL and
    Redis, its logs in results/server-logs/<name>; the cleared variables come back after."""
    from bot.tools.prod import ProdStack
    from bot.tools.services import free_port

    saved = {k: os.environ.pop(k, None) for k in clear}
    stack = ProdStack(
        model=model,
        rasa_port=free_port(),
        actions_port=free_port(),
        var_dir=var_dir,
        log_dir=ROOT / "results" / "server-logs" / name,
        env_overrides=env_overrides,
        throwaway_services=True,
        durable=False,
    )
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        restore_environment(saved)
