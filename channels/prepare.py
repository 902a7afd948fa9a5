"""What the pipeline makes of a message's text before anything is stored or sent to Rasa:
the text for Rasa and the one for the transcript (a button's payload and title, a "/"
that cannot inject an intent), the language of the pipeline's own notices, and a one-time
code hidden from staff while one is expected."""

from __future__ import annotations

import asyncio
import logging
from typing import Optional, Tuple

from bot.content import ARABIC
from bot.masking import mask_codes, mask_text
from bot.services.language import conversation_language
from bot.services.verification import otp
from bot.store import conversations
from channels.inbound import Inbound
from channels.text import clean, strip_command_prefix

logger = logging.getLogger(__name__)


async def normalise(inbound: Inbound) -> Tuple[str, str]:
    """(text for Rasa, text for the transcript)."""
    if inbound.payload is not None:
        return inbound.payload, inbound.title or inbound.payload
    text = clean(inbound.text or "")
    if text.startswith("/") and inbound.payload_as_text:
        for button in await _offered(inbound.conversation_id):
            if text == button["payload"].strip():
                return text, button.get("title") or text
    if text.startswith("/"):
        text = strip_command_prefix(text)
    return text, text


async def notice_language(conversation_id: str, text: Optional[str]) -> str:
    """The language of the pipeline's own notices: the message's, else the conversation's
    (bot.services.language). A media message's text is the channel's label, not the
    citizen's words, so it is passed as None."""
    try:
        return await asyncio.to_thread(conversation_language, conversation_id, text)
    except Exception as e:
        logger.error("reply language unavailable: %s", type(e).__name__)
        return ARABIC


async def hide_code(conversation_id: str, display: str) -> str:
    """While a one-time code is expected, a bare number is the code: the transcript,
    the desk and the review queue get it masked (Rasa gets it as typed)."""
    masked = mask_codes(display)
    if masked == mask_text(display):
        return display  # no run of digits a code could be
    try:
        waiting = await asyncio.to_thread(otp.awaiting_code, conversation_id)
    except Exception as e:
        logger.error("code check unavailable: %s", type(e).__name__)
        waiting = True  # masking a number by mistake costs less than showing a code
    return masked if waiting else display


async def _offered(conversation_id: str):
    try:
        return await asyncio.to_thread(conversations.last_offered_buttons, conversation_id)
    except Exception as e:
        logger.error("could not read offered buttons: %s", type(e).__name__)
        return []
