"""Citizens' words on their way into a model (bot/store/training.py), for the erasure and
the retention purge (docs/privacy.md, "New questions").

A training change of reviewed examples holds review-queue messages with their numbers
taken out, and, per text, the review turns (bot_turns ids) it came from. Whatever the
change's state:

- an erasure removes every text taken from one of the citizen's turns (a pending change
  left with none is withdrawn); approved changes lose the text too, so the next retrain
  leaves it out;
- the purge removes every text whose source turns are all past the transcript period
  (texts of a change older than this without sources: by the change's age);
- finished retrain jobs past the period lose their log (the children's output may quote
  training data) and their candidate's bytes (a ready one is discarded);
- model releases past the period, other than the newest two (the one served and the one
  a rollback returns to), lose their bytes.

A released model is not retrained by an erasure: it holds what it learned (character
n-gram counts and weights, no example text) until the next rollout replaces it.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Callable, Collection, Dict, List, Optional

from sqlalchemy import DateTime, Integer, LargeBinary, String, Text, column, select, table, update
from sqlalchemy.engine import Connection, Engine

from bot.services.privacy.tables import TURNS
from bot.store.base import utcnow
from bot.store.turns import day_of

_TS = DateTime(timezone=True)
CHANGES = table(
    "training_changes",
    column("id", Integer),
    column("kind", String),
    column("state", String),
    column("payload", Text),
    column("created_at", _TS),
    column("decided_by", String),
    column("decided_at", _TS),
)
JOBS = table(
    "training_jobs",
    column("id", Integer),
    column("state", String),
    column("log", Text),
    column("model", LargeBinary),
    column("finished_at", _TS),
)
RELEASES = table(
    "model_releases",
    column("id", Integer),
    column("created_at", _TS),
    column("model", LargeBinary),
)
EXAMPLES, PENDING, WITHDRAWN = "examples", "pending", "withdrawn"
READY, DISCARDED = "ready", "discarded"
KEPT_RELEASES = 2  # the one served and the one a rollback returns to
BY = "privacy"  # decided_by of a change an erasure emptied
# Keep this text? (text, its source turn ids or None, the change's created_at)
Keep = Callable[[str, Optional[List[int]], datetime], bool]


def _forget(conn: Connection, keep: Keep, dry_run: bool = False) -> int:
    """Remove the texts `keep` refuses from every reviewed-examples change; how many."""
    rows = conn.execute(
        select(CHANGES.c.id, CHANGES.c.state, CHANGES.c.payload, CHANGES.c.created_at)
        .where(CHANGES.c.kind == EXAMPLES)
        .order_by(CHANGES.c.id)
    ).all()
    removed = 0
    for row in rows:
        payload = json.loads(row.payload)
        sources: Dict[str, List[int]] = payload.get("sources") or {}
        kept: Dict[str, List[str]] = {}
        for intent, texts in (payload.get("examples") or {}).items():
            left = [t for t in texts if keep(t, sources.get(t), row.created_at)]
            if left:
                kept[intent] = left
        gone = sum(len(v) for v in (payload.get("examples") or {}).values()) - sum(
            len(v) for v in kept.values()
        )
        if not gone:
            continue
        removed += gone
        if dry_run:
            continue
        still = {t for texts in kept.values() for t in texts}
        payload["examples"] = kept
        payload["sources"] = {t: ids for t, ids in sources.items() if t in still}
        payload["erased"] = int(payload.get("erased") or 0) + gone
        values = {"payload": json.dumps(payload, ensure_ascii=False)}
        if row.state == PENDING and not kept:
            values.update(state=WITHDRAWN, decided_by=BY, decided_at=utcnow())
        conn.execute(update(CHANGES).where(CHANGES.c.id == row.id).values(**values))
    return removed


def forget_turns(conn: Connection, turn_ids: Collection[int]) -> int:
    """The erasure's step: texts taken from any of these review turns are removed."""
    erased = {int(t) for t in turn_ids}
    if not erased:
        return 0
    return _forget(conn, lambda text, src, _at: not (set(src or ()) & erased))


def _expire_examples(conn: Connection, cutoff: datetime, dry_run: bool) -> int:
    first_day = day_of(cutoff.timestamp())
    young = set(conn.execute(select(TURNS.c.id).where(TURNS.c.day >= first_day)).scalars())

    def keep(_text: str, src: Optional[List[int]], at: datetime) -> bool:
        if src is None:  # a change made before sources were kept
            return at is None or _aware(at) >= cutoff
        return bool(set(src) & young)

    return _forget(conn, keep, dry_run)


def _aware(at: datetime) -> datetime:
    # SQLite gives a table clause's datetimes back without their zone: stored as UTC.
    return at if at.tzinfo else at.replace(tzinfo=timezone.utc)


def _expire_jobs(conn: Connection, cutoff: datetime, dry_run: bool) -> int:
    old = JOBS.c.finished_at < cutoff
    spent = old & (JOBS.c.log.isnot(None) | JOBS.c.model.isnot(None))
    ids = conn.execute(select(JOBS.c.id).where(spent)).scalars().all()
    if ids and not dry_run:
        conn.execute(
            update(JOBS).where(JOBS.c.id.in_(ids), JOBS.c.state == READY).values(state=DISCARDED)
        )
        conn.execute(update(JOBS).where(JOBS.c.id.in_(ids)).values(log=None, model=None))
    return len(ids)


def _expire_releases(conn: Connection, cutoff: datetime, dry_run: bool) -> int:
    newest = conn.execute(
        select(RELEASES.c.id).order_by(RELEASES.c.id.desc()).limit(KEPT_RELEASES)
    ).scalars()
    spent = (
        (RELEASES.c.created_at < cutoff)
        & RELEASES.c.model.isnot(None)
        & RELEASES.c.id.notin_(list(newest) or [0])
    )
    ids = conn.execute(select(RELEASES.c.id).where(spent)).scalars().all()
    if ids and not dry_run:
        conn.execute(update(RELEASES).where(RELEASES.c.id.in_(ids)).values(model=None))
    return len(ids)


def steps(app: Engine, dry_run: bool) -> Dict[str, Callable[[datetime], int]]:
    """name -> step(cutoff) for bot.services.privacy.retention.purge's `run`, on the
    transcript period. A handful of rows each (training changes are made by staff): one
    transaction per step."""

    def step(work: Callable[[Connection, datetime, bool], int]) -> Callable[[datetime], int]:
        def run(cutoff: datetime) -> int:
            with app.begin() as conn:
                return work(conn, cutoff, dry_run)

        return run

    return {
        "training_examples": step(_expire_examples),
        "training_jobs": step(_expire_jobs),
        "model_releases": step(_expire_releases),
    }
