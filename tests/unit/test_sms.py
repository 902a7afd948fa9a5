"""SMS gateways: the local outbox (default) and the HTTP gateway against a local
stand-in server."""

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from bot.services.sms import gateway as sms
from bot.store import session_scope
from bot.store.sms import SmsMessage


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):
    from bot.store import reset_engine

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    for name in ("SMS_GATEWAY", "SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN", "SMS_SENDER"):
        monkeypatch.delenv(name, raising=False)
    reset_engine()
    yield url
    reset_engine()


def _outbox():
    with session_scope() as s:
        return s.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars().all()


class StandIn:
    """A tiny SMS provider: records requests, answers with queued status codes."""

    def __init__(self, statuses=(200,)):
        self.requests = []
        self.statuses = list(statuses)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stand_in.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(body)}
                )
                status = stand_in.statuses.pop(0) if stand_in.statuses else 200
                payload = json.dumps({"id": f"prov-{len(stand_in.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/sms"
        # A short poll: shutdown() waits for it, and each test stops its stand-in.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_default_gateway_is_the_outbox(db, caplog):
    assert isinstance(sms.gateway(), sms.OutboxGateway)
    with caplog.at_level(logging.INFO, logger="bot.services.sms.gateway"):
        result = sms.send("٠٥٥١٢٣٤٥٦٧", "رمز التحقق من حساب المواطن: 482913", kind="otp")
    assert result.ok and result.status == "stored"
    rows = _outbox()
    assert len(rows) == 1
    assert (
        rows[0].to == "+966551234567" and "482913" in rows[0].body and rows[0].gateway == "outbox"
    )
    logged = caplog.text
    assert "0551234567" not in logged and "966551234567" not in logged
    assert "482913" not in logged and "05••••••67" in logged


def test_outbox_refuses_impossible_numbers(db):
    result = sms.send("0111234567", "hello")
    assert not result.ok and _outbox() == []


def test_outbox_with_database_down_reports_failure(db, monkeypatch):
    from bot.store import reset_engine

    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/x/app.db")
    reset_engine()
    result = sms.send("0551234567", "hello")
    assert not result.ok and result.status == "failed"


def test_http_gateway_posts_to_the_provider(db, monkeypatch):
    with StandIn() as provider:
        monkeypatch.setenv("SMS_GATEWAY_URL", provider.url)
        monkeypatch.setenv("SMS_GATEWAY_TOKEN", "test-token")
        monkeypatch.setenv("SMS_SENDER", "CitizenAcc")
        assert isinstance(sms.gateway(), sms.HttpGateway)
        result = sms.send("0551234567", "تم استلام بلاغك رقم 78488251", kind="ticket")
    assert result.ok and result.status == "sent" and result.provider_ref == "prov-1"
    [request] = provider.requests
    assert request["path"] == "/api/sms"
    assert request["headers"]["Authorization"] == "Bearer test-token"
    assert request["headers"]["Idempotency-Key"] == result.message_id
    assert request["json"] == {
        "message_id": result.message_id,
        "to": "+966551234567",
        "sender": "CitizenAcc",
        "text": "تم استلام بلاغك رقم 78488251",
    }
    [row] = _outbox()
    assert (row.gateway, row.status, row.provider_ref) == ("http", "sent", "prov-1")
    assert "78488251" in row.body


def test_http_gateway_keeps_no_copy_of_one_time_codes(db, monkeypatch):
    with StandIn() as provider:
        monkeypatch.setenv("SMS_GATEWAY_URL", provider.url)
        assert sms.send("0551234567", "رمز التحقق: 482913", kind="otp").ok
    assert "482913" in provider.requests[0]["json"]["text"]
    assert "482913" not in _outbox()[0].body


def test_http_gateway_retries_a_server_error_with_the_same_key(db, monkeypatch):
    with StandIn(statuses=(503, 200)) as provider:
        monkeypatch.setenv("SMS_GATEWAY_URL", provider.url)
        result = sms.send("0551234567", "hello")
    assert result.ok
    keys = [r["headers"]["Idempotency-Key"] for r in provider.requests]
    assert len(keys) == 2 and keys[0] == keys[1]


def test_http_gateway_client_error_is_not_retried(db, monkeypatch):
    with StandIn(statuses=(400,)) as provider:
        monkeypatch.setenv("SMS_GATEWAY_URL", provider.url)
        result = sms.send("0551234567", "hello")
    assert not result.ok and result.error == "HTTP 400" and len(provider.requests) == 1
    assert _outbox()[0].status == "failed"


def test_http_gateway_unreachable_never_raises(db, monkeypatch, caplog):
    monkeypatch.setenv("SMS_GATEWAY_URL", "http://127.0.0.1:1/sms")
    monkeypatch.setenv("SMS_GATEWAY_TIMEOUT", "1")
    with caplog.at_level(logging.ERROR, logger="bot.services.sms.gateway"):
        result = sms.send("0551234567", "hello")
    assert not result.ok and result.status == "failed"
    assert "0551234567" not in caplog.text


def test_explicit_outbox_choice_wins_over_a_url(db, monkeypatch):
    monkeypatch.setenv("SMS_GATEWAY_URL", "http://127.0.0.1:1/sms")
    monkeypatch.setenv("SMS_GATEWAY", "outbox")
    assert isinstance(sms.gateway(), sms.OutboxGateway)
