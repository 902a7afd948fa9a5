"""Runs of the periodic maintenance jobs (the retention purge, bot.services.privacy.retention).

One row per job. A process starts a run only by winning a conditional UPDATE that sets
`lease_until`; the lease is renewed while the run works and cleared when it ends, so two
Rasa workers, two machines or a cron job and `make run` never purge at the same time, and
a run whose process died is taken over once its lease has passed. `last_finished_at`
says when the job last completed, so a restart does not run it again before it is due.
Created by Alembic (migrations/versions/0007_maintenance.py).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String

from bot.store.base import Base


class MaintenanceRun(Base):
    __tablename__ = "maintenance_runs"

    job = Column(String(40), primary_key=True)  # e.g. "retention"
    holder = Column(String(120), nullable=True)  # host:pid running it now
    lease_until = Column(DateTime(timezone=True), nullable=True)
    last_started_at = Column(DateTime(timezone=True), nullable=True)
    last_finished_at = Column(DateTime(timezone=True), nullable=True)
