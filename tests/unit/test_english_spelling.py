"""bot.nlu.english_spelling: English chat shorthand and typing slips read as the words
meant, and only those."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.english_spelling import SPELLED_TEXT, correct, correct_words, text_for_encoder
from bot.nlu.tokenizer import ArabicTokenizer


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("condtions", "conditions"),  # a letter missed
        ("citizn", "citizen"),
        ("acount", "account"),  # missed, not "amount" mistyped
        ("objeciton", "objection"),  # two letters swapped
        ("chnage", "change"),
        ("paymnet", "payment"),
        ("passsword", "password"),  # a letter doubled
        ("r", "are"),  # shorthand
        ("pls", "please"),
    ],
)
def test_a_slip_or_shorthand_is_the_word_meant(typed, meant):
    assert correct(typed) == meant


@pytest.mark.parametrize("word", ["iqama", "daman", "masmoo", "4", "2026", "IBAN", "Riyadh", "is"])
def test_names_numbers_and_known_words_stay_as_typed(word):
    assert correct(word) == word


def test_the_tokenizer_reads_english_with_the_words_meant_and_keeps_what_was_typed():
    config = {**ArabicTokenizer.get_default_config(), "english_spelling": True}
    message = Message(data={"text": "wat r the condtions 4 citizn acount?"})
    tokens = ArabicTokenizer(config).tokenize(message, "text")
    assert [t.lemma for t in tokens] == [
        "what",
        "are",
        "the",
        "conditions",
        "4",
        "citizen",
        "account",
    ]
    assert [t.text for t in tokens][3] == "condtions"  # offsets and text untouched
    assert text_for_encoder(message) == "what are the conditions 4 citizen account?"
    # Arabic, Arabizi and the switch turned off: nothing of it.
    off = ArabicTokenizer(ArabicTokenizer.get_default_config())
    plain = Message(data={"text": "wat r the condtions"})
    assert [t.lemma for t in off.tokenize(plain, "text")][-1] == "condtions"
    assert plain.get(SPELLED_TEXT) is None and text_for_encoder(plain) == "wat r the condtions"
    arabic = Message(data={"text": "وش الشروط"})
    ArabicTokenizer(config).tokenize(arabic, "text")
    assert arabic.get(SPELLED_TEXT) is None


def test_a_message_of_known_words_is_unchanged():
    words = "how do i change my iban in the portal".split()
    assert correct_words(words) == words
