"""Traffic through the load balancer for `make bench-hosts` (bench/hosts.py) and
tests/prod/test_hosts.py: REST users that send a message again when it failed the way a
lost host fails it, and Telegram citizens whose updates are sent again until the webhook
answers 200, as Telegram itself does.

REST: a request the load balancer answered 502/503/504, or whose connection died, never got
its answer; the client sends it again (under the same message id, up to RETRIES times: the
channel stores and answers it once, and a turn its dead host stored comes back as the
recorded answer) and every
failed attempt is kept with its time, so the report can say how many failed during the
loss and when the last one did.

Telegram: Telegram redelivers an update until the webhook answers 2xx. Each citizen here
does the same (every RESEND_SECONDS), then waits for the bot's reply before writing again.
A message is lost if it was accepted and never answered; answered twice if the stand-in
saw two replies quoting it.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from bench.load_client import CONNECTION_LOST, Recorder, Sent, _attempt
from bench.load_flows import Flow
from bench.load_telegram import SECRET, TEXTS, TelegramStandIn, update

RETRIES = 4
LB_FAILED = ("HTTP 502", "HTTP 503", "HTTP 504")
RESEND_SECONDS = 1.0


@dataclass
class Failures:
    """Every attempt that failed: (second it started, second it ended, error)."""

    attempts: List[Tuple[float, float, str]] = field(default_factory=list)


async def _send(session, url, rec: Recorder, fails: Failures, sender, index, text) -> Sent:
    item = Sent(sender, index, f"{sender}.{index}", text, rec.now())
    rec.sent.append(item)
    t0 = time.perf_counter()
    for attempt in range(RETRIES + 1):
        if attempt:
            item.retried += 1  # the same message under the same id: stored, answered once
            await asyncio.sleep(0.3)
        else:
            item.attempt_ids.append(item.message_id)
        began = rec.now()
        await _attempt(session, url, item, sender, text, 60.0)
        item.ms = (time.perf_counter() - t0) * 1000
        if item.ok:
            break
        fails.attempts.append((began, rec.now(), item.error))
        if item.error not in CONNECTION_LOST + LB_FAILED:
            break
    return item


async def rest_users(
    url: str,
    users: int,
    duration: float,
    flows: List[Flow],
    tag: str,
    rec: Recorder,
    fails: Failures,
    max_requests: int = 20_000,
    busy: Callable[[], bool] = lambda: False,
) -> None:
    """Users writing for `duration` seconds, and on while `busy()` (an event under way)."""
    import aiohttp

    deadline = time.monotonic() + duration

    def going() -> bool:
        return (time.monotonic() < deadline or busy()) and len(rec.sent) < max_requests

    weights = [f.weight for f in flows]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def user(u: int) -> None:
            rng = random.Random(f"hosts-{tag}-{u}")
            n = 0
            while going():
                flow = rng.choices(flows, weights)[0]
                sender = f"load-{tag}-{u}-{n}-{uuid.uuid4().hex[:6]}"
                n += 1
                for i, text in enumerate(flow.make(rng)):
                    if not going():
                        break
                    item = await _send(session, url, rec, fails, sender, i, text)
                    if item.handed_off or not item.ok:
                        break  # a person waits for the agent; a failed script starts anew
                    await asyncio.sleep(rng.uniform(0.2, 1.0))  # people read and type

        await asyncio.gather(*(user(u) for u in range(users)))


async def telegram_citizens(
    webhook_url: str,
    standin: TelegramStandIn,
    users: int,
    duration: float,
    rec: Recorder,
    seed: int,
    busy: Callable[[], bool] = lambda: False,
) -> Dict[str, object]:
    """Citizens writing for `duration` s (and on while `busy()`); each update is re-sent
    until accepted (200)."""
    import httpx

    accepted: List[int] = []
    refusals: List[Tuple[float, str]] = []
    base = seed * 1_000_000
    ids = iter(range(base + 1, base + 1_000_000))
    deadline = time.monotonic() + duration

    async def citizen(client: httpx.AsyncClient, user: int) -> None:
        n = 0
        while time.monotonic() < deadline or busy():
            mid = next(ids)
            body = update(mid, base + user * 1000 + n // 15, mid, TEXTS[n % len(TEXTS)])
            n += 1
            # Telegram keeps the update and sends it again while the webhook fails
            while True:
                try:
                    r = await client.post(
                        webhook_url,
                        json=body,
                        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                        timeout=10,
                    )
                    if r.status_code == 200:
                        accepted.append(mid)
                        break
                    refusals.append((rec.now(), f"HTTP {r.status_code}"))
                except httpx.HTTPError as e:
                    refusals.append((rec.now(), type(e).__name__))
                if time.monotonic() > deadline + 60 and not busy():
                    break
                await asyncio.sleep(RESEND_SECONDS)
            waited = time.monotonic() + 3.0
            while not standin.replies_to(mid) and time.monotonic() < waited:
                await asyncio.sleep(0.05)
            await asyncio.sleep(random.uniform(0.2, 1.0))

    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(citizen(client, u) for u in range(users)))
    return {"accepted": accepted, "refusals": refusals}


async def run_mixed(
    base_url: str,
    standin: Optional[TelegramStandIn],
    rest: int,
    telegram: int,
    duration: float,
    flows: List[Flow],
    tag: str,
    events: List[Tuple[float, Callable[[], None]]],
) -> Dict[str, object]:
    """REST users and Telegram citizens at once, `events` (second, blocking function) run
    in a thread meanwhile; the REST users go on until the events are over."""
    rec, fails = Recorder(), Failures()
    start = time.monotonic()
    pending = [len(events)]

    async def timed(at: float, fn: Callable[[], None]) -> None:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        try:
            await asyncio.to_thread(fn)
        finally:
            pending[0] -= 1

    rest_url = f"{base_url}/webhooks/rest/webhook"
    busy = lambda: pending[0] > 0  # noqa: E731
    jobs = [rest_users(rest_url, rest, duration, flows, tag, rec, fails, busy=busy)]
    if standin is not None and telegram:
        url = f"{base_url}/webhooks/telegram/webhook"
        jobs.append(
            telegram_citizens(
                url, standin, telegram, duration, rec, zlib.crc32(tag.encode()) % 1000, busy
            )
        )
    results = await asyncio.gather(*jobs, *(timed(at, fn) for at, fn in events))
    return {
        "rec": rec,
        "fails": fails,
        "telegram": results[1] if len(jobs) > 1 else None,
        "wall": time.monotonic() - start,
    }
