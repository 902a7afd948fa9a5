"""The rating question on the widget, Telegram and WhatsApp, through the channel
stand-ins (tests/support/channels.py): asked once after the bot finished something,
answered by the buttons each channel draws, never passed to Rasa; a citizen who
ignores it is answered as usual."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.services.console import csat
from bot.store import turns
from bot.store.csat import CsatRating
from tests.channels.test_telegram import callback_update, message_update
from tests.channels.test_telegram import post as tg_post
from tests.channels.test_web import Client
from tests.channels.test_whatsapp import payload, text_msg, wa_number
from tests.channels.test_whatsapp import post as wa_post
from tests.support.channels import unique_id, wait_for

FINISH = "افتح بلاغ"
DONE_TEXT = "تم فتح البلاغ، رقمه يوصلك برسالة."


@pytest.fixture
def bot(fresh, monkeypatch):
    """The full schema, and a Rasa stand-in that opens a ticket when asked to (the
    tracker store reports action_submit_ticket, as Rasa's would)."""
    import os

    from bot.store.migrate import upgrade

    upgrade(os.environ["DATABASE_URL"])
    original = fresh.agent.handle_message

    async def handle(message):
        if message.text == FINISH:
            fresh.agent.received.append(
                {
                    "sender": message.sender_id,
                    "text": message.text,
                    "channel": message.input_channel,
                }
            )
            rows = [{"type_name": "action", "action_name": "action_submit_ticket"}]
            turns.note_events(message.sender_id, rows, None)
            await message.output_channel.send_response(message.sender_id, {"text": DONE_TEXT})
            return
        await original(message)

    monkeypatch.setattr(fresh.agent, "handle_message", handle)
    return fresh


def markup(params):
    value = params["reply_markup"]
    return json.loads(value) if isinstance(value, str) else value


def ratings(conversation_id):
    from sqlalchemy import select

    from bot.store import session_scope

    with session_scope() as s:
        rows = s.execute(
            select(CsatRating).where(CsatRating.conversation_id == conversation_id)
        ).scalars()
        return [(r.finished, r.score, r.comment, r.state) for r in rows]


def test_telegram_inline_buttons_rate_and_comment_without_reaching_rasa(bot):
    user = unique_id()
    tg_post(bot, message_update(user, FINISH))
    sent = wait_for(
        lambda: (
            len(bot.telegram.of("sendMessage", chat_id=user)) >= 2
            and bot.telegram.of("sendMessage", chat_id=user)
        )
    )
    bot.drain()
    texts = [m["params"]["text"] for m in sent]
    assert texts == [DONE_TEXT, csat.QUESTION]
    keyboard = markup(sent[1]["params"])["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    assert [b["text"] for b in buttons] == ["٥ ممتازة", "٤ جيدة", "٣ مقبولة", "٢ ضعيفة", "١ سيئة"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)

    tg_post(bot, callback_update(user, buttons[1]["callback_data"]))  # 4
    wait_for(lambda: len(bot.telegram.of("sendMessage", chat_id=user)) >= 3)
    bot.drain()
    thanks = bot.telegram.of("sendMessage", chat_id=user)[2]["params"]
    assert thanks["text"] == csat.THANKS
    comment_button = markup(thanks)["inline_keyboard"][0][0]
    tg_post(bot, callback_update(user, comment_button["callback_data"]))
    wait_for(lambda: len(bot.telegram.of("sendMessage", chat_id=user)) >= 4)
    bot.drain()
    tg_post(bot, message_update(user, "الخدمة سريعة، رقمي 0551234567"))
    wait_for(lambda: len(bot.telegram.of("sendMessage", chat_id=user)) >= 5)
    bot.drain()
    assert bot.telegram.of("sendMessage", chat_id=user)[4]["params"]["text"] == csat.COMMENT_THANKS
    assert bot.agent.texts_from(f"telegram:{user}") == [FINISH]  # nothing else reached Rasa
    ((finished, score, comment, state),) = ratings(f"telegram:{user}")
    assert (finished, score, state) == ("ticket", 4, "done")
    assert "0551234567" not in comment

    # a second ticket the same day: no second question
    tg_post(bot, message_update(user, FINISH))
    wait_for(lambda: len(bot.telegram.of("sendMessage", chat_id=user)) >= 6)
    bot.drain()
    assert [m["params"]["text"] for m in bot.telegram.of("sendMessage", chat_id=user)][5:] == [
        DONE_TEXT
    ]


def test_whatsapp_gets_a_list_and_a_citizen_who_ignores_it_is_answered_as_usual(bot):
    wa = wa_number()
    wa_post(bot, payload(text_msg(wa, FINISH)))
    calls = wait_for(
        lambda: len(bot.graph.of("messages", to=wa)) >= 2 and bot.graph.of("messages", to=wa)
    )
    bot.drain()
    question = calls[1]["params"]
    assert question["type"] == "interactive" and question["interactive"]["type"] == "list"
    rows = question["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 5 and all(len(r["title"]) <= 24 for r in rows)

    wa_post(bot, payload(text_msg(wa, "متى ينزل الدعم؟")))  # ignores the question
    wait_for(lambda: len(bot.graph.of("messages", to=wa)) >= 3)
    bot.drain()
    assert bot.agent.texts_from(f"whatsapp:{wa}") == [FINISH, "متى ينزل الدعم؟"]

    pick = {
        "from": wa,
        "id": f"wamid.R{unique_id()}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": rows[4]["id"], "title": rows[4]["title"]},
        },
    }
    wa_post(bot, payload(pick))  # still within the day: the score counts
    wait_for(lambda: len(bot.graph.of("messages", to=wa)) >= 4)
    bot.drain()
    assert ratings(f"whatsapp:{wa}") == [("ticket", 1, None, "rated")]
    assert bot.agent.texts_from(f"whatsapp:{wa}") == [FINISH, "متى ينزل الدعم؟"]


def test_widget_chips_rate_and_an_old_button_is_only_thanked(bot):
    async def scenario():
        async with Client(bot.url) as c:
            from channels.web.session import verify_session

            sid = verify_session((await c.next("session"))["token"])
            await c.next("history")
            await c.say(FINISH)
            assert (await c.bot_text())["text"] == DONE_TEXT
            question = await c.bot_text()
            assert question["text"] == csat.QUESTION
            chips = question["buttons"]
            assert [b["payload"] for b in chips] == [csat.score_payload(s) for s in (5, 4, 3, 2, 1)]
            await c.say(payload=chips[0]["payload"], title=chips[0]["title"])
            assert (await c.bot_text())["text"] == csat.THANKS
            await c.say(payload=csat.SKIP_PAYLOAD, title="لا، شكرًا")
            assert (await c.bot_text())["text"] == csat.SKIP_THANKS
            return sid

    sid = asyncio.run(scenario())
    bot.drain()
    assert ratings(f"web:{sid}") == [("ticket", 5, None, "rated")]
    assert bot.agent.texts_from(f"web:{sid}") == [FINISH]
