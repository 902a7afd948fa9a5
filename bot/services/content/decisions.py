"""Four eyes on a change that waits for a decision: a content change (workflow.py) or a
training change (bot/services/training/changes.py). Someone other than its author
approves or rejects it, and a refused try at one's own is audited too; only its author
withdraws it. Either way the decision is recorded on the change and in the audit log."""

from __future__ import annotations

from typing import Any

from bot.store import audit
from bot.store.base import utcnow
from bot.store.content import PENDING, WITHDRAWN


class FourEyes(PermissionError):
    """Someone tried to approve their own change."""


class NotTheAuthor(PermissionError):
    """Someone tried to withdraw a change they did not propose."""


def actor(username: str) -> str:
    return f"agent:{username}"


def decide(s, change: Any, change_id: int, by: str, state: str, action: str, area: str, item: str):
    """Put `state` on the pending `change` (a row with author, state, decided_by and
    decided_at) in session `s`, decided by `by`; `action` names it in the audit log,
    under `area` and `item`. LookupError for no change, ValueError when it is no longer
    pending, NotTheAuthor or FourEyes when `by` may not decide it."""
    if change is None:
        raise LookupError(change_id)
    if state == WITHDRAWN and change.author != by:
        raise NotTheAuthor(change_id)
    if change.state != PENDING:
        raise ValueError("not_pending")
    if state != WITHDRAWN and change.author == by:
        refused = f"{area}.own_approval_refused"
        audit.record(s, actor(by), refused, area, item, {"change": change_id})
        s.commit()
        raise FourEyes(change_id)
    change.state, change.decided_by, change.decided_at = state, by, utcnow()
    audit.record(s, actor(by), action, area, item, {"change": change_id})
