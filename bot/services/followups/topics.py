"""The topic of the previous answer, read from the conversation's events.

An FAQ answer needs nothing set: Rasa records the response it sent with each bot
message (`metadata.utter_action`, e.g. "utter_faq/registration_steps"), whichever action
sent it. A service's outcome (a pre-check result, an opened ticket, an objection's
status) and a follow-up answer set the `last_topic` slot. Only the reply to the
message before the latest counts: a topic two turns back, or from before a new
session, is not what a short question leans on.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

TOPIC_SLOT = "last_topic"
FAQ_RESPONSE = "utter_faq/"

# Topics set by the service actions (bot/content/followups.yml `topics`).
PRECHECK = "precheck"
TICKET = "ticket"


def objection_topic(status: str) -> str:
    """The topic of an objection's reported status: objection_under_review, ..._accepted,
    ..._rejected (the last is also the FAQ about a rejected objection)."""
    return f"objection_{status}"


def topic_of(events: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The topic of the bot's reply to the user message before the latest one (events as
    dicts, oldest first, the latest user message among them)."""
    seen_latest = False
    for event in reversed(list(events)):
        kind = event.get("event")
        if kind == "user":
            if seen_latest:
                return None
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
