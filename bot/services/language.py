"""The language to answer a conversation in, for replies that do not come from Rasa (the
channels' notices, the handoff, the rating question) and so cannot read its slot.

The same rule as the slot (bot/nlu/language_tagger.py): the message being answered if it
says one, else the latest citizen message in the transcript that does (button clicks are
recorded by their title, so a tapped English button counts as English), else Arabic.
One transcript read, and only when the message itself does not say.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Iterable, Optional

from bot.content import ARABIC
from bot.nlu.language import detect_language
from bot.store import conversations

logger = logging.getLogger(__name__)

# How far back to look for a citizen message that says its language.
LOOKBACK = 20


def conversation_language(conversation_id: Optional[str], text: Optional[str] = None) -> str:
    said = detect_language(text)
    if said:
        return said
    if not conversation_id:
        return ARABIC
    try:
        messages = conversations.transcript(conversation_id, limit=LOOKBACK)
    except Exception as e:  # a notice in Arabic beats no notice
        logger.error("transcript unavailable for the reply language: %s", type(e).__name__)
        return ARABIC
    return transcript_language(messages) or ARABIC


def transcript_language(messages: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The language of the latest citizen message (transcript items, oldest first) that
    says one; None when none does."""
    for item in reversed(list(messages)):
        text = item.get("text") or ""
        # "[صورة]": the channel's label for a photo or a file, not the citizen's words.
        if item.get("author") == "citizen" and not (text.startswith("[") and text.endswith("]")):
            said = detect_language(text)
            if said:
                return said
    return None
