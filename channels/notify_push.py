"""The Rasa server's side of the widget notifications: the sender (bot/notifier.py) has
written the message into the transcript and asks here for a live push to the citizen's
open widget (channels.outbound.push_recorded).

credentials.yml:   channels.notify_push.NotifyPushInput:

    POST /webhooks/notify/push   {"conversation_id": "web:<sid>", "message_id": <id>}
    header X-Notify-Token: NOTIFY_PUSH_TOKEN (constant-time compare)

Unset NOTIFY_PUSH_TOKEN: the route answers 403 (nothing can be pushed from outside).
The route pushes only a message already recorded in that same conversation, so even a
holder of the token cannot make the widget show text of their own. Sockets live in the
worker that accepted them: with several workers the answer says `maybe_elsewhere` and the
sender asks again on a new connection (up to a few times); a widget that was missed shows
the message from the transcript when it reconnects.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot import settings
from channels.edge import secrets_match
from channels.notify_delivery import PUSH_TOKEN_HEADER
from channels.outbound import push_recorded

logger = logging.getLogger(__name__)


class NotifyPushInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "notify"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "NotifyPushInput":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("citizen_notify_push", url_prefix="/webhooks/notify")

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
            return response.json(
                {"reached": reached, "maybe_elsewhere": not reached and cfg.sanic_workers > 1}
            )

        return bp
