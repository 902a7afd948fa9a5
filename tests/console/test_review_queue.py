"""What the review queue lists, as the pipeline records it: a button press by its title,
an answer to each question of a form no repeat, a one-time code masked."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.services.console import review
from bot.services.console.stats import Period
from bot.services.verification import otp
from bot.store import conversations, turns
from channels.inbound import PROCESSED, Inbound
from channels.pipeline import Pipeline

NO = '/inform{"elig_choice":"no"}'


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):
    from bot.services import handoff
    from bot.store import reset_engine

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SMS_GATEWAY", raising=False)
    monkeypatch.setattr(handoff, "state_of", lambda conversation_id: "bot")
    reset_engine()
    yield url
    reset_engine()


class Out:
    def __init__(self):
        self.emitted, self.notices = [], []

    async def notice(self, text):
        self.notices.append(text)

    async def emit(self, text, buttons=None, author=None):
        self.emitted.append(text)

    async def typing(self, on):
        pass


def turn(pipeline, conv, typed, asks=None, intent="inform", handoff=False, seen=None):
    """One message through the pipeline; the stand-in for Rasa notes what its tracker
    store would (the text Rasa got, the intent, the question a form asked next)."""

    async def rasa(message):
        (seen if seen is not None else []).append(message.text)
        rows = [
            {
                "type_name": "user",
                "data": json.dumps(
                    {"text": message.text, "parse_data": {"intent": {"name": intent}}}
                ),
            }
        ]
        if asks:
            rows.append(
                {"type_name": "slot", "data": json.dumps({"name": "requested_slot", "value": asks})}
            )
        if handoff:
            rows.append({"type_name": "action", "action_name": "action_handoff"})
        turns.note_events(conv, rows, "eligibility_form" if asks else None)
        message.output_channel.emitted.append("reply")

    inbound = Inbound(
        channel="web",
        conversation_id=conv,
        recipient_id=conv,
        text=typed,
        verified=True,
        payload_as_text=True,
    )
    return asyncio.run(pipeline.handle(inbound, rasa, Out()))


def offer_no(conv, question):
    conversations.record_outbound(conv, question, [{"title": "لا", "payload": NO}])


def listed(conv):
    rows = turns.BotTurn.__table__
    from bot.store import transaction

    with transaction() as c:
        return [
            (r.text, r.repeated)
            for r in c.execute(
                rows.select().where(rows.c.conversation_id == conv).order_by(rows.c.id)
            )
        ]


def test_a_button_is_listed_by_its_title_and_no_to_two_questions_is_no_repeat(db):
    p = Pipeline()
    conv = "web:precheck"
    assert turn(p, conv, "ابي اعرف اذا انا مستحق", asks="elig_saudi") == PROCESSED
    offer_no(conv, "أنت سعودي؟")
    assert turn(p, conv, NO, asks="elig_married") == PROCESSED
    offer_no(conv, "متزوج؟")
    assert turn(p, conv, NO, asks="elig_income") == PROCESSED
    offer_no(conv, "عندك دخل؟")
    assert turn(p, conv, NO, asks="elig_income") == PROCESSED  # not taken: asked again
    offer_no(conv, "عندك دخل؟")
    assert turn(p, conv, NO, asks="elig_income") == PROCESSED
    assert listed(conv) == [
        ("ابي اعرف اذا انا مستحق", False),
        ("لا", False),  # the button's title, not its payload
        ("لا", False),  # answered another question
        ("لا", False),  # and another
        ("لا", True),  # the same answer to the same question again: a repeat
    ]


def test_the_same_question_twice_outside_a_form_is_a_repeat(db):
    p = Pipeline()
    turn(p, "web:again", "وش شروط الاستحقاق")
    turn(p, "web:again", "وش شروط الاستحقاق")
    assert listed("web:again") == [("وش شروط الاستحقاق", False), ("وش شروط الاستحقاق", True)]


def test_a_one_time_code_is_masked_in_the_transcript_and_the_queue(db):
    p = Pipeline()
    conv = "web:code"
    turn(p, conv, "حالة اعتراضي", asks="objection_otp")
    assert otp.issue("objection_status", "100000009", conv, "0551234567").ok
    seen = []
    turn(p, conv, "٤٨٢٩١٣", asks="objection_otp", seen=seen)
    turn(p, conv, "ابي موظف", intent="human_handoff", handoff=True)
    assert seen == ["482913"]  # Rasa still gets the code to check it
    texts = [m["text"] for m in conversations.transcript(conv)]
    assert "••••••" in texts and not any("482913" in t for t in texts)
    day = turns.day_of(__import__("time").time())
    items = review.queue(Period(day - 1, day + 1), "before_handoff")
    assert [i["text"] for i in items] == ["••••••"]
    # Named as a code it is masked anywhere, and so is a password.
    turn(p, "web:other", "الرمز 482913 ما اشتغل وكلمة المرور: Abc12345")
    ((text, _),) = listed("web:other")
    assert "482913" not in text and "Abc12345" not in text
