"""The action server obeys only Rasa: a shared secret on every call, loopback by default,
and the launchers (`make run`, the production profile) give both sides the same secret."""

from __future__ import annotations

import asyncio
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from rasa_sdk import Action

from bot import action_server
from bot.tools.services import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "s3cret-for-the-tests-0123456789"
RAN = []


class ActionProbe(Action):
    """Stands in for action_submit_ticket: remembers every run."""

    def name(self):
        return "action_security_probe"

    def run(self, dispatcher, tracker, domain):
        RAN.append(tracker.sender_id)
        dispatcher.utter_message(text="ran")
        return []


@contextmanager
def serving(app):
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = free_port()

    async def boot():
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()
        return server

    server = asyncio.run_coroutine_threadsafe(boot(), loop).result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:

        async def shutdown():
            await server.before_stop()
            server.close()
            await server.after_stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)


@pytest.fixture(scope="module")
def server():
    from sanic import Sanic

    Sanic.test_mode = True
    with serving(action_server.create_app(TOKEN, actions=__name__)) as url:
        yield url


def call(server, headers=None, sender="attacker-1"):
    body = {
        "next_action": "action_security_probe",
        "sender_id": sender,
        "version": "3.6.21",
        "tracker": {
            "sender_id": sender,
            "slots": {"ticket_mobile": "0550000009"},
            "latest_message": {},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
    }
    return httpx.post(f"{server}/webhook", json=body, headers=headers or {}, timeout=10)


def test_a_call_without_the_secret_gets_401_and_runs_nothing(server):
    RAN.clear()
    for headers in (
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
    ):
        reply = call(server, headers)
        assert reply.status_code == 401, headers
        assert reply.json() == {"error": "unauthorised"}
    assert RAN == []


def test_with_the_secret_the_action_runs(server):
    RAN.clear()
    reply = call(server, {"Authorization": f"Bearer {TOKEN}"}, sender="rasa-1")
    assert reply.status_code == 200, reply.text
    assert reply.json()["responses"][0]["text"] == "ran"
    assert RAN == ["rasa-1"]


def test_only_the_health_check_is_open(server):
    assert httpx.get(f"{server}/health").status_code == 200
    assert httpx.get(f"{server}/actions").status_code == 401
    assert (
        httpx.get(f"{server}/actions", headers={"Authorization": f"Bearer {TOKEN}"}).status_code
        == 200
    )
    assert httpx.post(f"{server}/health").status_code in (401, 405)


def test_no_browser_gets_a_cors_grant(server):
    for method in ("GET", "OPTIONS"):
        reply = httpx.request(
            method,
            f"{server}/health",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert "access-control-allow-origin" not in reply.headers


def test_the_previous_secret_is_accepted_while_rotating():
    from sanic import Sanic

    Sanic.test_mode = True
    RAN.clear()
    new = "the-new-secret-after-rotation-42"
    with serving(action_server.create_app(new, actions=__name__, previous=TOKEN)) as url:
        assert call(url, {"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        assert call(url, {"Authorization": f"Bearer {new}"}).status_code == 200
        assert call(url, {"Authorization": "Bearer the-one-before-that-000000"}).status_code == 401
    assert len(RAN) == 2


def test_bearer_check():
    assert action_server.bearer_matches(f"Bearer {TOKEN}", TOKEN)
    assert action_server.bearer_matches(f"bearer {TOKEN}", TOKEN)
    assert not action_server.bearer_matches(f"Bearer {TOKEN}", "")
    assert not action_server.bearer_matches("Bearer ", TOKEN)
    assert not action_server.bearer_matches(None, TOKEN)


def test_a_short_or_missing_secret_is_refused(monkeypatch, capsys):
    with pytest.raises(ValueError):
        action_server.create_app("short", actions=__name__)
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    assert action_server.main([]) == 2
    assert "ACTION_SERVER_TOKEN" in capsys.readouterr().err


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
        ("::", False),
        ("actions.internal", False),
    ],
)
def test_loopback(host, loopback):
    assert action_server.is_loopback(host) is loopback


def test_endpoints_yml_sends_the_secret(monkeypatch):
    from rasa.utils.endpoints import read_endpoint_config

    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    endpoint = read_endpoint_config(str(ROOT / "endpoints.yml"), "action_endpoint")
    assert endpoint.headers == {"Authorization": f"Bearer {TOKEN}"}
    assert endpoint.kwargs.get("enable_selective_domain") is True


# -- make run ---------------------------------------------------------------------------------
def test_make_run_makes_one_secret_per_run_for_both_processes(tmp_path, monkeypatch):
    from bot.tools import serve

    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    monkeypatch.delenv("ACTIONS_HOST", raising=False)
    monkeypatch.delenv("ACTION_ENDPOINT_URL", raising=False)
    first = serve.Stack(model=Path("m.tar.gz"), actions_port=5999, var_dir=tmp_path)
    env = first.env()
    assert len(env["ACTION_SERVER_TOKEN"]) >= 32 and first.env() == env  # stable within a run
    assert (
        serve.Stack(model=Path("m"), var_dir=tmp_path).env()["ACTION_SERVER_TOKEN"]
        != env["ACTION_SERVER_TOKEN"]
    )
    assert env["ACTIONS_HOST"] == "127.0.0.1" and env["ACTIONS_PORT"] == "5999"
    assert env["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5999/webhook"

    spawned = []
    monkeypatch.setattr(
        serve.Stack, "_spawn", lambda self, name, args: spawned.append((name, args))
    )
    monkeypatch.setattr(serve.Stack, "wait", lambda self, timeout: None)
    monkeypatch.setattr("bot.store.migrate.upgrade", lambda url: None)
    first.start()
    commands = dict(spawned)
    assert commands["actions"][0] == "bot.action_server"
    assert "--cors" not in commands["rasa"]  # no global CORS grant
    assert (tmp_path / "action_server_token").read_text() == env["ACTION_SERVER_TOKEN"]
    assert oct((tmp_path / "action_server_token").stat().st_mode)[-3:] == "600"
    first.stop()
    assert not (tmp_path / "action_server_token").exists()


def test_a_configured_secret_is_used_as_is(tmp_path, monkeypatch):
    from bot.tools import serve

    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    stack = serve.Stack(model=Path("m"), var_dir=tmp_path)
    assert stack.env()["ACTION_SERVER_TOKEN"] == TOKEN and stack.generated_token == ""


# -- the production profile ----------------------------------------------------------------------
def test_production_refuses_an_exposed_action_server_without_a_secret(monkeypatch, capsys):
    from bot.tools import prod
    from bot.tools.prod_env import action_server_exposure_error
    from bot.tools.services import ServiceError

    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)
    monkeypatch.setenv("ACTIONS_HOST", "10.0.0.5")
    assert "ACTION_SERVER_TOKEN" in action_server_exposure_error(dict(os.environ))
    assert prod.main(["run"]) == 2  # before anything is started
    assert "Refusing to start" in capsys.readouterr().err
    with pytest.raises(ServiceError):
        prod.ProdStack(model=Path("-")).start()
    monkeypatch.setenv("ACTION_SERVER_TOKEN", TOKEN)
    assert action_server_exposure_error(dict(os.environ)) is None
    monkeypatch.delenv("ACTION_SERVER_TOKEN")
    monkeypatch.setenv("ACTIONS_HOST", "127.0.0.1")
    assert action_server_exposure_error(dict(os.environ)) is None


def test_production_shares_a_generated_secret_and_marks_the_desk_cookie_secure(
    tmp_path, monkeypatch
):
    from bot.tools import prod
    from bot.tools.prod_env import SHARED_SECRETS

    for key in SHARED_SECRETS + ("DESK_COOKIE_SECURE",):
        monkeypatch.delenv(key, raising=False)
    env = prod.ProdStack(model=Path("-"), var_dir=tmp_path).environment()
    assert len(env["ACTION_SERVER_TOKEN"]) >= 32
    assert (
        prod.ProdStack(model=Path("-"), var_dir=tmp_path).environment()["ACTION_SERVER_TOKEN"]
        == env["ACTION_SERVER_TOKEN"]
    )  # every worker, every restart
    assert env["DESK_COOKIE_SECURE"] == "1"
    monkeypatch.setenv("DESK_COOKIE_SECURE", "0")  # plain-HTTP test rigs may opt out
    assert (
        prod.ProdStack(model=Path("-"), var_dir=tmp_path).environment()["DESK_COOKIE_SECURE"] == "0"
    )
