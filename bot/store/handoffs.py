"""Tables of the human handoff: escalation episodes and each agent's part of them, desk
agents and their sessions, agents' internal notes and labels on an episode.

One `handoffs` row per escalation episode. A conversation has at most one *open*
episode (state 'queued' or 'agent'), enforced by a partial unique index that
SQLite and PostgreSQL both support. Ended episodes keep their final state
('bot' = handed back, 'closed') as history.

Every state change is a conditional UPDATE checked by its rowcount (see
bot.services.handoff), so two agents clicking "claim" at once cannot both win.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)

from bot.store.base import Base, UTCDateTime, utcnow

QUEUED, AGENT, BOT, CLOSED = "queued", "agent", "bot", "closed"
OPEN_STATES = (QUEUED, AGENT)
_OPEN_SQL = "state IN ('queued', 'agent')"


def aware(value: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    state = Column(String(16), nullable=False)  # queued | agent | bot | closed
    reason = Column(String(40), nullable=False)  # see bot.services.handoff.REASONS
    reason_detail = Column(String(200), nullable=True)  # e.g. the form that kept failing
    snapshot = Column(Text, nullable=True)  # JSON of masked slot values
    # Compared with the bounds of a Riyadh day (the desk's history filter): the type turns
    # any zone to UTC before SQLite, which keeps clock times without their offset.
    queued_at = Column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True), nullable=True)
    claimed_by = Column(String(80), nullable=True)  # agent username
    ended_at = Column(DateTime(timezone=True), nullable=True)
    ended_by = Column(String(80), nullable=True)
    last_citizen_at = Column(DateTime(timezone=True), nullable=True)
    last_agent_at = Column(DateTime(timezone=True), nullable=True)
    ticket_ref = Column(String(64), nullable=True)  # "صوتك مسموع" ticket opened from the desk

    __table_args__ = (
        Index(
            "uq_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_handoffs_state_queued_at", "state", "queued_at"),
        Index("ix_handoffs_ended_at", "ended_at"),
    )


# How an agent's part began and ended (handoff_parts).
CLAIMED, TRANSFERRED, RELEASED, RETURNED = "claimed", "transferred", "released", "returned"


class HandoffPart(Base):
    """One agent's part of an episode: from their claim (or a colleague's transfer to them)
    to the transfer, release, hand-back or close that ended it. `handoffs.claimed_by` and
    `claimed_at` say who holds the episode now; these rows keep who held it before, so
    each agent is credited with their own part. Written by the transitions, in the
    transaction of the state change.

    `waiting_since` is when the citizen began waiting for this part's agent: the queueing,
    or the release that put the episode back in the queue. A transfer has none (the
    colleague holds the conversation at once)."""

    __tablename__ = "handoff_parts"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    agent = Column(String(80), nullable=False)
    began = Column(String(12), nullable=False)  # claimed | transferred
    waiting_since = Column(DateTime(timezone=True), nullable=True)
    started_at = Column(DateTime(timezone=True), nullable=False)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    ended = Column(String(12), nullable=True)  # transferred | released | returned | closed


class Agent(Base):
    __tablename__ = "desk_agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(120), nullable=True)
    password_hash = Column(String(255), nullable=False)  # scrypt$n$r$p$salt$hash
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_login_at = Column(DateTime(timezone=True), nullable=True)


class AgentAccess(Base):
    """What an account may do beyond answering, and its sign-in throttle's last reset.
    Its own table so the accounts table stays as it was (migrations only add)."""

    __tablename__ = "desk_agent_access"

    username = Column(
        String(80),
        ForeignKey("desk_agents.username", ondelete="CASCADE"),
        primary_key=True,
    )
    # Supervisors may unlock a colleague's throttled sign-in from the desk.
    supervisor = Column(Boolean, nullable=False, default=False, server_default=false())
    # Failed sign-ins before this moment no longer count (an unlock).
    throttle_reset_at = Column(DateTime(timezone=True), nullable=True)
    # How citizens are told about the agent: "female" ("انضمت لك سارة", "بتكمل معك"), or
    # "male", also when unset ("انضم لك", "بيكمل").
    gender = Column(String(8), nullable=True)
    # Content in the console (bot/services/content): an editor proposes changes, an
    # approver approves, publishes and rolls back; nobody approves their own change.
    editor = Column(Boolean, nullable=False, default=False, server_default=false())
    approver = Column(Boolean, nullable=False, default=False, server_default=false())


class AgentSession(Base):
    __tablename__ = "desk_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)  # sha256 of the cookie value
    agent_id = Column(
        Integer, ForeignKey("desk_agents.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    expires_at = Column(DateTime(timezone=True), nullable=False)


class HandoffNote(Base):
    """An agent's internal note: shown on the desk only, never sent to the citizen (it is
    not a transcript message, so no channel can deliver it)."""

    __tablename__ = "handoff_notes"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(80), nullable=False)  # agent username
    text = Column(Text, nullable=False)  # personal numbers masked before storing
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class HandoffLabel(Base):
    __tablename__ = "handoff_labels"

    id = Column(Integer, primary_key=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    label = Column(String(40), nullable=False, index=True)
    added_by = Column(String(80), nullable=False)
    added_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (UniqueConstraint("handoff_id", "label", name="uq_handoff_labels"),)
