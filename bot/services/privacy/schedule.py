"""The retention purge, run periodically by the launchers (`make run`, `make run-prod`).

    RETENTION_PURGE_EVERY_HOURS   how often (default 24; 0 = never, e.g. when cron runs
                                  `python -m bot.backoffice purge --if-due` instead)

However many processes, machines or cron jobs ask, one purge runs at a time: `run_if_due`
first takes a lease on the job's row in `maintenance_runs` (bot.store.maintenance) with one
conditional UPDATE, renews it while working and clears it at the end. A process that died
mid-purge leaves a lease that expires after LEASE; the next check takes over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Dict, Mapping, Optional

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from bot.services.privacy.batches import BATCH
from bot.services.privacy.databases import open_engines
from bot.services.privacy.periods import Periods, purge_every
from bot.services.privacy.retention import purge
from bot.store.base import utcnow
from bot.store.maintenance import MaintenanceRun

logger = logging.getLogger(__name__)

JOB = "retention"
LEASE = timedelta(minutes=30)

RUNS = MaintenanceRun.__table__


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def claim(
    engine: Engine,
    holder: str,
    every: timedelta = timedelta(0),
    now: Optional[datetime] = None,
    job: str = JOB,
) -> bool:
    """Take the job's lease if nobody holds a live one and (with `every`) the last run
    finished at least that long ago. One conditional UPDATE: of two processes asking at
    once, exactly one gets rowcount 1."""
    now = now or utcnow()
    try:
        with engine.begin() as conn:
            if conn.execute(select(RUNS.c.job).where(RUNS.c.job == job)).first() is None:
                conn.execute(insert(RUNS).values(job=job))
    except IntegrityError:
        pass  # another process inserted the row first
    with engine.begin() as conn:
        condition = and_(
            RUNS.c.job == job, or_(RUNS.c.lease_until.is_(None), RUNS.c.lease_until < now)
        )
        if every > timedelta(0):
            condition = and_(
                condition,
                or_(RUNS.c.last_finished_at.is_(None), RUNS.c.last_finished_at <= now - every),
            )
        return (
            conn.execute(
                update(RUNS)
                .where(condition)
                .values(holder=holder, lease_until=now + LEASE, last_started_at=now)
            ).rowcount
            == 1
        )


def renew(engine: Engine, holder: str, job: str = JOB) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(RUNS)
            .where(RUNS.c.job == job, RUNS.c.holder == holder)
            .values(lease_until=utcnow() + LEASE)
        )


def release(engine: Engine, holder: str, finished: bool, job: str = JOB) -> None:
    values = {"holder": None, "lease_until": None}
    if finished:
        values["last_finished_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(RUNS).where(RUNS.c.job == job, RUNS.c.holder == holder).values(**values)
        )


def run_if_due(
    app: Engine,
    tracker: Optional[Engine],
    every: timedelta = timedelta(0),
    periods: Optional[Periods] = None,
    holder: Optional[str] = None,
    now: Optional[datetime] = None,
    batch: int = BATCH,
    actor: str = "retention",
) -> Optional[Dict[str, int]]:
    """Purge if this process wins the lease (see `claim`); None if another process is
    purging or the last purge is more recent than `every`."""
    holder = holder or holder_name()
    if not claim(app, holder, every, now):
        return None
    renewed = [time.monotonic()]

    def heartbeat() -> None:
        if time.monotonic() - renewed[0] > 60:
            renew(app, holder)
            renewed[0] = time.monotonic()

    try:
        counts = purge(app, tracker, periods, now, batch, actor=actor, heartbeat=heartbeat)
    except BaseException:
        release(app, holder, finished=False)
        raise
    release(app, holder, finished=True)
    return counts


class Scheduler:
    """A daemon thread that calls `run_if_due` every `check` seconds (first after `delay`),
    with engines of its own built from `env`."""

    def __init__(
        self,
        env: Optional[Mapping[str, str]] = None,
        every: Optional[timedelta] = None,
        delay: float = 60.0,
        check: Optional[float] = None,
    ) -> None:
        self.env = dict(os.environ if env is None else env)
        self.every = purge_every(self.env) if every is None else every
        self.delay = delay
        self.check = check if check is not None else min(3600.0, self.every.total_seconds())
        self.runs = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def start(self) -> "Scheduler":
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        if self._stop.wait(self.delay):
            return
        app, tracker = open_engines(self.env)
        try:
            while True:
                try:
                    if tracker is None:
                        tracker = open_engines(self.env)[1]
                    counts = run_if_due(app, tracker, self.every, Periods.from_env(self.env))
                    if counts is not None:
                        self.runs += 1
                        logger.info(
                            "retention purge: %s",
                            ", ".join(f"{name} {n}" for name, n in counts.items())
                            or "nothing to do",
                        )
                except Exception as e:  # the next check tries again
                    logger.warning("retention purge failed (%s); retrying later", type(e).__name__)
                if self._stop.wait(self.check):
                    return
        finally:
            for engine in {id(e): e for e in (app, tracker) if e is not None}.values():
                engine.dispose()


def start_scheduler(env: Optional[Mapping[str, str]] = None, **kwargs) -> Optional[Scheduler]:
    """Start the periodic purge for the servers started with `env` (None when
    RETENTION_PURGE_EVERY_HOURS is 0)."""
    scheduler = Scheduler(env, **kwargs)
    if scheduler.every <= timedelta(0):
        return None
    return scheduler.start()
