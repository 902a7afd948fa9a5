"""What the desk's list shows beside each episode, read for all rows at once.

The list holds every open episode and up to 100 ended ones and is fetched on each
refresh: one query per kind of detail (IN over the rows), never one per row. The
citizen's language is read as the assistant reads it (bot.services.language): the latest
of their recent messages that says one, else Arabic.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional

from sqlalchemy import case, func, select

from bot.content import ARABIC
from bot.services.language import LOOKBACK, transcript_language
from bot.store import session_scope
from bot.store.conversations import Conversation, TranscriptMessage
from bot.store.handoffs import CLAIMED, HandoffLabel, HandoffPart, aware


def list_details(handoff_ids: Iterable[int], conversation_ids: Iterable[str]) -> Dict[str, dict]:
    """{"labels": {handoff id: [label]}, "last_message": {conversation id: {"author",
    "text"}}, "last_inbound": {conversation id: datetime or None}, "language":
    {conversation id: "ar" | "en"}, "waited": {handoff id: seconds the citizen waited for
    the latest claim}} in five queries. "last_message" is the citizen's latest message (what
    they asked, not the bot's out-of-hours notice after it), or the latest message when
    the citizen wrote none."""
    ids = sorted(set(handoff_ids))
    convs = sorted(set(conversation_ids))
    labels: Dict[int, List[str]] = defaultdict(list)
    last_message: Dict[str, dict] = {}
    last_inbound: Dict[str, Optional[object]] = {}
    language: Dict[str, str] = {}
    waited: Dict[int, int] = {}
    found = {
        "labels": labels,
        "last_message": last_message,
        "last_inbound": last_inbound,
        "language": language,
        "waited": waited,
    }
    if not ids and not convs:
        return found
    with session_scope() as s:
        if ids:
            for hid, label in s.execute(
                select(HandoffLabel.handoff_id, HandoffLabel.label)
                .where(HandoffLabel.handoff_id.in_(ids))
                .order_by(HandoffLabel.added_at, HandoffLabel.id)
            ):
                labels[hid].append(label)
            # The wait ends at a claim; a later transfer is not part of it.
            for hid, since, started in s.execute(
                select(HandoffPart.handoff_id, HandoffPart.waiting_since, HandoffPart.started_at)
                .where(HandoffPart.handoff_id.in_(ids), HandoffPart.began == CLAIMED)
                .order_by(HandoffPart.id)
            ):
                if since is not None:
                    waited[hid] = max(0, int((aware(started) - aware(since)).total_seconds()))
        if convs:
            citizens = case((TranscriptMessage.author == "citizen", TranscriptMessage.id))
            latest = (
                select(
                    func.coalesce(func.max(citizens), func.max(TranscriptMessage.id)).label("id")
                )
                .where(TranscriptMessage.conversation_id.in_(convs))
                .group_by(TranscriptMessage.conversation_id)
                .subquery()
            )
            for cid, author, text in s.execute(
                select(
                    TranscriptMessage.conversation_id,
                    TranscriptMessage.author,
                    TranscriptMessage.text,
                ).join(latest, TranscriptMessage.id == latest.c.id)
            ):
                last_message[cid] = {"author": author, "text": text}
            for cid, at in s.execute(
                select(Conversation.conversation_id, Conversation.last_inbound_at).where(
                    Conversation.conversation_id.in_(convs)
                )
            ):
                last_inbound[cid] = aware(at)
            language.update(_languages(s, convs))
    return found


def _languages(s, convs: List[str]) -> Dict[str, str]:
    """Each conversation's language from its citizen's latest LOOKBACK messages."""
    ranked = (
        select(
            TranscriptMessage.conversation_id.label("cid"),
            TranscriptMessage.text.label("text"),
            func.row_number()
            .over(
                partition_by=TranscriptMessage.conversation_id,
                order_by=TranscriptMessage.id.desc(),
            )
            .label("n"),
        )
        .where(
            TranscriptMessage.conversation_id.in_(convs),
            TranscriptMessage.author == "citizen",
        )
        .subquery()
    )
    said: Dict[str, List[dict]] = defaultdict(list)
    for cid, text in s.execute(
        select(ranked.c.cid, ranked.c.text)
        .where(ranked.c.n <= LOOKBACK)
        .order_by(ranked.c.cid, ranked.c.n.desc())
    ):
        said[cid].append({"author": "citizen", "text": text})
    return {cid: transcript_language(said.get(cid, ())) or ARABIC for cid in convs}
