"""Delivery of one claimed notification on its channel, for the sender (channels/notify/sender.py).

- Telegram: a message to the chat of the citizen's latest message (the shared Bot client
  and TELEGRAM_API_BASE of channels/telegram/channel.py).
- WhatsApp: free-form text inside the 24-hour customer-service window after the
  citizen's last message; outside it the approved template NOTIFY_WHATSAPP_TEMPLATE in
  NOTIFY_WHATSAPP_TEMPLATE_LANGUAGE, with NOTIFY_WHATSAPP_TEMPLATE_PARAMS as its body
  parameters (`number`, `status`, `kind`); no template configured: the next channel.
- Web widget: the message joins the conversation's transcript together with its mark
  (shown at the next visit), then the Rasa server is asked to push it to the open
  widget (channels/notify/push.py).
- SMS: the existing gateway (bot.services.sms.gateway), with the notification's own message id,
  so a retry after a crash is not a second SMS. A mobile whose SMS budget is spent gets it
  later, not never: the outcome says until when to wait (`deferred_until`).
Errors that retrying cannot fix (the citizen blocked the bot, a closed window without a
template, a number WhatsApp refuses) are `permanent`: the sender goes straight to the
next channel.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

import httpx

from bot import settings
from bot.services.notifications import outbox, texts
from bot.services.sms import gateway as sms
from bot.store import conversations
from channels.base import log_id

logger = logging.getLogger(__name__)

PUSH_PATH = "/webhooks/notify/push"
PUSH_TOKEN_HEADER = "X-Notify-Token"
PUSH_TRIES = 4  # several workers without Redis: a call reaches one of them (notify_push.py)


@dataclass
class Outcome:
    ok: bool
    channel_message_id: Optional[str] = None
    error: Optional[str] = None
    permanent: bool = False
    marked: bool = False  # the delivery wrote its own mark (the widget)
    transcript_text: Optional[str] = None  # what to add to the transcript once marked
    deferred_until: Optional[datetime] = None  # not sent yet: try again then (SMS budget)


async def deliver(claim: outbox.Claim, holder: str) -> Outcome:
    handler = {"telegram": _telegram, "whatsapp": _whatsapp, "web": _web, "sms": _sms}.get(
        claim.channel
    )
    if handler is None:
        return Outcome(False, error="unknown_channel", permanent=True)
    try:
        return await handler(claim, holder)
    except Exception as e:  # a bug or an outage in one channel must not stop the sender
        logger.warning("notify: %s delivery raised %s", claim.channel, type(e).__name__)
        return Outcome(False, error=type(e).__name__)


async def record_transcript(claim: outbox.Claim, outcome: Outcome) -> None:
    """After the mark: the message joins the conversation's transcript (desk, history)."""
    if not outcome.transcript_text or not claim.conversation_id:
        return
    try:
        await asyncio.to_thread(
            conversations.record_outbound,
            claim.conversation_id,
            outcome.transcript_text,
            None,
            "system",
            outcome.channel_message_id,
        )
    except Exception as e:
        logger.warning("notify: transcript not written: %s", type(e).__name__)


async def _conversation(claim: outbox.Claim) -> Optional[Dict[str, Any]]:
    if not claim.conversation_id:
        return None
    return await asyncio.to_thread(conversations.get_conversation, claim.conversation_id)


# -- Telegram ----------------------------------------------------------------------------------
async def _telegram(claim: outbox.Claim, holder: str) -> Outcome:
    from telegram.error import BadRequest, Forbidden, TelegramError

    from channels.telegram import channel as telegram

    conv = await _conversation(claim)
    if conv is None:
        return Outcome(False, error="no_conversation", permanent=True)
    if not telegram.bot_token():
        return Outcome(False, error="not_configured", permanent=True)
    text = texts.with_stop_hint(claim.body)
    chat = conv["recipient_id"]
    chat_id = int(chat) if str(chat).lstrip("-").isdigit() else chat
    try:
        sent = await telegram.get_bot().send_message(chat_id, text)
    except (Forbidden, BadRequest) as e:  # blocked the bot, chat gone: retrying won't help
        return Outcome(False, error=type(e).__name__, permanent=True)
    except TelegramError as e:
        return Outcome(False, error=type(e).__name__)
    return Outcome(True, str(sent.message_id), transcript_text=text)


# -- WhatsApp ----------------------------------------------------------------------------------
def template_message(claim: outbox.Claim, cfg: settings.Settings) -> Dict[str, Any]:
    values = {
        "number": claim.subject_number,
        "status": texts.status_label(claim.subject_type, claim.status),
        "kind": texts.kind_label(claim.subject_type),
    }
    names = [p.strip() for p in cfg.notify_whatsapp_template_params.split(",") if p.strip()]
    parameters = [{"type": "text", "text": values.get(name, "")} for name in names]
    template: Dict[str, Any] = {
        "name": cfg.notify_whatsapp_template,
        "language": {"code": cfg.notify_whatsapp_template_language},
    }
    if parameters:
        template["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": template}


def _graph_error_is_permanent(error: str) -> bool:
    # "HTTP 400 (error code 131047)": the request is refused as such. 429 and 5xx pass.
    if error.startswith("HTTP "):
        code = error.split()[1]
        return code.startswith("4") and code != "429"
    return "not configured" in error


async def _whatsapp(claim: outbox.Claim, holder: str) -> Outcome:
    from channels import whatsapp

    conv = await _conversation(claim)
    if conv is None:
        return Outcome(False, error="no_conversation", permanent=True)
    cfg = settings.get()
    in_window = await asyncio.to_thread(conversations.within_whatsapp_window, claim.conversation_id)
    if in_window:
        text = texts.with_stop_hint(claim.body)
        message = {"type": "text", "text": {"body": text, "preview_url": False}}
    elif cfg.notify_whatsapp_template:
        text = f"[{cfg.notify_whatsapp_template}] {claim.body}"
        message = template_message(claim, cfg)
    else:
        return Outcome(False, error="window_closed_no_template", permanent=True)
    try:
        wamid = await whatsapp.send_message(conv["recipient_id"], message)
    except whatsapp.GraphError as e:
        return Outcome(False, error=str(e)[:80], permanent=_graph_error_is_permanent(str(e)))
    return Outcome(True, wamid, transcript_text=text)


# -- web widget --------------------------------------------------------------------------------
def push_url() -> str:
    cfg = settings.get()
    return (cfg.notify_push_url or f"http://127.0.0.1:{cfg.rasa_port}").rstrip("/") + PUSH_PATH


async def push(conversation_id: str, message_id: int) -> bool:
    """Ask the Rasa server to show a recorded message in the open widget. True if a socket
    got it; best effort (the widget shows the transcript at the next visit anyway)."""
    token = settings.get().notify_push_token
    if not token:
        return False
    body = {"conversation_id": conversation_id, "message_id": message_id}
    # A new connection per try: with several workers each may land on another one.
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=5.0, limits=limits) as client:
        for _ in range(PUSH_TRIES):
            try:
                r = await client.post(push_url(), json=body, headers={PUSH_TOKEN_HEADER: token})
            except httpx.HTTPError as e:
                logger.info("notify: widget push failed: %s", type(e).__name__)
                return False
            if r.status_code != 200:
                logger.warning("notify: widget push refused (HTTP %s)", r.status_code)
                return False
            answer = r.json()
            if answer.get("reached") or answer.get("published"):
                return True  # published: every worker pushes it to the sockets it holds
            if not answer.get("maybe_elsewhere"):
                return False
    return False


async def _web(claim: outbox.Claim, holder: str) -> Outcome:
    message_id = await asyncio.to_thread(
        outbox.deliver_web, claim, holder, texts.with_stop_hint(claim.body)
    )
    if message_id is None:
        return Outcome(False, error="lease_lost", marked=True)
    live = await push(claim.conversation_id, message_id)
    logger.info(
        "notify: widget %s for %s",
        "pushed live" if live else "stored for the next visit",
        log_id(claim.conversation_id),
    )
    return Outcome(True, f"transcript:{message_id}", marked=True)


# -- SMS ---------------------------------------------------------------------------------------
def sms_message_id(claim: outbox.Claim) -> str:
    """Stable per notification: the SMS outbox row and the gateway's idempotency key."""
    return str(uuid.UUID(claim.key[:32]))


async def _sms(claim: outbox.Claim, holder: str) -> Outcome:
    if not claim.mobile:
        return Outcome(False, error="no_mobile", permanent=True)
    result = await asyncio.to_thread(
        sms.send, claim.mobile, claim.body, "notification", None, sms_message_id(claim)
    )
    if result.ok:
        return Outcome(True, result.provider_ref or result.message_id)
    error = result.error or result.status
    if result.status == "skipped_budget" and result.retry_at is not None:
        return Outcome(False, error=error[:80], deferred_until=result.retry_at)
    permanent = result.status == "skipped_budget" or error.startswith("HTTP 4")
    return Outcome(False, error=error[:80], permanent=permanent)
