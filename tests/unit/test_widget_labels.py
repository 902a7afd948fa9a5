"""The web widget's own labels (channels/web/static/widget.js, the LABELS table) in Arabic
and English, and what tells the widget which to show: the server's frames carry the
conversation's language (channels/web/channel.py)."""

import json
import re
from pathlib import Path

from bot.nlu.language import detect_language
from bot.services.language import transcript_language
from channels.web.channel import message_frame

WIDGET = Path(__file__).resolve().parents[2] / "channels" / "web" / "static" / "widget.js"
ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
# Not words a citizen reads: the text direction and the locale of the times.
SETTINGS = ("dir", "locale")


def labels():
    """The table between the two markers in widget.js, read as the JSON it is kept in."""
    source = WIDGET.read_text(encoding="utf-8")
    table = source.split("// labels:begin", 1)[1].split("// labels:end", 1)[0]
    table = table.strip()
    assert table.startswith("var LABELS = ") and table.endswith(";")
    return json.loads(table[len("var LABELS = ") : -1])


def test_arabic_and_english_have_the_same_labels_and_placeholders():
    table = labels()
    assert set(table) == {"ar", "en"}
    assert set(table["ar"]) == set(table["en"])
    for key in table["ar"]:
        assert re.findall(r"\{\w+\}", table["ar"][key]) == re.findall(
            r"\{\w+\}", table["en"][key]
        ), key


def test_english_reads_left_to_right_and_arabic_right_to_left():
    table = labels()
    assert table["ar"]["dir"] == "rtl" and table["en"]["dir"] == "ltr"
    assert table["ar"]["locale"].endswith("-u-nu-latn")  # Western digits in the times
    assert table["en"]["locale"].startswith("en")


def test_each_label_is_in_its_own_language():
    table = labels()
    for key in set(table["en"]) - set(SETTINGS):
        english, arabic = table["en"][key], table["ar"][key]
        assert english and not ARABIC_LETTER.search(english), key
        assert ARABIC_LETTER.search(arabic), key
        if len(english.split()) >= 3:
            assert detect_language(english) == "en", key
            assert detect_language(arabic) == "ar", key


def _message(author, text):
    return {"id": 1, "author": author, "text": text, "buttons": [], "at": "2026-01-01T00:00:00"}


def test_a_bot_message_tells_the_widget_its_language():
    english = message_frame(_message("bot", "Which request do you want to check?"))
    assert english["type"] == "message" and english["lang"] == "en"
    assert message_frame(_message("system", "عذراً، صار عندي خلل مؤقت"))["lang"] == "ar"
    # A number says nothing, and an agent may write in either language: the widget keeps its own.
    assert "lang" not in message_frame(_message("bot", "12345674"))
    assert "lang" not in message_frame(_message("agent", "Hello, how can I help?"))


def test_the_history_says_the_citizens_language_so_far():
    history = [
        _message("citizen", "hello, am I eligible?"),
        _message("bot", "OK 👍 I'll do a quick pre-check"),
        _message("citizen", "35"),
    ]
    assert transcript_language(history) == "en"
    assert transcript_language(history + [_message("citizen", "ابي اكلم موظف")]) == "ar"
    assert transcript_language([_message("citizen", "35")]) is None
