"""End-to-end over the REST channel: what a citizen sees, including odd input."""

import re
import uuid

import pytest
import requests

pytestmark = pytest.mark.server
ARABIC = re.compile("[\u0600-\u06ff]")


def chat(server, text, sender=None):
    response = requests.post(
        f"{server}/webhooks/rest/webhook",
        json={"sender": sender or uuid.uuid4().hex, "message": text},
        timeout=60,
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def test_faq_in_dialect_gets_the_right_answer(rasa_server):
    replies = chat(rasa_server, "ابي اغير الايبان حقي وش الطريقه")
    assert "بيانات الحساب البنكي" in texts(replies)


def test_contact_question_gets_the_unified_number(rasa_server):
    assert "19912" in texts(chat(rasa_server, "وش رقم خدمة عملاء حساب المواطن"))


def test_gibberish_gets_the_fallback(rasa_server):
    reply = texts(chat(rasa_server, "ققخهعغ ززطظك صضشس"))
    assert "ما فهمت" in reply


def test_second_unclear_message_hands_the_conversation_to_a_person(rasa_server):
    from bot.services import handoff

    sender = uuid.uuid4().hex
    first = chat(rasa_server, "ققخهعغ ززطظك", sender)
    assert handoff.state_of(sender) == "bot", first
    replies = chat(rasa_server, "ظظظ ثثث غغغ", sender)
    assert "موظف" in texts(replies) and "19912" in texts(replies), replies
    view = handoff.open_for(sender)
    assert view is not None and view.state == "queued" and view.reason == "fallback"


@pytest.mark.parametrize(
    "text",
    [
        "وش شروط حساب المواطن " * 250,  # ~5,000 characters
        "",
        "😀😀👍",
        "/restart",
        '/faq{"x":1}',
        "/nlu_fallback",
    ],
)
def test_odd_input_gets_a_sensible_arabic_reply(rasa_server, text):
    replies = chat(rasa_server, text)
    assert replies, "no reply at all"
    assert ARABIC.search(texts(replies)), replies


def test_button_payload_offered_by_the_bot_still_works(rasa_server):
    sender = uuid.uuid4().hex
    greeting = chat(rasa_server, "هلا", sender)
    payload = next(
        b["payload"] for r in greeting for b in r.get("buttons", []) if "faq_pick" in b["payload"]
    )
    assert "الجنسية السعودية" in texts(chat(rasa_server, payload, sender))


def test_a_greeting_with_a_question_gets_the_answer(rasa_server):
    reply = texts(chat(rasa_server, "السلام عليكم، كيف اغير رقم الجوال المسجل عندكم"))
    assert "بيانات المستفيد" in reply and "أجاوبك عن الشروط" not in reply


def test_two_questions_in_one_message_get_both_answers(rasa_server):
    reply = texts(chat(rasa_server, "كيف اغير الايبان؟ وكيف اغير رقم جوالي؟"))
    assert "بيانات الحساب البنكي" in reply and "بيانات المستفيد" in reply


def test_a_dependants_share_follows_the_age_asked_about(rasa_server):
    reply = texts(chat(rasa_server, "ولدي عمره 20 سنة كم نسبته من الدعم"))
    assert "50%" in reply and "30%" not in reply


def test_a_fact_the_documents_do_not_give_is_not_invented(rasa_server):
    reply = texts(chat(rasa_server, "متى موعد نزول الدعم هالشهر"))
    assert "19912" in reply and not re.search(r"يوم \d", reply)


def test_an_answer_the_selector_only_guesses_is_offered_not_given(rasa_server):
    replies = chat(rasa_server, "restart")
    assert "تقصد" in texts(replies) or "ما فهمت" in texts(replies), replies
    assert "دراسة الأهلية" not in texts(replies)
