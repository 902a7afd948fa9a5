"""Training changes: a new FAQ, or reviewed examples from the review queue, proposed by an
editor and approved or rejected by someone else (four eyes, as for a text).

Payloads (JSON in training_changes.payload):
- new_faq: {"key", "title": {"ar", "en"}, "answer": {"ar", "en"}, "examples": [text, …]};
- examples: {"examples": {intent: [text, …]}} (the review export's selection, numbers
  taken out), "sources": {text: [bot_turns id, …]} (the review turns each text came from,
  never shown to staff: how an erasure or the retention purge finds it again,
  bot/services/privacy/training_data.py) and "erased": how many texts they took out.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.content import LANGUAGES, faq_answers
from bot.masking import MASK, mask_text
from bot.services.console import review_export
from bot.services.content import checks
from bot.services.content.decisions import decide
from bot.services.content.workflow import Refused
from bot.store import audit, session_scope
from bot.store.content import APPROVED, PENDING, REJECTED, WITHDRAWN
from bot.store.training import EXAMPLES, NEW_FAQ, TrainingChange

MIN_EXAMPLES = 10
MAX_EXAMPLES = 200
MAX_EXAMPLE = 300  # characters: a citizen's question, not a paragraph
_KEY = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
REVIEW_KEY = "review"


def _problem(code: str, lang: Optional[str] = None, **detail: Any) -> Dict[str, Any]:
    return {"code": code, "lang": lang, **detail}


def _taken_keys() -> set:
    with session_scope() as s:
        rows = s.execute(
            select(TrainingChange.key).where(
                TrainingChange.kind == NEW_FAQ, TrainingChange.state.in_((PENDING, APPROVED))
            )
        ).scalars()
        return set(faq_answers()) | set(rows)


def _example_problems(examples: List[str], intent: str) -> List[Dict[str, Any]]:
    problems, seen = [], set()
    existing = review_export.existing_examples()
    held_out = review_export.test_set_keys()
    for text in examples:
        key = review_export.example_key(text)
        if len(key) < 2 or len(text) > MAX_EXAMPLE:
            problems.append(_problem("bad_example", text=mask_text(text[:60])))
        elif _personal_number(text):
            # A phrasing pasted from a citizen's message: its number is never stored.
            problems.append(_problem("personal_number", text=mask_text(text)))
        elif key in held_out:
            # The held-out and fresh sets only measure the model if it never trains on them.
            problems.append(_problem("example_in_test_set", text=text))
        elif key in existing and existing[key] != intent:
            problems.append(_problem("example_taken", text=text, intent=existing[key]))
        seen.add(key)
    if len(seen) < MIN_EXAMPLES:
        problems.append(_problem("too_few_examples", minimum=MIN_EXAMPLES, given=len(seen)))
    if len(examples) > MAX_EXAMPLES:
        problems.append(_problem("too_many_examples", maximum=MAX_EXAMPLES))
    return problems


def _personal_number(text: str) -> bool:
    """An ID, mobile, IBAN or code in any form the bot reads (bot.masking)."""
    return any(c.isdigit() for c in text) and MASK in mask_text(text) and MASK not in text


def check_new_faq(faq: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Why a new FAQ is refused (empty list: it may be proposed)."""
    problems: List[Dict[str, Any]] = []
    key = str(faq.get("key") or "")
    if not _KEY.match(key):
        problems.append(_problem("bad_key"))
    elif key in _taken_keys():
        problems.append(_problem("key_taken"))
    title, answer = faq.get("title") or {}, faq.get("answer") or {}
    for lang in LANGUAGES:
        problems += checks.new_text_errors(lang, str(title.get(lang) or ""), title=True)
        problems += checks.new_text_errors(lang, str(answer.get(lang) or ""))
    examples = [str(t).strip() for t in faq.get("examples") or [] if str(t).strip()]
    problems += _example_problems(examples, f"faq/{key}")
    return problems


def _save(kind: str, key: str, payload: Dict[str, Any], author: str, note: str) -> Dict:
    with session_scope() as s:
        change = TrainingChange(
            kind=kind,
            key=key,
            payload=json.dumps(payload, ensure_ascii=False),
            note=mask_text((note or "")[:500]) or None,
            author=author,
            state=PENDING,
        )
        s.add(change)
        s.flush()
        audit.record(
            s, f"agent:{author}", "training.proposed", "training", key, {"change": change.id}
        )
        return view(change)


def propose_new_faq(faq: Dict[str, Any], author: str, note: str = "") -> Dict[str, Any]:
    problems = check_new_faq(faq)
    if problems:
        raise Refused(problems)
    payload = {
        "key": faq["key"],
        "title": {lang: str(faq["title"][lang]).strip() for lang in LANGUAGES},
        "answer": {lang: str(faq["answer"][lang]).strip() for lang in LANGUAGES},
        "examples": sorted({str(t).strip() for t in faq["examples"] if str(t).strip()}),
    }
    return _save(NEW_FAQ, faq["key"], payload, author, note)


def propose_reviewed_examples(author: str, note: str = "") -> Dict[str, Any]:
    """The review queue's labelled messages not yet in the training data (numbers taken
    out, test-set messages left out: bot.services.console.review_export), as one change."""
    labels = review_export.labelled()
    examples, skipped = review_export.collect(
        labels, review_export.existing_examples(), review_export.test_set_keys()
    )
    examples = {intent: texts for intent, texts in examples.items() if texts}
    if not examples:
        raise Refused([_problem("no_new_examples", **skipped)])
    payload = {
        "examples": examples,
        "left_out": skipped,
        "sources": review_export.sources(labels, examples),
    }
    return _save(EXAMPLES, REVIEW_KEY, payload, author, note)


# Kept with the change for erasure and retention; staff pages never get them.
HIDDEN = ("sources",)


def view(c: TrainingChange) -> Dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind,
        "key": c.key,
        "payload": {k: v for k, v in json.loads(c.payload).items() if k not in HIDDEN},
        "note": c.note,
        "author": c.author,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "state": c.state,
        "decided_by": c.decided_by,
        "job": c.job_id,
    }


def listed(states=(PENDING, APPROVED)) -> List[Dict[str, Any]]:
    with session_scope() as s:
        rows = s.execute(
            select(TrainingChange)
            .where(TrainingChange.state.in_(states))
            .order_by(TrainingChange.id.desc())
            .limit(200)
        ).scalars()
        return [view(c) for c in rows]


def _decide(change_id: int, by: str, state: str, action: str) -> Dict[str, Any]:
    with session_scope() as s:
        change = s.get(TrainingChange, change_id)
        key = change.key if change is not None else ""
        decide(s, change, change_id, by, state, action, "training", key)
        return view(change)


def approve(change_id: int, by: str) -> Dict[str, Any]:
    return _decide(change_id, by, APPROVED, "training.approved")


def reject(change_id: int, by: str) -> Dict[str, Any]:
    return _decide(change_id, by, REJECTED, "training.rejected")


def withdraw(change_id: int, by: str) -> Dict[str, Any]:
    return _decide(change_id, by, WITHDRAWN, "training.withdrawn")


def approved(session) -> List[TrainingChange]:
    """Every approved training change, oldest first: what a candidate model learns."""
    return list(
        session.execute(
            select(TrainingChange)
            .where(TrainingChange.state == APPROVED)
            .order_by(TrainingChange.id)
        ).scalars()
    )
