"""`make bench-rollout`: a new question from the console's retrain to every worker, under
load, and back.

    python -m bench.model_rollout [--hosts 2] [--users 20] [--duration 40]
                                  [--candidate MODEL.tar.gz] [--json results/rollout.json]

Application hosts behind HAProxy as `make bench-hosts` starts them (bot/tools/hosts.py,
PostgreSQL and Redis on loopback). Then, as the console does it: an editor proposes a new
FAQ ("temporary_password", from seed 000), a second person approves it, the retrain job
(bot/services/training/jobs.py) trains and scores the candidate (the time from "retrain"
to a candidate ready is measured here; `--candidate` skips training and releases the
given model instead, to measure the rollout alone). With --users REST users writing
through HAProxy, at --rollout-at an approver releases the candidate; when every host's
GET /ready reports the release, the new question is asked through HAProxy; at
--rollback-at it is rolled back and asked again. Failed or lost messages want 0.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional

from bench.hosts import report, start_bed
from bench.hosts_traffic import run_mixed
from bench.load_flows import FLOWS, model_intents, usable_flows

NEW_FAQ = {
    "key": "temporary_password",
    "title": {"ar": "كلمة المرور المؤقتة", "en": "Temporary password"},
    "answer": {
        "ar": "كلمة المرور المؤقتة توصلك برسالة نصية على جوالك بعد التسجيل أو بعد «نسيت كلمة "
        "المرور». ادخل بها البوابة مع رقم الهوية، وبعدها غيّرها مباشرة بكلمة مرور جديدة.",
        "en": "The temporary password comes by text message to your mobile after you register "
        "or use “Forgot password”. Sign in to the portal with it and your ID number, then "
        "change it at once to a new password.",
    },
    "examples": [
        "وصلتني كلمة مرور مؤقتة وش اسوي فيها",
        "كلمة المرور المؤقتة وش فايدتها",
        "وش اسوي بالباسورد المؤقت",
        "الباسورد المؤقت اللي جاني برسالة",
        "جاني رقم سري مؤقت كيف استخدمه",
        "هل لازم اغير كلمة المرور المؤقتة",
        "كيف اغير الباسورد المؤقت",
        "كلمة مرور مؤقتة وصلت على جوالي",
        "ادخل بالرقم السري المؤقت ولا لا",
        "الباسورد المؤقت حق حساب المواطن",
        "what do I do with the temporary password",
        "temporary password sms",
    ],
}
PROBE = "وش اسوي بكلمة المرور المؤقتة اللي وصلتني"
ANSWER_MARK = "كلمة المرور المؤقتة توصلك"


def _json(url: str, body: Optional[Dict] = None, timeout: float = 30.0) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return json.loads(e.read() or b"null")


def served(bed) -> Dict[str, Optional[int]]:
    """Each host's model release, as its GET /ready reports it."""
    return {n: (_json(f"{bed.host_url(n)}/ready") or {}).get("model_release") for n in bed.names}


def wait_served(bed, release: int, timeout: float = 120.0) -> float:
    began = time.monotonic()
    while any(r != release for r in served(bed).values()):
        if time.monotonic() - began > timeout:
            raise TimeoutError(f"not every host serves release {release}: {served(bed)}")
        time.sleep(0.2)
    return time.monotonic() - began


def ask(bed, text: str = PROBE) -> str:
    sender = f"probe-{uuid.uuid4().hex[:8]}"
    replies = _json(f"{bed.url}/webhooks/rest/webhook", {"sender": sender, "message": text})
    return "\n".join(r.get("text") or "" for r in replies or [])


def candidate_job(by: str, model: Path) -> int:
    """A job row holding `model` as its ready candidate (--candidate: no training)."""
    from bot.store import session_scope
    from bot.store.training import READY, TrainingJob

    with session_scope() as s:
        job = TrainingJob(
            state=READY, progress=100, started_by=by, changes="[]", log="given candidate\n",
            model_path=str(model), model=model.read_bytes(),
            model_sha=hashlib.sha256(model.read_bytes()).hexdigest(),
        )  # fmt: skip
        s.add(job)
        s.flush()
        return job.id


def retrain(editor: str, approver: str) -> Dict:
    from bot.services.training import changes, jobs

    change = changes.propose_new_faq(NEW_FAQ, editor)
    changes.approve(change["id"], approver)
    began = time.monotonic()
    job = jobs.start(editor, runner=lambda job_id: None)
    jobs.run(job["id"])  # here, not in a thread: the bench waits for it anyway
    job = jobs.get(job["id"])
    job["seconds"] = round(time.monotonic() - began, 1)
    return job


def main(argv: List[str]) -> int:
    from bot.store import reset_engine
    from bot.tools.model import ensure

    parser = argparse.ArgumentParser(prog="python -m bench.model_rollout")
    parser.add_argument("--hosts", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--duration", type=float, default=40.0)
    parser.add_argument("--rollout-at", type=float, default=8.0)
    parser.add_argument("--rollback-at", type=float, default=24.0)
    parser.add_argument("--candidate", type=Path, help="release this model, do not train")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    model = ensure()
    flows = usable_flows(model_intents(model)) or FLOWS[:1]
    logs = Path("results/server-logs/bench-rollout")
    print(f"Starting {args.hosts} hosts behind HAProxy ...", flush=True)
    bed = start_bed(model, args.hosts, None, logs)
    row: Dict[str, object] = {}
    try:
        os.environ["DATABASE_URL"] = bed.env["DATABASE_URL"]
        os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="bench-rollout-")
        reset_engine()
        from bot.services.training import rollout

        if args.candidate:
            job_id = candidate_job("huda", args.candidate)
        else:
            print("Retraining with a new question ...", flush=True)
            job = retrain("huda", "nora")
            row["retrain"] = {k: job[k] for k in ("state", "seconds", "scores", "reasons")}
            print(job["log"], flush=True)
            if job["state"] != "ready":
                print(json.dumps(row, indent=1, ensure_ascii=False))
                return 1
            job_id = job["id"]
        row["answered_before"] = ANSWER_MARK in ask(bed)
        marks: Dict[str, float] = {}

        def roll_out() -> None:
            marks["down"] = time.monotonic()
            release = rollout.approve(job_id, "nora")["release"]
            marks["rollout_all_workers_s"] = round(wait_served(bed, release), 1)
            marks["answered_after_rollout"] = ANSWER_MARK in ask(bed)

        def roll_back() -> None:
            began = time.monotonic()
            release = rollout.rollback("nora")["release"]
            wait_served(bed, release)
            marks["rollback_all_workers_s"] = round(time.monotonic() - began, 1)
            marks["answered_after_rollback"] = ANSWER_MARK in ask(bed)
            marks["rolled"] = time.monotonic()

        tag = f"rollout-{int(time.time())}"
        events = [(args.rollout_at, roll_out), (args.rollback_at, roll_back)]
        run = asyncio.run(
            run_mixed(bed.url, None, args.users, 0, args.duration, flows, tag, events)
        )
        row.update(report(bed, run, marks, None, tag))
        if "retrain" in row and "rollout_all_workers_s" in row:
            # What the editor waits, the approver's own minutes left out.
            seconds = row["retrain"]["seconds"] + row["rollout_all_workers_s"]
            row["retrain_to_every_worker_s"] = round(seconds, 1)
    finally:
        bed.stop()
    row.update(users=args.users, hosts=args.hosts, duration_s=args.duration)
    print(json.dumps(row, indent=1, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(row, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
