"""WhatsApp channel against a running sanic server and a stand-in Graph API server."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import hmac
import json
import logging
import threading
import time
from datetime import timedelta

import httpx
import pytest

from bot.store import conversations
from channels.text import ERROR_REPLY, MEDIA_REPLY, RATE_LIMIT_REPLY
from tests.support.channels import (
    GREETING,
    WA_PHONE_ID,
    WA_SECRET,
    WA_VERIFY,
    WA_VERSION,
    rate_limited_count,
    unique_id,
    wait_for,
)

URL = "/webhooks/whatsapp/webhook"


def wa_number() -> str:
    return f"9665{unique_id() % 100_000_000:08d}"


def text_msg(wa_id, body, mid=None):
    return {
        "from": wa_id,
        "id": mid or f"wamid.IN{unique_id()}",
        "timestamp": str(int(time.time())),
        "type": "text",
        "text": {"body": body},
    }


def payload(*messages, statuses=None, phone_id=WA_PHONE_ID, changes=None):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "966110000000", "phone_number_id": phone_id},
        "contacts": [{"profile": {"name": "مواطن"}, "wa_id": m["from"]} for m in messages],
    }
    if messages:
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": changes or [{"field": "messages", "value": value}]}],
    }


def sign(body: bytes, secret: str = WA_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(stack, data, signature=None, raw=None):
    body = raw if raw is not None else json.dumps(data, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json"}
    sig = sign(body) if signature is None else signature
    if sig:
        headers["X-Hub-Signature-256"] = sig
    return httpx.post(stack.url + URL, content=body, headers=headers, timeout=10)


def sent_to(stack, wa_id):
    return [c for c in stack.graph.calls if c["params"].get("to") == wa_id]


def bodies_to(stack, wa_id):
    return [
        c["params"]["text"]["body"]
        if c["params"]["type"] == "text"
        else c["params"]["interactive"]["body"]["text"]
        for c in sent_to(stack, wa_id)
    ]


FOLLOW_UP = "وبعدها؟"


def answer_a_follow_up(stack, wa_id):
    """End a "nothing else happened" window: the citizen writes once more and the test
    waits for that answer. A conversation's messages reach Rasa one at a time and in
    order (channels.pipeline), so by then everything sent before it was handled and
    answered: a reply to anything earlier has arrived, or never will."""
    post(stack, payload(text_msg(wa_id, FOLLOW_UP)))
    assert wait_for(lambda: f"وصلني: {FOLLOW_UP}" in bodies_to(stack, wa_id)), sent_to(stack, wa_id)
    stack.drain()


def test_get_verification_returns_the_challenge_only_with_the_right_token(fresh):
    ok = httpx.get(
        fresh.url + URL,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": WA_VERIFY,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": WA_VERIFY, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ):
        bad = httpx.get(fresh.url + URL, params=params)
        assert bad.status_code == 403 and "1" not in bad.text


def test_text_message_is_answered_through_the_graph_api(fresh):
    wa = wa_number()
    r = post(fresh, payload(text_msg(wa, "متى موعد صرف الدعم؟")))
    assert (r.status_code, r.text) == (200, "ok")
    call = wait_for(lambda: sent_to(fresh, wa))[0]
    assert call["path"] == f"/{WA_VERSION}/{WA_PHONE_ID}/messages"
    assert call["auth"] == "Bearer wa-access-token"
    assert call["params"] == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": wa,
        "type": "text",
        "text": {"body": "وصلني: متى موعد صرف الدعم؟", "preview_url": False},
    }
    fresh.drain()
    conv = conversations.get_conversation(f"whatsapp:{wa}")
    assert conv["channel"] == "whatsapp" and conv["recipient_id"] == wa
    assert conversations.within_whatsapp_window(f"whatsapp:{wa}")
    assert conversations.transcript(f"whatsapp:{wa}")[-1]["channel_message_id"].startswith(
        "wamid.OUT"
    )


@pytest.mark.parametrize(
    "signature", ["sha256=" + "0" * 64, "", "sha1=abc", "sha256=", sign(b"another body")]
)
def test_forged_or_missing_signature_is_refused_and_nothing_reaches_rasa(fresh, signature):
    wa = wa_number()
    r = post(fresh, payload(text_msg(wa, "مرحبا")), signature=signature or "")
    assert r.status_code == 401
    answer_a_follow_up(fresh, wa)
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert bodies_to(fresh, wa) == [f"وصلني: {FOLLOW_UP}"]


def test_signature_with_the_wrong_secret_is_refused(fresh):
    body = json.dumps(payload(text_msg(wa_number(), "مرحبا"))).encode()
    assert post(fresh, None, raw=body, signature=sign(body, "not-the-secret")).status_code == 401
    assert fresh.agent.received == []


def test_same_message_delivered_three_times_gives_exactly_one_reply(fresh):
    wa = wa_number()
    data = payload(text_msg(wa, "كم الدعم؟", mid=f"wamid.DUP{unique_id()}"))
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        codes = list(pool.map(lambda _: post(fresh, data).status_code, range(3)))
    assert codes == [200, 200, 200]
    wait_for(lambda: sent_to(fresh, wa))
    answer_a_follow_up(fresh, wa)
    assert bodies_to(fresh, wa) == ["وصلني: كم الدعم؟", f"وصلني: {FOLLOW_UP}"]
    assert fresh.agent.texts_from(f"whatsapp:{wa}") == ["كم الدعم؟", FOLLOW_UP]


def test_every_entry_change_and_message_of_a_payload_is_handled(fresh):
    a, b, c = wa_number(), wa_number(), wa_number()
    first = payload(text_msg(a, "أول"), text_msg(b, "ثاني"))
    second = payload(text_msg(c, "ثالث"))
    first["entry"][0]["changes"].append(second["entry"][0]["changes"][0])
    first["entry"].append(
        {"id": "WABA2", "changes": [payload(text_msg(a, "رابع"))["entry"][0]["changes"][0]]}
    )
    assert post(fresh, first).status_code == 200
    wait_for(lambda: len(fresh.agent.received) == 4)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{a}") == ["أول", "رابع"]  # in order
    assert fresh.agent.texts_from(f"whatsapp:{b}") == ["ثاني"]
    assert fresh.agent.texts_from(f"whatsapp:{c}") == ["ثالث"]


def test_status_callbacks_are_ignored(fresh):
    wa = wa_number()
    statuses = [
        {"id": "wamid.OUT1", "status": s, "timestamp": str(int(time.time())), "recipient_id": wa}
        for s in ("sent", "delivered", "read")
    ]
    assert post(fresh, payload(statuses=statuses)).status_code == 200
    answer_a_follow_up(fresh, wa)
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert [c["params"]["to"] for c in fresh.graph.calls] == [wa]


@pytest.mark.parametrize(
    "kind, body",
    [
        ("image", {"id": "media1", "mime_type": "image/jpeg", "sha256": "x"}),
        ("audio", {"id": "media2", "mime_type": "audio/ogg", "voice": True}),
        ("sticker", {"id": "media3", "mime_type": "image/webp"}),
        ("location", {"latitude": 24.7, "longitude": 46.6}),
        ("document", {"id": "media4", "filename": "هوية.pdf"}),
        ("unsupported", {}),
    ],
)
def test_media_gets_a_polite_text_only_answer(fresh, kind, body):
    wa = wa_number()
    msg = {"from": wa, "id": f"wamid.M{unique_id()}", "timestamp": "1", "type": kind, kind: body}
    assert post(fresh, payload(msg)).status_code == 200
    call = wait_for(lambda: sent_to(fresh, wa))[0]
    assert call["params"]["text"]["body"] == MEDIA_REPLY
    fresh.drain()
    assert fresh.agent.received == []


def test_buttons_become_reply_buttons_and_a_click_sends_the_payload(fresh):
    wa = wa_number()
    post(fresh, payload(text_msg(wa, "/greet")))  # typed: the slash is stripped
    wait_for(lambda: sent_to(fresh, wa))
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}") == ["greet"]
    # ask the bot for its greeting the way a template button would
    fresh.graph.clear()
    from tests.support.channels import GREETING_BUTTONS

    out = conversations.record_outbound(f"whatsapp:{wa}", GREETING, GREETING_BUTTONS)
    from channels.whatsapp import render

    interactive = render(GREETING, GREETING_BUTTONS, out)[-1]["interactive"]
    assert interactive["type"] == "button"
    buttons = interactive["action"]["buttons"]
    assert len(buttons) == 3 and all(len(b["reply"]["title"]) <= 20 for b in buttons)
    click = {
        "from": wa,
        "id": f"wamid.C{unique_id()}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": dict(buttons[1]["reply"])},
    }
    post(fresh, payload(click))
    wait_for(lambda: len(fresh.agent.received) == 2)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}")[-1] == GREETING_BUTTONS[1]["payload"]


def test_bot_buttons_are_sent_as_interactive_reply_buttons(fresh):
    wa = wa_number()
    # a button whose payload the bot offered: first get an answer with buttons
    fresh.graph.clear()
    from channels.outbound import send_to_citizen

    post(fresh, payload(text_msg(wa, "مرحبا")))
    wait_for(lambda: sent_to(fresh, wa))
    fresh.drain()
    from tests.support.channels import GREETING_BUTTONS

    result = fresh.run(send_to_citizen(f"whatsapp:{wa}", "اختر:", GREETING_BUTTONS, author="bot"))
    assert result.delivered
    sent = sent_to(fresh, wa)[-1]["params"]
    assert sent["type"] == "interactive" and sent["interactive"]["type"] == "button"
    ids = [b["reply"]["id"] for b in sent["interactive"]["action"]["buttons"]]
    assert all(len(i) < 40 and "faq_pick" not in i for i in ids)


def test_many_buttons_fall_back_to_a_numbered_menu_where_2_or_the_title_works(fresh):
    wa = wa_number()
    post(fresh, payload(text_msg(wa, "menu")))
    call = wait_for(lambda: sent_to(fresh, wa))[0]["params"]
    fresh.drain()
    assert call["type"] == "text"
    body = call["text"]["body"]
    assert "1. خدمة رقم 1" in body and "12. خدمة رقم 12" in body
    post(fresh, payload(text_msg(wa, "٢")))  # Arabic-Indic digit
    wait_for(lambda: len(fresh.agent.received) == 2)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}")[-1] == '/service{"n": 2}'
    post(fresh, payload(text_msg(wa, "menu")))
    wait_for(lambda: len(fresh.agent.received) == 3)
    fresh.drain()
    post(fresh, payload(text_msg(wa, "خدمة رقم 7")))
    wait_for(lambda: len(fresh.agent.received) == 4)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}")[-1] == '/service{"n": 7}'
    # a number when no menu is on screen is just text
    post(fresh, payload(text_msg(wa, "2")))
    wait_for(lambda: len(fresh.agent.received) == 5)
    assert fresh.agent.texts_from(f"whatsapp:{wa}")[-1] == "2"


def test_up_to_ten_buttons_with_longer_titles_become_a_list_message(fresh):
    wa = wa_number()
    post(fresh, payload(text_msg(wa, "list")))
    call = wait_for(lambda: sent_to(fresh, wa))[0]["params"]
    fresh.drain()
    assert call["type"] == "interactive" and call["interactive"]["type"] == "list"
    rows = call["interactive"]["action"]["sections"][0]["rows"]
    assert len(rows) == 5 and all(len(r["title"]) <= 24 for r in rows)
    assert len(call["interactive"]["action"]["button"]) <= 20
    pick = {
        "from": wa,
        "id": f"wamid.L{unique_id()}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {
            "type": "list_reply",
            "list_reply": {"id": rows[3]["id"], "title": rows[3]["title"]},
        },
    }
    post(fresh, payload(pick))
    wait_for(lambda: len(fresh.agent.received) == 2)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}")[-1] == "/q4"


def test_a_forged_reply_id_is_treated_as_typed_text(fresh):
    wa = wa_number()
    forged = {
        "from": wa,
        "id": f"wamid.F{unique_id()}",
        "timestamp": "1",
        "type": "interactive",
        "interactive": {
            "type": "button_reply",
            "button_reply": {"id": "/restart", "title": "/restart"},
        },
    }
    post(fresh, payload(forged))
    wait_for(lambda: fresh.agent.received)
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}") == ["restart"]


def test_long_reply_is_split_at_4096(fresh):
    wa = wa_number()
    post(fresh, payload(text_msg(wa, "long")))
    wait_for(lambda: len(sent_to(fresh, wa)) >= 3)
    answer_a_follow_up(fresh, wa)
    calls = [c["params"] for c in sent_to(fresh, wa)][:-1]  # less the follow-up's answer
    bodies = [
        c["text"]["body"] if c["type"] == "text" else c["interactive"]["body"]["text"]
        for c in calls
    ]
    assert all(len(b) <= 4096 for b in bodies)
    assert calls[-1]["type"] == "interactive" and len(bodies[-1]) <= 1024
    assert " ".join(bodies).split() == [f"كلمة{i}" for i in range(1500)]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        b"[" * 5000 + b"]" * 5000,  # RecursionError inside json.loads
        b'{"object": "page", "entry": []}',
        b'{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {"messages": [{"type": "text"}]}}]}]}',
        b'{"object": "whatsapp_business_account", "entry": "x"}',
    ],
)
def test_malformed_or_unknown_payload_gets_200_and_a_log_line_without_personal_data(
    fresh, raw, caplog
):
    with caplog.at_level(logging.INFO, logger="channels"):
        r = post(fresh, None, raw=raw)
    assert r.status_code == 200
    answer_a_follow_up(fresh, wa_number())
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    lines = [rec.getMessage() for rec in caplog.records if rec.name.startswith("channels")]
    assert any("whatsapp" in line for line in lines)


def test_messages_for_another_phone_number_are_ignored(fresh):
    wa = wa_number()
    assert post(fresh, payload(text_msg(wa, "مرحبا"), phone_id="999")).status_code == 200
    answer_a_follow_up(fresh, wa)
    assert [m["text"] for m in fresh.agent.received] == [FOLLOW_UP]
    assert bodies_to(fresh, wa) == [f"وصلني: {FOLLOW_UP}"]


def test_acknowledges_before_rasa_answers(fresh, monkeypatch):
    """The 200 does not wait for Rasa: it arrives while the stand-in for Rasa holds the
    message and has not answered (what the answer costs is bench/load_inbound.py's)."""
    wa = wa_number()
    release = threading.Event()
    answer = fresh.agent.handle_message

    async def held(message):
        while not release.is_set():
            await asyncio.sleep(0.01)
        await answer(message)

    monkeypatch.setattr(fresh.agent, "handle_message", held)
    try:
        r = post(fresh, payload(text_msg(wa, "ما زلت تفكر؟")))
        assert r.status_code == 200
        assert sent_to(fresh, wa) == []  # answered the platform before Rasa answered
    finally:
        release.set()
    assert wait_for(lambda: sent_to(fresh, wa))
    fresh.drain()
    assert bodies_to(fresh, wa) == ["وصلني: ما زلت تفكر؟"]


def test_a_crash_inside_rasa_is_a_200_and_an_apology(fresh, caplog):
    wa = wa_number()
    with caplog.at_level(logging.INFO):
        assert post(fresh, payload(text_msg(wa, "crash"))).status_code == 200
        call = wait_for(lambda: sent_to(fresh, wa))[0]
        fresh.drain()
    assert call["params"]["text"]["body"] == ERROR_REPLY
    lines = [rec.getMessage() for rec in caplog.records if rec.name.startswith("channels")]
    assert any("Rasa failed" in line for line in lines)
    assert not any(wa in line or wa[3:] in line for line in lines)  # no phone number in logs


def test_rate_limit_answers_politely_once(fresh, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "2")
    from channels.pipeline import set_pipeline

    set_pipeline(None)
    wa = wa_number()
    refused_before = rate_limited_count("whatsapp")
    post(fresh, payload(*[text_msg(wa, f"رسالة {i}") for i in range(5)]))
    # The window ends when the last three have been refused: the conversation's messages
    # are handled in order, so every one of the five has been handled and answered by then.
    assert wait_for(lambda: rate_limited_count("whatsapp") - refused_before == 3)
    fresh.drain()
    bodies = [c["params"]["text"]["body"] for c in sent_to(fresh, wa)]
    assert bodies[:2] == ["وصلني: رسالة 0", "وصلني: رسالة 1"]
    assert len(bodies) == 3 and bodies[2].startswith(RATE_LIMIT_REPLY)  # once, with the wait


def test_failed_delivery_does_not_break_the_webhook(fresh):
    wa = "966500000666"  # the stand-in refuses this number
    assert post(fresh, payload(text_msg(wa, "مرحبا"))).status_code == 200
    wait_for(lambda: sent_to(fresh, wa))
    fresh.drain()
    assert fresh.agent.texts_from(f"whatsapp:{wa}") == ["مرحبا"]


def test_outside_the_24_hour_window_nothing_is_sent(fresh):
    from channels.outbound import send_to_citizen

    wa = wa_number()
    conversations.record_inbound(
        f"whatsapp:{wa}", "whatsapp", wa, "قديمة", at=conversations.utcnow() - timedelta(hours=25)
    )
    result = fresh.run(send_to_citizen(f"whatsapp:{wa}", "رد الموظف"))
    assert (result.delivered, result.recorded, result.reason) == (
        False,
        False,
        "whatsapp_window_closed",
    )
    assert sent_to(fresh, wa) == []
    conversations.record_inbound(f"whatsapp:{wa}", "whatsapp", wa, "جديدة")
    result = fresh.run(send_to_citizen(f"whatsapp:{wa}", "رد الموظف"))
    assert result.delivered and result.channel_message_id.startswith("wamid.OUT")
    assert conversations.transcript(f"whatsapp:{wa}")[-1]["author"] == "agent"
