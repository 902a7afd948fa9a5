"""Telegram channel (python-telegram-bot 22), a custom Rasa input/output channel.

credentials.yml:   channels.telegram.channel.TelegramChannel:   (values come from the environment)

Environment:
    TELEGRAM_BOT_TOKEN       the bot token from @BotFather. Unset = channel disabled: the
                             webhook answers 403 and nothing reaches Rasa.
    TELEGRAM_WEBHOOK_SECRET  value Telegram sends in X-Telegram-Bot-Api-Secret-Token
                             (1-256 of A-Z a-z 0-9 _ -). Unset = derived from the bot token
                             (HMAC), so the webhook is never unauthenticated.
    TELEGRAM_API_BASE        Bot API base URL (default https://api.telegram.org); tests point
                             it at a local stand-in server.
    TELEGRAM_WEBHOOK_URL     public URL of the webhook for `set-webhook`
                             (e.g. https://bot.example.sa/webhooks/telegram/webhook).
    TELEGRAM_START_PAYLOAD   what /start sends to Rasa (default /greet).

Webhook: POST /webhooks/telegram/webhook. The secret header is compared in constant
time (401 otherwise). The body is parsed with telegram.Update.de_json; an unparsable
or unknown update gets 200 and a log line. Updates are de-duplicated on update_id and
processed in the background (the 200 goes back at once).
- text → Rasa through the shared pipeline (a leading "/" is stripped: no intent injection);
- /start (also /start@bot, deep links) → TELEGRAM_START_PAYLOAD (the greeting);
- inline button clicks (callback queries) are answered at once so the spinner stops;
  callback_data is "b:<transcript message id>:<index>" (server-side, < 64 bytes), resolved
  to the payload only if that message was sent to this same user;
- edited messages are ignored; photos, voice, stickers, locations... get a polite
  Arabic "text only" answer;
- one conversation per user ("telegram:<user id>"), also in group chats, where the
  reply quotes the user's message.
Replies longer than 4,096 characters are split on word boundaries; buttons go under
the last part. Sending uses one shared telegram.Bot per process (`get_bot`).

Command line (uses the same Bot and base URL):
    python -m channels.telegram.webhook set-webhook [--url URL] [--drop-pending-updates]
    python -m channels.telegram.webhook delete-webhook
    python -m channels.telegram.webhook webhook-info
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from typing import Any, Awaitable, Callable, Dict, List, Optional

import telegram
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot import metrics, settings
from bot.services.language import conversation_language
from bot.store import conversations
from channels.base import RecordingOutput, button_id, log_id, parse_button_id, parse_json
from channels.edge import secrets_match
from channels.inbound import MEDIA_KIND, Inbound
from channels.pipeline import get_pipeline
from channels.text import notice, split_text

logger = logging.getLogger(__name__)

MAX_TEXT = 4096
ALLOWED_UPDATES = ["message", "callback_query"]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_START = re.compile(r"^/start(@\w+)?(\s|$)", re.I)
_MEDIA_LABELS = {
    "photo": "صورة",
    "voice": "رسالة صوتية",
    "audio": "ملف صوتي",
    "video": "فيديو",
    "video_note": "فيديو",
    "sticker": "ملصق",
    "location": "موقع",
    "venue": "موقع",
    "contact": "جهة اتصال",
    "document": "مستند",
    "animation": "صورة متحركة",
}


# -- configuration ---------------------------------------------------------------------------
def bot_token() -> str:
    return settings.get().telegram_bot_token


def api_base() -> str:
    return settings.get().telegram_api_base.rstrip("/")


def webhook_secret(token: Optional[str] = None) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or a secret derived from the bot token ("" without a token)."""
    explicit = settings.get().telegram_webhook_secret
    if explicit:
        return explicit
    token = bot_token() if token is None else token
    if not token:
        return ""
    return hmac.new(token.encode(), b"citizen-account-telegram-webhook", hashlib.sha256).hexdigest()


# -- the shared Bot --------------------------------------------------------------------------
_bot: Optional[telegram.Bot] = None


def make_bot() -> telegram.Bot:
    """A telegram.Bot for TELEGRAM_BOT_TOKEN talking to TELEGRAM_API_BASE."""
    token = bot_token()
    if not token:
        raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
    base = api_base()
    return telegram.Bot(
        token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(
            connection_pool_size=32,
            read_timeout=15,
            write_timeout=15,
            connect_timeout=10,
            pool_timeout=5,
        ),
    )


def get_bot() -> telegram.Bot:
    """The one shared telegram.Bot of this (server) process."""
    global _bot
    if _bot is None:
        _bot = make_bot()
    return _bot


async def close_bot(bot: Optional[telegram.Bot] = None) -> None:
    """Close a Bot's HTTP clients; without argument, the shared one (server shutdown, tests)."""
    global _bot
    if bot is None:
        bot, _bot = _bot, None
    if bot is not None:
        # Bot.shutdown() is a no-op for a Bot that was never initialize()d (we never call
        # getMe), so close the HTTP clients of both request objects directly.
        for request in getattr(bot, "_request", (bot.request,)):
            try:
                await request.shutdown()
            except Exception:
                pass


async def _call(make: Callable[[], Awaitable[Any]]) -> Any:
    """One retry on flood control or network trouble; other Bot API errors raise."""
    try:
        return await make()
    except RetryAfter as e:
        delay = (
            e.retry_after.total_seconds()
            if hasattr(e.retry_after, "total_seconds")
            else float(e.retry_after)
        )
        await asyncio.sleep(min(delay, 5.0))
    except (BadRequest, Forbidden):
        raise
    except NetworkError:
        await asyncio.sleep(0.5)
    return await make()


# -- output ----------------------------------------------------------------------------------
class TelegramOutput(RecordingOutput):
    channel = "telegram"
    ids_needed = "buttons"  # a button's id carries its message's row id

    def __init__(
        self,
        conversation_id: str,
        chat_id: Any,
        reply_to: Optional[int] = None,
        author: str = "bot",
    ) -> None:
        super().__init__(conversation_id, str(chat_id), author)
        self.chat_id = int(chat_id) if str(chat_id).lstrip("-").isdigit() else chat_id
        self.reply_to = reply_to

    @staticmethod
    def keyboard(
        buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b["title"], callback_data=button_id(transcript_id, i))]
                for i, b in enumerate(buttons)
            ]
        )

    async def deliver(
        self, text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> Optional[str]:
        bot = get_bot()
        parts = split_text(text, MAX_TEXT) or (["👇"] if buttons else [])
        markup = self.keyboard(buttons, transcript_id) if buttons else None
        last_id = None
        for i, part in enumerate(parts):
            kwargs: Dict[str, Any] = {}
            if i == len(parts) - 1 and markup is not None:
                kwargs["reply_markup"] = markup
            if i == 0 and self.reply_to:
                kwargs["reply_parameters"] = ReplyParameters(
                    self.reply_to, allow_sending_without_reply=True
                )
            sent = await _call(lambda: bot.send_message(self.chat_id, part, **kwargs))
            last_id = sent.message_id
        return None if last_id is None else str(last_id)

    async def typing(self, on: bool) -> None:
        if on:
            await get_bot().send_chat_action(self.chat_id, ChatAction.TYPING)


# -- input -----------------------------------------------------------------------------------
class TelegramChannel(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "TelegramChannel":
        return cls()

    def __init__(self) -> None:
        # Read at construction (server start); `enabled` is re-checked per request so a
        # test can set the environment after import.
        self.start_payload = settings.get().telegram_start_payload

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("citizen_telegram_webhook", url_prefix="/webhooks/telegram")

        @bp.listener("before_server_stop")
        async def _finish(app, loop):
            # let replies in flight go out before the process exits
            await get_pipeline().drain(10)

        @bp.listener("after_server_stop")
        async def _close(app, loop):
            await close_bot()

        @bp.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok" if bot_token() else "disabled"})

        @bp.route("/webhook", methods=["POST"])
        async def webhook(request: Request):
            token = bot_token()
            if not token:
                logger.warning("telegram: webhook called but TELEGRAM_BOT_TOKEN is not set")
                return response.json({"error": "channel disabled"}, status=403)
            if not secrets_match(webhook_secret(token), request.headers.get(SECRET_HEADER)):
                logger.warning("telegram: webhook secret missing or wrong; refused")
                metrics.inc(metrics.WEBHOOKS_REJECTED, "telegram")
                return response.json({"error": "unauthorised"}, status=401)
            try:
                data = parse_json(request.body)
                update = telegram.Update.de_json(data, get_bot())
                if update is None:
                    raise ValueError("empty update")
            except Exception as e:
                logger.warning("telegram: malformed update ignored (%s)", type(e).__name__)
                return response.json({"ok": True})
            try:
                await self.dispatch(update, on_new_message)
            except Exception as e:  # never a 500: Telegram would redeliver for hours
                logger.error("telegram: update %s failed: %s", update.update_id, type(e).__name__)
            return response.json({"ok": True})

        return bp

    async def dispatch(self, update: telegram.Update, on_new_message) -> str:
        pipeline = get_pipeline()
        dedup = f"telegram:update:{update.update_id}"
        if update.callback_query is not None:
            return await self._callback(update.callback_query, dedup, on_new_message)
        message = update.message
        if message is None:
            # edited messages, channel posts, polls, member updates...: nothing to answer
            logger.info("telegram: update %s of an ignored kind", update.update_id)
            return "ignored"
        user = message.from_user
        if user is None or user.is_bot:
            return "ignored"
        conversation_id = f"telegram:{user.id}"
        reply_to = message.message_id if message.chat.type != "private" else None
        output = TelegramOutput(conversation_id, message.chat.id, reply_to)
        inbound = Inbound(
            channel="telegram",
            conversation_id=conversation_id,
            recipient_id=str(message.chat.id),
            dedup_key=dedup,
            channel_message_id=str(message.message_id),
            metadata={"chat_type": message.chat.type},
            verified=True,
        )
        if message.text is not None:
            if _START.match(message.text.strip()):
                inbound.payload, inbound.title = self.start_payload, "/start"
            else:
                inbound.text = message.text
        elif message.effective_attachment is not None or message.location or message.contact:
            kind = next((k for k in _MEDIA_LABELS if getattr(message, k, None)), "")
            inbound.kind = MEDIA_KIND
            inbound.text = f"[{_MEDIA_LABELS.get(kind, 'مرفق')}]"
        else:
            logger.info("telegram: service message ignored")
            return "ignored"
        return await pipeline.handle(inbound, on_new_message, output, background=True)

    async def _callback(self, query: telegram.CallbackQuery, dedup: str, on_new_message) -> str:
        bot = get_bot()
        user = query.from_user
        conversation_id = f"telegram:{user.id}"
        message = query.message
        chat_id = message.chat.id if message is not None else user.id
        button = None
        ids = parse_button_id(query.data)
        if ids is not None:
            button = await asyncio.to_thread(conversations.offered_button, conversation_id, *ids)

        async def answer() -> None:
            # Stops the spinner on the user's button at once.
            text = None
            if button is None:
                lang = await asyncio.to_thread(conversation_language, conversation_id)
                text = notice("unavailable_button", lang)
            await bot.answer_callback_query(query.id, text=text)

        if button is None:
            logger.info("telegram: unknown or foreign button id from %s", log_id(conversation_id))
            if not await get_pipeline().deduper.first_time(dedup):
                return "duplicate"
            try:
                await answer()
            except TelegramError as e:
                logger.info("telegram: answerCallbackQuery failed: %s", type(e).__name__)
            return "ignored"
        reply_to = (
            message.message_id if message is not None and message.chat.type != "private" else None
        )
        output = TelegramOutput(conversation_id, chat_id, reply_to)
        inbound = Inbound(
            channel="telegram",
            conversation_id=conversation_id,
            recipient_id=str(chat_id),
            payload=button["payload"],
            title=button.get("title"),
            dedup_key=dedup,
            channel_message_id=f"cb:{query.id}",
            verified=True,
        )
        return await get_pipeline().handle(
            inbound, on_new_message, output, background=True, prelude=answer
        )
