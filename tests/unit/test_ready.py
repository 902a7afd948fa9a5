"""GET /ready (channels/ready.py): the load balancer's question "may this server take
messages now?" is answered no while the model loads or a store cannot be reached."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import pytest

from bot.store import reset_engine
from bot.tools.services import free_port
from channels.ready import readiness, ready


class Agent:
    def __init__(self, loaded: bool) -> None:
        self.loaded = loaded

    def is_ready(self) -> bool:
        return self.loaded


def app(agent, release=0) -> SimpleNamespace:
    return SimpleNamespace(ctx=SimpleNamespace(agent=agent, cza_model_release=release))


@pytest.fixture
def sqlite_db(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_engine()
    yield
    reset_engine()


def answer(agent, release=0) -> tuple:
    result = asyncio.run(ready(SimpleNamespace(app=app(agent, release))))
    return result.status, json.loads(result.body)


def test_ready_when_model_loaded_and_database_reachable(sqlite_db):
    status, body = answer(Agent(loaded=True))
    assert status == 200
    assert body == {
        "ready": True,
        "checks": {"model": "ok", "database": "ok"},
        "model_release": 0,
    }


def test_not_ready_before_the_worker_caught_up_with_the_model_release(sqlite_db):
    # A worker started after a rollout would answer with the old model until its watcher
    # swapped the released one in (channels/model_watch.py).
    status, body = answer(Agent(loaded=True), release=None)
    assert status == 503 and body["checks"]["model"] == "loading"


@pytest.mark.parametrize("agent", [None, Agent(loaded=False)], ids=["no-agent", "loading"])
def test_not_ready_while_the_model_loads(sqlite_db, agent):
    status, body = answer(agent)
    assert status == 503
    assert body["checks"]["model"] == "loading" and body["ready"] is False


def test_not_ready_when_the_database_is_unreachable(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{free_port()}/none")
    reset_engine()
    try:
        status, body = answer(Agent(loaded=True))
    finally:
        reset_engine()
    assert status == 503
    assert body["checks"]["database"] == "unreachable"


def test_not_ready_when_redis_is_unreachable(sqlite_db):
    checks = asyncio.run(readiness(app(Agent(True)), f"redis://127.0.0.1:{free_port()}/0"))
    assert checks == {"model": "ok", "database": "ok", "redis": "unreachable"}
