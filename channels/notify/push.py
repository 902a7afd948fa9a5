"""The Rasa server's side of the widget notifications: the sender (channels/notify/sender.py) has
written the message into the transcript and asks here for a live push to the citizen's
open widget (channels.outbound.push_recorded).

credentials.yml:   channels.notify.push.NotifyPushInput:

    POST /webhooks/notify/push   {"conversation_id": "web:<sid>", "message_id": <id>}
    header X-Notify-Token: NOTIFY_PUSH_TOKEN (constant-time compare)

Unset NOTIFY_PUSH_TOKEN: the route answers 403 (nothing can be pushed from outside).
The route pushes only a message already recorded in that same conversation, so even a
holder of the token cannot make the widget show text of their own. Sockets live in the
worker that accepted them: when the widget is not connected to the worker that took the
call, the request is published on Redis (REDIS_URL, channel `cza:notify:push`) and every
worker pushes it to the sockets it holds. Without Redis and with several workers the
answer says `maybe_elsewhere` and the sender asks again on a new connection (a few
times). A widget that was missed shows the message from the transcript when it
reconnects.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot import metrics, settings
from channels.edge import secrets_match
from channels.notify.delivery import PUSH_TOKEN_HEADER
from channels.outbound import push_recorded

logger = logging.getLogger(__name__)

FANOUT = "cza:notify:push"  # Redis channel every worker listens on


async def _listen(url: str) -> None:
    """Push what other workers publish to the sockets of this worker; reconnects."""
    import redis.asyncio as aioredis

    while True:
        client = aioredis.from_url(url)
        try:
            pubsub = client.pubsub()
            await pubsub.subscribe(FANOUT)
            async for item in pubsub.listen():
                if item.get("type") != "message":
                    continue
                try:
                    data = json.loads(item["data"])
                    await push_recorded(str(data["conversation_id"]), int(data["message_id"]))
                except (ValueError, KeyError, TypeError):
                    logger.warning("notify: malformed fan-out message ignored")
        except asyncio.CancelledError:
            raise
        except Exception as e:
            metrics.redis_error("notify_push")
            logger.warning("notify: fan-out listener: %s; reconnecting", type(e).__name__)
            await asyncio.sleep(2.0)
        finally:
            try:
                await client.close()
            except Exception:
                pass


async def _publish(url: str, conversation_id: str, message_id: int) -> int:
    """Hand the push to every worker; returns how many listened (0: none, or no Redis)."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(url)
    try:
        body = json.dumps({"conversation_id": conversation_id, "message_id": message_id})
        return int(await client.publish(FANOUT, body))
    except Exception as e:
        metrics.redis_error("notify_push")
        logger.warning("notify: fan-out publish failed: %s", type(e).__name__)
        return 0
    finally:
        await client.close()


class NotifyPushInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "notify"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "NotifyPushInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("citizen_notify_push", url_prefix="/webhooks/notify")
        listener: Dict[str, asyncio.Task] = {}

        @bp.listener("after_server_start")
        async def _start_listening(app, loop):
            url = settings.get().redis_url
            if url:
                listener["task"] = asyncio.create_task(_listen(url))

        @bp.listener("before_server_stop")
        async def _stop_listening(app, loop):
            task = listener.pop("task", None)
            if task is not None:
                task.cancel()

        @bp.route("/push", methods=["POST"])
        async def push(request: Request):
            cfg = settings.get()
            if not cfg.notify_push_token:
                return response.json({"error": "disabled"}, status=403)
            if not secrets_match(cfg.notify_push_token, request.headers.get(PUSH_TOKEN_HEADER)):
                logger.warning("notify: push with a missing or wrong token refused")
                return response.json({"error": "unauthorised"}, status=401)
            try:
                body = json.loads(request.body or b"")
                conversation_id = str(body["conversation_id"])[:128]
                message_id = int(body["message_id"])
            except (ValueError, KeyError, TypeError):
                return response.json({"error": "bad_request"}, status=400)
            reached = await push_recorded(conversation_id, message_id)
            published = 0
            if not reached and cfg.redis_url:
                published = await _publish(cfg.redis_url, conversation_id, message_id)
            return response.json(
                {
                    "reached": reached,
                    "published": published > 0,
                    "maybe_elsewhere": not reached and not published and cfg.sanic_workers > 1,
                }
            )

        return bp
