"""Per client address limits: one client cannot become any number of REST senders or
widget sessions; forwarded addresses are believed only from TRUSTED_PROXIES."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import uuid

import httpx
import pytest
import websockets

from channels.edge import resolve_client


def nets(*specs):
    return [ipaddress.ip_network(s) for s in specs]


# -- whose address is it (no server) -------------------------------------------------------------
@pytest.mark.parametrize(
    "peer, forwarded, proxies, client",
    [
        ("203.0.113.7", None, (), "203.0.113.7"),
        # a header from an untrusted peer is ignored: the client cannot choose its address
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", ("10.0.0.0/8",), "203.0.113.7"),
        # behind one trusted proxy
        ("10.0.0.2", "198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        # a client that prepends its own guess gains nothing: read from the right
        ("10.0.0.2", "1.2.3.4, 198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        # two trusted proxies in a row
        ("127.0.0.1", "198.51.100.1, 10.0.0.9", ("127.0.0.1/32", "10.0.0.0/8"), "198.51.100.1"),
        # garbage further out stops the walk at the last good hop
        ("10.0.0.2", "nonsense, 198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1:5123", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "[2001:db8::1]:443", ("10.0.0.0/8",), "2001:db8::1"),
    ],
)
def test_client_address(peer, forwarded, proxies, client):
    assert resolve_client(peer, forwarded, nets(*proxies)) == client


# -- REST ---------------------------------------------------------------------------------------
def rest(stack, forwarded=None, sender=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return httpx.post(
        f"{stack.url}/webhooks/rest/webhook",
        headers=headers,
        timeout=10,
        json={"sender": sender or f"s-{uuid.uuid4().hex[:10]}", "message": "مرحبا"},
    )


def test_one_address_cannot_become_many_rest_senders(fresh, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("REST_RATE_LIMIT_PER_ADDRESS", "3")
    codes = [rest(fresh, "198.51.100.1").status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    refused = rest(fresh, "198.51.100.1")
    assert refused.json() == {"error": "too many requests from this address"}
    assert refused.headers["retry-after"] == "60"
    assert len(fresh.agent.received) == 3  # nothing more reached Rasa
    assert rest(fresh, "198.51.100.2").status_code == 200  # another client is unaffected


def test_forwarded_addresses_from_an_untrusted_peer_are_ignored(fresh, monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("ADDRESS_LIMIT_EXEMPT", "")  # limit this machine too
    monkeypatch.setenv("REST_RATE_LIMIT_PER_ADDRESS", "2")
    codes = [rest(fresh, f"198.51.100.{i}").status_code for i in range(4)]
    assert codes == [200, 200, 429, 429]  # all counted as 127.0.0.1


def test_this_machine_is_exempt_by_default(fresh, monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.delenv("ADDRESS_LIMIT_EXEMPT", raising=False)
    monkeypatch.setenv("REST_RATE_LIMIT_PER_ADDRESS", "2")
    assert [rest(fresh).status_code for _ in range(4)] == [200] * 4


def test_the_per_conversation_limit_still_applies(fresh, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "2")
    replies = [rest(fresh, sender="one-conversation").json() for _ in range(3)]
    assert replies[2][0]["text"] != replies[0][0]["text"]  # the polite "slow down" notice


# -- the widget ---------------------------------------------------------------------------------
async def hello(stack, forwarded, token=None):
    url = stack.url.replace("http://", "ws://") + "/chat/ws"
    async with websockets.connect(url, extra_headers={"X-Forwarded-For": forwarded}) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token}))
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "error":
            try:
                await asyncio.wait_for(ws.recv(), 5)
            except websockets.ConnectionClosed as closed:
                return frame, closed.code
        return frame, None


def test_one_address_cannot_open_sessions_without_end(fresh, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    monkeypatch.setenv("WEBCHAT_SESSIONS_PER_ADDRESS", "2")

    async def scenario():
        first, _ = await hello(fresh, "198.51.100.7")
        second, _ = await hello(fresh, "198.51.100.7")
        third, code = await hello(fresh, "198.51.100.7")
        # coming back with a session it already has is not a new session
        again, _ = await hello(fresh, "198.51.100.7", token=first["token"])
        other, _ = await hello(fresh, "198.51.100.8")
        return first, second, third, code, again, other

    first, second, third, code, again, other = asyncio.run(scenario())
    assert first["new"] is True and second["new"] is True
    assert third == {"type": "error", "code": "rate_limited"} and code == 4429
    assert again["type"] == "session" and again["new"] is False
    assert other["type"] == "session" and other["new"] is True
