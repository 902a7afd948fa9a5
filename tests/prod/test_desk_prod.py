"""The desk with REDIS_URL set, on real Redis and PostgreSQL (tests/prod/conftest.py):
separate worker processes count failed sign-ins together, an unlock from the back office
(another process again) frees the account everywhere, and a change made in one process
reaches the desk streams of another (how fast: python -m bench.desk_push)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "prod desk password"
ADDRESS = "198.51.100.23"


def worker(code: str, env) -> str:
    """Run `code` in a fresh Python process (another worker) with the profile's env."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


FAIL_TWICE = f"""
from bot.services.desk.throttle import SignInThrottle
t = SignInThrottle.from_settings()
t.failed("sara", "{ADDRESS}"); t.failed("sara", "{ADDRESS}")
print(t.check("sara", "{ADDRESS}").allowed)
"""

CHECK = f"""
from bot.services.desk import accounts as desk_auth
from bot.services.desk.throttle import SignInThrottle
t = SignInThrottle.from_settings()
print(t.check("sara", "{ADDRESS}", desk_auth.throttle_reset_at("sara")).allowed)
"""


def test_workers_count_sign_in_failures_together_and_an_unlock_frees_them(prod_env):
    from bot.services.desk import accounts as desk_auth
    from bot.services.desk.throttle import PAIR_FREE, RedisCounters, SignInThrottle
    from bot.store.migrate import upgrade

    upgrade(prod_env["DATABASE_URL"])
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    here = SignInThrottle.from_settings()
    assert isinstance(here.counters, RedisCounters)

    # Two other workers fail twice each, this one once more: five failures in all.
    assert worker(FAIL_TWICE, prod_env) == "True"
    assert worker(FAIL_TWICE, prod_env) == "True"
    assert PAIR_FREE == 5
    here.failed("sara", ADDRESS)
    verdict = here.check("sara", ADDRESS)
    assert not verdict.allowed and 0 < verdict.wait_seconds <= 1.0
    assert worker(CHECK, prod_env) == "False"  # every worker sees the delay

    # The back office unlocks (yet another process): every worker lets sara try again.
    result = subprocess.run(
        [sys.executable, "-m", "bot.backoffice", "agents", "unlock", "sara"],
        cwd=ROOT,
        env={**os.environ, **prod_env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert here.check("sara", ADDRESS, desk_auth.throttle_reset_at("sara")).allowed
    assert worker(CHECK, prod_env) == "True"


ESCALATE = """
from bot.services import handoff
print(handoff.escalate("telegram:424242", "requested").id)
"""


def test_a_change_in_one_process_reaches_the_desk_of_another(prod_env):
    from bot.store.migrate import upgrade
    from channels.desk.live import Hub

    upgrade(prod_env["DATABASE_URL"])

    async def listen():
        hub = Hub()
        hub.start(asyncio.get_running_loop())
        q = hub.open()
        try:
            await asyncio.sleep(0.5)  # subscribed to Redis
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                ESCALATE,
                cwd=str(ROOT),
                env={**os.environ, **prod_env, "PYTHONPATH": str(ROOT)},
                stdout=asyncio.subprocess.PIPE,
            )
            out, _ = await proc.communicate()
            event = await asyncio.wait_for(q.get(), 30)
            return int(out.decode().strip().splitlines()[-1]), event
        finally:
            hub.stop()

    # The hub hears of another process's change only through Redis (no polling here).
    handoff_id, event = asyncio.run(listen())
    assert event == {"kind": "escalated", "handoff": handoff_id}
