"""Agent replies reach the citizen on their own channel, with the real handoff state.

A real sanic server runs the citizen channels (credentials.yml) plus the agent desk,
with the stand-in Telegram Bot API and the scripted stand-in for Rasa from
tests/support/channels.py. Unlike the channel tests, bot.services.handoff is the
real one, on a database migrated to heads: the pipeline's gate, the desk's claim
and the outbound delivery all meet here.
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import httpx
import pytest

from bot.services import handoff
from bot.services.console import csat
from bot.store import conversations, reset_engine
from tests.support import channels as channel_fixtures
from tests.support.channels import TELEGRAM_SECRET, unique_id, wait_for
from tests.support.environment import restore_environment

PASSWORD = "desk password for tests"


class DeskHttp:
    """An agent's browser session on the desk over real HTTP (cookies + CSRF header)."""

    def __init__(self, base_url: str, username: str, password: str = PASSWORD) -> None:
        self.base = base_url
        self.http = httpx.Client(
            base_url=base_url, timeout=20, follow_redirects=False, headers={"Origin": base_url}
        )
        page = self.http.get("/desk/login").text
        start = page.index('name="csrf" value="') + len('name="csrf" value="')
        token = page[start : page.index('"', start)]
        r = self.http.post(
            "/desk/login", data={"csrf": token, "username": username, "password": password}
        )
        assert r.status_code == 303, r.text[:300]
        self.csrf = self.http.get("/desk/api/me").json()["csrf"]

    def queue(self):
        return self.http.get("/desk/api/queue").json()["items"]

    def detail(self, handoff_id: int):
        return self.http.get(f"/desk/api/handoffs/{handoff_id}").json()

    def act(self, handoff_id: int, action: str, body=None) -> httpx.Response:
        return self.http.post(
            f"/desk/api/handoffs/{handoff_id}/{action}",
            json=body or {},
            headers={"X-CSRF-Token": self.csrf},
        )


@pytest.fixture(scope="module")
def desk_stack(tmp_path_factory):
    from sanic import Sanic

    from bot.services.desk import accounts as desk_auth
    from bot.store.migrate import upgrade
    from channels import desk
    from channels.pipeline import set_pipeline

    Sanic.test_mode = True  # several Sanic apps start in one test process
    stack = channel_fixtures.Stack(tmp_path_factory.mktemp("desk"))
    saved = {k: os.environ.get(k) for k in stack.env()}
    os.environ.update(stack.env())
    reset_engine()
    set_pipeline(None)
    upgrade(os.environ["DATABASE_URL"])
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    # The channels of credentials.yml, plus the desk (the lead adds its line there).
    original = channel_fixtures.load_channels
    channel_fixtures.load_channels = lambda: original() + [desk.AgentDesk()]
    try:
        stack.start()
    finally:
        channel_fixtures.load_channels = original
    try:
        yield stack
    finally:
        stack.stop()
        set_pipeline(None)
        restore_environment(saved)
        reset_engine()


def telegram_update(user_id: int, text: str) -> dict:
    message = {
        "message_id": unique_id() % 100000,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "text": text,
        "from": {"id": user_id, "is_bot": False, "first_name": "مواطن"},
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": unique_id(), "message": message}


def telegram_says(stack, user_id: int, text: str) -> None:
    r = httpx.post(
        f"{stack.url}/webhooks/telegram/webhook",
        json=telegram_update(user_id, text),
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        timeout=10,
    )
    assert r.status_code == 200
    stack.drain()


def telegram_texts(stack, user_id: int):
    return [c["params"]["text"] for c in stack.telegram.of("sendMessage", chat_id=user_id)]


def test_agent_reply_reaches_a_telegram_user_and_the_bot_stays_silent(desk_stack):
    st = desk_stack
    user = unique_id()
    cid = f"telegram:{user}"
    telegram_says(st, user, "السلام عليكم")
    assert wait_for(lambda: telegram_texts(st, user)) == ["وصلني: السلام عليكم"]

    h = handoff.escalate(cid, "requested")
    reached_rasa = len(st.agent.texts_from(cid))
    telegram_says(st, user, "ابي اكلم موظف ضروري")
    telegram_says(st, user, "/restart")
    assert len(st.agent.texts_from(cid)) == reached_rasa  # Rasa never saw them
    acks = wait_for(lambda: [t for t in telegram_texts(st, user) if t.startswith("وصلت رسالتك")])
    assert len(acks) == 1 and handoff.LEAVE_HINT in acks[0]  # the first one is acknowledged,
    assert [t for t in telegram_texts(st, user) if t not in acks] == [
        "وصلني: السلام عليكم"
    ]  # nothing else

    sara = DeskHttp(st.url, "sara")
    item = next(i for i in sara.queue() if i["id"] == h.id)
    assert item["channel"] == "telegram" and item["unread"] is True and item["state"] == "queued"
    assert sara.act(h.id, "claim").status_code == 200
    assert sara.act(h.id, "reply", {"text": "هلا، معك سارة من خدمة العملاء"}).status_code == 200
    texts = wait_for(lambda: [t for t in telegram_texts(st, user) if "معك سارة من" in t])
    assert texts == ["هلا، معك سارة من خدمة العملاء"]
    assert any("انضم لك سارة" in t for t in telegram_texts(st, user))

    transcript = [(m["author"], m["text"]) for m in sara.detail(h.id)["messages"]]
    assert ("citizen", "ابي اكلم موظف ضروري") in transcript
    assert ("citizen", "restart") in transcript  # recorded, slash stripped
    assert transcript[-1] == ("agent", "هلا، معك سارة من خدمة العملاء")

    assert sara.act(h.id, "return").status_code == 200
    assert wait_for(
        lambda: any(t.startswith(handoff.RESUME_TEXT) for t in telegram_texts(st, user))
    )
    # The rating question about the agent's part comes with it, as inline buttons.
    back = st.telegram.of("sendMessage", chat_id=user)[-1]["params"]
    assert back["text"].endswith(csat.QUESTION_AGENT)
    assert sum(len(row) for row in back["reply_markup"]["inline_keyboard"]) == 5
    telegram_says(st, user, "شكرا")
    assert wait_for(lambda: "وصلني: شكرا" in telegram_texts(st, user))
    assert st.agent.texts_from(cid)[-1] == "شكرا"


def test_agent_reply_reaches_a_widget_user_over_the_live_connection(desk_stack):
    import websockets

    st = desk_stack
    ws_url = st.url.replace("http://", "ws://") + "/chat/ws"

    async def next_message(ws, author, timeout=15.0):
        deadline = time.monotonic() + timeout
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), deadline - time.monotonic()))
            if frame.get("type") == "message" and frame["message"]["author"] == author:
                return frame["message"]

    async def scenario():
        async with websockets.connect(ws_url, origin=st.url) as ws:
            await ws.send(json.dumps({"type": "hello", "token": None}))
            session = json.loads(await ws.recv())
            from channels.web.session import verify_session

            cid = f"web:{verify_session(session['token'])}"
            await ws.send(json.dumps({"type": "message", "id": "c1", "text": "مرحبا"}))
            assert (await next_message(ws, "bot"))["text"] == "وصلني: مرحبا"

            h = await asyncio.to_thread(handoff.escalate, cid, "fallback")
            await ws.send(json.dumps({"type": "message", "id": "c2", "text": "وينكم؟"}))
            assert (await next_message(ws, "system"))["text"].startswith("وصلت رسالتك")  # queue ack
            sara = await asyncio.to_thread(DeskHttp, st.url, "sara")
            assert (await asyncio.to_thread(sara.act, h.id, "claim")).status_code == 200
            assert (await next_message(ws, "system"))["text"].startswith("انضم لك سارة")
            r = await asyncio.to_thread(sara.act, h.id, "reply", {"text": "أبشر، أنا معك الحين"})
            assert r.status_code == 200
            assert (await next_message(ws, "agent"))["text"] == "أبشر، أنا معك الحين"
            assert st.agent.texts_from(cid) == ["مرحبا"]  # "وينكم؟" went to the desk only
            assert (await asyncio.to_thread(sara.act, h.id, "close")).status_code == 200
            assert (await next_message(ws, "bot"))["text"].startswith(handoff.CLOSE_TEXT)
            return cid

    cid = asyncio.run(scenario())
    assert handoff.state_of(cid) == "bot"
    assert [m["author"] for m in conversations.transcript(cid)] == [
        "citizen",
        "bot",
        "citizen",
        "system",
        "system",
        "agent",
        "bot",
    ]
