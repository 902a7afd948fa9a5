"""The one inbound pipeline every channel goes through (Telegram, WhatsApp, web, REST).

    verify the sender → drop duplicates → rate limit → normalise the text →
    consult the handoff state → record the transcript → Rasa (on_new_message)

Channels are thin adapters: they authenticate the HTTP request / socket at the edge
with the constant-time helpers below (`secrets_match`, `meta_signature_valid`), turn
the platform payload into an `Inbound` with `verified=True`, build the channel's
`RecordingOutput` and call `get_pipeline().handle(...)`. Webhook channels pass
`background=True`: the duplicate check runs before the HTTP answer, the rest after it,
so the platform gets its 200 at once and a crash inside Rasa never becomes a 500 (and
hence never a retry loop). The rate limit is decided before that split too: a refused
message is neither stored nor queued, and the channel learns at once that it was refused
(`Inbound.retry_after`); the widget marks that message "not sent" with its retry time,
the other channels get one notice per window saying when to send again. Such a message is recorded until answered, so another worker
answers it if this one dies (channels/replay.py).

Normalisation (all channels):
- invisible/bidi control characters removed, Arabic-Indic digits to ASCII, trimmed;
- text starting with "/" has every leading "/" stripped, so a citizen can never inject
  an intent ("/restart", '/faq{"x":1}'); the one exception is REST and the web widget
  (`Inbound.payload_as_text`), whose button clicks arrive as the payload text: there it
  is passed unchanged if it exactly equals a payload of a button offered in the bot's
  last reply to this conversation;
- longer than MAX_INBOUND_CHARS (default 1000): cut at a word boundary;
- empty or emoji-only text is passed on as is (the bot answers it).
Button clicks that the channel resolved server-side (Telegram callback_data, WhatsApp
reply ids, which are transcript ids, never raw payloads) arrive as `Inbound.payload`.

Handoff: the only call site is `Pipeline._handoff_gate`. It asks
`bot.services.handoff.state_of(conversation_id)`; anything but "bot" records the
message and calls `bot.services.handoff.notify_citizen_message(conversation_id, text,
transcript_message_id)` if that hook exists (sync or async), and Rasa is not called. A
text (or {"text", "buttons"}) the hook returns is sent to the citizen as a notice (the
queue acknowledgement).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from typing import Any, Awaitable, Callable, Dict, Optional, Set

from rasa.core.channels.channel import UserMessage

from bot import metrics, settings
from bot.services import handoff
from bot.store import conversations
from bot.store.base import utcnow
from channels import prepare, replay
from channels import turn_hooks as console_hooks
from channels.base import RecordingOutput, log_id
from channels.edge import limit_exempt
from channels.inbound import (
    ACCEPTED,
    DUPLICATE,
    FAILED,
    HANDED_OFF,
    LEFT_QUEUE,
    MEDIA,
    MEDIA_KIND,
    PROCESSED,
    RATE_LIMITED,
    REJECTED,
    TOO_LONG,
    Inbound,
)
from channels.state import KeyedLocks, address_limiter, build_state
from channels.text import notice, rate_limit_reply, truncate

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class Pipeline:
    def __init__(self, deduper=None, limiter=None) -> None:
        if deduper is None or limiter is None:
            d, r = build_state()
            deduper, limiter = deduper or d, limiter or r
        self.deduper = deduper
        self.limiter = limiter
        current = settings.get()
        self.max_chars = current.max_inbound_chars
        self.reply_timeout = current.rasa_reply_timeout_seconds
        self.locks = KeyedLocks()
        self.tasks: Set[asyncio.Task] = set()
        self._client_limiters: Dict[str, Any] = {}

    # -- per client address (channels/state.py, `address_limiter`) -----------------------
    def _client_limiter(self, kind: str):
        if kind not in self._client_limiters:
            self._client_limiters[kind] = address_limiter(kind, self.limiter)
        return self._client_limiters[kind]

    def client_window(self, kind: str) -> int:
        return int(self._client_limiter(kind).window)

    async def client_allowed(self, kind: str, address: str) -> bool:
        """One more `kind` ("rest" message, "web-session" opened) from this client address?"""
        if limit_exempt(address):
            return True
        decision = await self._client_limiter(kind).hit(address)
        if not decision.allowed and decision.notify:
            logger.warning("per-address limit hit (%s) for %s", kind, log_id(f"address:{address}"))
        return decision.allowed

    # -- entry point --------------------------------------------------------------------
    async def handle(
        self,
        inbound: Inbound,
        on_new_message: OnNewMessage,
        output: RecordingOutput,
        *,
        background: bool = False,
        prelude: Optional[Callable[[], Awaitable[Any]]] = None,
    ) -> str:
        """Run the pipeline for one message. With background=True only the duplicate check
        is awaited; the rest runs as a task (see `drain`). `prelude` runs first inside the
        task (e.g. answering a Telegram callback query)."""
        if not inbound.verified:
            logger.error("unverified inbound on %s refused", inbound.channel)
            return REJECTED
        seen = inbound.dedup_key and not await self.deduper.first_time(inbound.dedup_key)
        if seen and inbound.answer_resent:
            outcome = await replay.answer_again(inbound, output, self, on_new_message)
            if outcome is not None:
                metrics.inc(metrics.DUPLICATES, inbound.channel)
                return outcome
            inbound.replayed = True  # may be in the transcript: stored once all the same
        elif seen:
            logger.info(
                "duplicate %s update dropped for %s",
                inbound.channel,
                log_id(inbound.conversation_id),
            )
            metrics.inc(metrics.DUPLICATES, inbound.channel)
            return DUPLICATE
        decision = await self.limiter.hit(inbound.conversation_id)
        if not decision.allowed:
            # Before anything is stored or queued: a refused message costs a flood nothing.
            inbound.retry_after = decision.retry_after
            logger.info("rate limit hit for %s", log_id(inbound.conversation_id))
            metrics.inc(metrics.RATE_LIMITED, inbound.channel)
            if decision.notify:
                told = self._tell_refused(inbound, output, decision.retry_after)
                if background:
                    self._spawn(told)
                else:
                    await told
            return RATE_LIMITED
        if background:
            pending = await replay.remember(inbound, output)  # durable until answered
            run = self._run(inbound, on_new_message, output, prelude)
            self._spawn(replay.settle(pending, run, inbound))
            return ACCEPTED
        if inbound.answer_resent and inbound.dedup_key:
            return await self._answer_once(inbound, on_new_message, output)
        return await self._run(inbound, on_new_message, output, prelude)

    async def _answer_once(
        self, inbound: Inbound, on_new_message: OnNewMessage, output: RecordingOutput
    ) -> str:
        """A message whose client waits for the answer and may send it again (REST with a
        message id): pending while its turn runs (channels/replay.py), so a copy sent to
        another worker waits for this answer, or takes the turn over if this worker dies."""
        pending = await replay.remember(inbound, output)
        if pending is None:
            outcome = await replay.answer_again(inbound, output, self, on_new_message)
            if outcome is not None:
                return outcome
        run = self._run(inbound, on_new_message, output, None)
        return await replay.settle(pending, run, inbound)

    def _spawn(self, coroutine) -> None:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _tell_refused(
        self, inbound: Inbound, output: RecordingOutput, retry_after: int
    ) -> None:
        """Once per window: the message was not taken, and when to send it again. The
        widget marks each refused message itself (its ack says so) and is not told here.
        Behind the conversation's lock, so it follows the answers to earlier messages."""
        if getattr(output, "marks_refused", False):
            return
        try:
            async with self.locks.hold(inbound.conversation_id):
                lang = await prepare.notice_language(inbound.conversation_id, inbound.text)
                await output.notice(rate_limit_reply(retry_after, lang))
        except Exception as e:
            logger.warning("rate-limit notice failed: %s", type(e).__name__)

    async def process(
        self, inbound: Inbound, on_new_message: OnNewMessage, output: RecordingOutput
    ) -> str:
        """The steps after the duplicate check, awaited (channels/replay.py)."""
        return await self._run(inbound, on_new_message, output, None)

    async def drain(self, timeout: float = 30.0) -> None:
        """Wait for background tasks (tests; server shutdown)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.tasks:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await asyncio.wait(list(self.tasks), timeout=remaining)

    # -- the steps ----------------------------------------------------------------------
    async def _run(
        self,
        inbound: Inbound,
        on_new_message: OnNewMessage,
        output: RecordingOutput,
        prelude: Optional[Callable[[], Awaitable[Any]]],
    ) -> str:
        conv = inbound.conversation_id
        try:
            async with self.locks.hold(conv):
                try:
                    return await self._steps(inbound, on_new_message, output, prelude)
                finally:
                    if hasattr(output, "flush_held"):
                        await output.flush_held()  # a path that wrote no turn row
        except Exception as e:
            logger.error(
                "pipeline failed on %s for %s: %s", inbound.channel, log_id(conv), type(e).__name__
            )
            return FAILED

    async def _steps(
        self,
        inbound: Inbound,
        on_new_message: OnNewMessage,
        output: RecordingOutput,
        prelude: Optional[Callable[[], Awaitable[Any]]],
    ) -> str:
        conv = inbound.conversation_id
        if prelude is not None:
            try:
                await prelude()
            except Exception as e:
                logger.warning("prelude failed on %s: %s", inbound.channel, type(e).__name__)
        text, display = await prepare.normalise(inbound)
        display = await prepare.hide_code(conv, display)
        # Kept for the transcript (and an agent) cut to the limit; Rasa is not asked
        # to guess at half a message.
        too_long = inbound.payload is None and len(text) > self.max_chars
        if too_long:
            text = display = truncate(text, self.max_chars)
        gate = await self._handoff_gate(inbound, display, output)
        if gate is not None:
            if inbound.kind == MEDIA_KIND:
                await output.notice(notice("media", await prepare.notice_language(conv, None)))
            return gate
        if inbound.kind == MEDIA_KIND:
            await output.notice(notice("media", await prepare.notice_language(conv, None)))
            return MEDIA
        if too_long:
            lang = await prepare.notice_language(conv, display)
            await output.notice(notice("too_long", lang, limit=self.max_chars))
            return TOO_LONG
        if await console_hooks.before_rasa(inbound, text, output):
            return PROCESSED  # an answer to the rating question
        return await self._call_rasa(inbound, text, display, on_new_message, output)

    @staticmethod
    def _inbound_item(inbound: Inbound, display: str) -> Dict[str, Any]:
        """The citizen's message as bot.store.conversations.write_messages takes it."""
        return {
            "author": "citizen",
            "text": display,
            "channel_message_id": inbound.channel_message_id,
            "at": utcnow(),
            "once": inbound.replayed,
        }

    async def _record_inbound(self, inbound: Inbound, display: str) -> Optional[int]:
        try:
            return await asyncio.to_thread(
                conversations.record_inbound,
                inbound.conversation_id,
                inbound.channel,
                inbound.recipient_id,
                display,
                inbound.channel_message_id,
                once=inbound.replayed,
            )
        except Exception as e:
            metrics.inc(metrics.STORE_ERRORS, "database")
            logger.error(
                "transcript write failed for %s: %s",
                log_id(inbound.conversation_id),
                type(e).__name__,
            )
            return None

    async def _handoff_gate(
        self, inbound: Inbound, display: str, output: Optional[RecordingOutput] = None
    ) -> Optional[str]:
        """Record the message; if a human owns the conversation, notify and stop here.
        This is the single place the pipeline talks to bot.services.handoff."""
        conv = inbound.conversation_id
        try:
            state = (
                handoff.state_of(conv)
                if asyncio.iscoroutinefunction(handoff.state_of)
                else await asyncio.to_thread(handoff.state_of, conv)
            )
            if inspect.isawaitable(state):
                state = await state
        except Exception as e:  # fail open: the bot keeps answering
            logger.error("handoff state unavailable for %s: %s", log_id(conv), type(e).__name__)
            state = handoff.BOT
        if state == handoff.BOT and hasattr(output, "hold"):
            # The bot answers: the message is written with the turn's replies (channels/base.py).
            output.hold(self._inbound_item(inbound, display), inbound.channel, inbound.recipient_id)
            return None
        message_id = await self._record_inbound(inbound, display)
        if state == handoff.BOT:
            return None
        if state == handoff.QUEUED and output is not None and handoff.wants_to_leave_queue(display):
            try:
                left = await asyncio.to_thread(handoff.leave_queue, conv)
            except Exception as e:
                logger.error("leaving the queue failed for %s: %s", log_id(conv), type(e).__name__)
                left = False
            if left:
                await output.notice(
                    handoff.left_queue_text(await prepare.notice_language(conv, display))
                )
                logger.info("%s left the agent queue", log_id(conv))
                return LEFT_QUEUE
        hook = getattr(handoff, "notify_citizen_message", None)
        if hook is not None:
            try:
                result = hook(conv, display, message_id)
                if inspect.isawaitable(result):
                    result = await result
                if isinstance(result, str):
                    result = {"text": result}
                if isinstance(result, dict) and result.get("text") and output is not None:
                    # "received, you are number N" (throttled), with the way out of the queue
                    await output.emit(result["text"], result.get("buttons"), author="system")
            except Exception as e:
                logger.error("handoff notify failed for %s: %s", log_id(conv), type(e).__name__)
        logger.info("%s is with a human (%s); Rasa not called", log_id(conv), state)
        return HANDED_OFF

    async def _call_rasa(
        self,
        inbound: Inbound,
        text: str,
        display: str,
        on_new_message: OnNewMessage,
        output: RecordingOutput,
    ) -> str:
        message = UserMessage(
            text,
            output,
            inbound.conversation_id,
            input_channel=inbound.channel,
            message_id=inbound.channel_message_id,
            metadata=inbound.metadata or None,
        )
        await self._typing(output, True)
        started = time.monotonic()
        try:
            await asyncio.wait_for(on_new_message(message), timeout=self.reply_timeout)
            if output.emitted:
                await console_hooks.after_rasa(inbound, started, output, False, display)
                return PROCESSED
            # Every turn of this assistant says something; silence means Rasa swallowed
            # a failure (e.g. its store went away mid-turn). Never leave the citizen
            # without an answer.
            logger.error("Rasa returned no reply for %s", log_id(inbound.conversation_id))
        except asyncio.TimeoutError:
            logger.error(
                "Rasa did not answer %s within %.0fs",
                log_id(inbound.conversation_id),
                self.reply_timeout,
            )
        except Exception as e:
            logger.error(
                "Rasa failed for %s: %s", log_id(inbound.conversation_id), type(e).__name__
            )
        finally:
            await self._typing(output, False)
        lang = await prepare.notice_language(inbound.conversation_id, text)
        await output.notice(notice("error", lang))
        await console_hooks.after_rasa(inbound, started, output, True, display)
        return FAILED

    @staticmethod
    async def _typing(output: RecordingOutput, on: bool) -> None:
        try:
            await output.typing(on)
        except Exception:
            pass


_pipeline: Optional[Pipeline] = None


def get_pipeline() -> Pipeline:
    """The process-wide pipeline (dedup/rate state built from the environment on first use)."""
    global _pipeline
    if _pipeline is None:
        _pipeline = Pipeline()
    return _pipeline


def set_pipeline(pipeline: Optional[Pipeline]) -> None:
    """Replace (or with None, forget) the process-wide pipeline; used by tests."""
    global _pipeline
    _pipeline = pipeline
