"""End to end over REST against the real Rasa server: each bot turn leaves its analytics
row (intent and confidence from the events Rasa's tracker store saved, the latency the
channel saw), and finishing a pre-check asks for a rating once."""

import uuid

import pytest
import requests
from sqlalchemy import select

from bot.services.console import csat
from bot.store import reset_engine, session_scope
from bot.store.turns import BotTurn

pytestmark = pytest.mark.server


def chat(server, sender, text):
    response = requests.post(
        f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=90
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def turns_of(sender):
    reset_engine()
    with session_scope() as s:
        return [
            (t.intent, t.confidence, t.fallback, t.latency_ms, t.finished, t.form, t.form_event)
            for t in s.execute(
                select(BotTurn).where(BotTurn.conversation_id == sender).order_by(BotTurn.id)
            ).scalars()
        ]


def test_turns_are_recorded_with_what_rasa_understood(rasa_server):
    sender = "e2e-console-" + uuid.uuid4().hex[:8]
    chat(rasa_server, sender, "وش شروط حساب المواطن")
    chat(rasa_server, sender, "قطو بنفسجي يطير فوق البحر")
    (faq, odd) = turns_of(sender)
    assert faq[0] == "faq/eligibility_conditions" and faq[1] > 0.4 and not faq[2]
    assert faq[3] is not None and faq[3] > 0
    assert odd[0] and odd[2] == (odd[0] == "nlu_fallback")  # whatever it was taken for


def test_a_finished_pre_check_asks_for_a_rating_once(rasa_server):
    sender = "e2e-csat-" + uuid.uuid4().hex[:8]
    chat(rasa_server, sender, "ابي اعرف اذا انا مستحق")
    chat(rasa_server, sender, "ايه")
    replies = chat(rasa_server, sender, "عمري ١٦")  # stops early: the outcome is shown
    texts = [r.get("text", "") for r in replies]
    assert csat.QUESTION in texts
    question = next(r for r in replies if r.get("text") == csat.QUESTION)
    assert [b["payload"] for b in question["buttons"]] == [
        csat.score_payload(s) for s in (5, 4, 3, 2, 1)
    ]
    thanks = chat(rasa_server, sender, csat.score_payload(4))
    assert [r.get("text") for r in thanks] == [csat.THANKS]
    rows = turns_of(sender)
    assert rows[-1][4] == "precheck"  # the turn that finished it
    assert len(rows) == 3  # the rating never reached Rasa
