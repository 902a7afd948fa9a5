"""Live updates for the desk: a server-sent event stream instead of polling.

GET /desk/api/events keeps one response open per desk tab and writes a line whenever a
handoff episode changes (a citizen's message, a claim, a reply, a note...): the page then
fetches what changed at once. The notices come from bot.services.handoff.events: with
REDIS_URL set they travel over Redis pub/sub, so an agent on one worker hears of a
citizen's message handled by another worker (and of escalations made by the action
server); without Redis they come from this process. Changes this process cannot hear of
(another process without Redis) are caught by a cheap check of the handoffs table every
few seconds while a desk is connected, and the page refreshes itself every 30 seconds.

A notice carries only a kind and an episode number, never text or personal data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, Optional, Set

from bot import metrics, settings
from bot.services import handoff
from bot.services.handoff import events

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
WATCH_SECONDS = 2.0
QUEUE_MAX = 100


class Hub:
    """This worker's open desk streams; started once per event loop."""

    def __init__(self) -> None:
        self.queues: Set[asyncio.Queue] = set()
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.tasks: list = []

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.loop is loop:
            return
        self.stop()
        self.loop = loop
        events.subscribe(self._from_thread)
        url = settings.get().redis_url
        if url:
            self.tasks.append(loop.create_task(self._listen_redis(url)))
        self.tasks.append(loop.create_task(self._watch_table()))

    def stop(self) -> None:
        events.unsubscribe(self._from_thread)
        for task in self.tasks:
            task.cancel()
        self.tasks = []
        self.loop = None

    # -- notices in
    def _from_thread(self, event: Dict[str, Any]) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.publish, event)
        except RuntimeError:  # loop closing
            pass

    def publish(self, event: Dict[str, Any]) -> None:
        for q in list(self.queues):
            if q.qsize() < QUEUE_MAX:  # a stuck tab must not grow memory
                q.put_nowait(event)

    async def _listen_redis(self, url: str) -> None:
        import redis.asyncio as aioredis

        while True:
            client = None
            try:
                client = aioredis.from_url(url)
                pubsub = client.pubsub()
                await pubsub.subscribe(events.CHANNEL)
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        self.publish(json.loads(message["data"]))
                    except (ValueError, TypeError):
                        continue
            except asyncio.CancelledError:
                raise
            except Exception as e:
                metrics.redis_error("desk_live")
                logger.warning("desk live updates: redis unavailable: %s", type(e).__name__)
                await asyncio.sleep(2.0)
            finally:
                if client is not None:
                    try:
                        await client.close()
                    except Exception:
                        pass

    async def _watch_table(self) -> None:
        """The backstop: one small query per worker every few seconds, only while a desk
        is connected, noticing changes made where no notice reached us."""
        last = None
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            if not self.queues:
                last = None
                continue
            try:
                now = await asyncio.to_thread(handoff.change_signature)
            except Exception as e:
                logger.warning("desk live updates: table check failed: %s", type(e).__name__)
                continue
            if last is not None and now != last:
                self.publish({"kind": "changed", "handoff": None})
            last = now

    # -- streams out
    def open(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue()
        self.queues.add(q)
        return q

    def close(self, q: asyncio.Queue) -> None:
        self.queues.discard(q)


hub = Hub()


async def stream(request, agent: Dict[str, Any], still_signed_in):
    """The event stream for one desk tab (text/event-stream); it ends when the agent's
    session does (checked at every keep-alive)."""
    hub.start(asyncio.get_running_loop())
    resp = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "X-Accel-Buffering": "no",  # nginx: do not buffer the stream
            "X-Content-Type-Options": "nosniff",
        },
    )
    # Sanic closes a response that sends nothing for RESPONSE_TIMEOUT (60 s): the
    # keep-alive every HEARTBEAT_SECONDS keeps the stream open.
    q = hub.open()
    try:
        await resp.send("retry: 2000\n\n: connected\n\n")
        while True:
            try:
                event = await asyncio.wait_for(q.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                if await still_signed_in() is None:
                    await resp.send("event: signed_out\ndata: {}\n\n", end_stream=True)
                    break
                await resp.send(": keep-alive\n\n")
                continue
            await resp.send(f"event: handoff\ndata: {json.dumps(event)}\n\n")
    except (asyncio.CancelledError, ConnectionError):
        pass
    finally:
        hub.close(q)
