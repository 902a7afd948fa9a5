"""Human handoff state (placeholder until the handoff feature lands).

Contract used by the channels' shared pipeline: `state_of(conversation_id)`
returns "bot", "queued", "agent" or "closed"; only "bot" lets a message reach Rasa.
"""
from __future__ import annotations

BOT, QUEUED, AGENT, CLOSED = "bot", "queued", "agent", "closed"


def state_of(conversation_id: str) -> str:
    return BOT
