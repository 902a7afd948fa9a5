"""New questions without a developer: a new FAQ is checked and needs a second person, the
retrain refuses a candidate that scores worse, a job cut short reads "interrupted", the
rollout needs someone other than who started the retrain, and a rollback takes the new
question away again. On SQLite and PostgreSQL (app_db); the training and scoring children
are replaced here (tests/e2e/test_retrain.py runs them for real)."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from bot.content import faq_answers, faq_title
from bot.services.content import live
from bot.services.content.decisions import FourEyes, NotTheAuthor
from bot.services.content.workflow import Refused
from bot.services.training import changes, dataset, jobs, rollout
from bot.store import engine, session_scope
from bot.store.audit import AuditEntry
from bot.store.base import utcnow
from bot.store.training import TrainingJob

NEW_FAQ = {
    "key": "temporary_password",
    "title": {"ar": "كلمة المرور المؤقتة", "en": "Temporary password"},
    "answer": {
        "ar": "كلمة المرور المؤقتة توصلك برسالة نصية على جوالك. ادخل بها البوابة مع رقم "
        "الهوية، وبعدها غيّرها بكلمة مرور جديدة.",
        "en": "The temporary password comes by text message to your mobile. Sign in to the "
        "portal with it and your ID number, then change it to a new password.",
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
        "ما وصلتني كلمة المرور المؤقتة",
        "what do I do with the temporary password",
        "temporary password sms",
    ],
}
SCORES = {"heldout": {"accuracy": 90.0, "n": 400}, "fresh": {"accuracy": 80.0, "n": 300}}


@pytest.fixture
def db(app_db):
    live.apply(0, {})
    yield app_db
    live.apply(0, {})


def _codes(faq):
    return sorted({p["code"] for p in changes.check_new_faq(faq)})


def _actions(prefix="training."):
    with session_scope() as s:
        return [
            (e.actor, e.action)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if e.action.startswith(prefix)
        ]


def test_migration_matches_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.base import Base

    importlib.import_module("bot.store.training")
    with engine().connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diff if "training_" in repr(d) or "model_releases" in repr(d)]
    assert mine == []


def test_a_new_faq_is_checked_like_a_text_and_needs_ten_phrasings(db):
    assert _codes(NEW_FAQ) == []
    assert _codes(dict(NEW_FAQ, examples=NEW_FAQ["examples"][:9])) == ["too_few_examples"]
    # Ten phrasings that are one phrasing written ten ways are one.
    assert _codes(dict(NEW_FAQ, examples=["كلمة المرور المؤقتة"] * 10)) == ["too_few_examples"]
    assert _codes(dict(NEW_FAQ, key="contact_channels")) == ["key_taken"]
    assert _codes(dict(NEW_FAQ, key="Bad Key")) == ["bad_key"]
    no_english = dict(NEW_FAQ, answer={"ar": NEW_FAQ["answer"]["ar"], "en": ""})
    assert _codes(no_english) == ["empty"]
    long_title = dict(NEW_FAQ, title={"ar": "كلمة المرور المؤقتة للمستفيد", "en": "x"})
    assert _codes(long_title) == ["too_long"]
    bad_fact = dict(NEW_FAQ, answer={"ar": "اتصل على {contact.fax}", "en": "Call"})
    assert "unknown_placeholder" in _codes(bad_fact)
    english_only = dict(NEW_FAQ, answer={"ar": "Call us", "en": "Call us"})
    assert _codes(english_only) == ["not_arabic"]


def test_a_phrasing_of_a_test_set_or_of_another_intent_is_refused(db):
    from bot.services.console.review_export import HELDOUT, existing_examples_of

    held = existing_examples_of(HELDOUT)[0]
    taken = next(iter(changes.review_export.existing_examples()))
    found = changes.check_new_faq(dict(NEW_FAQ, examples=NEW_FAQ["examples"] + [held, taken]))
    assert {p["code"] for p in found} == {"example_in_test_set", "example_taken"}


def test_four_eyes_on_a_training_change(db):
    change = changes.propose_new_faq(NEW_FAQ, "huda")
    with pytest.raises(FourEyes):
        changes.approve(change["id"], "huda")
    with pytest.raises(NotTheAuthor):
        changes.withdraw(change["id"], "nora")
    with pytest.raises(Refused):  # the same key again while the first waits
        changes.propose_new_faq(NEW_FAQ, "omar")
    assert changes.approve(change["id"], "nora")["state"] == "approved"
    with pytest.raises(ValueError):
        changes.reject(change["id"], "omar")
    assert _actions() == [
        ("agent:huda", "training.proposed"),
        ("agent:huda", "training.own_approval_refused"),
        ("agent:nora", "training.approved"),
    ]


def test_the_candidate_is_refused_when_a_set_drops_more_than_half_a_point(db):
    def candidate(heldout, fresh, wrong=()):
        own = {"accuracy": 100.0, "n": 11, "wrong": [list(w) for w in wrong]}
        return {"heldout": {"accuracy": heldout}, "fresh": {"accuracy": fresh}, "own": own}

    assert jobs.judge(SCORES, candidate(89.6, 79.5)) == []
    assert jobs.judge(SCORES, candidate(91.0, 85.0)) == []
    reasons = jobs.judge(SCORES, candidate(89.4, 80.0))
    assert [(r["code"], r["set"]) for r in reasons] == [("set_dropped", "heldout")]
    reasons = jobs.judge(SCORES, candidate(90.0, 79.0))
    assert [(r["code"], r["set"]) for r in reasons] == [("set_dropped", "fresh")]
    wrong = [("وش اسوي بالباسورد المؤقت", "faq/temporary_password", "faq/password_recovery")]
    assert [r["code"] for r in jobs.judge(SCORES, candidate(90, 80, wrong))] == [
        "own_examples_not_understood"
    ]


def test_the_candidate_data_holds_the_new_faq_and_its_answer(db, tmp_path):
    change = changes.propose_new_faq(NEW_FAQ, "huda")
    changes.approve(change["id"], "nora")
    with session_scope() as s:
        data, domain = dataset.write(tmp_path, changes.approved(s))
    nlu = yaml.safe_load((data / dataset.DATA_FILE).read_text(encoding="utf-8"))["nlu"]
    assert nlu[0]["intent"] == "faq/temporary_password"
    assert len(nlu[0]["examples"].splitlines()) == len(NEW_FAQ["examples"])
    responses = yaml.safe_load((domain / dataset.DOMAIN_FILE).read_text(encoding="utf-8"))
    english, arabic = responses["responses"]["utter_faq/temporary_password"]
    assert english["condition"][0]["value"] == "en" and arabic["text"].startswith("كلمة")
    assert (data / "core" / "nlu.yml").exists() and (domain / "faq.yml").exists()


def _approved_faq():
    change = changes.propose_new_faq(NEW_FAQ, "huda")
    changes.approve(change["id"], "nora")


def _fake_children(monkeypatch, tmp_path, candidate_scores, fail=False):
    """The job's children replaced: training writes a file, scoring returns the given
    numbers (the model served now: SCORES)."""

    def child(cmd, job_id, start, end, expected, log):
        if fail:
            raise RuntimeError("rasa train exited with 1")
        out = cmd[cmd.index("--out") + 1]
        (jobs.Path(out) / "candidate.tar.gz").write_bytes(b"model " + str(job_id).encode())
        return 1.0

    def score(model, sets_file, job_id, start, end, log):
        sets = json.loads(sets_file.read_text(encoding="utf-8"))
        assert len(sets["own"]) == len(NEW_FAQ["examples"]) and len(sets["heldout"]) > 100
        return candidate_scores if model.name == "candidate.tar.gz" else SCORES

    monkeypatch.setattr(jobs, "_child", child)
    monkeypatch.setattr(jobs, "_score", score)
    monkeypatch.setattr(rollout, "start_model", lambda: tmp_path / "start.tar.gz")


def _run(by="huda"):
    job = jobs.start(by, runner=lambda job_id: None)
    jobs.run(job["id"])
    return jobs.get(job["id"])


def test_a_candidate_that_scores_worse_is_refused_with_its_reasons(db, monkeypatch, tmp_path):
    _approved_faq()
    worse = dict(SCORES, heldout={"accuracy": 88.0, "n": 400}, own={"n": 11, "wrong": []})
    _fake_children(monkeypatch, tmp_path, worse)
    job = _run()
    assert job["state"] == "refused" and job["progress"] == 100
    assert [r["code"] for r in job["reasons"]] == ["set_dropped"]
    assert job["scores"]["candidate"]["heldout"]["accuracy"] == 88.0
    with pytest.raises(rollout.NotReady):
        rollout.approve(job["id"], "nora")
    assert ("system", "training.refused") in _actions()


def test_a_failed_training_says_why(db, monkeypatch, tmp_path):
    _approved_faq()
    _fake_children(monkeypatch, tmp_path, SCORES, fail=True)
    job = _run()
    assert job["state"] == "failed" and "rasa train exited with 1" in job["log"]


def test_one_retrain_at_a_time_and_a_stopped_one_reads_interrupted(db):
    with pytest.raises(jobs.NothingToTrain):
        jobs.start("huda")
    _approved_faq()
    first = jobs.start("huda", runner=lambda job_id: None)  # "runs" and never beats again
    with pytest.raises(jobs.Busy):
        jobs.start("omar", runner=lambda job_id: None)
    with session_scope() as s:
        s.get(TrainingJob, first["id"]).beat_at = utcnow() - timedelta(minutes=5)
    second = jobs.start("omar", runner=lambda job_id: None)
    assert jobs.get(first["id"])["state"] == "interrupted"
    assert second["state"] == "queued"


def test_rollout_needs_a_second_person_and_a_rollback_takes_the_question_away(
    db, monkeypatch, tmp_path
):
    _approved_faq()
    good = dict(SCORES, own={"n": 11, "wrong": []})
    _fake_children(monkeypatch, tmp_path, good)
    job = _run(by="huda")
    assert job["state"] == "ready" and job["reasons"] == []
    assert "temporary_password" not in faq_answers()
    with pytest.raises(FourEyes):
        rollout.approve(job["id"], "huda")
    # The approver's request may reach another host: the candidate is in the database.
    jobs.remove_work(job["id"])
    released = rollout.approve(job["id"], "nora")
    assert rollout.newest_release() == (released["release"], job["model_sha"])
    assert rollout.release_file(released["release"]).read_bytes().startswith(b"model ")

    live.refresh()  # every process serves the new question's texts with the model
    assert faq_title("temporary_password", "en") == "Temporary password"
    assert "temporary_password" in faq_answers()

    back = rollout.rollback("nora")
    assert back["sha"] is None and rollout.newest_release() == (back["release"], None)
    live.refresh()
    assert "temporary_password" not in faq_answers()
    with pytest.raises(LookupError):  # the start model is served: nothing to go back to
        rollout.rollback("nora")
    assert [a for a in _actions() if a[1].startswith("training.rol")] == [
        ("agent:nora", "training.rolled_out"),
        ("agent:nora", "training.rolled_back"),
    ]


def test_a_rolled_out_question_is_edited_like_any_answer(db, monkeypatch, tmp_path):
    """Its answer and title are content items: draft, approval by another, publish; the
    item's history starts from the trained text; a rollback of the model hides the edit."""
    from bot.content import faq_text
    from bot.services.content import workflow

    _approved_faq()
    _fake_children(monkeypatch, tmp_path, dict(SCORES, own={"n": 11, "wrong": []}))
    rollout.approve(_run(by="huda")["id"], "nora")
    live.refresh()
    (item,) = [i for i in workflow.items("temporary_password") if i["key"].startswith("faq.")]
    assert item["texts"]["ar"] == NEW_FAQ["answer"]["ar"] and not item["edited"]
    better = "توصلك كلمة المرور المؤقتة برسالة نصية. ادخل بها البوابة وغيّرها بعدها مباشرة."
    change = workflow.propose("faq.temporary_password", {"ar": better}, "huda")
    with pytest.raises(FourEyes):
        workflow.approve(change["id"], "huda")
    workflow.approve(change["id"], "nora")
    workflow.publish("nora")
    live.refresh()
    assert faq_text("temporary_password") == better
    assert faq_text("temporary_password", "en") == NEW_FAQ["answer"]["en"]
    versions = workflow.history("faq.temporary_password")
    assert [v["kind"] for v in versions] == ["publish", "seed"]
    assert versions[-1]["texts"]["ar"] == NEW_FAQ["answer"]["ar"]

    # The content export writes it back as the seed files have their questions, with
    # its phrasings as training data for bot/data/, so version control holds it.
    from bot.services.console import review_export
    from bot.services.content import export

    written = {p.relative_to(tmp_path / "out").as_posix() for p in export.export(tmp_path / "out")}
    assert {"faq.yml", "en/faq.yml", "faq_titles.yml", "en/faq_titles.yml"} <= written
    assert "data/new_questions/nlu.yml" in written

    def exported(name):
        return yaml.safe_load((tmp_path / "out" / name).read_text(encoding="utf-8"))

    assert exported("faq.yml")["temporary_password"]["text"] == better
    assert exported("en/faq_titles.yml")["temporary_password"] == NEW_FAQ["title"]["en"]
    assert "eligibility_conditions" in exported("faq.yml")  # the whole file, not a fragment
    found = review_export.existing_examples(tmp_path / "out" / "data")
    assert set(found.values()) == {"faq/temporary_password"}
    assert len(found) == len(NEW_FAQ["examples"])

    rollout.rollback("nora")
    live.refresh()
    assert "temporary_password" not in faq_answers()  # the edit does not bring it back
