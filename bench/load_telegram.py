"""Telegram webhook traffic for the worker fault of `make bench-fault` (bench/load_faults.py)
and tests/prod/test_replay_prod.py.

Telegram gets its 200 before the turn runs and never sends an update again, so a message
is lost when the worker holding it dies unless another worker takes it over
(channels/replay.py). Each simulated citizen writes in a group chat, where the bot quotes
the message it answers: the stand-in Bot API below tells exactly which update got an
answer. A citizen sends its next message after the answer (or 2 s), and a chat hands over to
a new citizen after 15 messages, to stay under the per-conversation rate limit (whose
later messages get no answer, on purpose).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Dict, List, Optional, Set

from bot.tools.services import free_port

TOKEN = "123456:BENCH-token"
SECRET = "bench-telegram-secret"
TEXTS = ["السلام عليكم", "وش شروط الأهلية؟", "كيف اسجل في حساب المواطن", "شكرا"]


class TelegramStandIn:
    """The Bot API on a local port, in a thread of its own: records which message each
    sendMessage quotes."""

    def __init__(self) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.answered: Dict[int, int] = {}  # quoted message id -> replies
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._runner = None

    def env(self, lease_seconds: float = 6.0, scan_seconds: float = 1.0) -> Dict[str, str]:
        """The server's environment for this stand-in (a short lease, so the bench waits
        seconds, not half a minute, for a dead worker's messages)."""
        return {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE": self.base,
            "INBOUND_LEASE_SECONDS": str(lease_seconds),
            "INBOUND_SCAN_SECONDS": str(scan_seconds),
        }

    def start(self) -> "TelegramStandIn":
        from aiohttp import web

        counter = {"id": 10_000_000}

        async def handle(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            if request.content_type == "application/json":
                params = await request.json()
            else:
                params = dict(await request.post())
            if method != "sendMessage":
                return web.json_response({"ok": True, "result": True})
            quoted = params.get("reply_parameters")
            if isinstance(quoted, str):
                quoted = json.loads(quoted)
            if isinstance(quoted, dict) and quoted.get("message_id") is not None:
                with self.lock:
                    key = int(quoted["message_id"])
                    self.answered[key] = self.answered.get(key, 0) + 1
            counter["id"] += 1
            chat = int(params["chat_id"])
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "message_id": counter["id"],
                        "date": int(time.time()),
                        "chat": {"id": chat, "type": "supergroup", "title": "bench"},
                        "text": params.get("text", ""),
                    },
                }
            )

        async def boot():
            app = web.Application()
            app.router.add_route("*", "/bot{token}/{method}", handle)
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            self._runner = runner

        self.thread.start()
        asyncio.run_coroutine_threadsafe(boot(), self.loop).result(10)
        return self

    def replies_to(self, message_id: int) -> int:
        with self.lock:
            return self.answered.get(message_id, 0)

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def update(update_id: int, user: int, message_id: int, text: str) -> Dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": -1_000_000 - user, "type": "supergroup", "title": "bench"},
            "from": {"id": 7_000_000 + user, "is_bot": False, "first_name": "مواطن"},
            "text": text,
        },
    }


async def run_citizens(
    webhook_url: str, standin: TelegramStandIn, users: int, duration: float, seed: int = 0
) -> Dict[str, List[int]]:
    """Citizens writing for `duration` seconds; the message ids whose webhook answered 200
    ("accepted") and those refused or unreachable ("refused": Telegram would send them
    again, so they are not lost)."""
    import httpx

    accepted: List[int] = []
    refused: List[int] = []
    base = seed * 1_000_000
    ids = iter(range(base + 1, base + 1_000_000))
    deadline = time.monotonic() + duration

    async def citizen(client: httpx.AsyncClient, user: int) -> None:
        n = 0
        while time.monotonic() < deadline:
            mid = next(ids)
            # A new citizen every 15 messages keeps each under the 20-a-minute limit.
            body = update(mid, base + user * 1000 + n // 15, mid, TEXTS[n % len(TEXTS)])
            n += 1
            try:
                r = await client.post(
                    webhook_url,
                    json=body,
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                    timeout=10,
                )
                (accepted if r.status_code == 200 else refused).append(mid)
            except httpx.HTTPError:
                refused.append(mid)
                await asyncio.sleep(0.5)
                continue
            waited = time.monotonic() + 2.0
            while not standin.replies_to(mid) and time.monotonic() < waited:
                await asyncio.sleep(0.05)

    async with httpx.AsyncClient() as client:
        await asyncio.gather(*(citizen(client, u) for u in range(users)))
    return {"accepted": accepted, "refused": refused}


def wait_answered(standin: TelegramStandIn, ids: List[int], timeout: float) -> Set[int]:
    """The accepted messages still without an answer after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    missing = {i for i in ids if not standin.replies_to(i)}
    while missing and time.monotonic() < deadline:
        time.sleep(0.25)
        missing = {i for i in missing if not standin.replies_to(i)}
    return missing


def summary(
    standin: TelegramStandIn, sent: Dict[str, List[int]], missing: Set[int]
) -> Dict[str, Optional[int]]:
    accepted = sent["accepted"]
    return {
        "accepted": len(accepted),
        "refused": len(sent["refused"]),
        "answered": len(accepted) - len(missing),
        "lost_turns": len(missing),
    }
