"""New questions and reviewed examples on their way into a model: training changes (four
eyes, like a text), retrain jobs (one at a time, progress and log kept), and model
releases (what every Rasa worker serves, with the model's bytes, so hosts share nothing
but the database).
"""

from __future__ import annotations

from typing import Optional

from sqlalchemy import Column, ForeignKey, Integer, LargeBinary, String, Text, func, select
from sqlalchemy.orm import Session

from bot.store.base import Base, UTCDateTime, utcnow

NEW_FAQ, EXAMPLES = "new_faq", "examples"

# Job states: a job runs through the first three, ends in one of the rest.
QUEUED, TRAINING, SCORING = "queued", "training", "scoring"
READY, REFUSED, FAILED, INTERRUPTED = "ready", "refused", "failed", "interrupted"
ROLLED_OUT, DISCARDED = "rolled_out", "discarded"
RUNNING = (QUEUED, TRAINING, SCORING)


class TrainingChange(Base):
    """A new FAQ (key, titles, answers, example phrasings) or reviewed examples for
    existing intents, until an approver decides; `job_id` is the retrain that took it."""

    __tablename__ = "training_changes"

    id = Column(Integer, primary_key=True)
    kind = Column(String(12), nullable=False)  # NEW_FAQ or EXAMPLES
    key = Column(String(80), nullable=False, index=True)  # the FAQ key, or "review"
    payload = Column(Text, nullable=False)  # JSON, see bot/services/training/changes.py
    note = Column(Text, nullable=True)
    author = Column(String(80), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    state = Column(String(12), nullable=False, index=True)  # as content_changes
    decided_by = Column(String(80), nullable=True)
    decided_at = Column(UTCDateTime, nullable=True)
    job_id = Column(Integer, ForeignKey("training_jobs.id"), nullable=True)


class TrainingJob(Base):
    __tablename__ = "training_jobs"

    id = Column(Integer, primary_key=True)
    state = Column(String(12), nullable=False, index=True)
    progress = Column(Integer, nullable=False, default=0)  # percent
    log = Column(Text, nullable=True)  # what a supervisor reads: one step a line
    started_by = Column(String(80), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # Written every few seconds while the job runs: a job whose beat stopped was cut short
    # (its console restarted), whichever worker notices.
    beat_at = Column(UTCDateTime, nullable=True)
    finished_at = Column(UTCDateTime, nullable=True)
    changes = Column(Text, nullable=False)  # JSON list of training change ids
    scores = Column(Text, nullable=True)  # JSON {"current": {...}, "candidate": {...}}
    reasons = Column(Text, nullable=True)  # JSON list: why the candidate was refused
    model_sha = Column(String(64), nullable=True)
    model_path = Column(
        Text, nullable=True
    )  # the candidate on the disk of the host that trained it
    # The ready candidate's bytes, so an approver's request may reach any host; moved into
    # its model release when rolled out, dropped when discarded.
    model = Column(LargeBinary, nullable=True)
    decided_by = Column(String(80), nullable=True)
    decided_at = Column(UTCDateTime, nullable=True)


class ModelRelease(Base):
    """The model every worker serves from this release on. `model` is empty for a release
    back to the model the workers were started with (the one in models/)."""

    __tablename__ = "model_releases"

    id = Column(Integer, primary_key=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    kind = Column(String(12), nullable=False)  # "rollout", "rollback"
    job_id = Column(Integer, ForeignKey("training_jobs.id"), nullable=True)
    sha = Column(String(64), nullable=True)  # sha256 of the model file, None: the start one
    model = Column(LargeBinary, nullable=True)
    released_by = Column(String(80), nullable=False)
    note = Column(Text, nullable=True)


def latest_release(session: Session) -> Optional[ModelRelease]:
    newest = session.execute(select(func.max(ModelRelease.id))).scalar()
    return session.get(ModelRelease, newest) if newest else None


def latest_release_head(session: Session):
    """(id, sha) of the newest release without loading its bytes; (0, None) before any."""
    row = session.execute(
        select(ModelRelease.id, ModelRelease.sha).order_by(ModelRelease.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else (0, None)
