"""WhatsApp channel (Meta WhatsApp Cloud API), a custom Rasa input/output channel.

credentials.yml:   channels.whatsapp.WhatsAppChannel:   (values come from the environment)

Environment:
    WHATSAPP_ACCESS_TOKEN     Graph API token (system user). Unset = channel disabled.
    WHATSAPP_PHONE_NUMBER_ID  the business number's id; messages for other numbers are ignored.
    WHATSAPP_APP_SECRET       app secret for X-Hub-Signature-256. Unset = every POST gets 401.
    WHATSAPP_VERIFY_TOKEN     token you type in the Meta dashboard for the GET verification.
    WHATSAPP_API_BASE         Graph API base URL (default https://graph.facebook.com); tests
                              point it at a local stand-in.
    WHATSAPP_API_VERSION      Graph API version (default v21.0).

Webhook: /webhooks/whatsapp/webhook
- GET: hub.mode=subscribe and hub.verify_token (constant time) → hub.challenge; else 403.
- POST: X-Hub-Signature-256 HMAC-SHA256 over the raw body, constant-time compare (401
  otherwise, nothing parsed). Every entry/change/message of the payload is handled; each
  message is de-duplicated on its id (wamid) before the 200, then processed in the
  background. Status callbacks (sent/delivered/read) are ignored. Media, locations,
  contacts... get the polite "text only" answer. Malformed JSON or unknown shapes: 200
  and a log line without personal data.
Sending: text split at 4,096 characters. Buttons become interactive reply buttons
(at most 3, titles at most 20 characters) or a list message (at most 10 rows, titles
at most 24 characters), otherwise a numbered text menu; a reply "2" or a button title
maps back to the payload. Reply ids are "b:<transcript message id>:<index>", resolved
server-side (the raw Rasa payload never leaves the server). Free-form messages are only
allowed within 24 hours of the citizen's last message (conversations.within_whatsapp_window).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot import metrics
from bot import settings as bot_settings
from bot.content import language_of
from bot.nlu.arabic import normalize, to_ascii_digits
from bot.nlu.language import detect_language
from bot.store import conversations
from channels.base import RecordingOutput, button_id, log_id, parse_button_id, parse_json
from channels.edge import meta_signature_valid, secrets_match
from channels.inbound import MEDIA_KIND, Inbound
from channels.pipeline import get_pipeline
from channels.text import notice, split_text

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
MAX_BODY = 1024  # interactive message body
MAX_REPLY_BUTTONS, MAX_BUTTON_TITLE = 3, 20
MAX_LIST_ROWS, MAX_ROW_TITLE = 10, 24
LIST_BUTTON = notice("list_button")  # the list opener, at most 20 characters
MEDIA_TYPES = {
    "image": "صورة",
    "audio": "رسالة صوتية",
    "video": "فيديو",
    "document": "مستند",
    "sticker": "ملصق",
    "location": "موقع",
    "contacts": "جهة اتصال",
}
IGNORED_TYPES = {"reaction", "system", "ephemeral", "request_welcome"}


def settings() -> Dict[str, str]:
    current = bot_settings.get()
    return {
        "token": current.whatsapp_access_token,
        "phone_number_id": current.whatsapp_phone_number_id,
        "app_secret": current.whatsapp_app_secret,
        "verify_token": current.whatsapp_verify_token,
        "base": current.whatsapp_api_base.rstrip("/"),
        "version": current.whatsapp_api_version.strip("/"),
    }


# -- rendering ---------------------------------------------------------------------------------
def render_mode(buttons: List[Dict[str, str]]) -> str:
    """ "none", "buttons" (reply buttons), "list" or "text" (numbered menu)."""
    if not buttons:
        return "none"
    titles = [b["title"] for b in buttons]
    if len(buttons) <= MAX_REPLY_BUTTONS and all(len(t) <= MAX_BUTTON_TITLE for t in titles):
        return "buttons"
    if len(buttons) <= MAX_LIST_ROWS and all(len(t) <= MAX_ROW_TITLE for t in titles):
        return "list"
    return "text"


def render(
    text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
) -> List[Dict[str, Any]]:
    """The Cloud API message objects (without messaging_product/to) for one bot message."""
    mode = render_mode(buttons)
    # The words the channel adds go in the message's own language (its buttons' when it
    # has no text).
    titles = " ".join(b["title"] for b in buttons or [])
    lang = language_of(detect_language(text) or detect_language(titles))
    if mode in ("none", "text"):
        if mode == "text":
            menu = "\n".join(f"{i}. {b['title']}" for i, b in enumerate(buttons, 1))
            hint = notice("menu_hint", lang)
            text = f"{text}\n\n{menu}\n{hint}" if text.strip() else f"{menu}\n{hint}"
        return [
            {"type": "text", "text": {"body": part, "preview_url": False}}
            for part in split_text(text, MAX_TEXT)
        ]
    parts = split_text(text, MAX_TEXT) or [notice("choose_from_list", lang)]
    last = parts.pop()
    body_text = last
    if len(last) > MAX_BODY:  # the interactive body holds 1,024 characters: send the rest first
        body_text = split_text(last, MAX_BODY)[-1]
        parts.append(last[: len(last) - len(body_text)].rstrip())
    messages = [{"type": "text", "text": {"body": p, "preview_url": False}} for p in parts]
    body = {"text": body_text}
    if mode == "buttons":
        action = {
            "buttons": [
                {"type": "reply", "reply": {"id": button_id(transcript_id, i), "title": b["title"]}}
                for i, b in enumerate(buttons)
            ]
        }
        interactive = {"type": "button", "body": body, "action": action}
    else:
        opener = notice("list_button", lang)
        rows = [
            {"id": button_id(transcript_id, i), "title": b["title"]} for i, b in enumerate(buttons)
        ]
        interactive = {
            "type": "list",
            "body": body,
            "action": {"button": opener, "sections": [{"title": opener, "rows": rows}]},
        }
    messages.append({"type": "interactive", "interactive": interactive})
    return messages


def menu_choice(text: str, offered: List[Dict[str, str]]) -> Optional[Dict[str, str]]:
    """Map a typed answer back to an offered button: its number (numbered text menus only)
    or its title (any rendering)."""
    if not offered:
        return None
    answer = to_ascii_digits(text).strip().rstrip(".")
    if render_mode(offered) == "text" and answer.isdigit():
        n = int(answer)
        return offered[n - 1] if 1 <= n <= len(offered) else None
    folded = normalize(answer)
    for b in offered:
        if folded and normalize(b["title"]) == folded:
            return b
    return None


# -- Graph API client ------------------------------------------------------------------------
_client: Optional[httpx.AsyncClient] = None


def get_client() -> httpx.AsyncClient:
    global _client
    if _client is None or _client.is_closed:
        _client = httpx.AsyncClient(timeout=httpx.Timeout(15.0, connect=10.0))
    return _client


async def close_client() -> None:
    global _client
    client, _client = _client, None
    if client is not None:
        await client.aclose()


class GraphError(Exception):
    pass


async def send_message(to: str, message: Dict[str, Any]) -> Optional[str]:
    """POST one message to /{version}/{phone_number_id}/messages; returns the wamid.
    Retries once on 429/5xx/network errors; raises GraphError otherwise."""
    cfg = settings()
    if not cfg["token"] or not cfg["phone_number_id"]:
        raise GraphError("whatsapp is not configured")
    url = f"{cfg['base']}/{cfg['version']}/{cfg['phone_number_id']}/messages"
    body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, **message}
    headers = {"Authorization": f"Bearer {cfg['token']}"}
    for attempt in (1, 2):
        try:
            r = await get_client().post(url, json=body, headers=headers)
        except httpx.HTTPError as e:
            if attempt == 2:
                raise GraphError(type(e).__name__) from e
            await asyncio.sleep(0.5)
            continue
        if r.status_code < 300:
            try:
                return r.json()["messages"][0]["id"]
            except Exception:
                return None
        if attempt == 1 and (r.status_code == 429 or r.status_code >= 500):
            await asyncio.sleep(1.0)
            continue
        try:
            code = r.json().get("error", {}).get("code")
        except Exception:
            code = None
        raise GraphError(f"HTTP {r.status_code} (error code {code})")
    return None


# -- output ----------------------------------------------------------------------------------
class WhatsAppOutput(RecordingOutput):
    channel = "whatsapp"
    ids_needed = "buttons"  # a button's id carries its message's row id

    def __init__(self, conversation_id: str, wa_id: str, author: str = "bot") -> None:
        super().__init__(conversation_id, wa_id, author)

    async def deliver(
        self, text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> Optional[str]:
        last = None
        for message in render(text, buttons, transcript_id):
            last = await send_message(self.recipient_id, message)
        return last


# -- input -----------------------------------------------------------------------------------
class WhatsAppChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WhatsAppChannel":
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("citizen_whatsapp_webhook", url_prefix="/webhooks/whatsapp")

        @bp.listener("before_server_stop")
        async def _finish(app, loop):
            # let replies in flight go out before the process exits
            await get_pipeline().drain(10)

        @bp.listener("after_server_stop")
        async def _close(app, loop):
            await close_client()

        @bp.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok" if settings()["token"] else "disabled"})

        @bp.route("/webhook", methods=["GET"])
        async def verify(request: Request):
            cfg = settings()
            if request.args.get("hub.mode") == "subscribe" and secrets_match(
                cfg["verify_token"], request.args.get("hub.verify_token")
            ):
                return response.text(request.args.get("hub.challenge", ""))
            logger.warning("whatsapp: webhook verification refused")
            return response.text("forbidden", status=403)

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request):
            cfg = settings()
            if not meta_signature_valid(
                cfg["app_secret"], request.body or b"", request.headers.get("X-Hub-Signature-256")
            ):
                logger.warning("whatsapp: signature missing or wrong; refused")
                metrics.inc(metrics.WEBHOOKS_REJECTED, "whatsapp")
                return response.text("unauthorised", status=401)
            try:
                payload = parse_json(request.body)
            except ValueError:
                logger.warning("whatsapp: malformed JSON ignored")
                return response.text("ok")
            try:
                await self.dispatch(payload, on_new_message)
            except Exception as e:  # never a 500: Meta would retry for days
                logger.error("whatsapp: payload failed: %s", type(e).__name__)
            return response.text("ok")

        return bp

    async def dispatch(self, payload: Any, on_new_message) -> List[str]:
        """Handle every entry/change/message; returns the pipeline outcomes (tests)."""
        cfg = settings()
        outcomes: List[str] = []
        if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
            logger.warning("whatsapp: unknown payload ignored")
            return outcomes
        for entry in payload.get("entry") or []:
            for change in (entry or {}).get("changes") or []:
                value = (change or {}).get("value") or {}
                if change.get("field") != "messages" or not isinstance(value, dict):
                    logger.info("whatsapp: change of field %s ignored", change.get("field"))
                    continue
                number = str((value.get("metadata") or {}).get("phone_number_id") or "")
                if cfg["phone_number_id"] and number and number != cfg["phone_number_id"]:
                    logger.info("whatsapp: message for another phone number ignored")
                    continue
                if value.get("statuses"):
                    logger.debug("whatsapp: %d status callbacks ignored", len(value["statuses"]))
                for message in value.get("messages") or []:
                    try:
                        outcomes.append(await self._message(message, on_new_message))
                    except Exception as e:
                        logger.error("whatsapp: message failed: %s", type(e).__name__)
                        outcomes.append("failed")
        return outcomes

    async def _message(self, message: Dict[str, Any], on_new_message) -> str:
        wa_id, mid, kind = str(message.get("from") or ""), message.get("id"), message.get("type")
        if not wa_id or not mid or not kind:
            logger.warning("whatsapp: message without sender, id or type ignored")
            return "ignored"
        if kind in IGNORED_TYPES:
            return "ignored"
        conversation_id = f"whatsapp:{wa_id}"
        inbound = Inbound(
            channel="whatsapp",
            conversation_id=conversation_id,
            recipient_id=wa_id,
            dedup_key=f"whatsapp:msg:{mid}",
            channel_message_id=str(mid),
            verified=True,
        )
        output = WhatsAppOutput(conversation_id, wa_id)
        if kind == "text":
            text = str((message.get("text") or {}).get("body") or "")
            offered = await asyncio.to_thread(conversations.last_offered_buttons, conversation_id)
            choice = menu_choice(text, offered)
            if choice is not None:
                inbound.payload, inbound.title = choice["payload"], choice["title"]
            else:
                inbound.text = text
        elif kind == "interactive":
            inter = message.get("interactive") or {}
            reply = inter.get("button_reply") or inter.get("list_reply") or {}
            ids = parse_button_id(reply.get("id"))
            button = (
                await asyncio.to_thread(conversations.offered_button, conversation_id, *ids)
                if ids
                else None
            )
            if button is not None:
                inbound.payload, inbound.title = button["payload"], button["title"]
            else:  # an old or unknown id: treat the visible title as typed text
                inbound.text = str(reply.get("title") or "")
        elif kind == "button":  # quick reply of a template message
            inbound.text = str((message.get("button") or {}).get("text") or "")
        else:
            inbound.kind = MEDIA_KIND
            inbound.text = f"[{MEDIA_TYPES.get(kind, 'مرفق')}]"
            if kind not in MEDIA_TYPES:
                logger.info(
                    "whatsapp: unsupported message type %r from %s", kind, log_id(conversation_id)
                )
        return await get_pipeline().handle(inbound, on_new_message, output, background=True)
