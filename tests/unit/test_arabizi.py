"""Arabizi: the detector (bot.nlu.script), the lexicon and transliterator
(bot.nlu.arabizi_lexicon, bot.nlu.arabizi), and the tokenizer step that reads Arabizi
through its Arabic spelling. The messages of bench/arabizi_dev.yml are a development
set written with the transliterator, not held-out data."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu.arabizi import (
    WORDS_FILE,
    arabic_key,
    consonants,
    from_vocabulary,
    latin_keys,
    letters,
    to_arabic,
    transliterate_word,
    transliterate_words,
    vocabulary,
)
from bot.nlu.arabizi_lexicon import is_listed, lookup, spelling_key
from bot.nlu.english_words import is_english
from bot.nlu.script import (
    ARABIC,
    ARABIZI,
    ENGLISH,
    digit_letter_word,
    identifier_like,
    language_of,
    word_evidence,
)

DEV = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "bench" / "arabizi_dev.yml").read_text("utf-8")
)


# --------------------------------------------------------------------- detector
@pytest.mark.parametrize(
    "text",
    [
        "ab8a a3rf 7alat e3tradi",
        "wesh shroot 7sab almowaten",
        "kaif a3'ayer el iban",
        "nseet kalmat el sr",
        "KAIF A3'AYER EL IBAN",
        "salam",
        "shukran ya 5ooy",
        "la",
        "wesh fee",  # "fee" is English too: it counts for neither side
        "hi 7abibi",  # a digit letter outweighs one English word
    ],
)
def test_arabizi_is_detected(text):
    assert language_of(text) == ARABIZI


@pytest.mark.parametrize(
    "text",
    [
        "how do I change my IBAN",
        "hi",
        "thanks",
        "what are the conditions",
        "ok",
        "what is the fee",
        "we want to register",
        "call me at 9pm",
        "my son is 7yo",
        "5G phone",
        "see you 2day",
        "my IBAN is SA0380000000608010167519",
        "error 503 on windows10",
        "update my iqama details",  # an Arabic word inside English stays English
        "what is sotak masmoo",  # tie: English
        "asdf qwerty",  # unknown words: English, the safe side
        "I wish to change the bank",
        "how to register in 7sab almowaten",  # English carries it
    ],
)
def test_english_is_not_arabizi(text):
    assert language_of(text) == ENGLISH


@pytest.mark.parametrize(
    "text", ["كيف اغير الايبان", "نسيت password", "انت AI", "", "12345", "👍", "؟"]
)
def test_arabic_script_and_letterless_text_is_arabic(text):
    assert language_of(text) == ARABIC


def test_dev_set_detection_is_exact():
    assert [t for t, _ in DEV["arabizi"] if language_of(t) != ARABIZI] == []
    assert [t for t in DEV["english"] if language_of(t) != ENGLISH] == []
    assert len(DEV["arabizi"]) >= 40 and len(DEV["english"]) >= 30


@pytest.mark.parametrize(
    "word, expected",
    [
        ("7sab", True),
        ("e3tradi", True),
        ("a3'ayer", True),
        ("at7a88a8", True),  # a doubled letter digit is a doubled letter
        ("2ana", True),
        ("9pm", False),
        ("7yo", False),
        ("5g", False),
        ("2day", False),
        ("gr8", False),
        ("sa0380", False),
        ("win10", False),
        ("hello", False),
        ("17", False),
    ],
)
def test_digit_letter_word(word, expected):
    assert digit_letter_word(word) is expected


def test_identifier_like():
    assert identifier_like("sa038") and identifier_like("a12") and identifier_like("x999")
    assert not identifier_like("a88a") and not identifier_like("7sab")


def test_word_evidence():
    assert word_evidence("7sab") == (2, 0)
    assert word_evidence("wesh") == (1, 0)
    assert word_evidence("change") == (0, 1)
    assert word_evidence("fee") == (0, 0)  # في and English alike
    assert word_evidence("riyadh") == (0, 0)
    assert word_evidence("2024") == (0, 0)


def test_english_words_with_endings():
    assert is_english("changed") and is_english("registering") and is_english("payments")
    assert not is_english("almowaten") and not is_english("shroot")


# ----------------------------------------------------------------------- lexicon
@pytest.mark.parametrize(
    "a, b",
    [("ab8a", "abgha"), ("ab8a", "abqa"), ("kaif", "keef"), ("kaif", "kef"), ("wain", "wen")],
)
def test_spelling_key_folds_variants(a, b):
    assert spelling_key(a) == spelling_key(b)


def test_spelling_key_keeps_letters_apart():
    assert spelling_key("7ala") != spelling_key("hala")  # حاله, هلا
    assert spelling_key("3ndi") != spelling_key("ndi")
    assert spelling_key("a3'ayer") == spelling_key("aghayer")


def test_lookup_exact_and_fuzzy():
    assert lookup("wesh") == "وش" and lookup("WSH") == "وش"
    assert lookup("almwtn") is None and lookup("tasgeel") is None  # not listed as such
    assert lookup("almwtn", fuzzy=True) == "المواطن"  # one edit from "almwatn"
    assert lookup("tasgeel", fuzzy=True) == "تسجيل"
    assert lookup("tsgl", fuzzy=True) is None  # two edits away
    assert lookup("mx") is None and lookup("mx", fuzzy=True) is None
    assert is_listed("shroot") and is_listed("shorot") and not is_listed("change")


# ------------------------------------------------------------------ transliterate
@pytest.mark.parametrize(
    "word, arabic",
    [
        ("wesh", "وش"),
        ("ab8a", "ابغى"),
        ("7sab", "حساب"),
        ("almowaten", "المواطن"),
        ("e3tradi", "اعتراضي"),
        ("a3'ayer", "اغير"),
        ("nseet", "نسيت"),
        ("iban", "ايبان"),
        ("password", "باسورد"),
        ("7sabi", "حسابي"),  # listed word + suffix
        ("kalmati", "كلمتي"),  # ة before a suffix is ت
        ("wel7sab", "والحساب"),  # conjunction + article
        ("essir", "السر"),  # assimilated article
        ("tasjeel", "تسجيل"),  # the training data's word
        ("6ree8at", "طريقه"),
        ("a9eef", "اضيف"),  # 9 read as ض when that is the training word
        ("ya5ith", "ياخذ"),  # th read as ذ
        ("17", "17"),
        ("SA0380000000608010167519", "SA0380000000608010167519"),
        ("robot", "روبوت"),
        ("problem", "problem"),  # English inside Arabizi stays English
    ],
)
def test_transliterate_word(word, arabic):
    assert transliterate_word(word) == arabic


def test_letters_spell_an_unknown_word():
    assert letters("5arboo6") == "خربوط"  # digits as letters, a long vowel written
    assert letters("3ndak") == "عندك"  # short vowels dropped
    assert letters("ebn") == "ابن"  # initial vowel as ا
    assert letters("mado") == "مدو"  # final -o و
    assert letters("shaghle") == "شغله"  # final -e ه
    assert letters("ma7fathat") == "محفثة"  # final -at ة
    assert letters("2akl") == "اكل"  # initial hamza
    assert letters("7ayat") == "حية"  # y before a vowel is a consonant


def test_transliterate_words_joins_a_lone_article():
    assert transliterate_words(["kaif", "a3'ayer", "el", "iban"]) == ["كيف", "اغير", "", "الايبان"]
    assert transliterate_words(["wel", "jawal"]) == ["", "والجوال"]
    assert transliterate_words(["l", "7sab"]) == ["", "لحساب"]
    assert transliterate_words(["el", "3omala"]) == ["", "العملاء"]
    assert transliterate_words(["el", "app"]) == ["", "الاب"]
    assert transliterate_words(["update", "el", "problem"]) == ["update", "ال", "problem"]
    assert transliterate_words(["el"]) == ["ال"]


def test_to_arabic():
    assert to_arabic("ab8a a3rf 7alat e3tradi") == "ابغى اعرف حاله اعتراضي"
    assert to_arabic("wesh shroot 7sab almowaten") == "وش شروط حساب المواطن"
    assert to_arabic("kaif a3'ayer el iban") == "كيف اغير الايبان"
    assert to_arabic("nseet kalmat el sr") == "نسيت كلمه السر"
    assert to_arabic("3omri 17, a8dar asajel?") == "عمري 17, اقدر اسجل?"
    for text in DEV["english"] + ["كيف اغير الايبان", ""]:
        assert to_arabic(text) == text


def test_dev_set_transliterates_to_arabic_script():
    for text, _ in DEV["arabizi"]:
        arabic = to_arabic(text)
        assert not any("a" <= ch <= "z" for ch in arabic.lower()), (text, arabic)


def test_sound_keys():
    assert latin_keys("tasjeel") == ["TASJYL"]
    assert latin_keys("ya5ith")[:3] == ["YAXYT", "YAXYD", "YAXYZ"]
    assert arabic_key("تسجيل") == "TSJYL" and arabic_key("ظروف") == "ZRWF"
    assert consonants("TASJYL") == "TSJL" == consonants(arabic_key("تسجيل"))


def test_vocabulary_file_is_the_training_words():
    lines = WORDS_FILE.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#")
    rows = [line.split("\t") for line in lines[1:]]
    assert all(len(r) == 2 and r[1].isdigit() for r in rows)
    counts = [int(r[1]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    words = {r[0] for r in rows}
    assert {"حساب", "المواطن", "الاعتراض", "الايبان"} <= words
    assert vocabulary()["TSJL"]
    assert from_vocabulary("qzqzqz") is None


def test_vocabulary_render_keeps_arabic_words_only():
    from bot.tools.arabizi_words import HEADER, render

    text = render(["وش شروط التسجيل؟", "how to register 123", "التسجيل"])
    assert text == HEADER + "التسجيل\t2\nشروط\t1\nوش\t1\n"


# ---------------------------------------------------------------------- tokenizer
def _tokens(text, **config):
    from rasa.nlu.constants import TOKENS_NAMES
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import ArabicTokenizer

    tokenizer = ArabicTokenizer({**ArabicTokenizer.get_default_config(), **config})
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message, message.get(TOKENS_NAMES[TEXT])


def test_tokenizer_reads_arabizi_in_arabic_and_keeps_the_text():
    text = "kaif a3'ayer el iban?"
    message, tokens = _tokens(text, dialect=True, arabizi=True)
    assert message.get("text") == text
    assert [t.text for t in tokens] == ["kaif", "a3'ayer", "iban"]
    for token in tokens:
        assert text[token.start : token.end] == token.text
    assert [t.lemma for t in tokens] == ["كيف", "اغير", "الايبان"]


def test_tokenizer_folds_transliterated_dialect_words():
    _, tokens = _tokens("ab8a a3rf", dialect=True, arabizi=True)
    assert [t.lemma for t in tokens] == ["ابي", "اعرف"]  # ابغى -> ابي, as for Arabic


def test_tokenizer_leaves_english_and_arabizi_when_off():
    _, tokens = _tokens("how do I change my IBAN", dialect=True, arabizi=True)
    assert [t.lemma for t in tokens] == ["how", "do", "i", "change", "my", "iban"]
    _, tokens = _tokens("kaif a3'ayer el iban", dialect=True)
    assert [t.lemma for t in tokens] == ["kaif", "a3", "ayer", "el", "iban"]


def test_tokenizer_transliterates_the_text_attribute_only():
    from rasa.shared.nlu.constants import INTENT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.tokenizer import ArabicTokenizer

    tokenizer = ArabicTokenizer({**ArabicTokenizer.get_default_config(), "arabizi": True})
    tokens = tokenizer.tokenize(Message(data={INTENT: "wesh sar"}), INTENT)
    assert [t.lemma for t in tokens] == ["wesh", "sar"]


def test_classifier_trained_on_arabic_understands_arabizi(tmp_path):
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.linear_classifier import LinearIntentClassifier
    from bot.nlu.tokenizer import ArabicTokenizer

    examples = {
        "password": ["نسيت كلمة السر", "كيف اغير كلمة المرور", "نسيت الباسورد"],
        "iban": ["كيف اغير الايبان", "تغيير الايبان", "ابي اغير البنك"],
        "objection": ["ابي اعرف حالة اعتراضي", "وين وصل اعتراضي", "حالة اعتراضي"],
        "english": ["how do I change my IBAN", "forgot my password"],
    }
    data = TrainingData(
        [Message(data={TEXT: t, INTENT: i}) for i, texts in examples.items() for t in texts]
    )
    tokenizer = ArabicTokenizer(
        {**ArabicTokenizer.get_default_config(), "dialect": True, "arabizi": True}
    )
    classifier = LinearIntentClassifier.create(
        LinearIntentClassifier.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("linear_intent"),
        ExecutionContext(GraphSchema({}), node_name="linear_intent"),
    )
    tokenizer.process_training_data(data)
    classifier.train(data)
    texts = ["nseet kalmat el sr", "kaif a3'ayer el iban", "ab8a a3rf 7alat e3tradi"]
    messages = [Message(data={TEXT: t}) for t in texts]
    tokenizer.process(messages)
    classifier.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["password", "iban", "objection"]


def test_channels_pass_arabizi_on_as_typed():
    from channels.text import clean

    assert clean(" kaif a3'ayer el iban ") == "kaif a3'ayer el iban"
