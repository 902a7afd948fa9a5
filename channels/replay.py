"""Webhook messages survive the worker that accepted them.

Telegram and WhatsApp get their 200 before the turn runs and never deliver the update
again, so a worker killed mid-turn used to lose the message. Now:

1. `remember` (in `Pipeline.handle`, before the 200): one INSERT into `inbound_pending`
   (bot/store/inbound.py explains why a table and not a Redis stream) with what is needed
   to run the turn again: the message as the channel parsed it and the reply address.
2. after the turn, answered or apologised for, one DELETE: in the transaction that stores
   a bot turn's transcript and analytics row (bot.services.console.turns.finish_turn,
   `Inbound.settled`), else, on paths that write no turn row or when that transaction
   failed, on its own (`settle`). A cancelled turn (shutdown) keeps its row.
3. `Replayer` (a loop in every Rasa server, started by channels/server.py): every
   INBOUND_SCAN_SECONDS it renews the lease of the rows its own turns still hold, claims
   rows whose lease (INBOUND_LEASE_SECONDS) ran out, i.e. whose worker is gone, and runs
   them through the pipeline again. The de-duplication key is not consulted again (it
   already saw the message and would drop it).

Answered twice? Rasa saves the tracker when a turn ends, with the channel's message id
on the user event (`UserUttered.message_id`); a replayed message whose id is already in
the conversation's tracker reached Rasa and was answered, and is dropped. A worker that
died after sending the reply but before saving the tracker cannot be told apart from one
that died before replying: then the citizen may get the answer twice, which we prefer to
no answer. A message that went to a human agent (Rasa not called) leaves no tracker
event; its replay finds it in the transcript by the channel's message id and does not
record it again (`record_inbound(once=True)`), and the agent is told of it again.

After INBOUND_MAX_ATTEMPTS claims the message is given up: a log line (masked
conversation id, no text), the Arabic apology below to the citizen, and the row deleted.
The web widget is not covered: its socket dies with the worker and the widget re-sends.

REST (with a client message id, channels/rest.py) takes the same path though its client
waits for the answer in the HTTP response: the row is written before the turn and deleted
after it. A client whose answer was lost (its host died, the load balancer gave up) sends
the message again under the same id; the de-duplication key stops a second turn and
`answer_again` answers it: still pending with a live lease (in flight on another worker):
wait for it; lease run out (its worker died): take the row over (`store.take`, the same
compare-and-set as the loop's claim) and replay it here, into this request's answer;
settled: send again the replies the transcript holds after that message, or, if its
worker died after Rasa saved the turn and before the transcript was written, the replies
on Rasa's tracker (written to the transcript then).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import secrets
import socket
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Tuple

from bot import settings
from bot.services.language import conversation_language
from bot.store import conversations
from bot.store import inbound as store
from bot.store.base import utcnow
from channels.base import RecordingOutput, log_id
from channels.inbound import DUPLICATE, Inbound
from channels.text import notice

logger = logging.getLogger(__name__)

# REST: the client waits for its answer, but one whose answer was lost sends the message
# again under the same id, and gets the answer this replay recorded (`answer_again`).
REPLAYABLE = ("telegram", "whatsapp", "rest")
GIVEN_UP_REPLY = notice("given_up")
_FIELDS = ("channel", "conversation_id", "recipient_id", "text", "payload", "title", "kind")
_MORE = ("dedup_key", "channel_message_id", "metadata", "payload_as_text")

# The running server's tracker store (set by `start`): tells a replay what Rasa answered.
_tracker_store: Callable[[], Any] = lambda: None

# Rows whose turn runs in this process: their lease is renewed while it runs.
_held: Set[int] = set()
_owner: Optional[str] = None
_owner_pid: Optional[int] = None


def owner() -> str:
    """This process, as named in the rows it holds (new after a fork)."""
    global _owner, _owner_pid
    if _owner is None or _owner_pid != os.getpid():
        _owner_pid = os.getpid()
        _owner = f"{socket.gethostname()[:60]}:{_owner_pid}:{secrets.token_hex(4)}"
    return _owner


def encode(inbound, output: RecordingOutput) -> str:
    data: Dict[str, Any] = {k: getattr(inbound, k) for k in _FIELDS + _MORE}
    data["reply_to"] = getattr(output, "reply_to", None)  # Telegram groups quote the message
    return json.dumps(data, ensure_ascii=False)


def decode(body: str) -> Tuple[Inbound, Any]:
    data = json.loads(body)
    reply_to = data.pop("reply_to", None)
    fields = {k: data.get(k) for k in _FIELDS + _MORE if k in data}
    inbound = Inbound(**fields, verified=True, replayed=True)
    inbound.metadata = inbound.metadata or {}
    return inbound, reply_to


# channel -> its output for (conversation_id, recipient_id, reply_to): handed in by the
# server (channels/server.py), which knows the channels; this module imports none of them.
OutputFactory = Callable[[str, str, Any], RecordingOutput]


def make_output(
    outputs: Dict[str, OutputFactory],
    channel: str,
    conversation_id: str,
    recipient_id: str,
    reply_to=None,
) -> RecordingOutput:
    factory = outputs.get(channel)
    if factory is None:
        raise ValueError(f"no replay for channel {channel}")
    return factory(conversation_id, recipient_id, reply_to)


# -- the hot path (Pipeline.handle) --------------------------------------------------------
async def remember(inbound, output: RecordingOutput) -> Optional[int]:
    """Record a message accepted for background processing; None if not recorded (then
    it is processed as before, just not durably)."""
    if inbound.channel not in REPLAYABLE or not inbound.dedup_key:
        return None
    try:
        row_id = await asyncio.to_thread(
            store.add,
            inbound.dedup_key,
            inbound.channel,
            inbound.conversation_id,
            encode(inbound, output),
            owner(),
        )
    except Exception as e:
        logger.error(
            "pending inbound not recorded for %s: %s",
            log_id(inbound.conversation_id),
            type(e).__name__,
        )
        return None
    if row_id is not None:
        _held.add(row_id)
        inbound.pending_id = row_id  # a bot turn deletes it with its transcript
    return row_id


async def settle(row_id: Optional[int], run: Awaitable[str], inbound=None) -> str:
    """Await the turn, then forget its row, unless the turn's transaction deleted it
    already (`inbound.settled`: a bot turn, channels/turn_hooks.py). A cancelled turn keeps
    the row (another worker takes it once the lease runs out)."""
    try:
        outcome = await run
    except asyncio.CancelledError:
        if row_id is not None:
            _held.discard(row_id)
        raise
    if row_id is not None:
        if inbound is not None and inbound.settled:
            _held.discard(row_id)
        else:
            await _forget(row_id)
    return outcome


async def _forget(row_id: int) -> None:
    _held.discard(row_id)
    try:
        await asyncio.to_thread(store.remove, row_id)
    except Exception as e:
        # It comes back after the lease and is recognised as answered in the tracker.
        logger.error("pending inbound %s not deleted: %s", row_id, type(e).__name__)


# -- a message sent again by a client that waits for its answer (REST) --------------------
async def answer_again(
    inbound, output: RecordingOutput, pipeline: Any, on_new_message: Callable[[Any], Awaitable[Any]]
) -> Optional[str]:
    """Answer a message whose de-duplication key was seen: its recorded answer, after
    waiting for its turn if another worker is still on it, or after replaying it here if
    its worker is gone. None if nothing is known of it (refused by the rate limit, or
    sent again within the instant between the key and the pending row): run it as new."""
    conv, mid = inbound.conversation_id, inbound.channel_message_id
    current = settings.get()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + current.rasa_reply_timeout_seconds + current.inbound_lease_seconds
    try:
        while True:
            pending, row = await asyncio.to_thread(
                store.take, inbound.dedup_key, owner(), current.inbound_lease_seconds
            )
            if row is not None:
                replayer = Replayer(on_new_message, _tracker_store, pipeline=pipeline, outputs={})
                outcome = await replayer.replay(row, output)
                if outcome != "answered":
                    return outcome
                pending = False  # answered before its worker died: the transcript or tracker has it
            if not pending:
                replies = await asyncio.to_thread(conversations.answer_to, conv, mid)
                if replies is None:
                    replies = await _from_tracker(inbound)
                if replies is None:
                    return None
                logger.info("%s sent a message again; its answer repeated", log_id(conv))
                for reply in replies:
                    await output.repeat(reply["text"], reply["buttons"])
                return DUPLICATE
            if loop.time() > deadline:
                logger.warning("%s sent again a message still in flight", log_id(conv))
                return DUPLICATE
            await asyncio.sleep(0.25)  # in flight on another worker
    except Exception as e:
        logger.error("re-sent message of %s not answered: %s", log_id(conv), type(e).__name__)
        return None


async def _from_tracker(inbound) -> Optional[List[Dict[str, Any]]]:
    """The answer Rasa saved for this message when its worker died before writing the
    transcript (the tracker is saved inside the turn, the transcript at its end): written
    to the transcript now, so the conversation reads whole and a later copy finds it there.
    None if Rasa has no such message either."""
    tracker_store = _tracker_store()
    if tracker_store is None:
        return None
    tracker = await tracker_store.retrieve(inbound.conversation_id)
    events = list(tracker.events) if tracker is not None else []
    wanted = str(inbound.channel_message_id)
    start = next(
        (
            i
            for i in range(len(events) - 1, -1, -1)
            if type(events[i]).__name__ == "UserUttered"
            and getattr(events[i], "message_id", None) == wanted
        ),
        None,
    )
    if start is None:
        return None
    now = utcnow()
    items: List[Dict[str, Any]] = [
        {
            "author": "citizen",
            "text": events[start].text or "",
            "channel_message_id": wanted,
            "at": now,
            "once": True,
        }
    ]
    for event in events[start + 1 :]:
        kind = type(event).__name__
        if kind == "UserUttered":
            break
        if kind == "BotUttered":
            buttons = (getattr(event, "data", None) or {}).get("buttons") or []
            items.append({"author": "bot", "text": event.text or "", "buttons": buttons, "at": now})
    await asyncio.to_thread(
        conversations.record_messages,
        inbound.conversation_id,
        inbound.channel,
        inbound.recipient_id,
        items,
    )
    return [{"text": i["text"], "buttons": i.get("buttons") or []} for i in items[1:]]


# -- the replay loop -----------------------------------------------------------------------
class Replayer:
    def __init__(
        self,
        on_new_message: Callable[[Any], Awaitable[Any]],
        tracker_store: Callable[[], Any] = lambda: None,
        *,
        pipeline: Any,
        outputs: Dict[str, OutputFactory],
    ) -> None:
        self.on_new_message = on_new_message
        self.tracker_store = tracker_store  # called each time: the agent may be reloaded
        self.pipeline = pipeline
        self.outputs = outputs

    async def run_once(self) -> List[str]:
        """Renew our leases, claim the abandoned rows, replay them; the outcomes."""
        current = settings.get()
        await asyncio.to_thread(store.renew, owner(), list(_held))
        rows = await asyncio.to_thread(store.claim, owner(), current.inbound_lease_seconds)
        if not rows:
            return []
        return list(await asyncio.gather(*(self.replay(row) for row in rows)))

    async def replay(self, row: store.Pending, output: Optional[RecordingOutput] = None) -> str:
        """Run one claimed row again (into `output` if given, else the channel's own)."""
        conv = row.conversation_id
        _held.add(row.id)
        try:
            inbound, reply_to = decode(row.body)
            if row.attempts > settings.get().inbound_max_attempts:
                await self._give_up(row, inbound, reply_to, output)
                return "given_up"
            if await self.answered(inbound):
                logger.info(
                    "pending %s message of %s was answered already", row.channel, log_id(conv)
                )
                await _forget(row.id)
                return "answered"
            if output is None:
                output = make_output(
                    self.outputs, row.channel, conv, inbound.recipient_id, reply_to
                )
            logger.info(
                "replaying a %s message of %s (attempt %d)", row.channel, log_id(conv), row.attempts
            )
            inbound.pending_id = row.id  # a bot turn deletes it with its transcript
            outcome = await self.pipeline.process(inbound, self.on_new_message, output)
        except Exception as e:
            # Left for the next claim (after the lease), which counts another attempt.
            _held.discard(row.id)
            logger.error("replay failed for %s: %s", log_id(conv), type(e).__name__)
            return "error"
        if inbound.settled:
            _held.discard(row.id)
        else:
            await _forget(row.id)
        return outcome

    async def answered(self, inbound) -> bool:
        """Did this message reach Rasa already (its id on a user event of the tracker)?"""
        tracker_store = self.tracker_store()
        if tracker_store is None or not inbound.channel_message_id:
            return False
        tracker = await tracker_store.retrieve(inbound.conversation_id)
        if tracker is None:
            return False
        wanted = str(inbound.channel_message_id)
        return any(
            getattr(event, "message_id", None) == wanted
            for event in tracker.events
            if type(event).__name__ == "UserUttered"
        )

    async def _give_up(self, row: store.Pending, inbound, reply_to, output=None) -> None:
        logger.warning(
            "pending %s message of %s given up after %d attempts",
            row.channel,
            log_id(row.conversation_id),
            row.attempts - 1,
        )
        try:
            output = output or make_output(
                self.outputs, row.channel, row.conversation_id, inbound.recipient_id, reply_to
            )
            lang = await asyncio.to_thread(
                conversation_language, row.conversation_id, getattr(inbound, "text", None)
            )
            await output.notice(notice("given_up", lang))
        except Exception as e:
            logger.error(
                "apology not sent to %s: %s", log_id(row.conversation_id), type(e).__name__
            )
        await _forget(row.id)

    async def loop(self) -> None:
        """Forever: one round, then INBOUND_SCAN_SECONDS of sleep."""
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as e:
                logger.error("pending inbound scan failed: %s", type(e).__name__)
            await asyncio.sleep(settings.get().inbound_scan_seconds)


def start(app: Any, pipeline: Any, outputs: Dict[str, OutputFactory]) -> asyncio.Task:
    """Start the loop for a Rasa Sanic app (its agent answers, its tracker store tells
    what was answered), replaying through `pipeline` to the channels' `outputs`."""

    async def on_new_message(message) -> None:
        await app.ctx.agent.handle_message(message)

    def tracker_store():
        return getattr(getattr(app.ctx, "agent", None), "tracker_store", None)

    global _tracker_store
    _tracker_store = tracker_store
    replayer = Replayer(on_new_message, tracker_store, pipeline=pipeline, outputs=outputs)
    return asyncio.get_running_loop().create_task(replayer.loop())
