"""Labelling -> export -> the exported file: numbers removed, de-duplicated against the
training data after normalisation; and (slow) the file trains and the held-out check runs."""

from __future__ import annotations

import pytest
import yaml

from bot.services.console import review, review_export
from bot.services.training import export
from bot.store import turns


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):
    from bot.store import reset_engine

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    yield url
    reset_engine()


def _label(text, kind, intent=None, note=None):
    turn = turns.record_turn("web:x", "web", 100, facts={"text": text, "intent": "nlu_fallback"})
    review.label(turn, kind, intent, note, "huda")
    return turn


def test_scrub_takes_out_every_personal_and_ticket_number():
    assert review_export.scrub("رقم الهوية 1012345678 وجوالي 0551234567") == "رقم الهوية وجوالي"
    assert review_export.scrub("الايبان SA0380000000608010167519 غلط") == "الايبان غلط"
    assert review_export.scrub("بلاغي رقم ١٢٣٤٥٦٧٨ وش صار") == "بلاغي رقم وش صار"
    assert review_export.scrub("هويتي 10••••••78") == "هويتي"
    assert review_export.scrub("+966 55 123 4567 اتصلوا") == "اتصلوا"
    assert review_export.scrub("الدعم ٥٠٠ ريال") == "الدعم 500 ريال"


def test_the_training_data_is_read_again_once_a_file_changes(tmp_path):
    """The console's checks keep the parsed files; an edited file is parsed again."""
    data = tmp_path / "data"
    data.mkdir()
    nlu = data / "nlu.yml"
    nlu.write_text("nlu:\n  - intent: greet\n    examples: |\n      - هلا\n", encoding="utf-8")
    assert review_export.existing_examples(data) == {"هلا": "greet"}
    nlu.write_text(
        "nlu:\n  - intent: greet\n    examples: |\n      - هلا\n      - مرحبا بك\n",
        encoding="utf-8",
    )
    assert review_export.existing_examples(data) == {"هلا": "greet", "مرحبا بك": "greet"}
    assert review_export.test_set_keys([nlu]) == {"هلا", "مرحبا بك"}
    assert review_export.existing_examples_of(nlu) == ["هلا", "مرحبا بك"]


def test_export_writes_new_examples_only(db, tmp_path):
    existing = review_export.existing_examples()
    known_text = next(iter(existing))  # a normalised training example
    _label("ودي اعرف وش الشروط رقمي 0551234567", "intent", "faq/eligibility_conditions")
    _label("وُدّي اعرف وش الشروط رقمي ١٠١٢٣٤٥٦٧٨", "intent", "faq/eligibility_conditions")  # same
    _label("كم درجة الحرارة في ابها", "out_of_scope")
    _label("ابي اعرف عن الضمان الاجتماعي", "new_topic", note="الضمان الاجتماعي")  # not exported
    _label("اي شي", "ignore")
    _label(known_text, "intent", "greet")
    _label("1012345678", "intent", "inform_identifier")  # nothing left once scrubbed
    out = tmp_path / "reviewed" / "nlu.yml"
    assert export.main(["--out", str(out), "--no-train"]) == 0
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    got = {i["intent"]: [e[2:] for e in i["examples"].splitlines()] for i in doc["nlu"]}
    assert got == {
        "faq/eligibility_conditions": ["ودي اعرف وش الشروط رقمي"],
        "out_of_scope": ["كم درجة الحرارة في ابها"],
    }
    assert not any(ch.isdigit() for ch in out.read_text(encoding="utf-8").split("nlu:")[1])


def test_a_message_of_a_test_set_is_never_exported(db, tmp_path):
    """The held-out and fresh NLU test sets stay held out, whatever a supervisor labels."""
    held_out = "هلا والله بالطيب"  # tests/data/nlu_heldout.yml, greet
    fresh = "وش الهدف من حساب المواطن"  # tests/data/nlu_fresh.yml, faq/program_about
    assert review_export.example_key(held_out) in review_export.test_set_keys()
    assert review_export.example_key(fresh) in review_export.test_set_keys()
    _label(held_out, "intent", "greet")
    _label(fresh, "intent", "faq/program_about")
    _label("كم درجة الحرارة في ابها", "out_of_scope")
    out = tmp_path / "nlu.yml"
    assert export.main(["--out", str(out), "--no-train"]) == 0
    doc = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert {i["intent"]: i["examples"] for i in doc["nlu"]} == {
        "out_of_scope": "- كم درجة الحرارة في ابها\n"
    }


def test_a_text_labelled_two_ways_is_left_out(db, tmp_path):
    _label("ابي اغير رقمي", "intent", "faq/change_mobile")
    _label("ابي اغير رقمي", "intent", "faq/update_data")
    out = tmp_path / "nlu.yml"
    export.main(["--out", str(out), "--no-train"])
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["nlu"] == []


@pytest.mark.model
def test_the_exported_file_trains_and_the_heldout_check_runs(db, tmp_path, capsys):
    _label("ودي اعرف وش شروط الاستحقاق بالضبط", "intent", "faq/eligibility_conditions")
    _label("كم درجة الحرارة في ابها", "out_of_scope")
    out = tmp_path / "nlu.yml"
    status = export.main(["--out", str(out)])
    printed = capsys.readouterr().out
    assert "baseline" in printed and "with_reviewed" in printed and "held-out" in printed
    assert status in (0, 1)
    assert ("GOT WORSE" in printed) == (status == 1)


def test_the_export_can_propose_its_examples_as_a_training_change(db, tmp_path):
    from bot.services.training import changes

    _label("ودي اعرف وش شروط الاستحقاق بالضبط", "intent", "faq/eligibility_conditions")
    assert export.main(["--out", str(tmp_path / "nlu.yml"), "--no-train", "--propose", "huda"]) == 0
    (change,) = changes.listed()
    assert (change["kind"], change["author"], change["state"]) == ("examples", "huda", "pending")
    assert change["payload"]["examples"] == {
        "faq/eligibility_conditions": ["ودي اعرف وش شروط الاستحقاق بالضبط"]
    }


def test_scrub_takes_out_every_form_of_a_number_the_bot_accepts():
    """Whatever reaches it (a label written before labels were masked, a caller that did
    not mask), no number is left readable in a training example."""
    from tests.support.personal_formats import FORMATS, leaked

    for typed in FORMATS:
        text = review_export.scrub(f"ابي اغير {typed} لو سمحت")
        assert leaked(text) == [] and "•" not in text, (typed, text)
        assert text.startswith("ابي اغير") and text.endswith("لو سمحت")
