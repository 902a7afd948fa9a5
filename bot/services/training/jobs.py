"""The background retrain: one job at a time, its state, progress and log in the database.

    queued → training → scoring → ready (waits for an approver) | refused | failed
    a job whose heartbeat stopped (its console restarted) → interrupted

The candidate is trained by `rasa train` in a child process at low priority (nice), and
scored with the model served now, both in child processes (bot.services.training.scoring),
on the held-out set, the fresh set and each new FAQ's own phrasings. `judge` refuses it if
either set drops by more than MAX_DROP points or a new FAQ's phrasing is not understood.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from sqlalchemy import select

from bot import settings
from bot.masking import mask_text
from bot.services.training import changes as training_changes
from bot.services.training import dataset, rollout, scoring
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.training import (
    FAILED,
    INTERRUPTED,
    NEW_FAQ,
    QUEUED,
    READY,
    REFUSED,
    RUNNING,
    SCORING,
    TRAINING,
    TrainingJob,
)

MAX_DROP = 0.5  # points of accuracy, on the held-out set and on the fresh set
BEAT_SECONDS, STALE_SECONDS = 2.0, 30.0
EXPECTED_TRAIN_SECONDS = 130.0  # on 2 cores: only shapes the progress bar
NICE = 10
ROOT = scoring.ROOT
_ENV = dict(os.environ, RASA_TELEMETRY_ENABLED="false")


class Busy(RuntimeError):
    """A retrain is running already."""


class NothingToTrain(LookupError):
    """No training change is approved."""


def judge(current: Dict[str, Dict], candidate: Dict[str, Dict]) -> List[Dict[str, Any]]:
    """Why the candidate is refused (empty: it may be rolled out). Scores as
    scoring.score_model gives them; "own" holds the new FAQs' phrasings."""
    reasons = []
    for name in ("heldout", "fresh"):
        before, after = current[name]["accuracy"], candidate[name]["accuracy"]
        if before is not None and after is not None and before - after > MAX_DROP:
            reasons.append(
                {"code": "set_dropped", "set": name, "before": before, "after": after,
                 "limit": MAX_DROP}
            )  # fmt: skip
    own = candidate.get("own") or {}
    if own.get("n") and own.get("wrong"):
        reasons.append(
            {"code": "own_examples_not_understood", "examples": own["wrong"], "n": own["n"]}
        )
    return reasons


def _log(job_id: int, line: str, state: Optional[str] = None, progress: Optional[int] = None,
         **fields: Any) -> None:  # fmt: skip
    with session_scope() as s:
        job = s.get(TrainingJob, job_id)
        stamp = utcnow().strftime("%H:%M:%S")
        # The children's output may quote training data: numbers masked as in any log.
        line = mask_text(line)
        job.log = ((job.log or "") + f"{stamp} {line}\n")[-20_000:] if line else job.log
        job.beat_at = utcnow()
        if state:
            job.state = state
        if progress is not None:
            job.progress = progress
        for name, value in fields.items():
            setattr(job, name, value)


def _beat(job_id: int, progress: int) -> None:
    with session_scope() as s:
        job = s.get(TrainingJob, job_id)
        job.beat_at, job.progress = utcnow(), progress


def mark_interrupted() -> int:
    """Jobs whose heartbeat stopped, as interrupted; how many."""
    cut = utcnow() - timedelta(seconds=STALE_SECONDS)
    with session_scope() as s:
        stale = s.execute(
            select(TrainingJob).where(TrainingJob.state.in_(RUNNING))
        ).scalars().all()  # fmt: skip
        n = 0
        for job in stale:
            if job.beat_at is None or job.beat_at < cut:
                job.state, job.finished_at = INTERRUPTED, utcnow()
                job.log = (job.log or "") + "interrupted: the console stopped while it ran\n"
                audit.record(s, "system", "training.interrupted", "training_job", job.id, {})
                n += 1
        return n


def start(by: str, runner: Optional[Callable[[int], None]] = None) -> Dict[str, Any]:
    """Queue a retrain of every approved training change and run it in a thread."""
    mark_interrupted()
    with session_scope() as s:
        if s.execute(select(TrainingJob.id).where(TrainingJob.state.in_(RUNNING))).first():
            raise Busy()
        included = training_changes.approved(s)
        if not included:
            raise NothingToTrain()
        job = TrainingJob(
            state=QUEUED, progress=0, started_by=by, beat_at=utcnow(),
            changes=json.dumps([c.id for c in included]), log="",
        )  # fmt: skip
        s.add(job)
        s.flush()
        for c in included:
            c.job_id = c.job_id or job.id  # the first job that trained it
        audit.record(s, f"agent:{by}", "training.started", "training_job", job.id,
                     {"changes": [c.id for c in included]})  # fmt: skip
        job_id = job.id
    threading.Thread(target=runner or run, args=(job_id,), name=f"retrain-{job_id}",
                     daemon=True).start()  # fmt: skip
    return get(job_id)


def _work_dir(job_id: int) -> Path:
    path = settings.get().var_dir / "training" / f"job-{job_id}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def train_command(data: Path, domain: Path, out: Path) -> List[str]:
    """`rasa train` of a candidate project (dataset.write) into out/candidate.tar.gz."""
    return [sys.executable, "-m", "rasa", "train", "--domain", str(domain), "--data",
            str(data), "--config", str(ROOT / "config.yml"), "--out", str(out),
            "--fixed-model-name", "candidate"]  # fmt: skip


def score_command(model: Path, sets_file: Path) -> List[str]:
    return [sys.executable, "-m", "bot.services.training.scoring", str(model), str(sets_file)]


def run_child(cmd: List[str], stdout, stderr, beat: Callable[[float], None] = lambda s: None):
    """A child process at low priority; `beat(seconds so far)` every BEAT_SECONDS."""
    began = time.monotonic()
    proc = subprocess.Popen(["nice", "-n", str(NICE)] + cmd, cwd=ROOT, stdout=stdout,
                            stderr=stderr, env=_ENV)  # fmt: skip
    while proc.poll() is None:
        beat(time.monotonic() - began)
        time.sleep(BEAT_SECONDS)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[1:4])} exited with {proc.returncode}")
    return time.monotonic() - began


def _bar(job_id: int, start: int, end: int, expected: float) -> Callable[[float], None]:
    return lambda seconds: _beat(job_id, int(start + (end - start) * min(0.95, seconds / expected)))


def _child(cmd: List[str], job_id: int, start: int, end: int, expected: float, log: Path):
    """Run a child process, moving the job's progress bar from start to end."""
    with open(log, "ab") as out:
        return run_child(cmd, out, subprocess.STDOUT, _bar(job_id, start, end, expected))


def _score(model: Path, sets_file: Path, job_id: int, start: int, end: int, log: Path) -> Dict:
    out = sets_file.with_suffix(f".{model.stem}.json")
    with open(out, "wb") as f, open(log, "ab") as err:
        run_child(score_command(model, sets_file), f, err, _bar(job_id, start, end, 40.0))
    return json.loads(out.read_text(encoding="utf-8"))


def sets_for(faqs: List[Dict]) -> Dict[str, List]:
    return {
        "heldout": scoring.heldout_examples(scoring.HELDOUT),
        "fresh": scoring.heldout_examples(scoring.FRESH),
        "own": [(dataset.clean_example(t), f"faq/{f['key']}") for f in faqs for t in f["examples"]],
    }


def run(job_id: int) -> None:
    """The job, start to end (in its own thread); every outcome is written to its row."""
    began = time.monotonic()
    try:
        work = _work_dir(job_id)
        with session_scope() as s:
            ids = json.loads(s.get(TrainingJob, job_id).changes)
            rows = [r for r in training_changes.approved(s) if r.id in ids]
            data, domain = dataset.write(work, rows)
            examples, faqs = dataset.contents(rows)
            new = {r.key for r in rows if r.kind == NEW_FAQ}
        n = sum(len(v) for v in examples.values())
        _log(job_id, f"candidate data: {len(faqs)} new questions, {n} added examples",
             state=TRAINING, progress=5)  # fmt: skip
        train_log = work / "train.log"
        cmd = train_command(data, domain, work)
        seconds = _child(cmd, job_id, 5, 70, EXPECTED_TRAIN_SECONDS, train_log)
        candidate = work / "candidate.tar.gz"
        sha = hashlib.sha256(candidate.read_bytes()).hexdigest()
        _log(job_id, f"trained in {seconds:.0f} s", state=SCORING, progress=70,
             model_path=str(candidate), model_sha=sha)  # fmt: skip
        sets_file = work / "sets.json"
        sets = sets_for([f for f in faqs if f["key"] in new])
        sets_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
        current = _score(rollout.served_model_file(), sets_file, job_id, 70, 85, train_log)
        _log(job_id, "scored the model served now")
        scored = _score(candidate, sets_file, job_id, 85, 99, train_log)
        reasons = judge(current, scored)
        scores = {"current": current, "candidate": scored}
        state = REFUSED if reasons else READY
        _log(job_id, f"{state} after {time.monotonic() - began:.0f} s", state=state,
             progress=100, finished_at=utcnow(), scores=json.dumps(scores, ensure_ascii=False),
             reasons=json.dumps(reasons, ensure_ascii=False),
             model=candidate.read_bytes() if state == READY else None)  # fmt: skip
        with session_scope() as s:
            audit.record(s, "system", f"training.{state}", "training_job", job_id,
                         {"reasons": [r["code"] for r in reasons]})  # fmt: skip
    except Exception as e:  # the job's row says what went wrong; the console keeps running
        _log(job_id, f"failed: {type(e).__name__}: {str(e)[:300]}\n{_tail(job_id)}",
             state=FAILED, finished_at=utcnow())  # fmt: skip
        with session_scope() as s:
            audit.record(s, "system", "training.failed", "training_job", job_id, {})
    finally:
        remove_work(job_id)  # a ready candidate is in the database; the rest is spent


def _tail(job_id: int, chars: int = 1500) -> str:
    """The end of the children's output, for a failure's log."""
    log = settings.get().var_dir / "training" / f"job-{job_id}" / "train.log"
    try:
        return log.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return ""


def view(job: TrainingJob) -> Dict[str, Any]:
    scores = json.loads(job.scores) if job.scores else None
    brief = None
    if scores:
        brief = {side: {name: {k: v for k, v in r.items() if k != "wrong"}
                        for name, r in per.items()} for side, per in scores.items()}  # fmt: skip
    return {
        "id": job.id,
        "state": job.state,
        "progress": job.progress,
        "log": job.log or "",
        "started_by": job.started_by,
        "created_at": job.created_at.isoformat() if job.created_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "changes": json.loads(job.changes),
        "scores": brief,
        "reasons": json.loads(job.reasons) if job.reasons else [],
        "model_sha": job.model_sha,
        "decided_by": job.decided_by,
    }


def get(job_id: int) -> Dict[str, Any]:
    with session_scope() as s:
        job = s.get(TrainingJob, job_id)
        if job is None:
            raise LookupError(job_id)
        return view(job)


def listed(limit: int = 20) -> List[Dict[str, Any]]:
    mark_interrupted()
    with session_scope() as s:
        rows = s.execute(select(TrainingJob).order_by(TrainingJob.id.desc()).limit(limit))
        return [view(j) for j in rows.scalars()]


def remove_work(job_id: int) -> None:
    shutil.rmtree(settings.get().var_dir / "training" / f"job-{job_id}", ignore_errors=True)
