"""The topic of the previous answer, read from the conversation's events.

An FAQ answer needs nothing set: Rasa records the response it sent with each bot
message (`metadata.utter_action`, e.g. "utter_faq/registration_steps"), whichever action
sent it. A service's outcome (a pre-check result, an opened ticket, an objection's
status) and a follow-up answer set the `last_topic` slot. Only the reply to the
message before the latest counts, or, when that message was small talk ("شكرا") and its
reply set no topic, the answer before it; a topic further back, or from before a new
session, is not what a short question leans on.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

TOPIC_SLOT = "last_topic"
# Where the NLU finds the conversation's context in a message's metadata (the topic, the
# form running, the language, the previous message: bot/patches/parse_context.py).
CONTEXT_KEY = "conversation_context"
FAQ_RESPONSE = "utter_faq/"

# Topics set by the service actions (bot/content/followups.yml `topics`).
PRECHECK = "precheck"
TICKET = "ticket"


def objection_topic(status: str) -> str:
    """The topic of an objection's reported status: objection_under_review, ..._accepted,
    ..._rejected (the last is also the FAQ about a rejected objection)."""
    return f"objection_{status}"


# "شكرا" / "تمام" between an answer and the follow-up: their reply has no topic of its
# own, so the answer before them is still what a short question leans on.
SMALL_TALK = {"thanks", "affirm", "greet"}


def _small_talk(event: Dict[str, Any]) -> bool:
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return intent in SMALL_TALK


def topic_of(events: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The topic of the bot's reply to the user message before the latest one (events as
    dicts, oldest first, the latest user message among them); past one small-talk
    exchange with no topic of its own, the answer before it."""
    seen_latest = False
    skipped = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                if skipped or not _small_talk(event):
                    return None
                skipped = True
                continue
            seen_latest = True
            continue
        if not seen_latest:
            continue
        if kind == "session_started":
            return None
        if kind == "slot" and event.get("name") == TOPIC_SLOT and event.get("value"):
            return str(event["value"])
        if kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action") or ""
            if response.startswith(FAQ_RESPONSE):
                return response[len(FAQ_RESPONSE) :]
    return None
