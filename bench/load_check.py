"""The transcript check of `make bench-load`: every answered message stored once, in order,
followed by a reply (bench/load.py)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Dict, List, Tuple

from bench.load_client import Sent

# --- transcript check ------------------------------------------------------------------


def stored_events(tracker_url: str, prefix: str) -> Dict[str, List[Tuple[str, str, str]]]:
    """sender -> [(type, message_id, text)] for user and bot events, in tracker order."""
    import sqlalchemy as sa

    engine = sa.create_engine(tracker_url)
    out: Dict[str, List[Tuple[str, str, str]]] = defaultdict(list)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE :p "
                    "AND type_name IN ('user', 'bot') ORDER BY id"
                ),
                {"p": prefix + "%"},
            )
            for sender, kind, data in rows:
                event = json.loads(data)
                out[sender].append((kind, event.get("message_id") or "", event.get("text") or ""))
    finally:
        engine.dispose()
    return out


def _attempts(s: Sent) -> List[str]:
    return s.attempt_ids or [s.message_id]


def _check_by_id(sent: List[Sent], events: List[Tuple[str, str, str]]) -> Counter:
    """One conversation's damage, matching stored turns by the ids they were sent under.

    A message sent again after its worker died keeps its id, and the REST channel stores
    it once: the same id stored twice is a duplicate. Clients that sent each try under a
    new id could have it stored under an earlier try's id as well (the worker stored the
    turn, its answer never left): that copy is counted as `resent_copies`."""
    item_of = {mid: s for s in sent for mid in _attempts(s)}
    found: Counter = Counter()
    users = [(i, mid) for i, (kind, mid, _) in enumerate(events) if kind == "user"]
    ids = Counter(mid for _, mid in users)
    found["duplicated"] = sum(c - 1 for mid, c in ids.items() if c > 1 and mid in item_of)
    found["unexpected"] = sum(1 for _, mid in users if mid not in item_of)
    copies: Dict[int, List[int]] = defaultdict(list)  # item index -> event positions
    ids_of: Dict[int, set] = defaultdict(set)  # item index -> the attempt ids stored
    highest = -1
    for position, mid in users:
        item = item_of.get(mid)
        if item is None:
            continue
        if not copies[item.index]:
            if item.index < highest:
                found["out_of_order"] += 1
            highest = max(highest, item.index)
        copies[item.index].append(position)
        ids_of[item.index].add(mid)
    for s in sent:
        extra = max(0, len(ids_of[s.index]) - 1)
        found["resent_copies"] += min(extra, s.retried)
        found["unexpected"] += max(0, extra - s.retried)
        if not s.ok:
            continue
        if not copies[s.index]:
            found["lost"] += 1
            continue
        last = copies[s.index][-1]  # an earlier copy's answer may have died with its worker
        following = events[last + 1][0] if last + 1 < len(events) else None
        if following != "bot":
            found["unanswered"] += 1
    return found


def check_transcripts(tracker_url: str, prefix: str, items: List[Sent]) -> Dict:
    """Every answered message stored once, in order, followed by a bot reply.

    Matched by the ids the messages were sent under when the tracker has them (the REST
    channel stores the client's `metadata.message_id`), else by text."""
    stored = stored_events(tracker_url, prefix)
    by_sender: Dict[str, List[Sent]] = defaultdict(list)
    for s in items:
        by_sender[s.sender].append(s)
    all_ids = {mid for s in items for mid in _attempts(s)}
    id_mode = any(mid in all_ids for evs in stored.values() for k, mid, _ in evs if k == "user")
    if id_mode:
        return _report_by_id(stored, by_sender)
    lost = duplicated = out_of_order = unanswered = unexpected = 0
    bad: List[str] = []
    for sender, sent in by_sender.items():
        sent.sort(key=lambda s: s.index)
        events = stored.get(sender, [])
        users = [text for k, _, text in events if k == "user"]
        keys = [s.text for s in sent]
        dup = 0  # the same words may recur in a flow: a repeated text is not a duplicate
        # walk the attempts in order; stored user events must match them in the same order
        pos, problem = 0, False
        resent: set = set()  # keys of messages sent again after their worker died
        for s, key in zip(sent, keys):
            # A message sent again may be stored twice (its worker died after storing the
            # turn, before the answer left): that copy is "unexpected", not a reordering.
            while pos < len(users) and users[pos] != key and users[pos] in resent:
                pos += 1
                unexpected += 1
                problem = True
            if getattr(s, "retried", 0):
                resent.add(key)
            if pos < len(users) and users[pos] == key:
                pos += 1
            elif s.ok:
                if key in users[pos:]:
                    out_of_order += 1
                else:
                    lost += 1
                problem = True
        extra = len(users) - pos - dup
        if extra > 0:
            unexpected += extra
            problem = True
        if dup:
            duplicated += dup
            problem = True
        # every answered message is followed by a bot event before the next user event
        ok_keys = {key for s, key in zip(sent, keys) if s.ok}
        for i, (kind, mid, text) in enumerate(events):
            if kind != "user":
                continue
            key = text
            following = events[i + 1][0] if i + 1 < len(events) else None
            if following != "bot" and key in ok_keys:
                unanswered += 1
                problem = True
        if problem and len(bad) < 5:
            bad.append(sender)
    return {
        "conversations": len(by_sender),
        "matched_by": "text",
        "user_events": sum(1 for evs in stored.values() for k, _, _ in evs if k == "user"),
        "answered_messages": sum(1 for s in items if s.ok),
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "unexpected": unexpected,
        "unanswered": unanswered,
        "examples": bad,
        "resent_copies": 0,
        "complete": not (lost or duplicated or out_of_order or unexpected or unanswered),
    }


_DAMAGE = ("lost", "duplicated", "out_of_order", "unexpected", "unanswered")


def _report_by_id(stored: Dict, by_sender: Dict[str, List[Sent]]) -> Dict:
    total, bad = Counter(), []
    for sender, sent in by_sender.items():
        sent.sort(key=lambda s: s.index)
        found = _check_by_id(sent, stored.get(sender, []))
        total.update(found)
        if any(found[k] for k in _DAMAGE) and len(bad) < 5:
            bad.append(sender)
    return {
        "conversations": len(by_sender),
        "matched_by": "message_id",
        "user_events": sum(1 for evs in stored.values() for k, _, _ in evs if k == "user"),
        "answered_messages": sum(1 for sent in by_sender.values() for s in sent if s.ok),
        **{k: total[k] for k in _DAMAGE},
        "resent_copies": total["resent_copies"],
        "examples": bad,
        "complete": not any(total[k] for k in _DAMAGE),
    }
