"""The review queue: messages the assistant probably got wrong, and supervisors' labels.

A message (a bot_turns row) is in the queue for any of these reasons:
    fallback        the bot fell back (NLU below threshold, a fallback action, an apology)
    low_confidence  the top intent was under the fallback threshold plus a margin
                    (config.yml's FallbackClassifier threshold + REVIEW_CONFIDENCE_MARGIN)
    before_handoff  the citizen's last message before the conversation went to an agent
    low_rating      a message of a conversation rated 1 or 2 on the same day
    repeated        the same (masked) text as the citizen's previous message, within
                    10 minutes: the answer did not help
Labels: the right intent or FAQ answer ("intent" + its name), "out_of_scope",
"new_topic" (with a note), "ignore". A label can be changed; each change is audited.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from sqlalchemy import DateTime, bindparam, text

from bot import settings
from bot.cleantext import without_invisible
from bot.services.console.stats import Period
from bot.store import audit, engine, session_scope
from bot.store import review as store
from bot.store.turns import get_turn

ROOT = Path(__file__).resolve().parents[3]
REASONS = ("fallback", "low_confidence", "before_handoff", "low_rating", "repeated")
MAX_NOTE = 500


@functools.lru_cache(maxsize=1)
def fallback_threshold() -> float:
    try:
        config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
        for step in config.get("pipeline") or []:
            if step.get("name") == "FallbackClassifier":
                return float(step.get("threshold", 0.4))
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        pass
    return 0.4


@functools.lru_cache(maxsize=1)
def known_intents() -> List[str]:
    """Every intent of the domain, FAQ answers as faq/<key> (what a label may name)."""
    names = set()
    for path in sorted((ROOT / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for intent in data.get("intents") or []:
            names.add(next(iter(intent)) if isinstance(intent, dict) else str(intent))
    faq = yaml.safe_load((ROOT / "bot" / "content" / "faq.yml").read_text(encoding="utf-8"))
    entries = faq.get("faq", faq) if isinstance(faq, dict) else {}
    if isinstance(entries, dict):
        names.update(f"faq/{key}" for key in entries)
    names.discard("faq")
    names.discard("nlu_fallback")
    return sorted(names)


_PERIOD = "t.day BETWEEN :d1 AND :d2 AND (:channel IS NULL OR t.channel = :channel)"
_UNLABELLED = "AND NOT EXISTS (SELECT 1 FROM review_labels l WHERE l.turn_id = t.id)"
# Flags set when each turn was recorded (bot/store/turns.py), so one backward scan of
# the newest turns finds the candidates.
_FLAGS = {
    "fallback": "t.fallback",
    "low_confidence": "(NOT t.fallback AND t.confidence < :low)",
    "before_handoff": "t.before_handoff",
    "repeated": "t.repeated",
}


def _candidates(period: Period, reason: Optional[str], labelled: bool, limit: int):
    params = dict(
        period.params,
        low=fallback_threshold() + settings.get().review_confidence_margin,
        lim=limit,
    )
    unlabelled = "" if labelled else _UNLABELLED
    reasons: Dict[int, List[str]] = {}
    flags = [r for r in _FLAGS if reason in (None, r)]
    with engine().connect() as connection:
        if flags:
            cases = ", ".join(f"CASE WHEN {_FLAGS[r]} THEN 1 ELSE 0 END" for r in flags)
            where = " OR ".join(_FLAGS[r] for r in flags)
            for row in connection.execute(
                text(
                    f"SELECT t.id, {cases} FROM bot_turns t WHERE {_PERIOD} AND ({where}) "
                    f"{unlabelled} ORDER BY t.id DESC LIMIT :lim"
                ),
                params,
            ):
                reasons[int(row[0])] = [r for r, hit in zip(flags, row[1:]) if hit]
        if reason in (None, "low_rating"):
            for (turn_id,) in connection.execute(
                text(
                    "SELECT t.id FROM csat_ratings c JOIN bot_turns t ON "
                    "t.conversation_id = c.conversation_id AND t.day = c.day "
                    f"WHERE c.day BETWEEN :d1 AND :d2 AND c.score IS NOT NULL AND c.score <= 2 "
                    f"AND {_PERIOD} AND t.text IS NOT NULL {unlabelled} "
                    "ORDER BY t.id DESC LIMIT :lim"
                ),
                params,
            ):
                reasons.setdefault(int(turn_id), []).append("low_rating")
    return {k: reasons[k] for k in sorted(reasons, reverse=True)[:limit]}


def queue(
    period: Period, reason: Optional[str] = None, labelled: bool = False, limit: int = 50
) -> List[Dict[str, Any]]:
    """The newest candidates first, each with its reasons, prediction and label."""
    reasons = _candidates(period, reason, labelled, max(1, min(int(limit), 200)))
    ids = list(reasons)
    labels = store.labels_for(ids)
    items = []
    with engine().connect() as connection:
        details = {
            r["id"]: dict(r)
            for r in connection.execute(
                text(
                    "SELECT id, conversation_id, channel, day, ts, text, intent, confidence, "
                    "fallback FROM bot_turns WHERE id IN ("
                    + ",".join(str(int(i)) for i in ids or [0])
                    + ")"
                )
            ).mappings()
        }
    for turn_id in ids:
        d = details.get(turn_id)
        if not d:
            continue
        items.append(
            {
                "turn_id": turn_id,
                "reasons": sorted(set(reasons[turn_id])),
                "channel": d["channel"],
                "ts": d["ts"],
                "text": d["text"] or "",
                "intent": d["intent"],
                "confidence": None if d["confidence"] is None else round(d["confidence"], 3),
                "fallback": bool(d["fallback"]),
                "label": _label_view(labels.get(turn_id)),
            }
        )
    return items


def _label_view(label: Optional[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    if not label:
        return None
    return {k: label[k] for k in ("label", "intent", "note", "labelled_by")} | {
        "labelled_at": label["labelled_at"].isoformat() if label.get("labelled_at") else None
    }


def context(turn_id: int, before: int = 6, after: int = 3) -> Optional[Dict[str, Any]]:
    """The masked conversation around a reviewed message and the answer the citizen got."""
    turn = get_turn(turn_id)
    if turn is None:
        return None
    from datetime import datetime, timezone

    at = datetime.fromtimestamp(turn["ts"] + 1, timezone.utc)
    t = "SELECT id, at, author, text FROM transcript_messages WHERE conversation_id = :c"
    typed = bindparam("at", type_=DateTime(timezone=True))
    with engine().connect() as connection:
        earlier = connection.execute(
            text(f"{t} AND at <= :at ORDER BY id DESC LIMIT :n").bindparams(typed),
            {"c": turn["conversation_id"], "at": at, "n": before},
        ).all()
        later = connection.execute(
            text(f"{t} AND at > :at ORDER BY id LIMIT :n").bindparams(typed),
            {"c": turn["conversation_id"], "at": at, "n": after},
        ).all()
    messages = [
        {"id": m[0], "author": m[2], "text": m[3]} for m in list(reversed(earlier)) + list(later)
    ]
    answer: List[str] = []
    # The answer: the bot's messages after the citizen's last message up to the turn.
    for m in reversed(messages[: len(earlier)]):
        if m["author"] == "citizen":
            break
        answer.insert(0, m["text"])
    return {"turn_id": turn_id, "messages": messages, "answer": "\n".join(answer)}


def label(
    turn_id: int, kind: str, intent: Optional[str], note: Optional[str], by: str
) -> Dict[str, Any]:
    """Label a message (or change its label). Raises ValueError on a bad label."""
    if kind not in store.LABELS:
        raise ValueError("label")
    if kind == "intent":
        if intent not in known_intents():
            raise ValueError("intent")
    else:
        intent = None
    note = without_invisible(note or "").strip()[:MAX_NOTE] or None
    if kind == "new_topic" and not note:
        raise ValueError("note")
    turn = get_turn(turn_id)
    if turn is None or not turn.get("text"):
        raise LookupError("turn")
    previous = store.upsert(turn_id, kind, intent, note, turn["text"], by)
    with session_scope() as s:
        audit.record(
            s,
            f"agent:{by}",
            "review.relabelled" if previous else "review.labelled",
            "turn",
            turn_id,
            {
                "label": kind,
                "intent": intent,
                "previous": (previous or {}).get("label"),
                "previous_intent": (previous or {}).get("intent"),
            },
        )
    return {"turn_id": turn_id, "label": kind, "intent": intent, "note": note}


def new_topics() -> List[Dict[str, Any]]:
    """Every "new topic" note with its message (masked), newest first."""
    rows = store.all_labels("new_topic")
    return [
        {
            "turn_id": r["turn_id"],
            "text": r["text"],
            "note": r["note"],
            "labelled_by": r["labelled_by"],
            "labelled_at": r["labelled_at"].isoformat(),
        }
        for r in reversed(rows)
    ]
