"""What the citizen is told when an agent's part ends: the closing words once, and the
rating question about that agent at once, on every channel (the desk over HTTP, with a
stand-in for channels.outbound)."""

from __future__ import annotations

from bot.services import handoff
from bot.services.console import csat
from bot.store import csat as ratings
from tests.support.desk import citizen_writes


def claimed(env, conversation_id):
    citizen_writes(conversation_id, "ابي موظف")
    view = handoff.escalate(conversation_id, "requested")
    sara = env.client()
    sara.sign_in("sara")
    assert sara.post(f"/desk/api/handoffs/{view.id}/claim").status_code == 200
    return view, sara


def test_the_agents_part_is_rated_at_the_close_even_after_the_bot_was_rated(env):
    """The question waited for the citizen to write again, and never came at all when the
    bot's part had been rated that day."""
    cid = "telegram:4101"
    assert csat.maybe_ask(cid, "telegram", "precheck") is not None
    assert csat.handle_reply(cid, csat.score_payload(4), True)["text"] == csat.THANKS
    view, sara = claimed(env, cid)
    assert sara.post(f"/desk/api/handoffs/{view.id}/reply", {"text": "حياك"}).status_code == 200
    assert sara.post(f"/desk/api/handoffs/{view.id}/close").status_code == 200

    _, author, text = env.outbound.sent[-1]
    assert author == "bot" and text == f"{handoff.CLOSE_TEXT}\n{csat.QUESTION_AGENT}"
    assert env.outbound.buttons[-1] == csat.question_buttons()
    assert csat.handle_reply(cid, csat.score_payload(5), True)["text"] == csat.THANKS
    agent_part = ratings.open_ask(cid, csat.ANSWER_WITHIN)
    assert (agent_part["finished"], agent_part["agent"], agent_part["score"]) == (
        "agent_closed",
        "sara",
        5,
    )
    assert ratings.get(agent_part["id"] - 1)["score"] == 4  # the bot's part keeps its own


def test_one_thank_you_at_the_close(env):
    view, sara = claimed(env, "web:farewell")
    goodbye = "شكرًا لتواصلك مع حساب المواطن، نتمنى لك يوم سعيد 🌿"
    assert sara.post(f"/desk/api/handoffs/{view.id}/reply", {"text": goodbye}).status_code == 200
    assert sara.post(f"/desk/api/handoffs/{view.id}/close").status_code == 200
    _, _, text = env.outbound.sent[-1]
    assert text.startswith(handoff.CLOSE_AFTER_THANKS_TEXT) and "شكر" not in text


def test_a_question_that_cannot_reach_the_citizen_waits_for_their_next_bot_turn(env):
    view, sara = claimed(env, "whatsapp:966500000041")
    env.outbound.reason = "whatsapp_window_closed"
    assert sara.post(f"/desk/api/handoffs/{view.id}/return").status_code == 200
    due = csat.due_question("whatsapp:966500000041")
    assert due is not None and due["text"] == csat.QUESTION_AGENT
    # Asked once: the next turn does not ask again, nor does a second hand-back.
    assert csat.due_question("whatsapp:966500000041") is None


def test_a_female_agent_is_announced_in_the_feminine(env):
    from bot.services.desk import accounts as desk_auth

    desk_auth.set_gender("sara", desk_auth.FEMALE)
    view, sara = claimed(env, "web:joined")
    assert env.outbound.sent[-1][2].startswith("انضمت لك سارة")
    omar = env.client()
    omar.sign_in("omar")
    assert omar.post(f"/desk/api/handoffs/{view.id}/claim").status_code == 409
    assert sara.post(f"/desk/api/handoffs/{view.id}/transfer", {"to": "omar"}).status_code == 200
    assert "بيكمل معك" in env.outbound.sent[-1][2]  # omar's account says nothing: male
