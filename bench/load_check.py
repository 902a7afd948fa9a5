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


def check_transcripts(tracker_url: str, prefix: str, items: List[Sent]) -> Dict:
    """Every answered message stored once, in order, followed by a bot reply."""
    stored = stored_events(tracker_url, prefix)
    by_sender: Dict[str, List[Sent]] = defaultdict(list)
    for s in items:
        by_sender[s.sender].append(s)
    all_ids = {s.message_id for s in items}
    id_mode = any(mid in all_ids for evs in stored.values() for k, mid, _ in evs if k == "user")
    lost = duplicated = out_of_order = unanswered = unexpected = 0
    bad: List[str] = []
    for sender, sent in by_sender.items():
        sent.sort(key=lambda s: s.index)
        events = stored.get(sender, [])
        users = [(mid if id_mode else text) for k, mid, text in events if k == "user"]
        keys = [(s.message_id if id_mode else s.text) for s in sent]
        counts = Counter(users)
        dup = sum(c - 1 for c in counts.values() if c > 1) if id_mode else 0
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
            key = mid if id_mode else text
            following = events[i + 1][0] if i + 1 < len(events) else None
            if following != "bot" and key in ok_keys:
                unanswered += 1
                problem = True
        if problem and len(bad) < 5:
            bad.append(sender)
    return {
        "conversations": len(by_sender),
        "matched_by": "message_id" if id_mode else "text",
        "user_events": sum(1 for evs in stored.values() for k, _, _ in evs if k == "user"),
        "answered_messages": sum(1 for s in items if s.ok),
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "unexpected": unexpected,
        "unanswered": unanswered,
        "examples": bad,
        "complete": not (lost or duplicated or out_of_order or unexpected or unanswered),
    }
