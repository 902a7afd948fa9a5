"""The production profile with Telegram citizens writing while a Rasa worker is killed:
every message the webhook accepted with a 200 is answered (the killed worker's ones by
the other worker, from `inbound_pending`), and nothing stays pending afterwards."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.load_telegram import run_citizens, summary, wait_answered

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def telegram_prod(prod_stack, telegram_standin):
    return prod_stack, telegram_standin


def test_telegram_messages_on_a_killed_worker_are_answered_by_another(telegram_prod):
    stack, standin = telegram_prod
    killed = []
    webhook = f"{stack.url}/webhooks/telegram/webhook"

    def kill_soon() -> None:
        time.sleep(3.0)
        killed.append(stack.kill_worker())

    killer = threading.Thread(target=kill_soon)
    killer.start()
    sent = asyncio.run(run_citizens(webhook, standin, users=8, duration=10.0))
    killer.join()
    assert killed and len(sent["accepted"]) >= 20
    missing = wait_answered(standin, sent["accepted"], timeout=90)
    result = summary(standin, sent, missing)
    assert result["lost_turns"] == 0, result
    engine = sa.create_engine(stack.env["DATABASE_URL"], future=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with engine.connect() as conn:
                left = conn.execute(sa.text("SELECT count(*) FROM inbound_pending")).scalar_one()
            if left == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    assert left == 0  # answered messages leave no text behind
