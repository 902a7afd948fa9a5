"""Safe REST channel: Rasa's REST API (POST /webhooks/rest/webhook) through the shared pipeline.

credentials.yml:   channels.rest.SafeRestInput:   (replaces Rasa's built-in `rest:`)

Same request and response as Rasa's RestInput: {"sender", "message", "metadata"} in,
a JSON list of {"recipient_id", "text", "buttons"?, "image"?, "custom"?} out
(`?stream=true` answers the same messages as newline-delimited JSON). Differences:
- the text goes through channels.pipeline (a typed "/intent" is stripped of its slash
  unless it is a payload of a button offered in the last reply; 5,000 characters are cut
  to MAX_INBOUND_CHARS; an empty message still gets an answer);
- `sender` is required (400 when missing, blank or with invisible characters: Rasa's
  "default" would put every such caller in one conversation);
- the sender may not use another channel's prefix ("telegram:", "whatsapp:", "web:"),
  so a REST client cannot write into a citizen's Telegram, WhatsApp or web conversation;
- optional shared token: with REST_CHANNEL_TOKEN set, requests need
  "Authorization: Bearer <token>" or "?token=<token>" (401 otherwise). Unset = open,
  which is what local development, rasa shell-style clients and the tests use.
  Production keeps REST behind its token (docs/security.md);
- open (no token), each client address may send REST_RATE_LIMIT_PER_ADDRESS messages per
  REST_RATE_LIMIT_WINDOW_SECONDS (default 120 per 60 s; 429 beyond), since any client can
  name a new sender per message; addresses behind TRUSTED_PROXIES come from X-Forwarded-For;
- cross-origin calls only from REST_ALLOWED_ORIGINS (default none), without credentials;
- optional client message id (`message_id` in the body, or an `Idempotency-Key` header;
  `metadata.message_id` as earlier clients sent it): 1-100 of A-Z a-z 0-9 . _ : -, else
  400. A message sent again under the same id (its answer was lost) is neither stored
  nor sent to Rasa twice: the request gets the recorded answer (channels/replay.py).
  Without an id every request is a new message, as in Rasa.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot import settings
from channels.base import RecordingOutput, parse_json
from channels.edge import allowed_origins, client_address, cors_headers, secrets_match
from channels.inbound import Inbound
from channels.pipeline import get_pipeline

logger = logging.getLogger(__name__)

RESERVED_PREFIXES = ("telegram:", "whatsapp:", "web:")
MAX_SENDER = 128
MAX_MESSAGE_ID = 100
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,%d}" % MAX_MESSAGE_ID)


def _sender(value: Any) -> str:
    """The conversation id a caller gave, or "" when none is usable (missing, blank, not a
    string or number, or with invisible or control characters)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    sender = str(value).strip()
    return sender if sender.isprintable() else ""


def client_message_id(
    body: Dict[str, Any], metadata: Dict[str, Any], headers: Any
) -> Tuple[Optional[str], str]:
    """(the client's id for this message or None, "" or why it is refused). From the body's
    `message_id`, else the `Idempotency-Key` header, else `metadata.message_id` (what
    earlier clients sent); two of them that differ are refused."""
    given = [
        v
        for v in (
            body.get("message_id"),
            headers.get("Idempotency-Key"),
            metadata.get("message_id"),
        )
        if v is not None and v != ""
    ]
    if not given:
        return None, ""
    if any(isinstance(v, bool) or not isinstance(v, (str, int)) for v in given):
        return None, "message_id must be a string"
    values = {str(v) for v in given}
    if len(values) > 1:
        return None, "message_id and Idempotency-Key differ: send one id per message"
    value = values.pop()
    if not MESSAGE_ID.fullmatch(value):
        return None, (
            f"message_id must be 1 to {MAX_MESSAGE_ID} characters: "
            "ASCII letters, digits and . _ : -"
        )
    return value, ""


def dedup_key(sender: str, message_id: str) -> str:
    """Short whatever the sender's length (the pending table keeps 160 characters)."""
    digest = hashlib.sha256(f"{sender}\n{message_id}".encode()).hexdigest()[:40]
    return f"rest:{digest}"


class RestOutput(RecordingOutput):
    """Collects the replies in Rasa's REST response format (and records them)."""

    channel = "rest"
    ids_needed = "none"  # the answer is JSON: no button ids, no message ids

    def __init__(self, conversation_id: str, author: str = "bot") -> None:
        super().__init__(conversation_id, conversation_id, author)
        self.messages: List[Dict[str, Any]] = []

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        # Rasa's CollectingOutputChannel sends each paragraph as its own message.
        for part in (text or "").strip().split("\n\n"):
            await self.emit(part)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.messages.append({"recipient_id": self.conversation_id, "image": image})

    async def send_custom_json(
        self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any
    ) -> None:
        self.messages.append({"recipient_id": self.conversation_id, "custom": json_message})

    async def deliver(
        self, text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> Optional[str]:
        message: Dict[str, Any] = {"recipient_id": self.conversation_id, "text": text}
        if buttons:
            message["buttons"] = buttons
        self.messages.append(message)
        return None


class SafeRestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "SafeRestInput":
        credentials = credentials or {}
        return cls(token=settings.get().rest_channel_token or str(credentials.get("token") or ""))

    def __init__(self, token: str = "") -> None:
        self.token = token

    def _authorised(self, request: Request) -> bool:
        if not self.token:
            return True
        header = request.headers.get("Authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else request.args.get("token")
        return secrets_match(self.token, given)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("safe_rest_webhook", url_prefix="/webhooks/rest")

        @bp.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["OPTIONS"], name="safe_rest_preflight")
        async def preflight(request: Request):
            return response.empty(
                headers=cors_headers(
                    request,
                    allowed_origins("rest_allowed_origins"),
                    methods="POST, OPTIONS",
                    headers="Content-Type, Authorization, Idempotency-Key",
                )
            )

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request):
            reply = await self._receive(request, on_new_message)
            reply.headers.update(cors_headers(request, allowed_origins("rest_allowed_origins")))
            return reply

        return bp

    async def _receive(self, request: Request, on_new_message):
        if not self._authorised(request):
            return response.json({"error": "unauthorised"}, status=401)
        if not self.token and not await get_pipeline().client_allowed(
            "rest", client_address(request)
        ):
            return response.json(
                {"error": "too many requests from this address"},
                status=429,
                headers={"Retry-After": str(get_pipeline().client_window("rest"))},
            )
        try:
            body = parse_json(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            logger.info("rest: malformed JSON body refused")
            return response.json({"error": "request body must be a JSON object"}, status=400)
        sender = _sender(body.get("sender"))
        if not sender:
            # Without one every such caller would share one conversation, slots and forms.
            logger.info("rest: request without a usable sender refused")
            return response.json(
                {"error": "sender is required: a non-empty id for this conversation"},
                status=400,
            )
        if len(sender) > MAX_SENDER or sender.lower().startswith(RESERVED_PREFIXES):
            logger.warning("rest: sender with a reserved prefix or too long refused")
            return response.json({"error": "this sender id is not allowed"}, status=403)
        message = body.get("message")
        text = message if isinstance(message, str) else ("" if message is None else str(message))
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        message_id, problem = client_message_id(body, metadata, request.headers)
        if problem:
            logger.info("rest: unusable message id refused")
            return response.json({"error": problem}, status=400)
        inbound = Inbound(
            channel="rest",
            conversation_id=sender,
            recipient_id=sender,
            text=text,
            dedup_key=dedup_key(sender, message_id) if message_id else None,
            channel_message_id=message_id,
            metadata=metadata,
            verified=True,
            payload_as_text=True,
            answer_resent=True,
        )
        output = RestOutput(sender)
        await get_pipeline().handle(inbound, on_new_message, output)
        if request.args.get("stream", "").lower() == "true":
            lines = "".join(json.dumps(m, ensure_ascii=False) + "\n" for m in output.messages)
            return response.text(lines, content_type="text/event-stream")
        return response.json(output.messages)
