"""Telegram channel against a running sanic server and a stand-in Bot API server.

python-telegram-bot (the real library) parses the updates and sends the replies over
HTTP to the stand-in, so what is asserted here is what Telegram would have received.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time

import httpx
import pytest

from bot.store import conversations
from channels.base import parse_button_id
from channels.text import ERROR_REPLY, MEDIA_REPLY, RATE_LIMIT_REPLY, UNAVAILABLE_BUTTON
from tests.support.channels import (
    GREETING,
    GREETING_BUTTONS,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    rate_limited_count,
    unique_id,
    wait_for,
)

HEADER = "X-Telegram-Bot-Api-Secret-Token"
_mid = [500]


def message_update(user_id, text=None, chat_id=None, chat_type="private", update_id=None, **extra):
    _mid[0] += 1
    message = {
        "message_id": _mid[0],
        "date": int(time.time()),
        "chat": {"id": chat_id or user_id, "type": chat_type},
        "from": {"id": user_id, "is_bot": False, "first_name": "مواطن", "language_code": "ar"},
    }
    if chat_type != "private":
        message["chat"]["title"] = "مجموعة"
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
    message.update(extra)
    return {"update_id": update_id or unique_id(), "message": message}


def callback_update(user_id, data, message_id=1001, chat_id=None):
    return {
        "update_id": unique_id(),
        "callback_query": {
            "id": str(unique_id()),
            "chat_instance": "ci-1",
            "data": data,
            "from": {"id": user_id, "is_bot": False, "first_name": "مواطن"},
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id or user_id, "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "مساعد"},
                "text": "...",
            },
        },
    }


def post(stack, update, secret=TELEGRAM_SECRET, raw=None):
    headers = {HEADER: secret} if secret is not None else {}
    if raw is not None:
        return httpx.post(
            f"{stack.url}/webhooks/telegram/webhook", content=raw, headers=headers, timeout=10
        )
    return httpx.post(
        f"{stack.url}/webhooks/telegram/webhook", json=update, headers=headers, timeout=10
    )


def sent_to(stack, chat_id):
    return stack.telegram.of("sendMessage", chat_id=chat_id)


FOLLOW_UP = "وبعدها؟"


def answer_a_follow_up(stack, user):
    """End a "nothing else happened" window: the citizen writes once more and the test
    waits for that answer. A conversation's messages reach Rasa one at a time and in
    order (channels.pipeline), so by then everything sent before it was handled and
    answered: a reply to anything earlier has arrived, or never will."""
    post(stack, message_update(user, FOLLOW_UP))
    assert wait_for(
        lambda: any(m["params"]["text"] == f"وصلني: {FOLLOW_UP}" for m in sent_to(stack, user))
    ), sent_to(stack, user)
    stack.drain()


def test_text_message_gets_a_reply_from_rasa_and_is_recorded(fresh):
    user = unique_id()
    r = post(fresh, message_update(user, "متى ينزل الدعم؟"))
    assert r.status_code == 200
    replies = wait_for(lambda: sent_to(fresh, user))
    assert [m["params"]["text"] for m in replies] == ["وصلني: متى ينزل الدعم؟"]
    assert fresh.agent.received[-1] == {
        "sender": f"telegram:{user}",
        "text": "متى ينزل الدعم؟",
        "channel": "telegram",
    }
    fresh.drain()
    history = conversations.transcript(f"telegram:{user}")
    assert [(m["author"], m["text"]) for m in history] == [
        ("citizen", "متى ينزل الدعم؟"),
        ("bot", "وصلني: متى ينزل الدعم؟"),
    ]
    assert history[1]["channel_message_id"] is not None
    # the typing indicator was shown while Rasa worked
    assert fresh.telegram.of("sendChatAction", chat_id=user)


def test_arabic_indic_digits_are_normalised(fresh):
    user = unique_id()
    post(fresh, message_update(user, "رقم الطلب ١٢٣٤"))
    wait_for(lambda: sent_to(fresh, user))
    assert fresh.agent.texts_from(f"telegram:{user}") == ["رقم الطلب 1234"]


@pytest.mark.parametrize("secret", ["wrong-secret", "", None, TELEGRAM_SECRET + "x"])
def test_forged_or_missing_secret_is_refused_and_nothing_reaches_rasa(fresh, secret):
    user = unique_id()
    r = post(fresh, message_update(user, "مرحبا"), secret=secret)
    assert r.status_code == 401
    answer_a_follow_up(fresh, user)
    assert fresh.agent.texts_from(f"telegram:{user}") == [FOLLOW_UP]
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert [m["params"]["text"] for m in sent_to(fresh, user)] == [f"وصلني: {FOLLOW_UP}"]


def test_channel_without_token_is_disabled(fresh, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    r = post(fresh, message_update(unique_id(), "مرحبا"))
    assert r.status_code == 403
    assert fresh.agent.received == []


def test_same_update_delivered_three_times_gives_exactly_one_reply(fresh):
    user = unique_id()
    update = message_update(user, "كم مبلغ الدعم؟")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda _: post(fresh, update).status_code, range(3)))
    assert codes == [200, 200, 200]
    wait_for(lambda: sent_to(fresh, user))
    answer_a_follow_up(fresh, user)
    assert [m["params"]["text"] for m in sent_to(fresh, user)] == [
        "وصلني: كم مبلغ الدعم؟",
        f"وصلني: {FOLLOW_UP}",
    ]
    assert fresh.agent.texts_from(f"telegram:{user}") == ["كم مبلغ الدعم؟", FOLLOW_UP]


def test_start_greets_with_inline_buttons_whose_callback_data_is_a_short_id(fresh):
    user = unique_id()
    post(fresh, message_update(user, "/start"))
    reply = wait_for(lambda: sent_to(fresh, user))[0]["params"]
    assert reply["text"] == GREETING
    assert fresh.agent.texts_from(f"telegram:{user}") == ["/greet"]
    keyboard = reply["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == [b["title"] for b in GREETING_BUTTONS]
    for row in keyboard:
        data = row[0]["callback_data"]
        assert len(data.encode()) <= 64 and parse_button_id(data) is not None
        assert "faq_pick" not in data  # never the raw Rasa payload


def test_button_click_answers_the_callback_at_once_and_sends_the_payload(fresh):
    user = unique_id()
    post(fresh, message_update(user, "/start"))
    keyboard = wait_for(lambda: sent_to(fresh, user))[0]["params"]["reply_markup"][
        "inline_keyboard"
    ]
    fresh.drain()
    data = keyboard[0][0]["callback_data"]
    update = callback_update(user, data)
    post(fresh, update)
    answered = wait_for(lambda: fresh.telegram.of("answerCallbackQuery"))
    assert answered[0]["params"]["callback_query_id"] == update["callback_query"]["id"]
    wait_for(lambda: len(sent_to(fresh, user)) == 2)
    fresh.drain()
    # the spinner is stopped before Rasa answers
    reply = sent_to(fresh, user)[1]
    assert answered[0]["at"] <= reply["at"]
    assert fresh.agent.texts_from(f"telegram:{user}") == ["/greet", GREETING_BUTTONS[0]["payload"]]
    # the transcript shows what the citizen clicked, not the payload
    citizen = [
        m["text"] for m in conversations.transcript(f"telegram:{user}") if m["author"] == "citizen"
    ]
    assert citizen == ["/start", GREETING_BUTTONS[0]["title"]]


def test_forged_or_foreign_callback_data_never_reaches_rasa(fresh):
    owner, other = unique_id(), unique_id()
    post(fresh, message_update(owner, "/start"))
    data = wait_for(lambda: sent_to(fresh, owner))[0]["params"]["reply_markup"]["inline_keyboard"][
        0
    ][0]["callback_data"]
    fresh.drain()
    for forged in (data.replace("b:", "b:9"), "/restart", '/faq_pick{"faq_key":"x"}'):
        post(fresh, callback_update(owner, forged))
    post(fresh, callback_update(other, data))  # someone else's button
    wait_for(lambda: len(fresh.telegram.of("answerCallbackQuery")) == 4)
    fresh.drain()
    assert all(
        c["params"].get("text") == UNAVAILABLE_BUTTON
        for c in fresh.telegram.of("answerCallbackQuery")
    )
    assert fresh.agent.texts_from(f"telegram:{owner}") == ["/greet"]
    assert fresh.agent.texts_from(f"telegram:{other}") == []


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("/restart", "restart"),
        (
            '/faq_pick{"faq_key": "eligibility_conditions"}',
            'faq_pick{"faq_key": "eligibility_conditions"}',
        ),
        ("  //stop", "stop"),
        ("\u200f/restart", "restart"),
    ],
)
def test_typed_commands_cannot_inject_an_intent(fresh, typed, expected):
    user = unique_id()
    # even right after the bot offered that very payload as a button
    post(fresh, message_update(user, "/start"))
    wait_for(lambda: sent_to(fresh, user))
    fresh.drain()
    post(fresh, message_update(user, typed))
    wait_for(lambda: len(sent_to(fresh, user)) == 2)
    assert fresh.agent.texts_from(f"telegram:{user}") == ["/greet", expected]


def test_edited_messages_are_ignored(fresh):
    user = unique_id()
    edited = message_update(user, "نص معدل")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = int(time.time())
    assert post(fresh, edited).status_code == 200
    answer_a_follow_up(fresh, user)
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert [m["params"]["text"] for m in sent_to(fresh, user)] == [f"وصلني: {FOLLOW_UP}"]


@pytest.mark.parametrize(
    "media",
    [
        {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]},
        {"voice": {"file_id": "v1", "file_unique_id": "u2", "duration": 3}},
        {
            "sticker": {
                "file_id": "s1",
                "file_unique_id": "u3",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "type": "regular",
            }
        },
        {"location": {"latitude": 24.7136, "longitude": 46.6753}},
    ],
)
def test_media_gets_a_polite_text_only_answer(fresh, media):
    user = unique_id()
    post(fresh, message_update(user, None, **media))
    reply = wait_for(lambda: sent_to(fresh, user))
    assert reply[0]["params"]["text"] == MEDIA_REPLY
    assert MEDIA_REPLY.startswith("أقدر أساعدك بالكتابة فقط")
    fresh.drain()
    assert fresh.agent.received == []


def test_long_reply_is_split_at_4096_on_word_boundaries_with_buttons_last(fresh):
    user = unique_id()
    post(fresh, message_update(user, "long"))
    full = " ".join(f"كلمة{i}" for i in range(1500))
    expected_parts = -(-len(full) // 4096)
    wait_for(lambda: len(sent_to(fresh, user)) >= expected_parts)
    fresh.drain()
    parts = sent_to(fresh, user)
    texts = [p["params"]["text"] for p in parts]
    assert len(texts) == expected_parts >= 3
    assert all(4000 < len(t) <= 4096 for t in texts[:-1]) and len(texts[-1]) <= 4096
    assert " ".join(texts) == full  # no word cut in half
    assert [("reply_markup" in p["params"]) for p in parts] == [False] * (expected_parts - 1) + [
        True
    ]


def test_one_conversation_per_user_in_a_group_chat(fresh):
    group = -1000000000000 - unique_id()
    a, b = unique_id(), unique_id()
    post(fresh, message_update(a, "سؤال من الأول", chat_id=group, chat_type="supergroup"))
    post(fresh, message_update(b, "سؤال من الثاني", chat_id=group, chat_type="supergroup"))
    wait_for(lambda: len(sent_to(fresh, group)) == 2)
    fresh.drain()
    assert fresh.agent.texts_from(f"telegram:{a}") == ["سؤال من الأول"]
    assert fresh.agent.texts_from(f"telegram:{b}") == ["سؤال من الثاني"]
    # in a group the reply quotes the user's message, so it is clear who is answered
    assert all("reply_parameters" in m["params"] for m in sent_to(fresh, group))
    # and a later private message continues the same conversation
    post(fresh, message_update(a, "وهذا في الخاص"))
    wait_for(lambda: sent_to(fresh, a))
    fresh.drain()
    assert fresh.agent.texts_from(f"telegram:{a}") == ["سؤال من الأول", "وهذا في الخاص"]


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"update_id": "x"}', b'{"foo": 1}', b"[" * 5000 + b"]" * 5000]
)
def test_malformed_or_unknown_payload_gets_200_and_a_log_line(fresh, body, caplog):
    with caplog.at_level(logging.INFO, logger="channels"):
        r = post(fresh, None, raw=body)
    assert r.status_code == 200
    answer_a_follow_up(fresh, unique_id())
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert any("telegram" in rec.getMessage() for rec in caplog.records)


def test_a_crash_inside_rasa_is_a_200_and_an_apology(fresh, caplog):
    user = unique_id()
    with caplog.at_level(logging.INFO):
        r = post(fresh, message_update(user, "crash"))
        assert r.status_code == 200
        reply = wait_for(lambda: sent_to(fresh, user))
        fresh.drain()
    assert reply[0]["params"]["text"] == ERROR_REPLY
    # the log says what failed without the user's id or text
    lines = [rec.getMessage() for rec in caplog.records if rec.name.startswith("channels")]
    assert any("Rasa failed" in line for line in lines)
    assert not any(str(user) in line for line in lines)


def test_rate_limit_answers_politely_once(fresh, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "3")
    from channels.pipeline import set_pipeline

    set_pipeline(None)
    user = unique_id()
    refused_before = rate_limited_count("telegram")
    for i in range(6):
        post(fresh, message_update(user, f"رسالة {i}"))
    # The window ends when the last three have been refused: the conversation's messages
    # are handled in order, so every one of the six has been handled and answered by then.
    assert wait_for(lambda: rate_limited_count("telegram") - refused_before == 3)
    fresh.drain()
    texts = [m["params"]["text"] for m in sent_to(fresh, user)]
    assert texts[:3] == ["وصلني: رسالة 0", "وصلني: رسالة 1", "وصلني: رسالة 2"]
    assert len(texts) == 4 and texts[3].startswith(RATE_LIMIT_REPLY)  # once, with the wait
    assert len(fresh.agent.texts_from(f"telegram:{user}")) == 3


def test_messages_of_a_conversation_with_an_agent_do_not_reach_rasa(fresh):
    user = unique_id()
    fresh.handoff.states[f"telegram:{user}"] = "agent"
    post(fresh, message_update(user, "أبي أكلم الموظف"))
    wait_for(lambda: fresh.handoff.notified)
    fresh.drain()
    assert fresh.agent.received == [] and sent_to(fresh, user) == []
    conv, text, message_id = fresh.handoff.notified[0]
    assert (conv, text) == (f"telegram:{user}", "أبي أكلم الموظف")
    assert conversations.transcript(conv)[-1]["id"] == message_id


def test_a_blocked_user_does_not_break_the_webhook(fresh):
    r = post(fresh, message_update(666, "مرحبا"))
    assert r.status_code == 200
    wait_for(lambda: sent_to(fresh, 666))
    fresh.drain()
    assert fresh.agent.texts_from("telegram:666") == ["مرحبا"]


def test_set_webhook_command_registers_secret_and_allowed_updates(fresh, capsys):
    from channels.telegram.webhook import main

    assert main(["set-webhook", "--url", "https://bot.example.sa/webhooks/telegram/webhook"]) == 0
    call = fresh.telegram.of("setWebhook")[-1]["params"]
    assert call["url"] == "https://bot.example.sa/webhooks/telegram/webhook"
    assert call["secret_token"] == TELEGRAM_SECRET
    assert call["allowed_updates"] == ["message", "callback_query"]
    assert "webhook set" in capsys.readouterr().out
    assert main(["webhook-info"]) == 0


def test_derived_secret_when_none_is_configured(monkeypatch):
    from channels.telegram.channel import webhook_secret

    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    derived = webhook_secret()
    assert derived and derived != TELEGRAM_TOKEN and len(derived) <= 256
    assert derived.isalnum()
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    assert webhook_secret() == ""
