"""Each channel's notification end to end through the stand-ins: a status change in the
back office, the sender (channels.notify.sender) on the server's loop, and what the citizen's
Telegram, WhatsApp (inside and outside the 24-hour window, with the template), widget
(connected and not) and SMS gateway receive."""

from __future__ import annotations

import asyncio
import json
import os
from datetime import timedelta

import pytest
import websockets
from sqlalchemy import select, update

from bot.services import objections
from bot.services.tickets import records as tickets
from bot.store import conversations, session_scope
from bot.store.notifications import Notification
from bot.tools.services import free_port
from tests.support.channels import Recorder, unique_id
from tests.support.environment import restore_environment

ID_A, MOBILE_A = "1023456781", "0551234567"
TEMPLATE = "case_status_update"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The channel tests' server (tests/support/channels.py) with the widget push route
    of credentials.yml loaded too. Built here from the conftest's parts: pytest may load
    that conftest under a module name another conftest later takes."""
    from bot.services import handoff
    from bot.store import reset_engine
    from channels.pipeline import set_pipeline
    from tests.support import channels as cc

    st = cc.Stack(tmp_path_factory.mktemp("notify-channels"))
    saved = {k: os.environ.get(k) for k in st.env()}
    os.environ.update(st.env())
    reset_engine()
    set_pipeline(None)
    cc.create_schema(os.environ["DATABASE_URL"])
    fake = cc.FakeHandoff()
    originals = {n: getattr(handoff, n, None) for n in ("state_of", "notify_citizen_message")}
    handoff.state_of, handoff.notify_citizen_message = fake.state_of, fake.notify_citizen_message
    st.handoff = fake
    channels = cc.MY_CHANNELS
    cc.MY_CHANNELS = channels + ("channels.notify.push.NotifyPushInput",)
    try:
        st.start()
    finally:
        cc.MY_CHANNELS = channels
    try:
        yield st
    finally:
        st.stop()
        for name, value in originals.items():
            if value is None:
                delattr(handoff, name)
            else:
                setattr(handoff, name, value)
        set_pipeline(None)
        restore_environment(saved)
        reset_engine()


@pytest.fixture(scope="module")
def sms_gateway(stack):
    """An SMS provider's HTTP API that keeps one message per Idempotency-Key."""
    from aiohttp import web

    recorder, port = Recorder(), free_port()

    async def messages(request):
        body = await request.json()
        recorder.add(
            {"method": "sms", "params": body, "key": request.headers.get("Idempotency-Key")}
        )
        return web.json_response({"id": f"prov-{body['message_id'][:8]}"})

    async def boot():
        app = web.Application()
        app.router.add_post("/messages", messages)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    runner = stack.run(boot())
    recorder.url = f"http://127.0.0.1:{port}/messages"
    yield recorder
    stack.run(runner.cleanup())


@pytest.fixture
def notify(fresh, sms_gateway, monkeypatch):
    from bot.store.migrate import upgrade

    upgrade(os.environ["DATABASE_URL"])  # the channel fixture stops at the conversations
    monkeypatch.setenv("SMS_GATEWAY_URL", sms_gateway.url)
    monkeypatch.setenv("NOTIFY_PUSH_TOKEN", "push-token-for-tests")
    monkeypatch.setenv("NOTIFY_PUSH_URL", fresh.url)
    monkeypatch.setenv("NOTIFY_BACKOFF_SECONDS", "0")
    sms_gateway.clear()
    with session_scope() as s:  # one test's notifications do not leak into the next
        s.execute(update(Notification).values(state="sent"))
    return fresh


def send_due(stack) -> list:
    from channels.notify.sender import run_once

    states = []
    for _ in range(10):  # retries and fallbacks are due at once here (no backoff)
        done = stack.run(run_once("test-sender"))
        if not done:
            return states
        states += done
    return states


def _ticket(conversation_id: str, channel: str, recipient: str) -> str:
    conversations.record_inbound(conversation_id, channel, recipient, "ابي افتح بلاغ")
    ticket, _ = tickets.create_ticket(
        ID_A, MOBILE_A, "payment", "الدفعة ناقصة", f"k-{conversation_id}", conversation_id, channel
    )
    return ticket.number


def _row(number: str) -> Notification:
    with session_scope() as s:
        return (
            s.execute(
                select(Notification)
                .where(Notification.subject_number == number)
                .order_by(Notification.id.desc())
            )
            .scalars()
            .first()
        )


def test_telegram_citizen_gets_number_status_and_the_stop_hint(notify):
    user = unique_id()
    number = _ticket(f"telegram:{user}", "telegram", str(user))
    tickets.set_status(number, "resolved", actor="backoffice:test")
    assert send_due(notify) == ["sent"]
    [call] = notify.telegram.of("sendMessage", chat_id=user)
    text = call["params"]["text"]
    assert number in text and "تم الحل" in text and "إيقاف التنبيهات" in text
    assert ID_A not in text and MOBILE_A[1:] not in text
    row = _row(number)
    assert (row.state, row.sent_channel) == ("sent", "telegram")
    assert send_due(notify) == [] and len(notify.telegram.of("sendMessage", chat_id=user)) == 1
    texts = [m["text"] for m in conversations.transcript(f"telegram:{user}")]
    assert texts[-1] == text  # the desk sees what the citizen was told


def test_a_citizen_who_blocked_the_bot_gets_the_sms_instead(notify, sms_gateway):
    number = _ticket("telegram:666", "telegram", "666")  # the stand-in's blocked user
    tickets.set_status(number, "closed")
    assert send_due(notify) == ["pending", "sent"]  # Forbidden is final: straight to SMS
    [sms] = sms_gateway.of("sms")
    assert sms["params"]["to"] == "+966" + MOBILE_A[1:]
    assert number in sms["params"]["text"] and "مغلق" in sms["params"]["text"]
    assert "إيقاف" not in sms["params"]["text"]  # an SMS cannot be answered
    row = _row(number)
    assert (row.state, row.sent_channel) == ("sent", "sms")
    assert row.last_error is None


def test_whatsapp_inside_the_window_is_free_text(notify):
    wa = f"9665{unique_id() % 100_000_000:08d}"
    number = _ticket(f"whatsapp:{wa}", "whatsapp", wa)
    tickets.set_status(number, "in_progress")
    assert send_due(notify) == ["sent"]
    [call] = [c for c in notify.graph.of("messages") if c["params"]["to"] == wa]
    assert call["params"]["type"] == "text"
    assert number in call["params"]["text"]["body"]
    assert _row(number).channel_message_id.startswith("wamid.OUT")


def _close_window(conversation_id: str) -> None:
    with session_scope() as s:
        s.execute(
            update(conversations.Conversation)
            .where(conversations.Conversation.conversation_id == conversation_id)
            .values(last_inbound_at=conversations.utcnow() - timedelta(hours=25))
        )


def test_whatsapp_outside_the_window_uses_the_approved_template(notify, monkeypatch):
    monkeypatch.setenv("NOTIFY_WHATSAPP_TEMPLATE", TEMPLATE)
    monkeypatch.setenv("NOTIFY_WHATSAPP_TEMPLATE_LANGUAGE", "ar")
    wa = f"9665{unique_id() % 100_000_000:08d}"
    number = _ticket(f"whatsapp:{wa}", "whatsapp", wa)
    _close_window(f"whatsapp:{wa}")
    tickets.set_status(number, "resolved")
    assert send_due(notify) == ["sent"]
    [call] = [c for c in notify.graph.of("messages") if c["params"]["to"] == wa]
    assert call["params"]["type"] == "template"
    template = call["params"]["template"]
    assert template["name"] == TEMPLATE and template["language"] == {"code": "ar"}
    params = [p["text"] for p in template["components"][0]["parameters"]]
    assert params == [number, "تم الحل"]


def test_whatsapp_outside_the_window_without_a_template_falls_back_to_sms(notify, sms_gateway):
    wa = f"9665{unique_id() % 100_000_000:08d}"
    number = _ticket(f"whatsapp:{wa}", "whatsapp", wa)
    _close_window(f"whatsapp:{wa}")
    tickets.set_status(number, "resolved")
    send_due(notify)
    assert not [c for c in notify.graph.of("messages") if c["params"]["to"] == wa]
    assert len(sms_gateway.of("sms")) == 1 and _row(number).sent_channel == "sms"


async def _hello(url: str, token=None):
    ws = await websockets.connect(url.replace("http://", "ws://") + "/chat/ws")
    await ws.send(json.dumps({"type": "hello", "token": token}))
    frames = []
    while len(frames) < (3 if token else 2):  # session, history (, handoff)
        frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
    return ws, frames


async def _next_message(ws, timeout=10.0):
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == "message":
            return frame["message"]


def test_widget_connected_gets_it_live(notify):
    async def scenario():
        ws, frames = await _hello(notify.url)
        token = frames[0]["token"]
        sid = token.split(".")[0]
        number = await asyncio.to_thread(_ticket, f"web:{sid}", "web", sid)
        await asyncio.to_thread(tickets.set_status, number, "in_progress")
        from channels.notify.sender import run_once

        assert await run_once("test-sender") == ["sent"]
        message = await _next_message(ws)
        await ws.close()
        return number, message

    number, message = notify.run(scenario())
    assert message["author"] == "system" and number in message["text"]
    assert _row(number).channel_message_id.startswith("transcript:")


def test_widget_not_connected_shows_it_at_the_next_visit(notify):
    async def scenario():
        ws, frames = await _hello(notify.url)
        token = frames[0]["token"]
        await ws.close()
        sid = token.split(".")[0]
        number = await asyncio.to_thread(_ticket, f"web:{sid}", "web", sid)
        await asyncio.to_thread(tickets.set_status, number, "resolved")
        from channels.notify.sender import run_once

        assert await run_once("test-sender") == ["sent"]
        ws, frames = await _hello(notify.url, token)
        await ws.close()
        return number, frames

    number, frames = notify.run(scenario())
    history = next(f for f in frames if f["type"] == "history")["messages"]
    assert [m for m in history if number in m["text"] and m["author"] == "system"]
    assert len([m for m in history if number in m["text"] and "تحدّثت" in m["text"]]) == 1


def test_staff_objection_with_only_a_mobile_is_told_by_sms_once(notify, sms_gateway):
    objection = objections.create_objection(ID_A, "0569876543", "2025-01", amount="850")
    objections.update_objection(objection.number, status="accepted")
    assert send_due(notify) == ["sent"]
    [sms] = sms_gateway.of("sms")
    assert sms["params"]["to"] == "+966569876543"
    assert objection.number in sms["params"]["text"] and "مقبول" in sms["params"]["text"]
    assert "850" not in sms["params"]["text"]
    assert sms["key"] == sms["params"]["message_id"]  # the gateway's idempotency key
    assert send_due(notify) == []


def test_a_status_sms_past_the_staff_budget_waits_and_goes_out_once(
    notify, sms_gateway, monkeypatch
):
    from bot.services.sms import gateway as sms
    from bot.store.base import utcnow
    from bot.store.sms import SmsMessage

    monkeypatch.setenv("SMS_BUDGET_STAFF_MOBILE_DAY", "1")
    mobile = f"056{unique_id() % 10_000_000:07d}"
    e164 = "+966" + mobile[1:]
    # the day's one staff-initiated message
    assert sms.send(mobile, "رسالة سابقة", kind="notification", message_id="earlier").ok
    sms_gateway.clear()
    objection = objections.create_objection(ID_A, mobile, "2025-01")
    objections.update_objection(objection.number, status="accepted")

    assert send_due(notify) == ["pending"]  # held back, not failed
    row = _row(objection.number)
    with session_scope() as s:
        earlier = s.execute(
            select(SmsMessage.created_at).where(
                SmsMessage.to == e164, SmsMessage.message_id == "earlier"
            )
        ).scalar_one()
    assert (row.state, row.attempts, row.last_error) == (
        "pending",
        0,
        "sms:budget:staff_mobile_day",
    )
    assert abs(row.next_attempt_at - (earlier + timedelta(days=1))) < timedelta(seconds=5)
    assert sms_gateway.of("sms") == [] and send_due(notify) == []  # not before its time

    def due_now():
        with session_scope() as s:
            s.execute(
                update(Notification)
                .where(Notification.id == row.id)
                .values(next_attempt_at=utcnow())
            )

    due_now()  # asked again while the budget is still spent: still waits, still unsent
    assert send_due(notify) == ["pending"] and sms_gateway.of("sms") == []

    with session_scope() as s:  # a day later
        s.execute(
            update(SmsMessage)
            .where(SmsMessage.to == e164, SmsMessage.message_id == "earlier")
            .values(created_at=earlier - timedelta(days=1, minutes=1))
        )
    due_now()
    assert send_due(notify) == ["sent"]
    [message] = sms_gateway.of("sms")
    assert message["params"]["to"] == e164 and objection.number in message["params"]["text"]
    assert message["key"] == message["params"]["message_id"]
    row = _row(objection.number)
    assert (row.state, row.sent_channel, row.last_error) == ("sent", "sms", None)
    with session_scope() as s:
        statuses = (
            s.execute(select(SmsMessage.status).where(SmsMessage.message_id == message["key"]))
            .scalars()
            .all()
        )
    assert statuses == ["sent"]  # one outbox row for the notification, sent once
    assert send_due(notify) == [] and len(sms_gateway.of("sms")) == 1


def test_a_citizen_who_spent_their_own_budget_still_hears_of_the_status(
    notify, sms_gateway, monkeypatch
):
    """Codes and ticket messages the citizen set off do not hold back what staff did."""
    from bot.services.sms import gateway as sms

    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "1")
    mobile = f"056{unique_id() % 10_000_000:07d}"
    assert sms.send(mobile, "رمز سابق", kind="otp").ok  # the hour's one message
    assert not sms.send(mobile, "رمز ثاني", kind="otp").ok  # the citizen's budget is spent
    sms_gateway.clear()
    objection = objections.create_objection(ID_A, mobile, "2025-01")
    objections.update_objection(objection.number, status="accepted")

    assert send_due(notify) == ["sent"]
    [message] = sms_gateway.of("sms")
    assert objection.number in message["params"]["text"]


def test_push_route_needs_its_token_and_a_recorded_message(notify):
    import httpx

    url = notify.url + "/webhooks/notify/push"
    body = {"conversation_id": "web:nobody", "message_id": 1}
    token = {"X-Notify-Token": "push-token-for-tests"}
    with httpx.Client(timeout=30) as client:  # a busy shared machine is slow, not wrong
        assert client.post(url, json=body).status_code == 401
        assert client.post(url, json=body, headers={"X-Notify-Token": "x"}).status_code == 401
        ok = client.post(url, json=body, headers=token)
        assert ok.status_code == 200 and ok.json()["reached"] is False
        assert client.post(url, content=b"{", headers=token).status_code == 400


@pytest.fixture(scope="module")
def redis_service():
    from bot.tools.services import Redis, ServiceError

    try:
        server = Redis().start()
    except ServiceError as e:
        pytest.skip(str(e))
    yield server
    server.stop()


def test_with_redis_a_widget_on_another_worker_gets_it_through_the_fan_out(
    notify, redis_service, monkeypatch
):
    """The push route publishes what it could not deliver itself; every worker's listener
    pushes it to the sockets it holds (here the listener of this one server stands in for
    the other worker's)."""
    from channels.notify import push as notify_push

    monkeypatch.setenv("REDIS_URL", redis_service.url)

    async def scenario():
        listening = asyncio.create_task(notify_push._listen(redis_service.url))
        await asyncio.sleep(0.5)  # subscribed
        try:
            ws, frames = await _hello(notify.url)
            sid = frames[0]["token"].split(".")[0]
            number = await asyncio.to_thread(_ticket, f"web:{sid}", "web", sid)
            await asyncio.to_thread(tickets.set_status, number, "closed")
            rows = await asyncio.to_thread(conversations.transcript, f"web:{sid}")
            # As if the socket were on another worker: the message arrives only via Redis.
            message_id = await asyncio.to_thread(
                conversations.record_outbound, f"web:{sid}", "رسالة تجريبية", None, "system"
            )
            assert await notify_push._publish(redis_service.url, f"web:{sid}", message_id) >= 1
            message = await _next_message(ws)
            await ws.close()
            # and the route itself publishes what it cannot push from this worker
            import httpx

            async with httpx.AsyncClient(timeout=30) as client:
                answer = (
                    await client.post(
                        notify.url + "/webhooks/notify/push",
                        json={"conversation_id": "web:elsewhere", "message_id": message_id},
                        headers={"X-Notify-Token": "push-token-for-tests"},
                    )
                ).json()
            return rows, message, answer
        finally:
            listening.cancel()

    _, message, answer = notify.run(scenario())
    assert message["text"] == "رسالة تجريبية" and message["author"] == "system"
    assert answer == {"reached": False, "published": True, "maybe_elsewhere": False}
