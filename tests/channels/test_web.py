"""Web chat channel: signed sessions over a real WebSocket to the running server."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import httpx
import pytest
import websockets

from bot.services.privacy import erasure
from bot.store import conversations, engine
from channels.web.session import issue_session, verify_session
from tests.support.channels import GREETING, GREETING_BUTTONS

DAY = 86400


class Client:
    """A widget stand-in speaking the socket protocol."""

    def __init__(self, url: str, token=None, origin=None):
        self.url = url.replace("http://", "ws://") + "/chat/ws"
        self.token = token
        self.origin = origin
        self.frames = []

    async def __aenter__(self):
        kwargs = {"origin": self.origin} if self.origin else {}
        self.ws = await websockets.connect(self.url, **kwargs)
        try:
            await self.send({"type": "hello", "token": self.token})
        except websockets.ConnectionClosed:  # refused before the hello (origin check)
            pass
        return self

    async def __aexit__(self, *exc):
        await self.ws.close()

    async def send(self, frame):
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def next(self, kind, timeout=10.0):
        deadline = time.monotonic() + timeout
        while True:
            for i, f in enumerate(self.frames):
                if f["type"] == kind:
                    return self.frames.pop(i)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind!r} frame; got {self.frames}")
            try:
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
            except asyncio.TimeoutError:
                raise AssertionError(f"no {kind!r} frame; got {self.frames}") from None
            self.frames.append(json.loads(raw))

    async def say(self, text=None, payload=None, title=None, mid=None):
        frame = {"type": "message", "id": mid or uuid.uuid4().hex}
        if payload is not None:
            frame.update(payload=payload, title=title)
        else:
            frame["text"] = text
        await self.send(frame)
        return frame["id"]

    async def bot_text(self):
        return (await self.next("message"))["message"]


def run(coro):
    return asyncio.run(coro)


async def answered_in_a_new_session(url, text="رسالة بعدها"):
    """End a "nothing reached Rasa" window: a genuine session sends one message and the
    test waits for its answer. Returns that session's conversation id."""
    async with Client(url) as c:
        sid = verify_session((await c.next("session"))["token"])
        await c.next("history")
        await c.say(text)
        assert (await c.bot_text())["text"] == f"وصلني: {text}"
        return f"web:{sid}"


def test_demo_page_and_widget_are_served(fresh):
    page = httpx.get(f"{fresh.url}/chat")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'dir="rtl"' in page.text and '<script src="/chat/widget.js"' in page.text
    js = httpx.get(f"{fresh.url}/chat/widget.js")
    assert (
        js.headers["content-type"].startswith("application/javascript") and "WebSocket" in js.text
    )
    assert httpx.get(f"{fresh.url}/chat/widget.css").headers["content-type"].startswith("text/css")


def test_new_session_is_issued_by_the_server_and_answered(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            session = await c.next("session")
            assert session["new"] is True
            assert (await c.next("history"))["messages"] == []
            sid = verify_session(session["token"])
            assert sid
            mid = await c.say("متى ينزل الدعم؟")
            assert (await c.next("ack"))["id"] == mid
            assert (await c.next("typing"))["on"] is True
            reply = await c.bot_text()
            assert (reply["author"], reply["text"]) == ("bot", "وصلني: متى ينزل الدعم؟")
            return sid

    sid = run(scenario())
    assert fresh.agent.received[-1] == {
        "sender": f"web:{sid}",
        "text": "متى ينزل الدعم؟",
        "channel": "web",
    }


def test_history_survives_a_reconnect_with_the_same_token(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            token = (await c.next("session"))["token"]
            await c.next("history")
            await c.say("السؤال الأول")
            await c.bot_text()
        async with Client(fresh.url, token=token) as c2:
            session = await c2.next("session")
            assert session == {"type": "session", "token": token, "new": False}
            history = (await c2.next("history"))["messages"]
            return [(m["author"], m["text"]) for m in history]

    assert run(scenario()) == [("citizen", "السؤال الأول"), ("bot", "وصلني: السؤال الأول")]


async def refused(url, token):
    """Open a socket with `token`: the error frame, the close code and every frame seen."""
    async with Client(url, token=token) as c:
        error = await c.next("error")
        assert error["code"] == "auth"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await c.say("أعطني سجل المحادثة")
            await c.ws.recv()
        return closed.value.code, c.frames


@pytest.mark.parametrize(
    "forge", ["signature", "other_session", "garbage", "leading_zero", "arabic_digits"]
)
def test_a_forged_token_is_refused_and_nothing_reaches_rasa(fresh, forge):
    victim = issue_session()
    conversations.record_inbound(f"web:{victim['session_id']}", "web", victim["session_id"], "سر")
    sid, issued, sig = victim["token"].split(".")
    token = {
        "signature": f"{sid}.{issued}.{sig[:-2]}AA",
        "other_session": f"{sid}x.{issued}.{sig}",
        "garbage": "../../etc/passwd",
        # The same signature on another spelling of the time: only the canonical one counts.
        "leading_zero": f"{sid}.0{issued}.{sig}",
        "arabic_digits": f"{sid}.{issued.translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}.{sig}",
    }[forge]

    code, frames = run(refused(fresh.url, token))
    assert code == 4401
    assert not [f for f in frames if f["type"] == "history"]
    follow_up = run(answered_in_a_new_session(fresh.url))
    assert [(m["sender"], m["text"]) for m in fresh.agent.received] == [(follow_up, "رسالة بعدها")]


def test_an_expired_token_is_refused_because_it_expired(fresh, monkeypatch):
    """A token the server itself signed 31 days ago: its signature is genuine (it was good
    while young, and it is good again once the lifetime covers its age), so the refusal
    under the 30-day lifetime is the expiry check's."""
    monkeypatch.setenv("WEBCHAT_SESSION_DAYS", "30")
    issued_at = time.time() - 31 * DAY
    old = issue_session(now=issued_at)
    sid = old["session_id"]
    conversations.record_inbound(f"web:{sid}", "web", sid, "سر")
    assert verify_session(old["token"], now=issued_at + 29 * DAY) == sid

    code, frames = run(refused(fresh.url, old["token"]))
    assert code == 4401
    assert not [f for f in frames if f["type"] == "history"]
    follow_up = run(answered_in_a_new_session(fresh.url))
    assert [m["sender"] for m in fresh.agent.received] == [follow_up]

    monkeypatch.setenv("WEBCHAT_SESSION_DAYS", "32")

    async def reconnect():
        async with Client(fresh.url, token=old["token"]) as c:
            session = await c.next("session")
            return session, (await c.next("history"))["messages"]

    session, history = run(reconnect())
    assert session == {"type": "session", "token": old["token"], "new": False}
    assert [(m["author"], m["text"]) for m in history] == [("citizen", "سر")]


def test_the_same_client_message_id_three_times_gives_one_reply(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            sid = verify_session((await c.next("session"))["token"])
            await c.next("history")
            for _ in range(3):
                await c.say("مرة وحدة", mid="fixed-id-1")
            acks = [await c.next("ack") for _ in range(3)]
            # The window ends with the answer to a following message: a conversation's
            # messages reach Rasa one at a time and in order (channels.pipeline), so an
            # answer to a duplicate would have come before it.
            await c.say("وبعدها", mid="fixed-id-2")
            replies = [(await c.bot_text())["text"]]
            while replies[-1] != "وصلني: وبعدها":
                replies.append((await c.bot_text())["text"])
            return sid, acks, replies

    sid, acks, replies = run(scenario())
    assert replies == ["وصلني: مرة وحدة", "وصلني: وبعدها"]
    assert fresh.agent.texts_from(f"web:{sid}") == ["مرة وحدة", "وبعدها"]
    assert [a["duplicate"] for a in acks] == [False, True, True]


def test_a_message_over_the_rate_limit_is_refused_in_its_ack_with_when_to_retry(fresh, monkeypatch):
    """It used to be acknowledged like any other and then dropped: the widget showed it
    as sent, no answer came, and it was gone after a reload."""
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    from channels.pipeline import set_pipeline

    set_pipeline(None)

    async def scenario():
        async with Client(fresh.url) as c:
            await c.next("session")
            await c.next("history")
            await c.say("أول")
            first = await c.next("ack")
            await c.bot_text()
            await c.say("ملاحظتي على الخدمة")
            second = await c.next("ack")
            try:
                extra = await c.next("message", timeout=0.8)
            except AssertionError:
                extra = None
            return first, second, extra

    first, second, extra = run(scenario())
    assert "refused" not in first
    assert second["refused"] == "rate_limited" and 1 <= second["retry_after"] <= 60
    assert extra is None  # the widget marks the message itself; no notice, no Rasa
    assert "ملاحظتي على الخدمة" not in [m["text"] for m in fresh.agent.received]


def test_chip_payloads_are_accepted_only_when_offered(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            sid = verify_session((await c.next("session"))["token"])
            await c.next("history")
            # typed "/greet" is not an offered payload: slash stripped
            await c.say(payload="/greet", title="هلا")
            await c.bot_text()
            # the bot now offers buttons
            from channels.web.channel import WebOutput

            out = WebOutput(f"web:{sid}")
            fresh.run(out.emit(GREETING, GREETING_BUTTONS))
            pushed = await c.bot_text()
            assert pushed["buttons"] == GREETING_BUTTONS
            await c.say(payload=GREETING_BUTTONS[2]["payload"], title="أي شي")
            await c.bot_text()
            await c.say(payload="/restart", title="إعادة")
            await c.bot_text()
            return sid

    sid = run(scenario())
    assert fresh.agent.texts_from(f"web:{sid}") == [
        "greet",
        GREETING_BUTTONS[2]["payload"],
        "restart",
    ]
    citizen = [
        m["text"] for m in conversations.transcript(f"web:{sid}") if m["author"] == "citizen"
    ]
    assert citizen[1] == GREETING_BUTTONS[2]["title"]  # the server's title, not the client's


def test_agent_messages_reach_an_open_socket_or_wait_in_the_history(fresh):
    from channels.outbound import send_to_citizen

    async def online():
        async with Client(fresh.url) as c:
            token = (await c.next("session"))["token"]
            await c.next("history")
            await c.say("أبي موظف")
            await c.bot_text()
            sid = verify_session(token)
            result = fresh.run(send_to_citizen(f"web:{sid}", "معك سارة من خدمة العملاء"))
            live = await c.bot_text()
            return token, sid, result, live

    token, sid, result, live = run(online())
    assert result.delivered and result.recorded
    assert (live["author"], live["text"]) == ("agent", "معك سارة من خدمة العملاء")

    offline = fresh.run(send_to_citizen(f"web:{sid}", "هل ما زلت معي؟"))
    assert (offline.delivered, offline.recorded, offline.reason) == (False, True, "offline_stored")

    async def back():
        async with Client(fresh.url, token=token) as c:
            await c.next("session")
            return (await c.next("history"))["messages"]

    history = run(back())
    assert [(m["author"], m["text"]) for m in history[-2:]] == [
        ("agent", "معك سارة من خدمة العملاء"),
        ("agent", "هل ما زلت معي؟"),
    ]


def test_malformed_frames_are_answered_and_the_socket_stays_open(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            await c.next("session")
            await c.next("history")
            await c.ws.send("not json")
            assert (await c.next("error"))["code"] == "bad_request"
            await c.ws.send("[" * 4000 + "]" * 4000)  # too deep for json.loads
            assert (await c.next("error"))["code"] == "bad_request"
            await c.send({"type": "nonsense"})
            assert (await c.next("error"))["code"] == "bad_request"
            await c.ws.send("x" * 20_000)
            assert (await c.next("error"))["code"] == "too_large"
            await c.send({"type": "ping"})
            await c.next("pong")
            await c.say("ما زلت هنا")
            return (await c.bot_text())["text"]

    assert run(scenario()) == "وصلني: ما زلت هنا"


def test_first_frame_must_be_hello(fresh):
    async def scenario():
        ws = await websockets.connect(fresh.url.replace("http", "ws") + "/chat/ws")
        await ws.send(json.dumps({"type": "message", "text": "بدون جلسة"}))
        frames = []
        try:
            while True:
                frames.append(json.loads(await ws.recv()))
        except websockets.ConnectionClosed:
            pass
        return frames

    assert run(scenario()) == [{"type": "error", "code": "bad_request"}]
    assert fresh.agent.received == []


def test_disallowed_origin_is_refused(fresh, monkeypatch):
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "https://www.ca.gov.sa")

    async def scenario(origin):
        async with Client(fresh.url, origin=origin) as c:
            return await c.next("error" if origin == "https://evil.example" else "session")

    assert run(scenario("https://evil.example"))["code"] == "origin"
    assert run(scenario("https://www.ca.gov.sa"))["new"] is True


def test_a_crash_inside_rasa_is_an_apology_not_a_dead_socket(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            await c.next("session")
            await c.next("history")
            await c.say("crash")
            first = await c.bot_text()
            await c.say("بعدها")
            return first, await c.bot_text()

    first, second = run(scenario())
    assert (first["author"], second["text"]) == ("system", "وصلني: بعدها")


def test_a_lone_surrogate_in_a_widget_message_is_replaced_and_answered(fresh):
    async def scenario():
        async with Client(fresh.url) as c:
            sid = verify_session((await c.next("session"))["token"])
            await c.next("history")
            await c.ws.send('{"type": "message", "id": "m1", "text": "\\ud800 سؤال"}')
            return sid, (await c.bot_text())["text"]

    sid, reply = run(scenario())
    assert reply == "وصلني: \ufffd سؤال"
    assert [m["text"] for m in conversations.transcript(f"web:{sid}")][0] == "\ufffd سؤال"


def test_erasure_ends_the_session_open_sockets_and_old_tokens_alike(fresh):
    """`erase --conversation web:<sid>` as the back office runs it, from another process's
    point of view: only the database is shared."""

    async def scenario():
        async with Client(fresh.url) as c:
            token = (await c.next("session"))["token"]
            sid = verify_session(token)
            await c.next("history")
            await c.say("سؤالي الأول")
            await c.bot_text()
            report = await asyncio.to_thread(
                erasure.erase, conversation_id=f"web:{sid}", app=engine(), tracker=None
            )
            assert report.rows["revoked_web_sessions"] == 1
            await c.say("بعد المسح")
            assert (await c.next("error"))["code"] == "auth"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await c.ws.recv()
            assert closed.value.code == 4401
        async with Client(fresh.url, token=token) as again:
            assert (await again.next("error"))["code"] == "auth"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await again.ws.recv()
            assert closed.value.code == 4401
            assert not [f for f in again.frames if f["type"] == "history"]
        async with Client(fresh.url) as fresh_session:  # what the widget does next
            renewed = await fresh_session.next("session")
            assert renewed["new"] is True and verify_session(renewed["token"]) != sid
        return sid

    sid = run(scenario())
    time.sleep(0.2)
    assert fresh.agent.texts_from(f"web:{sid}") == ["سؤالي الأول"]
    assert conversations.transcript(f"web:{sid}") == []


def test_a_database_that_cannot_answer_keeps_the_token_for_a_retry(fresh, monkeypatch):
    from channels.web import channel

    def down(_sid):
        raise RuntimeError("database unavailable")

    token = issue_session()["token"]
    monkeypatch.setattr(channel, "revoked", down)

    async def scenario():
        async with Client(fresh.url, token=token) as c:
            error = await c.next("error")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await c.ws.recv()
            return error["code"], closed.value.code

    assert run(scenario()) == ("unavailable", 1013)
    monkeypatch.undo()

    async def back():
        async with Client(fresh.url, token=token) as c:
            return (await c.next("session"))["new"]

    assert run(back()) is False
