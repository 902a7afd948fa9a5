"""Program content: facts are written once, answers fit a phone, the domain is current."""

import re

import pytest
import yaml

from bot.content import (
    CONTENT_DIR,
    button,
    buttons_catalogue,
    fact,
    faq_answers,
    faq_title,
    fill,
    render,
)

SEEDS = CONTENT_DIR.parents[2].parent / "shared" / "seeds"


def test_generated_faq_domain_is_current():
    assert render.main(["--check"]) == 0, "run: python -m bot.content.render"


def test_fill_replaces_every_placeholder_with_a_fact():
    assert fill("اتصل على {contact.unified_number}") == "اتصل على 19912"
    with pytest.raises(KeyError):
        fill("{contact.no_such_fact}")


@pytest.mark.parametrize("key", sorted(faq_answers()))
def test_every_answer_is_short_complete_and_sourced(key):
    answer = faq_answers()[key]
    text = fill(answer["text"])
    assert "{" not in text and "}" not in text
    assert 80 <= len(text) <= 600, f"{key}: {len(text)} characters"
    assert re.fullmatch(r"\d{3}(, \d{3})*", answer["source"]), "cite the seed files"
    assert faq_title(key)


def test_numbers_in_answers_come_from_the_facts_file():
    """No answer hard-codes the phone number, hours or reply time."""
    for key, answer in faq_answers().items():
        assert "19912" not in answer["text"] and "19911" not in answer["text"], key
        assert "90" not in answer["text"], key


def test_unified_number_is_19912_not_19911():
    assert fact("contact.unified_number") == "19912"


def test_button_titles_fit_whatsapp_reply_buttons():
    for name in buttons_catalogue():
        assert len(button(name)["title"]) <= 20, name


def test_faq_buttons_point_to_known_answers():
    for name, spec in buttons_catalogue().items():
        if "faq" in spec:
            assert spec["faq"] in faq_answers(), name
    for key, answer in faq_answers().items():
        for name in answer.get("buttons", []):
            assert name in buttons_catalogue(), (key, name)


def test_every_faq_has_training_and_heldout_examples():
    root = CONTENT_DIR.parents[1]
    train = yaml.safe_load((root / "bot" / "data" / "core" / "nlu.yml").read_text())["nlu"]
    heldout = yaml.safe_load((root / "tests" / "data" / "nlu_heldout.yml").read_text())["nlu"]
    for data, minimum in ((train, 25), (heldout, 10)):
        counts = {
            item["intent"]: len(
                [l for l in item["examples"].splitlines() if l.strip().startswith("-")]
            )
            for item in data
            if "intent" in item
        }
        for key, answer in faq_answers().items():
            if "derived_from" in answer:
                # An answer chosen by the age in the question is trained and held out
                # as the answer it derives from (bot/nlu/faq_shapes.py).
                assert answer["derived_from"] in faq_answers(), key
                continue
            assert counts.get(f"faq/{key}", 0) >= minimum, key
