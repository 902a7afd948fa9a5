"""English beside the Arabic: every Arabic text has an English one under the same key and
the other way round, with the same placeholders, and each reads as its own language."""

import re
from pathlib import Path

import pytest
import yaml

from bot.content import (
    CONTENT_DIR,
    button,
    buttons_catalogue,
    case_text,
    eligibility_text,
    english_labels,
    fact,
    faq_answers,
    faq_text,
    faq_title,
    fill,
    message,
)
from bot.nlu.language import detect_language
from bot.services.labels import ARABIC_LABELS

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{([a-z_.]+)(?::[^}]*)?\}")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
# Domain files whose responses are translated (docs/languages.md).
TRANSLATED_DOMAIN = (
    "core.yml",
    "faq.yml",
    "eligibility.yml",
    "tickets.yml",
    "objections.yml",
    "followups.yml",
)
# Wording files kept as nested keys, Arabic beside English (en/cases.yml also names the
# stored keys in `labels`, whose Arabic names are the services' own).
NESTED = ("messages.yml", "eligibility.yml", "cases.yml")


def _load(path):
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def _leaves(tree, prefix=""):
    """{dotted key: text} for every string leaf of a nested mapping."""
    out = {}
    for key, value in tree.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_leaves(value, dotted + "."))
        elif isinstance(value, str):
            out[dotted] = value
    return out


def _placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def _pairs():
    """(where, Arabic text, English text) for every text in bot/content."""
    en = CONTENT_DIR / "en"
    for key in faq_answers():
        yield f"faq.yml:{key}", faq_text(key), faq_text(key, "en")
    titles, titles_en = _load(CONTENT_DIR / "faq_titles.yml"), _load(en / "faq_titles.yml")
    for key in titles:
        yield f"faq_titles.yml:{key}", titles[key], titles_en.get(key)
    buttons_en = _load(en / "buttons.yml")
    for name, spec in buttons_catalogue().items():
        yield f"buttons.yml:{name}", spec["title"], buttons_en.get(name)
    for name in NESTED:
        ar, english = _leaves(_load(CONTENT_DIR / name)), _leaves(_load(en / name))
        for key in ar:
            yield f"{name}:{key}", ar[key], english.get(key)


def test_every_english_key_has_an_arabic_one():
    en = CONTENT_DIR / "en"
    assert set(_load(en / "faq.yml")) == set(faq_answers())
    assert set(_load(en / "faq_titles.yml")) == set(_load(CONTENT_DIR / "faq_titles.yml"))
    assert set(_load(en / "buttons.yml")) == set(buttons_catalogue())
    for name in NESTED:
        english = _load(en / name)
        english.pop("labels", None)
        assert set(_leaves(english)) == set(_leaves(_load(CONTENT_DIR / name))), name
    for kind, arabic in ARABIC_LABELS.items():
        assert set(english_labels(kind)) == set(arabic), kind
    # English facts only reword Arabic ones; numbers are shared.
    for key in _leaves(_load(en / "program.yml")):
        assert isinstance(fact(key), str), key


@pytest.mark.parametrize("where, arabic, english", list(_pairs()), ids=lambda v: str(v)[:40])
def test_every_arabic_text_has_english_with_the_same_placeholders(where, arabic, english):
    assert english, f"{where}: no English text"
    assert _placeholders(arabic) == _placeholders(english), where
    assert not ARABIC_LETTER.search(english), f"{where}: Arabic left in the English text"
    english, arabic = PLACEHOLDER.sub("", english), PLACEHOLDER.sub("", arabic)
    if len(english.split()) >= 4:
        # The channels tell a bot message's language by reading it (WhatsApp's menu hint,
        # the widget's labels, a notification's stop hint).
        assert detect_language(english) == "en", where
        assert detect_language(arabic) == "ar", where


def test_facts_in_words_have_english_wording():
    for dotted, value in _leaves(_load(CONTENT_DIR / "program.yml")).items():
        if ARABIC_LETTER.search(value):
            assert not ARABIC_LETTER.search(str(fact(dotted, "en"))), dotted
    assert fact("contact.unified_number", "en") == "19912"
    assert fill("{contact.working_hours}", "en") == "from 8 am to 8 pm"


@pytest.mark.parametrize("key", sorted(faq_answers()))
def test_english_answers_fit_a_phone_and_read_as_english(key):
    text = fill(faq_text(key, "en"), "en")
    assert 80 <= len(text) <= 600, f"{key}: {len(text)} characters"
    assert "19912" not in faq_text(key, "en") and "90" not in faq_text(key, "en"), key
    assert detect_language(text) == "en"
    assert detect_language(fill(faq_text(key))) == "ar"
    assert faq_title(key, "en") and len(faq_title(key, "en")) <= 20


def test_english_buttons_keep_the_payload_and_fit_whatsapp():
    for name in buttons_catalogue():
        ar, en = button(name), button(name, lang="en")
        assert ar["payload"] == en["payload"]
        assert len(en["title"]) <= 20, name


def test_messages_fill_facts_and_values_in_either_language():
    assert "19912" in message("handoff.unavailable", "en")
    assert message("channel.too_long", "en", limit=1000).count("1000") == 1
    assert message("channel.too_long", limit=1000).count("1000") == 1


def _responses(name):
    return (_load(ROOT / "domain" / name) or {}).get("responses") or {}


def _is_english(variation):
    return any(
        c.get("name") == "language" and c.get("value") == "en"
        for c in variation.get("condition") or []
    )


@pytest.mark.parametrize("name", TRANSLATED_DOMAIN)
def test_every_response_has_an_english_variation_and_an_arabic_default(name):
    for response, variations in _responses(name).items():
        english = [v for v in variations if _is_english(v)]
        arabic = [v for v in variations if not v.get("condition")]
        assert len(english) == 1 and len(arabic) == 1, response
        [en], [ar] = english, arabic
        assert _placeholders(en["text"]) == _placeholders(ar["text"]), response
        assert [b["payload"] for b in en.get("buttons") or []] == [
            b["payload"] for b in ar.get("buttons") or []
        ], response
        assert detect_language(en["text"]) == "en", response
        assert detect_language(ar["text"]) == "ar", response


def _filled(name, dotted, lang):
    """A wording with its program facts filled and its {name} values left as they are."""
    texts = _load(CONTENT_DIR / (f"en/{name}" if lang == "en" else name))
    for part in dotted.split("."):
        texts = texts[part]
    return fill(texts, lang)


def _titles(name, sections):
    en = _leaves(_load(CONTENT_DIR / "en" / name))
    return {k: v for k, v in en.items() if k.split(".")[0] in sections}


@pytest.mark.parametrize(
    "name, sections",
    [("eligibility.yml", ("buttons", "fields")), ("cases.yml", ("forms", "labels"))],
)
def test_english_button_titles_fit_whatsapp(name, sections):
    for key in _titles(name, sections):
        if key.startswith("forms.fields"):
            continue  # a name inside a sentence, not a button
        assert len(_filled(name, key, "en")) <= 20, key


def test_the_english_labels_read_as_english():
    for kind in ARABIC_LABELS:
        for key, title in english_labels(kind).items():
            assert title and not ARABIC_LETTER.search(title), (kind, key)


def test_wording_takes_the_language_and_keeps_the_numbers():
    assert "19912" in case_text("tickets.sms", "en", number="12345674")
    assert "12345674" in case_text("tickets.sms", "en", number="12345674")
    assert case_text("otp.sms", "en", code="123456", minutes=5).startswith("Citizen Account")
    assert "90 days" in case_text("notifications.objection.reply_days", "en")
    assert "90 يوم" in case_text("notifications.objection.reply_days")
    assert eligibility_text("estimate.total", "en", amount=1234) == (
        "💰 Estimated monthly support: 1,234 riyals"
    )
    assert eligibility_text("buttons.all_minors", "en") == "All under 18"
