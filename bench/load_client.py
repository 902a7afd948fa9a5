"""The load generator of `make bench-load`: closed-loop simulated users over the REST
channel, and the numbers of a run (bench/load.py)."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

from bench.load_flows import Flow

# --- the client ------------------------------------------------------------------------

try:
    from channels.text import ERROR_REPLY, RATE_LIMIT_REPLY
except Exception:  # the channels may not be there (or may say it differently)
    ERROR_REPLY = RATE_LIMIT_REPLY = "\0never"
try:  # said while a conversation waits for a person (escalation message, queue acknowledgement)
    from bot.services.handoff import LEAVE_HINT as QUEUED_MARK
except Exception:
    QUEUED_MARK = "\0never"


@dataclass
class Sent:
    sender: str
    index: int
    message_id: str
    text: str
    started: float  # monotonic seconds, relative to the run's origin
    ms: float = 0.0
    ok: bool = False
    error: str = ""
    reply: str = ""
    handed_off: bool = False  # the bot handed the conversation to a person (a valid answer)
    retried: int = 0  # sent again after its connection died with the process holding it
    # Every id this message was sent under. A message sent again keeps its id (the REST
    # channel stores and answers it once, channels/replay.py), so this is one id; results
    # of older runs sent each try under a new id, and a stored turn under an earlier one
    # was the copy a dead worker stored before its answer left.
    attempt_ids: List[str] = field(default_factory=list)


@dataclass
class Recorder:
    origin: float = field(default_factory=time.monotonic)
    sent: List[Sent] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.origin


# What a client sees when the process holding its connection died: the request never got
# an answer, so it is safe to send again (the turn was not stored: Rasa saves a turn only
# once it is complete). Telegram and WhatsApp redeliver a webhook the same way.
CONNECTION_LOST = (
    "ServerDisconnectedError",
    "ClientOSError",
    "ClientConnectorError",
    "ClientPayloadError",
)


async def _send(
    session,
    url: str,
    rec: Recorder,
    sender: str,
    index: int,
    text: str,
    timeout: float,
    retries: int = 0,
    empty_ok: bool = False,
) -> Sent:
    item = Sent(sender, index, f"{sender}.{index}", text, rec.now())
    rec.sent.append(item)
    t0 = time.perf_counter()
    for attempt in range(retries + 1):
        if attempt:
            item.retried += 1  # the same message: the same id
            await asyncio.sleep(0.2)
        else:
            item.attempt_ids.append(item.message_id)
        await _attempt(session, url, item, sender, text, timeout, empty_ok)
        item.ms = (time.perf_counter() - t0) * 1000
        if item.ok or item.error not in CONNECTION_LOST:
            break
    return item


async def _attempt(
    session, url: str, item: Sent, sender: str, text: str, timeout: float, empty_ok: bool = False
) -> None:
    import aiohttp

    item.ok, item.error = False, ""
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text, "metadata": {"message_id": item.message_id}},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            body = await response.text()
            if response.status != 200:
                item.error = f"HTTP {response.status}"
                return
            messages = json.loads(body)
            texts = [m.get("text") or "" for m in messages if isinstance(m, dict)]
            item.reply = " / ".join(" ".join(t.split()) for t in texts)[:160]  # one table cell
            if not messages and not empty_ok:
                item.error = "empty reply"
            elif any(t.strip() == ERROR_REPLY for t in texts):
                item.error = "error reply"
            elif any(t.strip().startswith(RATE_LIMIT_REPLY) for t in texts):
                item.error = "rate limited"
            else:
                item.ok = True
                item.handed_off = any(QUEUED_MARK in t for t in texts)
    except Exception as e:
        item.error = type(e).__name__


async def run_users(
    url: str,
    users: int,
    duration: float,
    flows: List[Flow],
    tag: str,
    rec: Optional[Recorder] = None,
    think: Tuple[float, float] = (0.0, 0.0),
    timeout: float = 90.0,
    seed: int = 7,
    events: Optional[List[Tuple[float, Callable[[], None]]]] = None,
    seed_key: str = "",
    retries: int = 0,
    empty_ok: bool = False,
) -> Tuple[Recorder, float]:
    """`empty_ok`: a 200 with no message is an answer (plain Rasa's moodbot says nothing
    to some of these messages: its policies predict listening; it still did the work)."""
    """Closed loop: `users` coroutines, each running conversations until `duration` is over.
    `events` are (second, blocking function) run in a thread during the load (outages)."""
    import aiohttp

    rec = rec or Recorder()
    weights = [f.weight for f in flows]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a connection per request:
    # the kernel spreads them over the workers, as a proxy in front would
    start = time.monotonic()
    deadline = start + duration

    async with aiohttp.ClientSession(connector=connector) as session:

        async def user(u: int) -> None:
            # the same user draws the same conversations in every profile: compare like with like
            rng = random.Random(f"{seed}-{seed_key or tag}-{u}")
            n = 0
            if think[1] > 0:  # people do not all press "send" in the same millisecond
                await asyncio.sleep(rng.uniform(0, think[1]))
            while time.monotonic() < deadline:
                flow = rng.choices(flows, weights)[0]
                sender = f"load-{tag}-{u}-{n}-{uuid.uuid4().hex[:6]}"
                n += 1
                for i, text in enumerate(flow.make(rng)):
                    if time.monotonic() >= deadline:
                        break  # the user leaves mid-conversation: the level ends on time
                    item = await _send(
                        session, url, rec, sender, i, text, timeout, retries, empty_ok
                    )
                    if think[1] > 0:
                        await asyncio.sleep(rng.uniform(*think))
                    if item.handed_off:
                        # Handed to a person (e.g. a script out of step after an outage made
                        # the bot give up): people wait for the agent instead of reciting the
                        # rest of the form, and the bot rightly stays quiet meanwhile.
                        break
                    if not item.ok:
                        # a person told "try again in a moment" waits a little; a client whose
                        # connection failed retries soon
                        await asyncio.sleep(
                            1.0 if item.error in ("error reply", "empty reply") else 0.2
                        )

        async def timed(at: float, fn: Callable[[], None]) -> None:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            await asyncio.to_thread(fn)

        tasks = [user(u) for u in range(users)] + [timed(at, fn) for at, fn in (events or [])]
        await asyncio.gather(*tasks)
    return rec, time.monotonic() - start


def percentile(values: List[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarise(items: List[Sent], wall: float) -> Dict:
    ok = [s.ms for s in items if s.ok]
    return {
        "messages": len(items),
        "answered": len(ok),
        "errors": len(items) - len(ok),
        "handed_off": sum(1 for s in items if s.handed_off),
        "msgs_per_s": round(len(ok) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(ok, 0.50), 0),
        "p95_ms": round(percentile(ok, 0.95), 0),
        "p99_ms": round(percentile(ok, 0.99), 0),
        "max_ms": round(max(ok), 0) if ok else 0,
        "conversations": len({s.sender for s in items}),
        "seconds": round(wall, 1),
        "error_kinds": dict(Counter(s.error for s in items if not s.ok)),
    }
