"""Approve a candidate model (four eyes) and release it to every Rasa worker; roll back.

A release is a row with the model's bytes (model_releases): every worker polls the newest
release id, loads that model beside the one it serves, and swaps it in between two
messages (channels/model_watch.py), so no host needs a shared disk and no message is
dropped. A rollback is a new release of the model served before the newest rollout (no bytes: the
model the workers were started with).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, Optional

from sqlalchemy import select

from bot import settings
from bot.services.content.decisions import FourEyes
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.training import (
    DISCARDED,
    READY,
    ROLLED_OUT,
    ModelRelease,
    TrainingJob,
    latest_release,
    latest_release_head,
)


class NotReady(ValueError):
    """The job has no candidate waiting for a decision."""


def start_model() -> Path:
    """The model the workers are started with: the one models/ holds for the current data
    (bot.tools.model), else the newest there."""
    from bot.tools.model import model_path

    wanted = model_path()
    if wanted.exists():
        return wanted
    found = sorted(
        settings.get().models_dir.glob("citizen-*.tar.gz"), key=lambda p: p.stat().st_mtime
    )
    if not found:
        raise FileNotFoundError("no model in models/: make model")
    return found[-1]


def cache_dir() -> Path:
    path = settings.get().var_dir / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def release_file(release_id: int) -> Optional[Path]:
    """A release's model on this host's disk (written once from the database); None for a
    release back to the start model, or before any release."""
    if not release_id:
        return None
    with session_scope() as s:
        row = s.get(ModelRelease, release_id)
        if row is None or row.sha is None:
            return None
        path = cache_dir() / f"release-{row.sha[:16]}.tar.gz"
        if not path.exists():
            part = path.with_suffix(".part")
            part.write_bytes(row.model)
            part.replace(path)  # whole or absent, for another worker reading it at once
        return path


def newest_release():
    """(id, sha) of the newest release; (0, None) before any."""
    with session_scope() as s:
        return latest_release_head(s)


def served_model_file() -> Path:
    with session_scope() as s:
        newest, _ = latest_release_head(s)
    return release_file(newest) or start_model()


def _release(s, kind: str, by: str, sha, model, job_id=None, note="") -> ModelRelease:
    row = ModelRelease(kind=kind, job_id=job_id, sha=sha, model=model, released_by=by,
                       note=note[:500] or None)  # fmt: skip
    s.add(row)
    s.flush()
    return row


def _ready_job(s, job_id: int) -> TrainingJob:
    """Job `job_id`, whose candidate waits for a decision (approve or discard)."""
    job = s.get(TrainingJob, job_id)
    if job is None:
        raise LookupError(job_id)
    if job.state != READY:
        raise NotReady(job.state)
    return job


def approve(job_id: int, by: str) -> Dict[str, Any]:
    """Release job `job_id`'s candidate; refused to the person who started the retrain."""
    with session_scope() as s:
        job = _ready_job(s, job_id)
        if job.started_by == by:
            audit.record(s, f"agent:{by}", "training.own_approval_refused", "training_job",
                         job_id, {})  # fmt: skip
            s.commit()
            raise FourEyes(job_id)
        data = job.model
        if data is None or hashlib.sha256(data).hexdigest() != job.model_sha:
            raise NotReady("candidate_missing")
        row = _release(s, "rollout", by, job.model_sha, data, job_id, f"job {job_id}")
        job.state, job.decided_by, job.decided_at = ROLLED_OUT, by, utcnow()
        job.model = None  # the release holds it now
        audit.record(s, f"agent:{by}", "training.rolled_out", "model_release", row.id,
                     {"job": job_id, "sha": job.model_sha[:16]})  # fmt: skip
        return {"release": row.id, "job": job_id, "sha": job.model_sha}


def discard(job_id: int, by: str) -> Dict[str, Any]:
    with session_scope() as s:
        job = _ready_job(s, job_id)
        job.state, job.decided_by, job.decided_at = DISCARDED, by, utcnow()
        job.model = None
        audit.record(s, f"agent:{by}", "training.discarded", "training_job", job_id, {})
        return {"job": job_id, "state": DISCARDED}


def rollback(by: str) -> Dict[str, Any]:
    """Undo the newest rollout: release again the model served before it (the start model
    before the first). LookupError when the newest release is no rollout: a rollback is
    not undone by another one, the candidate is rolled out again."""
    with session_scope() as s:
        newest = latest_release(s)
        if newest is None or newest.kind != "rollout":
            raise LookupError("nothing_to_roll_back")
        previous = s.execute(
            select(ModelRelease).where(ModelRelease.id < newest.id)
            .order_by(ModelRelease.id.desc()).limit(1)
        ).scalars().first()  # fmt: skip
        back = previous if previous is not None and previous.sha is not None else None
        row = _release(
            s, "rollback", by, back.sha if back else None, back.model if back else None,
            back.job_id if back else None, f"undoes release {newest.id}",
        )  # fmt: skip
        audit.record(s, f"agent:{by}", "training.rolled_back", "model_release", row.id,
                     {"from_release": newest.id, "sha": (back.sha if back else "start")[:16]})  # fmt: skip
        return {"release": row.id, "sha": back.sha if back else None, "from_release": newest.id}


def releases(limit: int = 20):
    with session_scope() as s:
        rows = s.execute(
            select(ModelRelease.id, ModelRelease.created_at, ModelRelease.kind,
                   ModelRelease.job_id, ModelRelease.sha, ModelRelease.released_by)
            .order_by(ModelRelease.id.desc()).limit(limit)
        ).all()  # fmt: skip
        return [
            {"id": r.id, "at": r.created_at.isoformat(), "kind": r.kind, "job": r.job_id,
             "sha": (r.sha or "")[:16] or None, "by": r.released_by}
            for r in rows
        ]  # fmt: skip
