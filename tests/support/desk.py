"""The agent desk in process for the desk tests: one Sanic app per module driven through
ASGI (no listening port), a fresh database per test with two agents, and a stand-in for
channels.outbound that records what the citizen would receive."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sys
import types

import httpx
import pytest
from sqlalchemy import select

from bot.services.desk import accounts as desk_auth
from bot.store import conversations, reset_engine, session_scope
from bot.store.audit import AuditEntry
from channels import desk
from tests.support.environment import restore_environment

PASSWORD = "correct horse battery"
_names = itertools.count()


def valid_id(prefix="10123456"):
    from bot.services.verification.validators import luhn_check_digit

    body = prefix + "7"
    return body + luhn_check_digit(body)


class FakeTracker:
    def __init__(self, slots):
        self.slots = slots

    def current_slot_values(self):
        return dict(self.slots)


class FakeTrackerStore:
    def __init__(self):
        self.slots = {}

    async def retrieve(self, conversation_id):
        return FakeTracker(self.slots.get(conversation_id, {}))


class FakeOutbound:
    """Stands in for channels.outbound: records to the transcript like the real one."""

    def __init__(self):
        self.sent = []
        self.buttons = []  # the buttons of each message in `sent`
        self.notices = []
        self.reason = None  # None: delivered; else why not (see channels/outbound.py)

    async def send_to_citizen(self, conversation_id, text, buttons=None, author="agent"):
        self.sent.append((conversation_id, author, text))
        self.buttons.append(buttons)
        await asyncio.to_thread(
            conversations.record_outbound, conversation_id, text, buttons, author
        )
        return types.SimpleNamespace(
            delivered=self.reason is None, recorded=True, reason=self.reason
        )

    async def notify_handoff_changed(self, conversation_id):
        self.notices.append((conversation_id, "handoff"))
        return True

    async def notify_agent_typing(self, conversation_id, name=None, on=True):
        self.notices.append((conversation_id, "typing", name, on))
        return True


class Client:
    """A browser-like client: keeps cookies, sends the CSRF header once signed in."""

    def __init__(self, loop, app, origin="http://desk.test"):
        self.loop = loop
        self.origin = origin
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://desk.test",
            follow_redirects=False,
        )
        self.csrf = ""

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def get(self, path, **kw):
        return self.run(self.http.get(path, **kw))

    def post(self, path, json_body=None, csrf=True, headers=None, **kw):
        h = {"Origin": self.origin}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        return self.run(self.http.post(path, json=json_body or {}, headers=h, **kw))

    def login_token(self):
        page = self.get("/desk/login")
        assert page.status_code == 200
        html = page.text
        start = html.index('name="csrf" value="') + len('name="csrf" value="')
        return html[start : html.index('"', start)]

    def sign_in(self, username, password=PASSWORD, expect=303):
        token = self.login_token()
        r = self.run(
            self.http.post(
                "/desk/login",
                data={"csrf": token, "username": username, "password": password},
                headers={"Origin": self.origin},
            )
        )
        assert expect is None or r.status_code == expect, r.text[:300]
        if expect == 303:
            self.csrf = self.get("/desk/api/me").json()["csrf"]
        return r


def sanic_app(name: str, channels, tracker_store=None) -> types.SimpleNamespace:
    """A Sanic app with `channels` registered as Rasa registers them (from
    credentials.yml), started on an event loop of its own and driven through ASGI."""
    from rasa.core.channels.channel import register
    from sanic import Sanic

    # Several Sanic apps start in one test process: test mode lets Sanic rewrite its
    # handlers from the originals each time instead of failing on the second app.
    Sanic.test_mode = True
    app = Sanic(f"{name}_{next(_names)}")
    app.ctx.agent = types.SimpleNamespace(tracker_store=tracker_store)
    register(list(channels), app, "/webhooks/")
    loop = asyncio.new_event_loop()
    loop.run_until_complete(app._startup())
    return types.SimpleNamespace(app=app, loop=loop)


@pytest.fixture(scope="module")
def desk_app():
    """One Sanic app for the module (Sanic rewrites its handlers once per process)."""
    channel = desk.AgentDesk()
    started = sanic_app("desk_test", [channel], FakeTrackerStore())
    yield types.SimpleNamespace(app=started.app, loop=started.loop, channel=channel)
    started.loop.close()


@pytest.fixture(scope="module")
def staff_app():
    """The desk and the supervisors' console in one app, as the Rasa server has them."""
    from channels.console import SupervisorConsole

    started = sanic_app("staff_test", [desk.AgentDesk(), SupervisorConsole()])
    yield started
    started.loop.close()


@pytest.fixture(scope="session")
def _desk_template(_sqlite_template, tmp_path_factory) -> str:
    """The migrated database with the two agents: hashing their passwords (scrypt, slow on
    purpose) once per session, not once per test."""
    path = tmp_path_factory.mktemp("desk-template") / "app.db"
    shutil.copyfile(_sqlite_template, path)
    saved = {"DATABASE_URL": os.environ.get("DATABASE_URL")}
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    reset_engine()
    try:
        desk_auth.create_agent("sara", PASSWORD, "سارة")
        desk_auth.create_agent("omar", PASSWORD, "عمر")
    finally:
        restore_environment(saved)
        reset_engine()
    return str(path)


@pytest.fixture
def env(desk_app, tmp_path, monkeypatch, _desk_template):
    shutil.copyfile(_desk_template, tmp_path / "app.db")
    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    monkeypatch.delenv("SMS_GATEWAY", raising=False)
    reset_engine()

    outbound = FakeOutbound()
    monkeypatch.setitem(
        sys.modules,
        "channels.outbound",
        types.SimpleNamespace(
            send_to_citizen=outbound.send_to_citizen,
            notify_handoff_changed=outbound.notify_handoff_changed,
            notify_agent_typing=outbound.notify_agent_typing,
        ),
    )
    desk_app.channel.__init__()  # forget earlier tests' failed sign-ins
    store = desk_app.app.ctx.agent.tracker_store
    store.slots.clear()
    app, loop = desk_app.app, desk_app.loop
    yield types.SimpleNamespace(
        app=app,
        loop=loop,
        outbound=outbound,
        desk=desk_app.channel,
        slots=store.slots,
        client=lambda **kw: Client(loop, app, **kw),
    )
    reset_engine()


def audit_log(action_prefix=""):
    with session_scope() as s:
        return [
            (e.actor, e.action, e.subject_id)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if e.action.startswith(action_prefix)
        ]


def citizen_writes(conversation_id, text, channel=None):
    conversations.record_inbound(
        conversation_id,
        channel or conversations.channel_from_id(conversation_id),
        conversation_id.split(":", 1)[-1],
        text,
    )
