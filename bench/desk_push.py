"""How long a change made in one process takes to reach the desk of another: a handoff
notice published to Redis by another Python process (as a Rasa or action server worker
does, bot.services.handoff.events.emit) until a subscriber in this process has it, the
way each worker's desk hub listens (channels/desk/live.py) before handing it to its open
desk streams. tests/prod/test_desk_prod.py checks that it arrives; this measures how
fast, on a throwaway redis-server.

    python -m bench.desk_push [--events 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]

# The other process: one notice per line read from stdin.
EMITTER = """
import sys
from bot.services.handoff import events
for line in sys.stdin:
    events.emit("escalated", int(line))
"""


async def measure(url: str, count: int) -> List[float]:
    import redis.asyncio as aioredis

    from bot.services.handoff import events

    client = aioredis.from_url(url)
    pubsub = client.pubsub()
    await pubsub.subscribe(events.CHANNEL)
    emitter = subprocess.Popen(
        [sys.executable, "-c", EMITTER],
        cwd=str(ROOT),
        env={**os.environ, "REDIS_URL": url, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        text=True,
    )

    def send(i: int) -> None:
        emitter.stdin.write(f"{i}\n")
        emitter.stdin.flush()

    async def received(i: int) -> None:
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=10)
            if message and json.loads(message["data"]).get("handoff") == i:
                return

    waits: List[float] = []
    try:
        for i in range(count + 10):
            sent = time.perf_counter()
            send(i)
            await asyncio.wait_for(received(i), 30)
            if i >= 10:  # the first ones warm the connections up
                waits.append((time.perf_counter() - sent) * 1000)
    finally:
        emitter.stdin.close()
        emitter.wait(30)
        await pubsub.close()
        await client.close()
    return waits


def summary(waits: List[float]) -> Dict[str, float]:
    ordered = sorted(waits)
    return {
        "events": len(ordered),
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
        "max_ms": round(ordered[-1], 2),
    }


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.desk_push", description=__doc__)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args(argv)

    from bench.run import machine
    from bot.tools.services import Redis, ServiceError

    print(f"Machine: {machine()}")

    try:
        redis = Redis().start()
    except ServiceError as e:
        print(f"no Redis: {e}", file=sys.stderr)
        return 2
    os.environ["REDIS_URL"] = redis.url
    try:
        result = summary(asyncio.run(measure(redis.url, args.events)))
    finally:
        redis.stop()
    print(json.dumps({"desk_push_other_process": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
