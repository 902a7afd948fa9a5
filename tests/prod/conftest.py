"""The production-profile tests (tests/prod): the stores as the Rasa server runs them,
the environment of a worker, and a running production stack.

PostgreSQL and Redis are the session's own (tests/support/postgres.py, redis.py).
Without the binaries the tests skip on a developer machine, and FAIL in CI
(tests/support/ci.py): CI must prove the storage paths against the real engines.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.tools.services import missing_binaries
from tests.support.ci import unavailable
from tests.support.environment import restore_environment

ROOT = Path(__file__).resolve().parents[2]
PROCESS_TOOLS = {"supervisor": "supervisord", "haproxy": "haproxy"}  # Debian package: binary


def _require_binaries() -> None:
    # the production profile runs under supervisord; the multi-host tests add HAProxy
    missing = missing_binaries() + [
        package for package, binary in PROCESS_TOOLS.items() if shutil.which(binary) is None
    ]
    if missing:
        unavailable(
            f"Debian packages missing: {' '.join(missing)} "
            f"(make system-deps, or apt-get install {' '.join(missing)})"
        )


@pytest.fixture(autouse=True)
def _rasa_as_served(rasa_patches) -> None:
    """The stores as the Rasa server runs them: with bot.patches applied (a tracker store
    outage raises through Rasa's FailSafeTrackerStore instead of a blank conversation)."""


@pytest.fixture(scope="session")
def service_binaries() -> None:
    _require_binaries()


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


# What earlier tests left in the environment must not steer a production stack: the
# stores, and the action-server and desk settings of the single-process tests.
STACK_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "TRACKER_STORE_URL",
    "ACTION_SERVER_TOKEN",
    "ACTIONS_HOST",
    "ACTION_ENDPOINT_URL",
    "DESK_COOKIE_SECURE",
)
# A constant, not a random value: this module is loaded both as a conftest and by the
# test modules that import it, and both must agree.
METRICS_TOKEN = "metrics-token-of-the-test-stack"


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


@pytest.fixture(scope="session")
def telegram_standin():
    """The Telegram Bot API stand-in the production stack talks to (bench/load_telegram.py)."""
    from bench.load_telegram import TelegramStandIn

    standin = TelegramStandIn().start()
    try:
        yield standin
    finally:
        standin.stop()


@pytest.fixture(scope="session")
def prod_stack(service_binaries, trained_model, tmp_path_factory, telegram_standin):
    """One production profile for the whole session (starting one costs tens of seconds):
    two Rasa workers, the action server and the notification sender on the session's own
    PostgreSQL and Redis, /metrics behind METRICS_TOKEN, Telegram through the stand-in
    with a short lease so a dead worker's messages are taken over within seconds. Tests
    that kill a worker leave the stack whole: supervisord replaces it."""
    overrides = {
        "SANIC_WORKERS": "2",
        "METRICS_TOKEN": METRICS_TOKEN,
        **telegram_standin.env(lease_seconds=5, scan_seconds=1),
    }
    var_dir = tmp_path_factory.mktemp("prod-var")
    with running_prod_stack(trained_model, var_dir, "prod", overrides) as stack:
        yield stack
