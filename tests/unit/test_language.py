"""The reply language: the detector (bot/nlu/language.py), the NLU component that turns it
into the `language` entity, and the conversation's language for replies Rasa does not write."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language import detect_language
from bot.nlu.language_tagger import LanguageTagger
from bot.services import language as conversation


@pytest.mark.parametrize(
    "text",
    [
        "Can a foreign wife of a Saudi benefit?",
        "How do I recover my password",
        "hi",
        "my support stopped",
        "I got my 2nd payment at 8pm, why is it less?",
        "salam, I want to know about the citizen account",
        "Hello, is the support paid on the 10th?",
    ],
)
def test_english(text):
    assert detect_language(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "وش شروط حساب المواطن",
        "هل تستفيد الزوجة الأجنبية؟",
        "ابي اغير الايبان",
        "كيف اسجل في حساب المواطن 2024",
    ],
)
def test_arabic(text):
    assert detect_language(text) == "ar"


@pytest.mark.parametrize(
    "text",
    [
        "ab8a a3rf 7alat e3tradi",
        "3ndi soal 3n el da3m",
        "mar7aba",
        "hala",
        "shukran",
        "wesh shroot hsab almuwaten",
        "kaif asajel",
        "abi a3arf leh nqs el da3m",
    ],
)
def test_arabizi_is_answered_in_arabic(text):
    assert detect_language(text) == "ar"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("How do I change my ايبان", "en"),  # mostly English, one Arabic loanword
        ("ابي اغير IBAN حقي", "ar"),  # mostly Arabic, one Latin acronym
        ("هل يحق لي التسجيل؟ my wife", "ar"),  # as many Arabic words as Latin: Arabic first
        ("My wife is Saudi, هل أستفيد؟", "en"),
    ],
)
def test_mixed_scripts_follow_the_majority(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "1234567890", "19912", "٠٥٠١٢٣٤٥٦٧", "👍", "🙏🙏", "?!", "ok", "iban", "/deny"],
)
def test_text_that_does_not_say_keeps_the_conversations_language(text):
    assert detect_language(text) is None


def test_button_payloads_say_nothing():
    assert detect_language('/faq_pick{"faq_key": "foreign_wife"}') is None
    assert detect_language("/check_eligibility") is None


def _entities(text):
    message = Message.build(text=text)
    LanguageTagger().process([message])
    return message.get("entities") or []


def test_the_tagger_adds_a_language_entity_for_the_slot():
    [entity] = _entities("Can a foreign wife of a Saudi benefit?")
    assert (entity["entity"], entity["value"]) == ("language", "en")
    [entity] = _entities("هل تستفيد الزوجة الأجنبية؟")
    assert entity["value"] == "ar"


def test_the_tagger_adds_nothing_when_the_text_does_not_say():
    assert _entities("1234567890") == []
    assert _entities("👍") == []


def test_the_tagger_keeps_other_entities():
    message = Message.build(text="hello")
    message.set("entities", [{"entity": "faq_key", "value": "x", "start": 0, "end": 1}])
    LanguageTagger().process([message])
    assert [e["entity"] for e in message.get("entities")] == ["faq_key", "language"]


def _transcript(*citizen_texts):
    return [{"author": "citizen", "text": t} for t in citizen_texts] + [
        {"author": "bot", "text": "Hello! I'm the Citizen Account assistant"}
    ]


def test_conversation_language_reads_the_message_first(monkeypatch):
    monkeypatch.setattr(conversation.conversations, "transcript", lambda *a, **k: 1 / 0)
    assert conversation.conversation_language("web:1", "How do I register?") == "en"
    assert conversation.conversation_language("web:1", "كيف اسجل") == "ar"


def test_conversation_language_falls_back_on_the_latest_citizen_message_that_says(monkeypatch):
    history = _transcript("كيف اسجل", "How do I register?", "[صورة]", "12345")
    monkeypatch.setattr(conversation.conversations, "transcript", lambda *a, **k: history)
    assert conversation.conversation_language("web:1", "👍") == "en"
    assert conversation.conversation_language("web:1") == "en"


def test_conversation_language_is_arabic_without_history_or_store(monkeypatch):
    monkeypatch.setattr(conversation.conversations, "transcript", lambda *a, **k: [])
    assert conversation.conversation_language("web:1", "123") == "ar"
    assert conversation.conversation_language(None) == "ar"

    def down(*a, **k):
        raise RuntimeError("store down")

    monkeypatch.setattr(conversation.conversations, "transcript", down)
    assert conversation.conversation_language("web:1") == "ar"


@pytest.mark.parametrize(
    "text",
    [
        "رقم الآيبان حقي SA0380000000608010167519 وايميلي a.b@example.com",
        "شوف الرابط https://portal.example.sa/login وش اسوي",
        "رقم الطلب CA-2024-778812 ما تغير",
    ],
)
def test_addresses_and_numbers_in_an_arabic_message_keep_it_arabic(text):
    """An IBAN, an e-mail, a link or a reference is no English word."""
    assert detect_language(text) == "ar"
