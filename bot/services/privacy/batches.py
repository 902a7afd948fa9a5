"""Deletes and updates a batch at a time, each batch its own short transaction, so a big
table is never locked for long while the assistant serves (the retention purge and the
console's part of it)."""

from __future__ import annotations

from typing import Callable, Dict

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

BATCH = 1000


def delete_batched(
    engine: Engine,
    tbl,
    condition,
    key=None,
    batch: int = BATCH,
    dry_run: bool = False,
    heartbeat: Callable[[], None] = lambda: None,
) -> int:
    """Delete the rows matching `condition`, `batch` at a time in key order, one short
    transaction each. The condition is checked again by the DELETE itself, so a row that
    stopped matching meanwhile (a conversation that got a new message) stays."""
    key = tbl.c.id if key is None else key
    total, after = 0, None
    while True:
        with engine.begin() as conn:
            query = select(key).where(condition).order_by(key).limit(batch)
            if after is not None:
                query = query.where(key > after)
            keys = conn.execute(query).scalars().all()
            if keys and not dry_run:
                total += conn.execute(delete(tbl).where(key.in_(keys), condition)).rowcount
            elif keys:
                total += len(keys)
        heartbeat()
        if len(keys) < batch:
            return total
        after = keys[-1]


def update_batched(
    engine: Engine,
    tbl,
    condition,
    values: Dict,
    batch: int = BATCH,
    dry_run: bool = False,
    heartbeat: Callable[[], None] = lambda: None,
) -> int:
    """UPDATE ... SET `values` on the rows matching `condition`, a batch at a time."""
    total, after = 0, None
    while True:
        with engine.begin() as conn:
            query = select(tbl.c.id).where(condition).order_by(tbl.c.id).limit(batch)
            if after is not None:
                query = query.where(tbl.c.id > after)
            ids = conn.execute(query).scalars().all()
            if ids and not dry_run:
                total += conn.execute(
                    update(tbl).where(tbl.c.id.in_(ids), condition).values(**values)
                ).rowcount
            elif ids:
                total += len(ids)
        heartbeat()
        if len(ids) < batch:
            return total
        after = ids[-1]
