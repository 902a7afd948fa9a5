"""The safe REST channel (/webhooks/rest/webhook) and credentials.yml wiring."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from bot.store import conversations
from channels.text import RATE_LIMIT_REPLY
from tests.support.channels import GREETING, GREETING_BUTTONS, ROOT


def say(stack, sender, message, **extra):
    body = {"sender": sender, "message": message, **extra}
    r = httpx.post(f"{stack.url}/webhooks/rest/webhook", json=body, timeout=10)
    return r


def sender() -> str:
    return f"test-{uuid.uuid4().hex[:10]}"


def test_reply_has_rasas_rest_format(fresh):
    s = sender()
    r = say(fresh, s, "مرحبا")
    assert r.status_code == 200
    assert r.json() == [{"recipient_id": s, "text": "وصلني: مرحبا"}]
    assert [(m["author"], m["text"]) for m in conversations.transcript(s)] == [
        ("citizen", "مرحبا"),
        ("bot", "وصلني: مرحبا"),
    ]


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("/restart", "restart"),
        ('/faq{"x":1}', 'faq{"x":1}'),
        ("/greet", "greet"),
        (" / /session_start", "session_start"),
    ],
)
def test_typed_slash_cannot_inject_an_intent(fresh, typed, expected):
    s = sender()
    say(fresh, s, typed)
    assert fresh.agent.texts_from(s) == [expected]


def test_a_payload_the_bot_offered_in_its_last_reply_is_passed_unchanged(fresh):
    s = sender()
    # the bot offers buttons (an internal greeting, as after /start on Telegram)
    conversations.record_inbound(s, "rest", s, "هلا")
    conversations.record_outbound(s, GREETING, GREETING_BUTTONS)
    r = say(fresh, s, GREETING_BUTTONS[0]["payload"])
    assert fresh.agent.texts_from(s) == [GREETING_BUTTONS[0]["payload"]]
    assert conversations.transcript(s)[-2]["text"] == GREETING_BUTTONS[0]["title"]
    # ...but only once the reply is the last one: after another message it is stale
    say(fresh, s, "شكرا")
    say(fresh, s, GREETING_BUTTONS[1]["payload"])
    assert fresh.agent.texts_from(s)[-1] == GREETING_BUTTONS[1]["payload"].lstrip("/")
    assert r.status_code == 200


def test_a_button_returned_by_rest_can_be_clicked(fresh):
    s = sender()
    # "/start"-like flow: the stand-in agent answers "/greet" with buttons; the client
    # cannot type "/greet", but once buttons are offered it can send their payloads.
    conversations.record_inbound(s, "rest", s, "هلا")
    conversations.record_outbound(s, GREETING, GREETING_BUTTONS)
    r = say(fresh, s, "/check_eligibility")
    assert r.json()[0]["text"] == "intent /check_eligibility"


def test_buttons_in_rasa_replies_are_returned(fresh):
    s = sender()
    conversations.record_outbound(
        s, "مرحبا", [{"title": "ابدأ", "payload": "/greet"}], channel="rest"
    )
    r = say(fresh, s, "/greet")
    assert r.json() == [{"recipient_id": s, "text": GREETING, "buttons": GREETING_BUTTONS}]


@pytest.mark.parametrize("message", ["", "   ", "😊🙏", None])
def test_empty_or_emoji_only_message_still_gets_a_reply(fresh, message):
    s = sender()
    r = say(fresh, s, message)
    assert r.status_code == 200 and r.json() and r.json()[0]["text"]
    assert fresh.agent.texts_from(s) == [(message or "").strip()]


def test_a_5000_character_message_is_asked_to_be_shortened_not_cut_and_answered(fresh):
    s = sender()
    text = " ".join(["حساب المواطن"] * 400)  # ~5,200 characters
    r = say(fresh, s, text)
    assert r.status_code == 200
    assert any("اختصر" in m.get("text", "") for m in r.json())
    assert fresh.agent.texts_from(s) == []  # Rasa never saw half a message
    stored = conversations.transcript(s)[0]["text"]
    assert 800 <= len(stored) <= 1000 and text.startswith(stored)
    assert not stored.endswith(" ") and stored.split()[-1] in ("حساب", "المواطن")


@pytest.mark.parametrize("reserved", ["telegram:42", "whatsapp:966500000000", "web:abc", "WEB:abc"])
def test_rest_cannot_write_into_another_channels_conversation(fresh, reserved):
    r = say(fresh, reserved, "مرحبا")
    assert r.status_code == 403
    assert fresh.agent.received == []


@pytest.mark.parametrize("body", [b"{not json", b"[" * 5000 + b"]" * 5000])
def test_malformed_body_is_refused_without_reaching_rasa(fresh, body):
    r = httpx.post(f"{fresh.url}/webhooks/rest/webhook", content=body, timeout=10)
    assert r.status_code == 400
    assert fresh.agent.received == []


def test_optional_shared_token(fresh, monkeypatch):
    # The token is read when the channel is created, so build one directly.
    from channels.rest import SafeRestInput

    monkeypatch.setenv("REST_CHANNEL_TOKEN", "t0ken")
    channel = SafeRestInput.from_credentials(None)

    class Req:
        def __init__(self, headers, args):
            self.headers, self.args = headers, args

    assert not channel._authorised(Req({}, {}))
    assert not channel._authorised(Req({"Authorization": "Bearer nope"}, {}))
    assert channel._authorised(Req({"Authorization": "Bearer t0ken"}, {}))
    assert channel._authorised(Req({}, {"token": "t0ken"}))
    monkeypatch.delenv("REST_CHANNEL_TOKEN")
    assert SafeRestInput.from_credentials(None)._authorised(Req({}, {}))


def test_a_crash_inside_rasa_still_answers_200(fresh):
    s = sender()
    r = say(fresh, s, "crash")
    assert r.status_code == 200
    assert "خلل مؤقت" in r.json()[0]["text"]


def test_stream_mode_returns_newline_delimited_messages(fresh):
    s = sender()
    r = httpx.post(
        f"{fresh.url}/webhooks/rest/webhook?stream=true",
        json={"sender": s, "message": "مرحبا"},
        timeout=10,
    )
    lines = [json.loads(line) for line in r.text.splitlines() if line]
    assert lines == [{"recipient_id": s, "text": "وصلني: مرحبا"}]


def test_rate_limit(fresh, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "2")
    from channels.pipeline import set_pipeline

    set_pipeline(None)
    s = sender()
    replies = [say(fresh, s, f"سؤال {i}").json() for i in range(4)]
    assert [m["text"].startswith(RATE_LIMIT_REPLY) for m in replies[2]] == [True]
    assert "خلال" in replies[2][0]["text"]  # and when to send again
    assert replies[3] == []
    assert len(fresh.agent.texts_from(s)) == 2


def test_credentials_yml_replaces_rasas_rest_and_loads_all_channels(fresh):
    import yaml
    from rasa.core.run import create_http_input_channels

    creds = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "rest" not in creds  # Rasa's unsafe built-in is gone
    ours = [
        c
        for c in create_http_input_channels(None, str(ROOT / "credentials.yml"))
        if type(c).__module__.startswith("channels.")
        and not type(c).__module__.startswith(("channels.desk", "channels.console"))  # staff
    ]
    assert {(c.name(), c.url_prefix()) for c in ours} == {
        ("rest", "rest"),
        ("web", "/chat"),
        ("telegram", "telegram"),
        ("whatsapp", "whatsapp"),
        ("notify", "notify"),  # the notification sender's widget pushes
    }
    # the routes the platforms and the widget use exist on the server
    assert httpx.get(f"{fresh.url}/webhooks/rest/").json() == {"status": "ok"}
    assert httpx.get(f"{fresh.url}/chat").status_code == 200
    assert httpx.get(f"{fresh.url}/webhooks/telegram/").status_code == 200
    assert httpx.get(f"{fresh.url}/webhooks/whatsapp/").status_code == 200


def test_channels_are_harmless_without_their_secrets(monkeypatch, tmp_path):
    """With no channel environment at all, the webhooks refuse everything."""
    from channels.telegram.channel import bot_token, webhook_secret
    from channels.whatsapp import settings

    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_WEBHOOK_SECRET",
        "WHATSAPP_ACCESS_TOKEN",
        "WHATSAPP_APP_SECRET",
        "WHATSAPP_VERIFY_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    assert bot_token() == "" and webhook_secret() == ""
    cfg = settings()
    from channels.edge import meta_signature_valid, secrets_match

    assert not meta_signature_valid(cfg["app_secret"], b"{}", "sha256=" + "0" * 64)
    assert not secrets_match(cfg["verify_token"], "")


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"sender": ""},
        {"sender": "   "},
        {"sender": None},
        {"sender": "\u200f"},
        {"sender": "a\nb"},
        {"sender": ["a"]},
        {"sender": True},
        {"sender": {"id": 1}},
    ],
    ids=["missing", "empty", "spaces", "null", "invisible", "newline", "list", "bool", "object"],
)
def test_a_missing_or_blank_sender_is_refused_not_shared(fresh, given):
    """Without it every such caller would share one conversation (Rasa's "default")."""
    r = httpx.post(
        f"{fresh.url}/webhooks/rest/webhook", json={"message": "مرحبا", **given}, timeout=10
    )
    assert r.status_code == 400 and "sender" in r.json()["error"]
    assert fresh.agent.received == []
    assert conversations.transcript("default") == [] and conversations.transcript("") == []


def test_a_lone_surrogate_is_replaced_at_the_edge_and_the_turn_goes_on(fresh, caplog):
    s = sender()
    body = (
        '{"sender": "%s", "message": "\\ud800 \\u0645\\u0631\\u062d\\u0628\\u0627 \\udc00",'
        ' "metadata": {"note": "\\udfff"}}' % s
    ).encode()
    r = httpx.post(
        f"{fresh.url}/webhooks/rest/webhook",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert r.status_code == 200
    assert r.json() == [{"recipient_id": s, "text": "وصلني: \ufffd مرحبا \ufffd"}]
    assert [(m["author"], m["text"]) for m in conversations.transcript(s)] == [
        ("citizen", "\ufffd مرحبا \ufffd"),
        ("bot", "وصلني: \ufffd مرحبا \ufffd"),
    ]
    assert [r.getMessage() for r in caplog.records if r.levelno >= 40] == []
