"""Cross-origin grants: only the widget's assets and REST answer another site's page, only
for the configured origins and never with credentials; the agent desk answers none.

The app is built the way `rasa run` builds it without `--cors` (Rasa's own CORS
extension with no origin, as bot/patches leaves it), with the channels of credentials.yml."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid

import httpx
import pytest
import yaml

from bot.tools.services import free_port
from tests.support.channels import ROOT, FakeAgent
from tests.support.environment import restore_environment

WIDGET_SITE = "https://www.ca.gov.sa"
REST_SITE = "https://partner.example.sa"
FOREIGN = "https://evil.example"
ENV = {
    "WEBCHAT_ALLOWED_ORIGINS": WIDGET_SITE,
    "REST_ALLOWED_ORIGINS": REST_SITE,
    "WEBCHAT_SECRET": "web-secret-for-tests",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory, rasa_patches):
    from rasa.core.channels.channel import register
    from rasa.core.run import _create_single_channel
    from rasa.server import configure_cors
    from sanic import Sanic

    from bot.store import reset_engine
    from bot.store.migrate import upgrade
    from channels.pipeline import set_pipeline

    tmp = tmp_path_factory.mktemp("cors")
    env = {**ENV, "DATABASE_URL": f"sqlite:///{tmp / 'app.db'}", "VAR_DIR": str(tmp)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    reset_engine()
    set_pipeline(None)
    upgrade(env["DATABASE_URL"])

    creds = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    wanted = [
        n for n in creds if n.endswith((".SafeRestInput", ".WebChatInput")) or "desk" in n.lower()
    ]
    assert len(wanted) == 3, wanted
    Sanic.test_mode = True
    app = Sanic(f"cors_test_{uuid.uuid4().hex[:8]}")
    configure_cors(app, None)  # what `rasa run` does when --cors is not given
    app.ctx.agent = FakeAgent()
    register([_create_single_channel(n, creds[n]) for n in wanted], app, route="/webhooks/")

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = free_port()

    async def boot():
        srv = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await srv.startup()
        await srv.start_serving()
        return srv

    srv = asyncio.run_coroutine_threadsafe(boot(), loop).result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:

        async def shutdown():
            await srv.before_stop()
            srv.close()
            await srv.after_stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        set_pipeline(None)
        restore_environment(saved)
        reset_engine()


def request(server, method, path, origin, **kw):
    headers = {"Origin": origin, **kw.pop("headers", {})}
    return httpx.request(method, f"{server}{path}", headers=headers, timeout=10, **kw)


def grants(reply) -> dict:
    return {
        k.lower(): v for k, v in reply.headers.items() if k.lower().startswith("access-control-")
    }


PREFLIGHT = {
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-csrf-token",
}


@pytest.mark.parametrize("origin", [FOREIGN, WIDGET_SITE, REST_SITE])
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/desk"),
        ("GET", "/desk/login"),
        ("GET", "/desk/api/me"),
        ("OPTIONS", "/desk/api/me"),
        ("OPTIONS", "/desk/login"),
        ("POST", "/desk/login"),
    ],
)
def test_the_desk_grants_no_other_site_anything(server, method, path, origin):
    reply = request(server, method, path, origin, headers=PREFLIGHT if method == "OPTIONS" else {})
    assert grants(reply) == {}, (method, path, reply.status_code)


def test_the_widget_assets_are_shared_with_the_configured_site_only(server):
    for path in ("/chat/widget.js", "/chat/widget.css"):
        mine = request(server, "GET", path, WIDGET_SITE)
        assert mine.status_code == 200
        assert grants(mine) == {"access-control-allow-origin": WIDGET_SITE}
        assert mine.headers["vary"] == "Origin"
        assert grants(request(server, "GET", path, FOREIGN)) == {}
    # the demo page is not meant to be read by other sites
    assert grants(request(server, "GET", "/chat", WIDGET_SITE)) == {}


def test_any_site_may_embed_the_widget_when_so_configured(server, monkeypatch):
    monkeypatch.setenv("WEBCHAT_ALLOWED_ORIGINS", "*")
    reply = request(server, "GET", "/chat/widget.js", FOREIGN)
    assert grants(reply) == {"access-control-allow-origin": "*"}  # never with credentials


def test_rest_answers_a_preflight_and_a_call_from_the_configured_site(server):
    pre = request(
        server,
        "OPTIONS",
        "/webhooks/rest/webhook",
        REST_SITE,
        headers={
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 204
    assert grants(pre) == {
        "access-control-allow-origin": REST_SITE,
        "access-control-allow-methods": "POST, OPTIONS",
        "access-control-allow-headers": "Content-Type, Authorization, Idempotency-Key",
        "access-control-max-age": "600",
    }
    call = request(
        server,
        "POST",
        "/webhooks/rest/webhook",
        REST_SITE,
        json={"sender": f"s-{uuid.uuid4().hex[:8]}", "message": "{}"},
    )
    assert grants(call) == {"access-control-allow-origin": REST_SITE}


@pytest.mark.parametrize("origin", [FOREIGN, WIDGET_SITE])
def test_rest_grants_no_other_site(server, origin):
    pre = request(server, "OPTIONS", "/webhooks/rest/webhook", origin, headers=PREFLIGHT)
    assert grants(pre) == {}
    call = request(server, "POST", "/webhooks/rest/webhook", origin, content=b"not json")
    assert call.status_code == 400 and grants(call) == {}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/desk/login"),
        ("GET", "/desk/api/me"),
        ("GET", "/chat"),
        ("GET", "/chat/widget.js"),
        ("POST", "/webhooks/rest/webhook"),
        ("OPTIONS", "/desk/api/me"),
        ("GET", "/no/such/page"),
    ],
)
def test_a_request_without_an_origin_gets_no_cors_header(server, method, path):
    """Rasa's CORS extension answered every such request with
    Access-Control-Allow-Credentials: true (bot/patches/cors_credentials.py)."""
    reply = httpx.request(
        method, f"{server}{path}", timeout=10, json={"sender": "s", "message": ""}
    )
    assert grants(reply) == {}, (method, path)


@pytest.mark.parametrize("origin", [FOREIGN, WIDGET_SITE, REST_SITE])
def test_no_response_allows_credentials(server, origin):
    for method, path in (
        ("GET", "/chat/widget.js"),
        ("POST", "/webhooks/rest/webhook"),
        ("GET", "/desk/login"),
        ("OPTIONS", "/webhooks/rest/webhook"),
    ):
        reply = request(
            server, method, path, origin, headers=PREFLIGHT if method == "OPTIONS" else {}
        )
        assert "access-control-allow-credentials" not in grants(reply), (method, path)
