"""The outbox delivers exactly once across a sender killed between the send and the mark,
and across a database outage (a PostgreSQL restart; SQLite's write lock held by another
process past the busy timeout), on SQLite and PostgreSQL. The sender runs as its own
process (`python -m channels.notify.sender`, as in `make run-prod`); the stand-ins kill it with
SIGKILL the moment the message reaches them, before they answer."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
from sqlalchemy import select

from bot.services import objections
from bot.services.tickets import records as tickets
from bot.store import conversations, session_scope
from bot.store.notifications import Notification
from bot.store.sms import SmsMessage
from bot.tools.services import free_port

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:CRASH-token"
ID_A, MOBILE_A = "1023456781", "0551234567"


class StandIn:
    """Telegram's sendMessage and an SMS provider on one aiohttp server in a thread.
    `on_receive(call)` runs before the answer (it may kill the sender)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: List[Dict[str, Any]] = []
        self.on_receive: Optional[Callable[[Dict[str, Any]], None]] = None
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "StandIn":
        from aiohttp import web

        async def telegram(request):
            params = (
                await request.json()
                if request.content_type == "application/json"
                else dict(await request.post())
            )
            call = {"kind": "telegram", "chat": str(params.get("chat_id")), "text": params["text"]}
            return await self._answer(
                call,
                {
                    "ok": True,
                    "result": {
                        "message_id": len(self.calls) + 100,
                        "date": int(time.time()),
                        "chat": {"id": int(params["chat_id"]), "type": "private"},
                        "text": params["text"],
                    },
                },
            )

        async def sms(request):
            body = await request.json()
            call = {"kind": "sms", "key": request.headers.get("Idempotency-Key"), **body}
            return await self._answer(call, {"id": "prov-1"})

        async def boot():
            app = web.Application()
            app.router.add_post(f"/bot{TOKEN}/sendMessage", telegram)
            app.router.add_post("/sms", sms)
            self.runner = web.AppRunner(app, access_log=None)
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

        self.thread.start()
        asyncio.run_coroutine_threadsafe(boot(), self.loop).result(10)
        return self

    async def _answer(self, call, payload):
        from aiohttp import web

        self.calls.append(call)
        if self.on_receive is not None:
            await asyncio.to_thread(self.on_receive, call)
        return web.json_response(payload)

    def of(self, kind: str) -> List[Dict[str, Any]]:
        return [c for c in self.calls if c["kind"] == kind]

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture
def standin():
    s = StandIn().start()
    yield s
    s.stop()


class Senders:
    """`python -m channels.notify.sender` processes started by a test, stopped at its end."""

    def __init__(self, standin: StandIn, tmp: Path) -> None:
        self.standin, self.tmp, self.procs = standin, tmp, []

    def start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE=self.standin.base,
            SMS_GATEWAY_URL=f"{self.standin.base}/sms",
            NOTIFY_LEASE_SECONDS="2",
            NOTIFY_POLL_SECONDS="0.1",
            NOTIFY_BACKOFF_SECONDS="0.2",
        )
        log = open(self.tmp / f"notifier-{len(self.procs)}.log", "wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "channels.notify.sender"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
        self.procs.append(proc)
        return proc

    def kill_on_first(self, proc: subprocess.Popen) -> None:
        """SIGKILL `proc` as soon as its first message arrives, before the answer."""

        def hook(call):
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
            self.standin.on_receive = None

        self.standin.on_receive = hook

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()


@pytest.fixture
def senders(standin, tmp_path):
    s = Senders(standin, tmp_path)
    yield s
    s.stop()


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def rows() -> List[Notification]:
    with session_scope() as s:
        return list(s.execute(select(Notification).order_by(Notification.id)).scalars())


def _telegram_ticket(user: int) -> str:
    conversations.record_inbound(f"telegram:{user}", "telegram", str(user), "ابي افتح بلاغ")
    ticket, _ = tickets.create_ticket(
        ID_A, MOBILE_A, "payment", "الدفعة ناقصة", f"k{user}", f"telegram:{user}", "telegram"
    )
    tickets.set_status(ticket.number, "resolved")
    return ticket.number


def delivered_after(standin, user: int) -> str:
    """End a "nothing else was sent" window: one more notification, for `user`, and wait
    until Telegram has it. The sender claims due rows in id order and a claim is finished
    before the next one is made, so by then anything it would have sent again has gone."""
    number = _telegram_ticket(user)
    assert wait_for(lambda: any(c["chat"] == str(user) for c in standin.of("telegram")))
    assert wait_for(lambda: rows()[-1].state == "sent")
    return number


def test_telegram_sender_killed_between_send_and_mark_never_sends_twice(app_db, standin, senders):
    number = _telegram_ticket(4242)
    first = senders.start()
    senders.kill_on_first(first)
    assert wait_for(lambda: first.poll() is not None) and first.returncode == -signal.SIGKILL
    assert len(standin.of("telegram")) == 1  # Telegram has it; the mark was never written
    assert rows()[0].state == "sending"

    senders.start()  # the restart finds the row once its lease ran out
    assert wait_for(lambda: rows()[0].state == "unconfirmed")
    later = delivered_after(standin, 4343)
    # not resent: Telegram cannot say if it arrived
    assert [c["chat"] for c in standin.of("telegram")] == ["4242", "4343"]
    assert number in standin.of("telegram")[0]["text"]
    assert later in standin.of("telegram")[1]["text"]


def test_sms_sender_killed_between_send_and_mark_delivers_once(app_db, standin, senders):
    objection = objections.create_objection(ID_A, MOBILE_A, "2025-01")
    objections.update_objection(objection.number, status="accepted")
    first = senders.start()
    senders.kill_on_first(first)
    assert wait_for(lambda: first.poll() is not None)
    senders.start()
    assert wait_for(lambda: rows()[0].state == "sent")
    calls = standin.of("sms")
    # Sent again after the crash, under the same idempotency key: one SMS for the provider.
    assert len(calls) == 2 and len({c["key"] for c in calls}) == 1
    with session_scope() as s:
        [sms] = s.execute(select(SmsMessage)).scalars().all()
    assert sms.message_id == calls[0]["key"] and sms.status == "sent"


class SqliteOutage:
    """SQLite has no server to restart: another process holding the write lock longer
    than the busy timeout (15 s) is what makes its writes fail for a while."""

    def __init__(self, path: Path) -> None:
        self.path, self.proc = path, None

    def stop(self, remove: bool = False) -> None:
        code = (
            "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); "
            "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(17); "
            "c.execute('COMMIT')"
        )
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, str(self.path)], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout.readline().strip() == "locked"

    def start(self) -> None:
        if self.proc is not None:
            self.proc.wait(30)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_database_outage_mid_delivery_loses_and_repeats_nothing(
    backend, standin, senders, monkeypatch, tmp_path
):
    from bot.store import reset_engine
    from bot.store.migrate import upgrade
    from bot.tools.services import Postgres, ServiceError

    if backend == "postgresql":
        try:
            db = Postgres(durable=False)  # a throwaway cluster in a temporary directory
        except ServiceError as e:
            pytest.skip(str(e))
        db.start()
        url, back_after = db.url, 3.0
    else:
        db = SqliteOutage(tmp_path / "app.db")
        url, back_after = f"sqlite:///{db.path}", 0.0  # the lock ends by itself
    try:
        monkeypatch.setenv("DATABASE_URL", url)
        reset_engine()
        upgrade(url)
        users = list(range(5001, 5007))
        numbers = [_telegram_ticket(u) for u in users]
        reset_engine()  # the test's own connections do not survive the restart either

        restarted = threading.Event()

        def restart_database(call):
            # The first message to arrive takes the database away before Telegram answers,
            # so the sender cannot mark it; the database comes back a little later.
            if not restarted.is_set():
                restarted.set()
                db.stop(remove=False)

                def later():
                    time.sleep(back_after)
                    db.start()

                threading.Thread(target=later, daemon=True).start()

        standin.on_receive = restart_database
        senders.start()
        assert wait_for(lambda: len(standin.of("telegram")) >= 6, 60)

        def all_sent():
            try:
                return all(r.state == "sent" for r in rows())
            except Exception:  # still restarting
                reset_engine()
                return False

        assert wait_for(all_sent, 90)
        numbers.append(delivered_after(standin, 5099))
        chats = sorted(c["chat"] for c in standin.of("telegram"))
        assert chats == sorted(str(u) for u in users + [5099])  # each citizen exactly once
        texts = " ".join(c["text"] for c in standin.of("telegram"))
        assert all(n in texts for n in numbers)
        log = "".join(p.read_text() for p in senders.tmp.glob("notifier-*.log"))
        assert "database write failed" in log  # the outage really hit a mark
    finally:
        senders.stop()
        reset_engine()
        if backend == "postgresql":
            db.stop()
        else:
            db.start()
