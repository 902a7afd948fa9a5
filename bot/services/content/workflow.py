"""Draft → approve → publish, rollback and history, every step in the audit log.

Four eyes: a change is approved by someone other than its author; only approved changes
are published. A rollback (of one item or of a whole release) publishes values that were
approved before, so it needs the approver's right but no second approval: it is how a
wrong text is taken back at once.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Dict, List, Optional

from sqlalchemy import select

from bot.content import LANGUAGES, faq_answers, faq_buttons, faq_title
from bot.services.content import catalogue, checks
from bot.services.content.decisions import actor, decide
from bot.services.training import faqs as trained_faqs
from bot.store import audit, session_scope
from bot.store.content import (
    APPROVED,
    PENDING,
    PUBLISHED,
    REJECTED,
    WITHDRAWN,
    ContentChange,
    ContentRelease,
    latest_release_id,
    release_values,
)


class Refused(ValueError):
    """A change the checks refuse: `problems` says why, per language."""

    def __init__(self, problems: List[Dict[str, Any]]):
        super().__init__(", ".join(p["code"] for p in problems))
        self.problems = problems


_actor = actor


def published_values() -> Dict[str, str]:
    with session_scope() as s:
        return release_values(s, latest_release_id(s))


def base_items() -> Dict[str, Dict[str, Any]]:
    """What an edit is compared with: the seed files, and the new questions the served
    model learnt (their texts as trained), editable like any answer."""
    items = catalogue.seed_items()
    with session_scope() as s:
        items.update(trained_faqs.as_items(trained_faqs.served(s)))
    return items


def items(query: str = "") -> List[Dict[str, Any]]:
    """Every editable item as published now, with its seed value and whether a change
    waits, filtered by `query` (Arabic or English, in the key or either text)."""
    values = published_values()
    seeds = base_items()
    current = catalogue.current_items(values, seeds)
    with session_scope() as s:
        waiting = {
            c.item: c.id
            for c in s.execute(
                select(ContentChange).where(ContentChange.state.in_((PENDING, APPROVED)))
            ).scalars()
        }
    titles = {key: faq_title(key) for key in faq_answers()}
    words = query.strip().lower()
    found = []
    for key, texts in current.items():
        shown = {lang: str(v) for lang, v in texts.items()}
        name = catalogue.name_of(key, titles)
        searched = [key, name or ""] + list(shown.values())
        if words and not any(words in text.lower() for text in searched):
            continue
        found.append(
            {
                "key": key,
                "kind": catalogue.split(key)[0],
                "name": name,
                "texts": shown,
                "edited": any(f"{key}|{lang}" in values for lang in shown),
                "seed": {lang: str(v) for lang, v in seeds[key].items()},
                "waiting": waiting.get(key),
            }
        )
    return found


def current(key: str) -> Dict[str, Any]:
    found = catalogue.current_items(published_values(), base_items())
    if key not in found:
        raise KeyError(key)
    return found[key]


def check(key: str, texts: Dict[str, str]) -> Dict[str, Any]:
    """The checks and the per-channel preview of a change, without saving it."""
    now = current(key)
    errors, warnings = checks.check(key, texts, now)
    buttons = _button_titles(key)
    previews = {
        lang: checks.preview(key, lang, str(texts.get(lang, now.get(lang, ""))), buttons[lang])
        for lang in LANGUAGES
        if lang in now and catalogue.split(key)[0] not in ("program",)
    }
    return {"errors": errors, "warnings": warnings, "preview": previews}


def _button_titles(key: str) -> Dict[str, List[str]]:
    kind, name = catalogue.split(key)
    if kind == "faq" and name in faq_answers():
        return {lang: [b["title"] for b in faq_buttons(name, lang=lang)] for lang in LANGUAGES}
    return {lang: [] for lang in LANGUAGES}


def propose(key: str, texts: Dict[str, str], author: str, note: str = "") -> Dict[str, Any]:
    """Save a change for approval, or raise Refused; returns the change."""
    now = current(key)
    texts = {lang: str(t) for lang, t in texts.items() if str(t) != str(now.get(lang))}
    errors, warnings = checks.check(key, texts, now)
    if errors:
        raise Refused(errors)
    with session_scope() as s:
        change = ContentChange(
            item=key,
            texts=json.dumps(texts, ensure_ascii=False),
            warnings=json.dumps(warnings, ensure_ascii=False) if warnings else None,
            note=(note or "")[:500] or None,
            author=author,
            state=PENDING,
        )
        s.add(change)
        s.flush()
        audit.record(s, _actor(author), "content.proposed", "content", key, {"change": change.id})
        return _change_view(change, now)


def _change_view(c: ContentChange, now: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    texts = json.loads(c.texts)
    before = now if now is not None else {}
    return {
        "id": c.id,
        "key": c.item,
        "texts": texts,
        "before": {lang: str(before.get(lang, "")) for lang in texts},
        "diff": {lang: diff(str(before.get(lang, "")), t) for lang, t in texts.items()},
        "warnings": json.loads(c.warnings) if c.warnings else [],
        "note": c.note,
        "author": c.author,
        "created_at": c.created_at.isoformat() if c.created_at else None,
        "state": c.state,
        "decided_by": c.decided_by,
        "release": c.release_id,
    }


def changes(states=(PENDING, APPROVED)) -> List[Dict[str, Any]]:
    found = catalogue.current_items(published_values(), base_items())
    with session_scope() as s:
        rows = s.execute(
            select(ContentChange)
            .where(ContentChange.state.in_(states))
            .order_by(ContentChange.id.desc())
            .limit(200)
        ).scalars()
        return [_change_view(c, found.get(c.item, {})) for c in rows]


def _decide(change_id: int, by: str, state: str, action: str) -> Dict[str, Any]:
    with session_scope() as s:
        change = s.get(ContentChange, change_id)
        item = change.item if change is not None else ""
        decide(s, change, change_id, by, state, action, "content", item)
        return _change_view(change)


def approve(change_id: int, approver: str) -> Dict[str, Any]:
    return _decide(change_id, approver, APPROVED, "content.approved")


def reject(change_id: int, approver: str) -> Dict[str, Any]:
    return _decide(change_id, approver, REJECTED, "content.rejected")


def withdraw(change_id: int, author: str) -> Dict[str, Any]:
    """The author takes back their own change while it still waits for a decision, so a
    mistake is not left for an approver to refuse."""
    return _decide(change_id, author, WITHDRAWN, "content.withdrawn")


def _release(s, values: Dict[str, str], by: str, kind: str, note: str) -> ContentRelease:
    seeds = base_items()
    # Only what differs from the seed: a value put back to the seed's is dropped.
    kept = {}
    for slot, text in values.items():
        key, _, lang = slot.rpartition("|")
        if key in seeds and str(seeds[key].get(lang)) != text:
            kept[slot] = text
    release = ContentRelease(
        published_by=by,
        kind=kind,
        note=note[:500] or None,
        values=json.dumps(kept, ensure_ascii=False, sort_keys=True),
    )
    s.add(release)
    s.flush()
    return release


def publish(approver: str, note: str = "") -> Dict[str, Any]:
    """Publish every approved change as one release; LookupError if none is approved."""
    with session_scope() as s:
        approved = (
            s.execute(
                select(ContentChange)
                .where(ContentChange.state == APPROVED)
                .order_by(ContentChange.id)
            )
            .scalars()
            .all()
        )
        if not approved:
            raise LookupError("nothing_approved")
        values = release_values(s, latest_release_id(s))
        for change in approved:
            for lang, text in json.loads(change.texts).items():
                values[f"{change.item}|{lang}"] = text
        release = _release(s, values, approver, "publish", note)
        for change in approved:
            change.state, change.release_id = PUBLISHED, release.id
        audit.record(
            s,
            _actor(approver),
            "content.published",
            "release",
            release.id,
            {"changes": [c.id for c in approved], "items": sorted({c.item for c in approved})},
        )
        return {"release": release.id, "items": sorted({c.item for c in approved})}


def rollback_release(to_release: int, approver: str) -> Dict[str, Any]:
    """Publish again what release `to_release` said (0: the seed files)."""
    with session_scope() as s:
        if to_release and s.get(ContentRelease, to_release) is None:
            raise LookupError(to_release)
        values = release_values(s, to_release)
        release = _release(s, values, approver, "rollback", f"release {to_release}")
        audit.record(
            s,
            _actor(approver),
            "content.rolled_back",
            "release",
            release.id,
            {"to_release": to_release},
        )
        return {"release": release.id, "to_release": to_release}


def rollback_item(key: str, to_release: int, approver: str) -> Dict[str, Any]:
    """Publish again what release `to_release` said for one item, the rest as it is now."""
    catalogue.split(key)
    with session_scope() as s:
        if to_release and s.get(ContentRelease, to_release) is None:
            raise LookupError(to_release)
        old = release_values(s, to_release)
        values = release_values(s, latest_release_id(s))
        for lang in LANGUAGES:
            values.pop(f"{key}|{lang}", None)
            if f"{key}|{lang}" in old:
                values[f"{key}|{lang}"] = old[f"{key}|{lang}"]
        release = _release(s, values, approver, "rollback", f"{key} to release {to_release}")
        audit.record(
            s,
            _actor(approver),
            "content.item_rolled_back",
            "content",
            key,
            {"to_release": to_release, "release": release.id},
        )
        return {"release": release.id, "to_release": to_release, "key": key}


def releases(limit: int = 50) -> List[Dict[str, Any]]:
    with session_scope() as s:
        rows = s.execute(
            select(ContentRelease).order_by(ContentRelease.id.desc()).limit(limit)
        ).scalars()
        return [
            {
                "id": r.id,
                "at": r.created_at.isoformat() if r.created_at else None,
                "by": r.published_by,
                "kind": r.kind,
                "note": r.note,
                "items": sorted({slot.rpartition("|")[0] for slot in json.loads(r.values)}),
            }
            for r in rows
        ]


def history(key: str) -> List[Dict[str, Any]]:
    """The item's versions, newest first: each release that changed it, with a diff per
    language against the version before, then the seed."""
    seeds = base_items()
    if key not in seeds:
        raise KeyError(key)
    base = {lang: str(v) for lang, v in seeds[key].items()}
    with session_scope() as s:
        rows = s.execute(select(ContentRelease).order_by(ContentRelease.id)).scalars().all()
        versions = [
            {"release": 0, "at": None, "by": None, "kind": "seed", "texts": base, "diff": {}}
        ]
        for r in rows:
            values = json.loads(r.values)
            texts = {lang: values.get(f"{key}|{lang}", base[lang]) for lang in base}
            previous = versions[-1]["texts"]
            if texts != previous:
                versions.append(
                    {
                        "release": r.id,
                        "at": r.created_at.isoformat() if r.created_at else None,
                        "by": r.published_by,
                        "kind": r.kind,
                        "texts": texts,
                        "diff": {
                            lang: diff(previous[lang], texts[lang])
                            for lang in texts
                            if texts[lang] != previous[lang]
                        },
                    }
                )
    return list(reversed(versions))


def diff(before: str, after: str) -> List[Dict[str, str]]:
    """A word-level diff a person reads: [{"op": "same"|"removed"|"added", "text"}]."""
    a, b = before.split(" "), after.split(" ")
    out: List[Dict[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append({"op": "same", "text": " ".join(a[i1:i2])})
            continue
        if i2 > i1:
            out.append({"op": "removed", "text": " ".join(a[i1:i2])})
        if j2 > j1:
            out.append({"op": "added", "text": " ".join(b[j1:j2])})
    return out
