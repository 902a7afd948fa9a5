"""Fixtures for the channel tests: a real sanic server with the channel blueprints
(registered the way Rasa does it, from credentials.yml), a scripted stand-in for Rasa's
agent, and local stand-ins for the Telegram Bot API and the WhatsApp Graph API that
the real client libraries (python-telegram-bot, httpx) talk to over HTTP.

Everything runs on one event loop in a background thread; tests are plain functions
that use synchronous HTTP clients and poll what the stand-ins received.
No fixture here is autouse.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from bot.tools.services import free_port
from tests.support.environment import restore_environment

ROOT = Path(__file__).resolve().parents[2]

# The Rasa server reads channels from credentials.yml at start; the stand-in servers
# below take the place of api.telegram.org and graph.facebook.com.
TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "tg-secret_0123456789"
WA_SECRET = "wa-app-secret"
WA_VERIFY = "wa-verify-token"
WA_PHONE_ID = "1098765"
WA_VERSION = "v21.0"

GREETING = "هلا والله! أنا مساعد حساب المواطن. وش تبي تعرف؟"
GREETING_BUTTONS = [
    {"title": "شروط الأهلية", "payload": '/faq_pick{"faq_key": "eligibility_conditions"}'},
    {"title": "تحقق من أهليتي", "payload": "/check_eligibility"},
    {"title": "قنوات التواصل", "payload": '/faq_pick{"faq_key": "contact_channels"}'},
]


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class FakeAgent:
    """Stands in for rasa.core.agent.Agent: `handle_message` answers through the
    message's output channel like Rasa would, and remembers what reached it."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []

    def texts_from(self, sender: str) -> List[str]:
        return [m["text"] for m in self.received if m["sender"] == sender]

    async def handle_message(self, message) -> None:
        text = message.text if message.text is not None else ""
        self.received.append(
            {"sender": message.sender_id, "text": text, "channel": message.input_channel}
        )
        out, sid = message.output_channel, message.sender_id
        if text in ("/greet", "/start"):
            await out.send_response(
                sid, {"text": GREETING, "buttons": [dict(b) for b in GREETING_BUTTONS]}
            )
        elif "شروط" in text:
            # a real FAQ answer from the program content, with its follow-up buttons
            from bot.content import faq_answers, faq_buttons, fill

            await out.send_response(
                sid,
                {
                    "text": fill(faq_answers()["eligibility_conditions"]["text"]),
                    "buttons": faq_buttons("eligibility_conditions"),
                },
            )
        elif text == "crash":
            raise RuntimeError("simulated failure inside Rasa")
        elif text == "slow":
            await asyncio.sleep(2.0)
            await out.send_response(sid, {"text": "انتهيت"})
        elif text == "long":
            words = " ".join(f"كلمة{i}" for i in range(1500))  # ~ 11,000 characters
            await out.send_response(sid, {"text": words, "buttons": [dict(GREETING_BUTTONS[0])]})
        elif text == "menu":
            await out.send_response(
                sid,
                {
                    "text": "اختر الخدمة:",
                    "buttons": [
                        {"title": f"خدمة رقم {i}", "payload": f'/service{{"n": {i}}}'}
                        for i in range(1, 13)
                    ],
                },
            )
        elif text == "list":
            await out.send_response(
                sid,
                {
                    "text": "اختر السؤال:",
                    "buttons": [
                        {"title": f"سؤال طويل قليلاً رقم {i}", "payload": f"/q{i}"}
                        for i in range(1, 6)
                    ],
                },
            )
        elif text.startswith("/"):
            await out.send_response(sid, {"text": f"intent {text}"})
        elif text == "":
            await out.send_response(sid, {"text": "ما وصلتني رسالتك، اكتب سؤالك لو سمحت."})
        else:
            await out.send_response(sid, {"text": f"وصلني: {text[:50]}"})


class Recorder:
    """Thread-safe list of calls received by a stand-in server."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, call: Dict[str, Any]) -> None:
        with self.lock:
            self.calls.append(call)

    def of(self, method: str, **match: Any) -> List[Dict[str, Any]]:
        with self.lock:
            return [
                c
                for c in self.calls
                if c["method"] == method
                and all(str(c["params"].get(k)) == str(v) for k, v in match.items())
            ]

    def clear(self) -> None:
        with self.lock:
            self.calls.clear()


def telegram_standin(recorder: Recorder):
    """A minimal Telegram Bot API: records each call, answers like Telegram does."""
    from aiohttp import web

    counter = {"message_id": 1000}

    async def handle(request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        if token != TELEGRAM_TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        if request.content_type == "application/json":
            params = await request.json()
        else:
            params = dict(await request.post())
        for key in ("reply_markup", "allowed_updates", "reply_parameters"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        recorder.add({"method": method, "params": params, "at": time.monotonic()})
        if method == "sendMessage":
            if str(params.get("chat_id")) == "666":  # a user who blocked the bot
                return web.json_response(
                    {
                        "ok": False,
                        "error_code": 403,
                        "description": "Forbidden: bot was blocked by the user",
                    },
                    status=403,
                )
            counter["message_id"] += 1
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "message_id": counter["message_id"],
                        "date": int(time.time()),
                        "chat": {"id": int(params["chat_id"]), "type": "private"},
                        "text": params.get("text", ""),
                    },
                }
            )
        if method == "getMe":
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "id": 123456,
                        "is_bot": True,
                        "first_name": "مساعد",
                        "username": "cza_test_bot",
                    },
                }
            )
        if method == "getWebhookInfo":
            return web.json_response(
                {
                    "ok": True,
                    "result": {
                        "url": "https://example.org/webhooks/telegram/webhook",
                        "has_custom_certificate": False,
                        "pending_update_count": 0,
                        "allowed_updates": ["message", "callback_query"],
                    },
                }
            )
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/bot{token}/{method}", handle)
    return app


def graph_standin(recorder: Recorder):
    """A minimal WhatsApp Cloud API (Graph) /{version}/{phone_number_id}/messages."""
    from aiohttp import web

    counter = {"n": 0}

    async def messages(request: web.Request) -> web.Response:
        body = await request.json()
        recorder.add(
            {
                "method": "messages",
                "params": body,
                "path": request.path,
                "auth": request.headers.get("Authorization"),
                "at": time.monotonic(),
            }
        )
        if body.get("to") == "966500000666":
            return web.json_response(
                {"error": {"message": "Re-engagement message", "code": 131047}}, status=400
            )
        counter["n"] += 1
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                "messages": [{"id": f"wamid.OUT{counter['n']}"}],
            }
        )

    app = web.Application()
    app.router.add_post("/{version}/{phone}/messages", messages)
    return app


MY_CHANNELS = (
    "channels.rest.SafeRestInput",
    "channels.web.channel.WebChatInput",
    "channels.telegram.channel.TelegramChannel",
    "channels.whatsapp.WhatsAppChannel",
)


def load_channels():
    """This feature's entries of credentials.yml, instantiated the way `rasa run` does."""
    import yaml
    from rasa.core.run import _create_single_channel

    creds = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    missing = [name for name in MY_CHANNELS if name not in creds]
    assert not missing, f"credentials.yml lacks {missing}"
    return [_create_single_channel(name, creds[name]) for name in MY_CHANNELS]


class FakeHandoff:
    """Controllable stand-in for bot.services.handoff.state_of / notify_citizen_message."""

    def __init__(self) -> None:
        self.states: Dict[str, str] = {}
        self.notified: List[tuple] = []

    def state_of(self, conversation_id: str) -> str:
        return self.states.get(conversation_id, "bot")

    async def notify_citizen_message(self, conversation_id, text="", message_id=None):
        self.notified.append((conversation_id, text, message_id))
        return True


class Stack:
    """A running sanic app with the channels + the two stand-ins, on a background loop."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.agent = FakeAgent()
        self.telegram = Recorder()
        self.graph = Recorder()
        self.port, self.tg_port, self.graph_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._cleanup: List[Any] = []

    def run(self, coro, timeout: float = 30.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def env(self) -> Dict[str, str]:
        return {
            "DATABASE_URL": f"sqlite:///{self.tmp / 'app.db'}",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_BASE": f"http://127.0.0.1:{self.tg_port}",
            "WHATSAPP_ACCESS_TOKEN": "wa-access-token",
            "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_ID,
            "WHATSAPP_APP_SECRET": WA_SECRET,
            "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "WHATSAPP_API_BASE": f"http://127.0.0.1:{self.graph_port}",
            "WHATSAPP_API_VERSION": WA_VERSION,
            "WEBCHAT_SECRET": "web-secret-for-tests",
            "RATE_LIMIT_MESSAGES": "1000",
        }

    def start(self) -> None:
        from aiohttp import web
        from rasa.core.channels.channel import register
        from sanic import Sanic

        self.thread.start()

        async def boot():
            for app, port in (
                (telegram_standin(self.telegram), self.tg_port),
                (graph_standin(self.graph), self.graph_port),
            ):
                runner = web.AppRunner(app, access_log=None)
                await runner.setup()
                await web.TCPSite(runner, "127.0.0.1", port).start()
                self._cleanup.append(runner)
            # Several Sanic apps start in one test process: test mode lets Sanic's TouchUp
            # rewrite its handlers from the originals each time (else the 2nd app fails).
            Sanic.test_mode = True
            app = Sanic(f"channels_test_{uuid.uuid4().hex[:8]}")
            app.ctx.agent = self.agent
            register(load_channels(), app, route="/webhooks/")
            server = await app.create_server(
                host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
            )
            await server.startup()
            await server.start_serving()
            self.server = server

        self.run(boot())

    def drain(self) -> None:
        from channels.pipeline import get_pipeline

        self.run(get_pipeline().drain(20))

    def stop(self) -> None:
        async def shutdown():
            from channels.telegram.channel import close_bot
            from channels.whatsapp import close_client

            await self.server.before_stop()  # drains the pipeline, cancels sockets
            self.server.close()
            await self.server.after_stop()  # closes the Telegram Bot and Graph client
            await close_bot()
            await close_client()
            for runner in self._cleanup:
                await runner.cleanup()

        try:
            self.run(shutdown())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)


def create_schema(url: str) -> None:
    """Upgrade a fresh database to the newest revision, as production runs it."""
    from alembic import command

    from bot.store.migrate import alembic_config

    command.upgrade(alembic_config(url), "heads")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """One server per test module; environment and engine restored afterwards."""
    from bot.store import reset_engine
    from channels.pipeline import set_pipeline

    tmp = tmp_path_factory.mktemp("channels")
    st = Stack(tmp)
    saved = {k: os.environ.get(k) for k in st.env()}
    os.environ.update(st.env())
    reset_engine()
    set_pipeline(None)
    create_schema(os.environ["DATABASE_URL"])
    from bot.services import handoff

    fake = FakeHandoff()
    originals = {
        name: getattr(handoff, name, None) for name in ("state_of", "notify_citizen_message")
    }
    handoff.state_of, handoff.notify_citizen_message = fake.state_of, fake.notify_citizen_message
    st.handoff = fake
    st.start()
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


@pytest.fixture
def fresh(stack):
    """Per test: empty stand-in recordings and a fresh pipeline (dedup/rate state)."""
    from channels.pipeline import set_pipeline

    stack.telegram.clear()
    stack.graph.clear()
    stack.agent.received.clear()
    stack.handoff.states.clear()
    stack.handoff.notified.clear()
    set_pipeline(None)
    yield stack
    stack.drain()


@pytest.fixture
def store_db(migrated_sqlite, monkeypatch):
    """A throwaway database with this feature's tables, for tests without a server."""
    from bot.store import reset_engine

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    yield url
    reset_engine()


def unique_id() -> int:
    return int(uuid.uuid4().int % 900_000_000) + 100_000_000


def rate_limited_count(channel: str) -> float:
    """How many of `channel`'s messages the pipeline refused over the rate limit, as this
    process counted them (bot.metrics)."""
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value("cza_rate_limited_total", {"channel": channel}) or 0.0
