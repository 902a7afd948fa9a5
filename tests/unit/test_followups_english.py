"""Follow-ups in English: the English twin of every answer (bot/content/en/followups.yml,
same keys and placeholders as the Arabic), the picker rendering it when the conversation is
in English, and the English shapes the follow-up reader knows
(bot.services.followups.english)."""

import re

import pytest
import yaml

from bot.content import CONTENT_DIR, fill, followup_content, followup_text, followup_words
from bot.nlu.language import detect_language
from bot.services.followups import picker
from bot.services.followups.english import read_english
from bot.services.followups.shapes import Ellipsis

PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")


def _english():
    return yaml.safe_load((CONTENT_DIR / "en" / "followups.yml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ parity


def test_english_has_every_answer_group_and_title_and_nothing_else():
    arabic, english = followup_content(), _english()
    assert set(english["answers"]) == set(arabic["answers"])
    assert set(english["groups"]) == set(arabic["groups"])
    assert set(english["titles"]) == set(arabic["titles"])
    assert english["unknown_choices"]


@pytest.mark.parametrize("key", sorted(followup_content()["answers"]))
def test_each_english_answer_keeps_the_placeholders_and_reads_as_english(key):
    arabic, english = followup_text(key), followup_text(key, "en")
    assert sorted(PLACEHOLDER.findall(arabic)) == sorted(PLACEHOLDER.findall(english)), key
    assert not ARABIC_LETTER.search(english), key
    # Numbers come from program.yml in both languages, never written into the English.
    assert "19912" not in english and "90" not in english, key
    filled = fill(english, "en")
    assert detect_language(filled) == "en", key
    assert len(filled) <= 500, f"{key}: {len(filled)} characters for a phone"


@pytest.mark.parametrize("section", ["groups", "titles"])
def test_group_names_and_titles_keep_their_placeholders(section):
    arabic, english = followup_words(section), followup_words(section, "en")
    for name, words in arabic.items():
        assert sorted(PLACEHOLDER.findall(words)) == sorted(PLACEHOLDER.findall(english[name]))
        assert not ARABIC_LETTER.search(fill(english[name], "en")), name


# ------------------------------------------------------------------ rendering


def test_the_picker_answers_in_english_with_english_buttons():
    answer = picker.pick("objection_steps", Ellipsis("how_long"), lang="en")
    assert answer.key == "objection.how_long"
    assert "90 days" in answer.text and not ARABIC_LETTER.search(answer.text)
    assert [b["title"] for b in answer.buttons] == ["My objection status"]
    arabic = picker.pick("objection_steps", Ellipsis("how_long"))
    assert arabic.key == answer.key and ARABIC_LETTER.search(arabic.text)
    assert arabic.buttons[0]["payload"] == answer.buttons[0]["payload"]


def test_the_topic_title_and_group_name_are_english_too():
    answer = picker.pick("working_hours", Ellipsis("who", group="widow"), lang="en")
    assert answer.key == "eligibility.who.widow"
    unknown = picker.pick("registration_steps", Ellipsis("count"), lang="en")
    assert unknown.key == "any.count"
    assert '"How to register"' in unknown.text and "19912" in unknown.text
    who = picker.pick("mobile_app", Ellipsis("who", group="husband"), lang="en")
    assert who.key == "any.who"
    assert "the husband" in who.text and '"Mobile app"' in who.text
    assert not ARABIC_LETTER.search(who.text)


def test_an_age_group_is_filled_with_the_program_age_in_english():
    answer = picker.pick("program_about", Ellipsis("who", age=16), lang="en")
    assert answer.key == "eligibility.who.minor"
    assert "under 18" in answer.text and "{" not in answer.text


def test_a_service_topic_has_an_english_title():
    text = picker.unknown_on_topic("ticket", choices=True, lang="en")
    assert '"your request"' in text and "tap it" in text
    assert not ARABIC_LETTER.search(text)


def test_a_precheck_next_step_in_english_has_english_buttons():
    slots = {"elig_saudi": True, "elig_age": 30, "elig_residence": True}
    answer = picker.pick("precheck", Ellipsis("next"), slots, lang="en")
    if answer is not None and answer.key == "precheck.next":
        assert [b["title"] for b in answer.buttons] == ["How to register", "Eligibility status"]


# ------------------------------------------------------------------ the English shapes


@pytest.mark.parametrize(
    "text, kind, group, age",
    [
        ("and where?", "where", None, None),
        ("Where exactly?", "where", None, None),
        ("where do I find it?", "where", None, None),
        ("where do I upload them?", "where", None, None),
        ("what do I need?", "what", None, None),
        ("What do they need from me?", "what", None, None),
        ("what's required?", "what", None, None),
        ("how long does it take?", "how_long", None, None),
        ("When will they reply?", "how_long", None, None),
        ("and then what?", "next", None, None),
        ("what happens after that?", "next", None, None),
        ("what should I do now?", "next", None, None),
        ("why?", "why", None, None),
        ("Why is that?", "why", None, None),
        ("why was I rejected?", "why_not", None, None),
        ("and the widow?", "who", "widow", None),
        ("what about divorced women?", "who", "divorced", None),
        ("and a foreign wife?", "who", "foreign_wife", None),
        ("what about my wife?", "who", "wife", None),
        ("a single man?", "who", "single", None),
        ("and someone under 18?", "who", None, 17),
        ("what about a 16 year old?", "who", None, 16),
        ("and 20?", "who", None, 20),
        ("is it free?", "cost", None, None),
        ("what's their number?", "phone", None, None),
        ("who do I call?", "phone", None, None),
        ("is there an email?", "channel", None, None),
        ("how much will I get?", "how_much", None, None),
        ("what if they don't reply?", "late", None, None),
        ("what if I don't get the SMS?", "no_sms", None, None),
        ("what if my number changed?", "mobile_changed", None, None),
        ("what if it's rejected?", "rejected", None, None),
        ("and if I'm not eligible?", "rejected", None, None),
        ("do I have to go to the office?", "visit", None, None),
        ("how many times can I object?", "count", None, None),
        ("how?", "how", None, None),
    ],
)
def test_english_elliptical_messages_say_what_they_ask(text, kind, group, age):
    assert read_english(text) == Ellipsis(kind, group, age)


@pytest.mark.parametrize(
    "text",
    [
        "where do I register?",
        "How do I change my IBAN?",
        "how long does an objection take?",
        "when is the payment?",
        "how much is the support?",
        "What are the conditions?",
        "17",
        "yes",
        "ok thanks",
        "wein?",
        "lesh?",
        "kam yakhod wa2t?",
        "وين؟",
        "/faq_pick",
        "where can I find the documents for my objection and the reasons for my payment drop?",
    ],
)
def test_self_contained_english_arabizi_and_arabic_are_not_english_followups(text):
    assert read_english(text) is None


@pytest.mark.parametrize(
    "text, group",
    [
        ("Hello, I am Indian working in Riyadh with iqama 8 years. Can I register?", "foreigner"),
        ("i have iqama, can i apply?", "foreigner"),
        # A Saudi husband or mother makes it another case, left to the NLU.
        ("im filipina married to a saudi guy. can i get support too?", None),
        ("I am Jordanian and my husband is Saudi, am I eligible?", None),
    ],
)
def test_an_expatriate_told_by_nationality_or_iqama_gets_the_nationality_rule(text, group):
    from bot.services.followups.told import read_told

    told = read_told(text)
    assert (told.group if told else None) == group
