"""The console's new questions over HTTP, in process: rights (agents no, supervisors read,
editors propose and start a retrain, approvers decide), four eyes on a change and on a
rollout, a broken new question refused with its reasons, and the rollback. The retrain
itself is replaced (tests/unit/test_training.py drives its steps; the rollout bench and
tests/prod/test_model_rollout.py run it against real workers)."""

from __future__ import annotations

import copy
import hashlib
import json

from bot.services.training import jobs, rollout
from bot.store import session_scope
from bot.store.training import READY, TrainingJob
from tests.console import test_content_http
from tests.unit.test_training import NEW_FAQ

API = "/desk/console/api/training"
env = test_content_http.env  # the same signed-in staff and rights


def _ready_candidate(job_id, path):
    path.write_bytes(b"candidate model")
    with session_scope() as s:
        job = s.get(TrainingJob, job_id)
        job.state, job.progress, job.model_path = READY, 100, str(path)
        job.model = b"candidate model"
        job.model_sha = hashlib.sha256(b"candidate model").hexdigest()


def test_a_new_question_from_the_form_to_a_rollout_and_back(env, monkeypatch, tmp_path):
    monkeypatch.setattr(jobs, "run", lambda job_id: None)  # no training in this test
    monkeypatch.setattr(rollout, "start_model", lambda: tmp_path / "start.tar.gz")
    sara, omar, huda, nora = (env.client(n) for n in ("sara", "omar", "huda", "nora"))
    assert sara.get(API).status_code == 403  # an agent: not the console
    assert omar.get(API).status_code == 200
    assert omar.post(f"{API}/faq", NEW_FAQ).status_code == 403  # no editor right

    broken = copy.deepcopy(NEW_FAQ)
    broken["examples"] = broken["examples"][:3]
    broken["answer"]["en"] = ""
    r = huda.post(f"{API}/faq/check", broken)
    assert {p["code"] for p in r.json()["problems"]} == {"too_few_examples", "empty"}
    assert huda.post(f"{API}/faq", broken).status_code == 400

    form = dict(NEW_FAQ, examples="\n".join(NEW_FAQ["examples"]))  # as the form sends it
    r = huda.post(f"{API}/faq", form)
    assert r.status_code == 201, r.text
    change = r.json()["id"]
    assert huda.post(f"{API}/changes/{change}/approve").status_code == 403  # editor only
    assert nora.post(f"{API}/jobs").json()["error"] == "nothing_approved"
    assert nora.post(f"{API}/changes/{change}/approve").status_code == 200

    r = huda.post(f"{API}/jobs")
    assert r.status_code == 202 and r.json()["state"] == "queued"
    job = r.json()["id"]
    assert nora.post(f"{API}/jobs").json()["error"] == "retrain_running"
    assert nora.post(f"{API}/jobs/{job}/approve").json()["error"] == "not_ready"
    _ready_candidate(job, tmp_path / "candidate.tar.gz")
    assert nora.get(f"{API}/jobs/{job}").json()["state"] == "ready"

    assert huda.post(f"{API}/jobs/{job}/approve").status_code == 403  # no approver right
    # nora may approve; had she started the retrain, four eyes would refuse her:
    with session_scope() as s:
        s.get(TrainingJob, job).started_by = "nora"
    assert nora.post(f"{API}/jobs/{job}/approve").json()["error"] == "own_change"
    with session_scope() as s:
        s.get(TrainingJob, job).started_by = "huda"
    r = nora.post(f"{API}/jobs/{job}/approve")
    assert r.status_code == 200 and r.json()["job"] == job
    overview = omar.get(API).json()
    assert [x["kind"] for x in overview["releases"]] == ["rollout"]
    assert overview["jobs"][0]["state"] == "rolled_out"

    assert huda.post(f"{API}/rollback").status_code == 403
    assert nora.post(f"{API}/rollback").status_code == 200
    assert nora.post(f"{API}/rollback").status_code == 404  # nothing left to undo
    assert [x["kind"] for x in omar.get(API).json()["releases"]] == ["rollback", "rollout"]


def test_reviewed_examples_keep_no_number_and_show_no_source(env):
    """Every form of a number the bot accepts (tests/support/personal_formats.py), typed
    into a message the review queue labels and an editor proposes as training data."""
    from bot.services.console import review
    from bot.store import turns
    from bot.store.training import TrainingChange
    from tests.support.personal_formats import FORMATS, leaked

    for n, typed in enumerate(FORMATS):
        text = f"متى ينزل الدعم رقمي {typed} ساعدوني"
        facts = {"text": text, "intent": "faq", "confidence": 0.3, "fallback": True}
        turn = turns.record_turn(f"web:review{n}", "web", 100, facts=facts)
        review.label(turn, "intent", "check_eligibility", None, "omar")
    huda, omar = env.client("huda"), env.client("omar")
    r = huda.post(f"{API}/reviewed")
    assert r.status_code == 201, r.text
    with session_scope() as s:
        stored = json.loads(s.get(TrainingChange, r.json()["id"]).payload)
    (texts,) = stored["examples"].values()
    assert "متى ينزل الدعم رقمي ساعدوني" in texts  # ("…{ID}م" keeps its letter)
    assert not any(c.isdigit() or c == "•" for t in texts for c in t)
    assert sum(len(ids) for ids in stored["sources"].values()) == len(FORMATS)
    page = omar.get(API)
    assert "sources" not in page.json()["changes"][0]["payload"]  # for erasure, not staff
    assert leaked(json.dumps(stored, ensure_ascii=False)) == [] and leaked(page.text) == []


def test_a_phrasing_with_a_personal_number_is_refused_and_shown_masked(env):
    from tests.support.personal_formats import FORMATS, leaked

    huda = env.client("huda")
    for typed in FORMATS:
        faq = copy.deepcopy(NEW_FAQ)
        faq["examples"] = faq["examples"] + [f"كلمة المرور المؤقتة ما وصلت {typed}"]
        r = huda.post(f"{API}/faq/check", faq)
        assert [p["code"] for p in r.json()["problems"]] == ["personal_number"], typed
        assert leaked(r.text) == [], typed
        r = huda.post(f"{API}/faq", faq)
        assert r.status_code == 400 and leaked(r.text) == [], typed
