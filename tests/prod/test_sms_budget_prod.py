"""The production profile (two Rasa workers, PostgreSQL, Redis) as an attacker meets it:
Rasa's calls carry the action server's secret, direct calls without it run nothing, eight
simultaneous conversations opening tickets for one mobile send at most its budget while
all eight get their ticket number, per-address limits hold across workers, and the desk
cookie is Secure."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from tests.e2e.test_security_e2e import (
    TICKET_NUMBER,
    assert_loopback_only,
    direct_calls_are_refused,
    fresh_mobile,
    fresh_national_id,
    open_ticket,
    outbox_statuses,
)
from tests.prod.conftest import STACK_ENV
from tests.support.environment import restore_environment

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def prod(prod_stack):
    """The session's production stack, its database this process's too (to read the
    SMS outbox)."""
    from bot.store import reset_engine

    # The stack's token was generated for it: no test of this process may hold one.
    saved = {k: os.environ.pop(k, None) for k in STACK_ENV}
    os.environ["DATABASE_URL"] = prod_stack.env["DATABASE_URL"]
    reset_engine()
    try:
        yield prod_stack
    finally:
        os.environ.pop("DATABASE_URL", None)
        restore_environment(saved)
        reset_engine()


def test_the_action_server_obeys_only_rasa(prod):
    assert len(prod.worker_pids()) == 2
    token = prod.env["ACTION_SERVER_TOKEN"]
    assert len(token) >= 32 and "ACTION_SERVER_TOKEN" not in os.environ  # generated, shared
    assert_loopback_only(prod.actions_port)
    direct_calls_are_refused(f"http://127.0.0.1:{prod.actions_port}", token)


def test_eight_simultaneous_conversations_for_one_mobile(prod):
    mobile = fresh_mobile()
    with ThreadPoolExecutor(max_workers=8) as pool:
        endings = list(
            pool.map(
                lambda i: open_ticket(
                    prod.url, f"pump-prod-{i}-{os.getpid()}", fresh_national_id(), mobile
                ),
                range(8),
            )
        )
    numbers = {m.group(1) for m in map(TICKET_NUMBER.search, endings) if m}
    assert len(numbers) == 8, endings
    statuses = outbox_statuses(mobile)
    assert sorted(statuses) == ["skipped_budget"] * 5 + ["stored"] * 3


def test_the_desk_cookie_is_secure(prod):
    assert prod.env["DESK_COOKIE_SECURE"] == "1"
    cookie = requests.get(f"{prod.url}/desk/login", timeout=10).headers["Set-Cookie"]
    assert "secure" in cookie.lower() and "httponly" in cookie.lower()


def test_per_address_limits_are_shared_by_the_workers_through_redis(redis_url, monkeypatch):
    import asyncio

    import redis.asyncio as aioredis

    from channels.pipeline import Pipeline
    from channels.state import build_state

    monkeypatch.setenv("REST_RATE_LIMIT_PER_ADDRESS", "3")

    async def scenario():
        client = aioredis.from_url(redis_url)
        try:
            workers = [Pipeline(*build_state(client)) for _ in range(2)]
            return [await workers[i % 2].client_allowed("rest", "198.51.100.9") for i in range(5)]
        finally:
            await client.close()

    assert asyncio.run(scenario()) == [True, True, True, False, False]
