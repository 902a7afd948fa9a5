"""Shared by the browser tests that need no trained model: a real sanic server with the
citizen channels of credentials.yml plus the agent desk, the real handoff state on a
database migrated to heads, and the scripted stand-in for Rasa (tests/support/channels.py),
all in this process (so a test can call channels.outbound as the desk does)."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest

from bot.store import reset_engine
from tests.support import channels as channel_fixtures
from tests.support.environment import restore_environment

PASSWORD = "widget agent password"


class Desk:
    """An agent signed in to the desk over real HTTP (cookie + CSRF header)."""

    def __init__(self, base_url: str, username: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=20, headers={"Origin": base_url})
        page = self.http.get("/desk/login").text
        start = page.index('name="csrf" value="') + len('name="csrf" value="')
        r = self.http.post(
            "/desk/login",
            data={
                "csrf": page[start : page.index('"', start)],
                "username": username,
                "password": PASSWORD,
            },
        )
        assert r.status_code == 303, r.text[:300]
        self.csrf = self.http.get("/desk/api/me").json()["csrf"]

    def act(self, handoff_id: int, action: str, body=None) -> None:
        r = self.http.post(
            f"/desk/api/handoffs/{handoff_id}/{action}",
            json=body or {},
            headers={"X-CSRF-Token": self.csrf},
        )
        assert r.status_code == 200, r.text[:300]


@pytest.fixture(scope="module")
def desk_stack(tmp_path_factory):
    from sanic import Sanic

    from bot.services.desk import accounts as desk_auth
    from bot.store.migrate import upgrade
    from channels import desk
    from channels.pipeline import set_pipeline

    Sanic.test_mode = True
    stack = channel_fixtures.Stack(tmp_path_factory.mktemp("widget-agent"))
    saved = {k: os.environ.get(k) for k in stack.env()}
    os.environ.update(stack.env())
    reset_engine()
    set_pipeline(None)
    upgrade(os.environ["DATABASE_URL"])
    stack.agent_username = "noura_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(stack.agent_username, PASSWORD, "نورة")
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
