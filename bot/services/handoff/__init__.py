"""Human handoff: the conversation's state, escalation, and what agents may do.

State lives in our database (bot/store/handoffs.py), not in Rasa's tracker:
session expiry and /restart un-pause a Rasa tracker, our rows do not change.

    bot ──escalate──▶ queued ──claim──▶ agent ──return_to_bot──▶ bot
                        │   ◀──release──  │ ◀─transfer─▶ another agent
                        └──close / return─┴──close──▶ closed

Contract used by the channels' shared pipeline: `state_of(conversation_id)`
returns "bot", "queued" or "agent"; only "bot" lets a message reach Rasa. A
closed episode is history: the citizen's next message reaches the bot again
(action_handoff already stopped any form in progress when it escalated).

Every transition is one conditional UPDATE (`... WHERE id = :id AND state = :from ...`)
checked by its rowcount, in the same transaction as its audit entry, so it is
atomic on SQLite and PostgreSQL alike without reading first.

The modules (callers import this package only):
    records.py      reading: state_of, get, open_for, queue, history (search and filters)
    transitions.py  escalate, claim, release, transfer, return_to_bot, close, replies
    notes.py        internal notes and labels (agents only, never sent to the citizen)
    waiting.py      working hours and the wait estimate
    wording.py      reasons and everything the citizen is told
    masking.py      the slot snapshot the desk may see
    events.py       change notices for the desk's live updates
    listing.py      what the desk's list shows beside each episode, for all rows at once
    parts.py        each agent's part of an episode (claims, transfers, releases, hand-backs)
    tickets.py      tickets linked to episodes, who may change their status, their history
"""

from bot.services.handoff import events
from bot.services.handoff.listing import list_details
from bot.services.handoff.masking import mask_snapshot
from bot.services.handoff.notes import (
    MAX_LABEL,
    MAX_NOTE,
    add_label,
    add_note,
    labels_for,
    notes_for,
    remove_label,
)
from bot.services.handoff.parts import parts_of
from bot.services.handoff.records import (
    FILTERS,
    HandoffView,
    _position,
    change_signature,
    get,
    history,
    open_for,
    queue,
    state_of,
    waiting_ids,
)
from bot.services.handoff.tickets import change_status as change_ticket_status
from bot.services.handoff.tickets import history as ticket_history
from bot.services.handoff.tickets import may_change as may_change_ticket
from bot.services.handoff.tickets import numbers_for as ticket_numbers_for
from bot.services.handoff.transitions import (
    _citizen_wrote,
    authorise_reply,
    claim,
    close,
    escalate,
    leave_queue,
    notify_citizen_message,
    record_ticket,
    record_view,
    release,
    return_to_bot,
    stamp_citizen_message,
    transfer,
    wants_to_leave_queue,
)
from bot.services.handoff.waiting import estimated_wait_minutes, in_working_hours
from bot.services.handoff.wording import (
    CLAIM_TEXT,
    CLOSE_AFTER_THANKS_TEXT,
    CLOSE_TEXT,
    DEFAULT_REASON,
    LEAVE_BUTTON,
    LEAVE_HINT,
    LEFT_QUEUE_TEXT,
    REASONS,
    RESUME_TEXT,
    TRANSFER_TEXT,
    claim_message,
    close_message,
    close_text,
    escalation_message,
    leave_button,
    left_queue_text,
    queued_ack_text,
    resume_text,
    transfer_message,
    wait_phrase,
)
from bot.store.handoffs import AGENT, BOT, CLOSED, OPEN_STATES, QUEUED

__all__ = [
    "ticket_numbers_for",
    "ticket_history",
    "may_change_ticket",
    "list_details",
    "change_ticket_status",
    "AGENT",
    "BOT",
    "CLAIM_TEXT",
    "CLOSED",
    "CLOSE_AFTER_THANKS_TEXT",
    "CLOSE_TEXT",
    "DEFAULT_REASON",
    "FILTERS",
    "HandoffView",
    "LEAVE_BUTTON",
    "LEAVE_HINT",
    "LEFT_QUEUE_TEXT",
    "MAX_LABEL",
    "MAX_NOTE",
    "OPEN_STATES",
    "QUEUED",
    "REASONS",
    "RESUME_TEXT",
    "TRANSFER_TEXT",
    "_citizen_wrote",
    "_position",
    "add_label",
    "add_note",
    "authorise_reply",
    "claim",
    "change_signature",
    "claim_message",
    "close_text",
    "close",
    "close_message",
    "escalate",
    "escalation_message",
    "estimated_wait_minutes",
    "events",
    "get",
    "history",
    "in_working_hours",
    "labels_for",
    "leave_queue",
    "leave_button",
    "left_queue_text",
    "mask_snapshot",
    "notes_for",
    "notify_citizen_message",
    "open_for",
    "parts_of",
    "queue",
    "queued_ack_text",
    "record_ticket",
    "record_view",
    "release",
    "remove_label",
    "resume_text",
    "return_to_bot",
    "stamp_citizen_message",
    "state_of",
    "transfer",
    "transfer_message",
    "wait_phrase",
    "waiting_ids",
    "wants_to_leave_queue",
]
