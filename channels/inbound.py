"""What every channel shares about one incoming message: the `Inbound` a channel builds
from its platform's payload, the kinds of message, and the outcomes the pipeline reports.

A leaf: it imports nothing of the project, so the pipeline, the replayer and every
channel can import it without importing each other (as Rasa's
rasa/core/channels/channel.py does for UserMessage).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional

# Outcomes of Pipeline.handle
ACCEPTED = "accepted"  # queued for background processing
PROCESSED = "processed"  # reached Rasa
DUPLICATE = "duplicate"
RATE_LIMITED = "rate_limited"
HANDED_OFF = "handed_off"  # recorded for the agent, Rasa not called
LEFT_QUEUE = "left_queue"  # the citizen stopped waiting for an agent; back to the bot
MEDIA = "media"  # answered with the "text only" notice
TOO_LONG = "too_long"  # over MAX_INBOUND_CHARS: asked to shorten, Rasa not called
REJECTED = "rejected"  # not verified
FAILED = "failed"

TEXT, MEDIA_KIND = "text", "media"


@dataclass
class Inbound:
    """One message from a citizen, already authenticated by the channel."""

    channel: str  # "telegram" | "whatsapp" | "web" | "rest"
    conversation_id: str  # Rasa sender id, e.g. "telegram:42"
    recipient_id: str  # where the channel sends replies (chat id, wa_id, session)
    text: Optional[str] = None  # typed by the citizen: untrusted
    payload: Optional[str] = None  # button payload resolved server-side: trusted
    title: Optional[str] = None  # what the citizen saw/clicked, for the transcript
    kind: str = TEXT  # "text" or "media"
    dedup_key: Optional[str] = None  # e.g. "telegram:update:123"
    channel_message_id: Optional[str] = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    verified: bool = False  # set by the channel after checking signature/secret
    # REST and the web widget send button payloads as text; for them a typed "/..." that
    # equals a payload offered in the last reply is accepted. Telegram and WhatsApp
    # resolve clicks server-side, so their typed text never carries a payload.
    payload_as_text: bool = False
    # The client waits for the answer in its request and sends the message again (same
    # id) when that answer was lost: a duplicate gets the recorded answer (REST).
    answer_resent: bool = False
    # Run again after the worker that accepted it died (channels/replay.py): it may be in
    # the transcript already.
    replayed: bool = False
    # Set by the pipeline when it refused the message (rate limit): whole seconds until a
    # message of this conversation would be accepted again.
    retry_after: Optional[int] = None
    # Its row in `inbound_pending` while the turn runs (channels/replay.py), and whether
    # the turn's own transaction deleted it with the transcript (then nothing is left to do).
    pending_id: Optional[int] = None
    settled: bool = False
