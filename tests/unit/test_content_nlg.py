"""Rasa's response generator with the published words: the domain as trained, the
wording as published now (bot/content/nlg.py), so no retraining for a text or a fact."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.content import seed
from bot.content.nlg import LiveResponses
from bot.services.content import live

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def nlg(domain, monkeypatch):
    monkeypatch.setattr(live, "watch", lambda: None)  # no database here
    live.apply(0, {})
    yield LiveResponses(domain=domain)
    live.apply(0, {})


def _say(nlg, domain, action, lang="ar"):
    tracker = DialogueStateTracker.from_events("c", [SlotSet("language", lang)], domain.slots)
    return asyncio.run(nlg.generate(action, tracker, "rest"))


def test_without_a_release_the_replies_are_the_domain_s(nlg, domain):
    said = _say(nlg, domain, "utter_faq/contact_channels")
    trained = domain.responses["utter_faq/contact_channels"][1]
    assert said["text"] == trained["text"] and "19912" in said["text"]
    assert said["buttons"][0]["payload"] == "/open_ticket"
    assert _say(nlg, domain, "utter_faq/contact_channels", "en")["text"].startswith(
        "Ways to contact"
    )
    assert _say(nlg, domain, "utter_greet")["text"].startswith("هلا والله")


def test_a_published_release_changes_the_next_reply(nlg, domain):
    live.apply(
        7,
        {
            "program.contact.unified_number|ar": "19913",
            "faq.contact_channels|en": "Call {contact.unified_number}.",
            "response.utter_default|ar": "ما فهمت عليك. اتصل على {contact.unified_number}.",
            "button.human_handoff|ar": "كلم موظف",
        },
    )
    assert "19913" in _say(nlg, domain, "utter_faq/contact_channels")["text"]
    said = _say(nlg, domain, "utter_faq/contact_channels", "en")
    assert said["text"] == "Call 19913." and said["buttons"][1]["payload"] == "/human_handoff"
    assert [b["title"] for b in _say(nlg, domain, "utter_faq/contact_channels")["buttons"]] == [
        "افتح بلاغ",
        "كلم موظف",
    ]
    assert _say(nlg, domain, "utter_default")["text"] == "ما فهمت عليك. اتصل على 19913."
    # A slot in an edited reply is still Rasa's to fill.
    live.apply(8, {"response.utter_offer_service|ar": "اضغط «{request}» وابدأ"})
    tracker = DialogueStateTracker.from_events("c", [], domain.slots)
    said = asyncio.run(nlg.generate("utter_offer_service", tracker, "rest", request="افتح بلاغ"))
    assert said["text"] == "اضغط «افتح بلاغ» وابدأ"
    assert seed("program.yml")["contact"]["unified_number"] == "19912"  # the seed untouched
