"""Webhook messages stay recorded until answered (bot/store/inbound.py, channels/replay.py):
the claim and its lease on SQLite and PostgreSQL, the replay of a message whose worker
died, no second answer when Rasa already saw it, the give-up with an apology, and the
erasure."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.store import inbound as store
from bot.store import transaction
from bot.store.base import utcnow
from channels import replay
from channels.base import RecordingOutput
from channels.inbound import ACCEPTED, DUPLICATE, Inbound
from channels.pipeline import Pipeline
from channels.state import MemoryDeduper, MemoryRateLimiter

TEXT = "رقم هويتي 1023456781 وما نزل الدعم"


@pytest.fixture(autouse=True)
def bot_owns_every_conversation(monkeypatch):
    from bot.services import handoff

    monkeypatch.setattr(handoff, "state_of", lambda conversation_id: "bot")
    replay._held.clear()


class Output(RecordingOutput):
    channel = "telegram"
    sent: list = []

    async def deliver(self, text, buttons, transcript_id):
        Output.sent.append((self.recipient_id, text))
        return None


@pytest.fixture
def recorded():
    """Replies of replayed messages land in Output.sent instead of a channel: the map of
    outputs to hand the replayer."""
    Output.sent = []
    factory = lambda conv, rcpt, reply_to=None: Output(conv, rcpt)
    return {"telegram": factory, "whatsapp": factory}


class Agent:
    def __init__(self, block: asyncio.Event = None) -> None:
        self.received = []
        self.block = block

    async def __call__(self, message) -> None:
        self.received.append((message.sender_id, message.text, message.message_id))
        if self.block is not None:
            await self.block.wait()
        await message.output_channel.send_text_message(message.sender_id, "تم")


class Tracker:
    def __init__(self, events) -> None:
        self.events = events


class TrackerStore:
    def __init__(self, message_ids) -> None:
        from rasa.shared.core.events import UserUttered

        self.events = [UserUttered("x", message_id=m) for m in message_ids]

    async def retrieve(self, sender_id):
        return Tracker(self.events)


def _inbound(n: int = 1, conv: str = "telegram:42") -> Inbound:
    return Inbound(
        channel="telegram",
        conversation_id=conv,
        recipient_id=conv.split(":")[1],
        text=TEXT,
        dedup_key=f"telegram:update:{n}",
        channel_message_id=str(n),
        metadata={"chat_type": "private"},
        verified=True,
    )


def _pipeline() -> Pipeline:
    return Pipeline(deduper=MemoryDeduper(3600, 1000), limiter=MemoryRateLimiter(100, 60))


def _age(seconds: float, row_id=None) -> None:
    """As if the row's worker stopped renewing its lease `seconds` ago."""
    stmt = update(store.T).values(claimed_at=utcnow() - timedelta(seconds=seconds))
    if row_id is not None:
        stmt = stmt.where(store.T.c.id == row_id)
    with transaction() as conn:
        conn.execute(stmt)


def _add(n: int, owner: str = "dead-worker", conv: str = "telegram:42") -> int:
    inbound = _inbound(n, conv)
    body = replay.encode(inbound, Output(conv, inbound.recipient_id))
    return store.add(inbound.dedup_key, "telegram", conv, body, owner)


# ---------------------------------------------------------------- the store
def test_a_fresh_row_is_not_claimed_an_expired_one_is_and_only_once(app_db):
    row = _add(1)
    assert _add(1) is None  # the same update twice is one row
    assert store.claim("w2", lease_seconds=30) == []  # its worker may still be on it
    _age(31)
    claimed = store.claim("w2", lease_seconds=30)
    assert [(p.id, p.attempts) for p in claimed] == [(row, 2)]
    assert store.claim("w3", lease_seconds=30) == []  # w2 holds the new lease
    _age(31)
    assert [p.attempts for p in store.claim("w3", lease_seconds=30)] == [3]
    store.remove(row)
    assert store.count() == 0


def test_a_message_sent_again_takes_its_row_only_once_its_lease_ran_out(app_db):
    key = _inbound(7).dedup_key
    assert store.take(key, "w2", lease_seconds=30) == (False, None)  # nothing pending
    row = _add(7)
    assert store.take(key, "w2", lease_seconds=30) == (True, None)  # its worker is on it
    _age(31)
    pending, taken = store.take(key, "w2", lease_seconds=30)
    assert pending and (taken.id, taken.attempts) == (row, 2)
    assert store.take(key, "w3", lease_seconds=30) == (True, None)  # w2 holds it now
    assert store.claim("w3", lease_seconds=30) == []


def test_a_renewed_lease_keeps_the_row_with_its_worker(app_db):
    mine, gone = _add(1, owner="w1"), _add(2, owner="w-gone")
    _age(31)
    assert store.renew("w1", [mine, gone]) == 1  # only its own rows
    assert [p.id for p in store.claim("w2", lease_seconds=30)] == [gone]


def test_workers_claiming_at_once_never_share_a_row(app_db):
    ids = {_add(n) for n in range(1, 41)}
    _age(60)

    def claim(worker):
        return [p.id for p in store.claim(worker, lease_seconds=30, limit=50)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(claim, ["a", "b", "c", "d"]))
    taken = [i for r in results for i in r]
    assert sorted(taken) == sorted(ids)  # every row once, none twice


# ---------------------------------------------------------------- the hot path
def test_an_accepted_message_is_recorded_until_its_answer_then_deleted(app_db):
    async def scenario():
        block = asyncio.Event()
        agent, pipeline = Agent(block), _pipeline()
        inbound = _inbound(7)
        outcome = await pipeline.handle(
            inbound, agent, Output(inbound.conversation_id, "42"), background=True
        )
        assert outcome == ACCEPTED
        assert store.count() == 1  # before the webhook's 200
        await asyncio.sleep(0.2)
        assert store.count() == 1  # the turn is still running
        block.set()
        await pipeline.drain(5)
        assert store.count() == 0  # answered: gone, text and all
        again = await pipeline.handle(
            _inbound(7), agent, Output("telegram:42", "42"), background=True
        )
        assert again == DUPLICATE and store.count() == 0

    asyncio.run(scenario())


def test_the_hot_path_costs_one_insert_and_one_delete(app_db):
    from sqlalchemy import event

    from bot.store import engine

    statements = []

    def seen(conn, cursor, statement, *args):
        if "inbound_pending" in statement:
            statements.append(statement.split()[0].upper())

    event.listen(engine(), "before_cursor_execute", seen)
    try:

        async def scenario():
            pipeline = _pipeline()
            await pipeline.handle(
                _inbound(8), Agent(), Output("telegram:42", "42"), background=True
            )
            await pipeline.drain(5)

        asyncio.run(scenario())
    finally:
        event.remove(engine(), "before_cursor_execute", seen)
    assert statements == ["INSERT", "DELETE"]


def _transactions_during(run) -> list:
    """The statements `run()` sends to the app database, one list per transaction."""
    from sqlalchemy import event

    from bot.store import engine

    groups, current = [], []

    def seen(conn, cursor, statement, *args):
        current.append(" ".join(statement.split()[:3]).upper())

    def committed(conn):
        groups.append(list(current))
        current.clear()

    event.listen(engine(), "before_cursor_execute", seen)
    event.listen(engine(), "commit", committed)
    try:
        run()
    finally:
        event.remove(engine(), "before_cursor_execute", seen)
        event.remove(engine(), "commit", committed)
    return [g for g in groups if g]


class TelegramOutput(Output):
    ids_needed = "buttons"  # as Telegram's: a reply without buttons is written at the end


def test_the_row_is_deleted_in_the_transaction_that_stores_the_answer(app_db):
    async def scenario():
        pipeline = _pipeline()
        output = TelegramOutput("telegram:42", "42")
        await pipeline.handle(_inbound(9), Agent(), output, background=True)
        await pipeline.drain(5)

    groups = _transactions_during(lambda: asyncio.run(scenario()))
    writes = [g for g in groups if any(s.split()[0] in ("INSERT", "UPDATE", "DELETE") for s in g)]
    # Before the 200: the pending row. After the turn: the message, the reply, the turn's
    # row and the pending row's deletion, committed together.
    assert len(writes) == 2, "\n".join(map(str, groups))
    assert writes[0] == ["INSERT INTO INBOUND_PENDING"]
    last = writes[1]
    assert "DELETE FROM INBOUND_PENDING" in last
    assert "INSERT INTO TRANSCRIPT_MESSAGES" in last and "INSERT INTO BOT_TURNS" in last
    assert store.count() == 0


def test_a_turn_whose_transaction_fails_still_stores_the_answer_then_drops_the_row(
    app_db, monkeypatch
):
    from bot.store import conversations, turns

    def broken(*args, **kwargs):
        raise RuntimeError("analytics row refused")

    monkeypatch.setattr(turns, "write_turn", broken)

    async def scenario():
        pipeline = _pipeline()
        inbound = _inbound(10)
        output = TelegramOutput("telegram:42", "42")
        await pipeline.handle(inbound, Agent(), output, background=True)
        await pipeline.drain(5)
        return inbound

    inbound = asyncio.run(scenario())
    assert not inbound.settled  # the turn's transaction rolled back, row and all
    assert store.count() == 0  # then deleted on its own, as before
    assert [m["author"] for m in conversations.transcript("telegram:42")] == ["citizen", "bot"]


# ---------------------------------------------------------------- the replay
def test_a_message_whose_worker_died_is_answered_by_another(app_db, recorded):
    _add(3)
    _age(31)

    async def scenario():
        pipeline = _pipeline()
        await pipeline.deduper.first_time("telegram:update:3")  # the dead worker saw it
        agent = Agent()
        outcomes = await replay.Replayer(agent, pipeline=pipeline, outputs=recorded).run_once()
        return agent, outcomes

    agent, outcomes = asyncio.run(scenario())
    assert outcomes == ["processed"]
    assert agent.received == [("telegram:42", TEXT, "3")]  # the text as typed, the same id
    assert Output.sent == [("42", "تم")]
    assert store.count() == 0


def test_a_message_rasa_already_answered_is_not_answered_again(app_db, recorded):
    _add(4)
    _age(31)
    agent = Agent()
    seen = TrackerStore(["2", "4"])
    outcomes = asyncio.run(
        replay.Replayer(agent, lambda: seen, pipeline=_pipeline(), outputs=recorded).run_once()
    )
    assert outcomes == ["answered"] and agent.received == [] and Output.sent == []
    assert store.count() == 0


def test_after_the_attempts_the_citizen_gets_an_apology_and_the_row_goes(
    app_db, monkeypatch, caplog, recorded
):
    monkeypatch.setenv("INBOUND_MAX_ATTEMPTS", "2")
    row = _add(5)
    with transaction() as conn:  # two workers already died on it
        conn.execute(update(store.T).where(store.T.c.id == row).values(attempts=2))
    _age(31)
    agent = Agent()
    with caplog.at_level(logging.INFO):
        outcomes = asyncio.run(
            replay.Replayer(agent, pipeline=_pipeline(), outputs=recorded).run_once()
        )
    assert outcomes == ["given_up"] and agent.received == []
    assert Output.sent == [("42", replay.GIVEN_UP_REPLY)]
    assert store.count() == 0
    given_up = [r.getMessage() for r in caplog.records if "given up" in r.getMessage()]
    assert len(given_up) == 1 and "2 attempts" in given_up[0]
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "1023456781" not in logged and "telegram:42" not in logged and TEXT not in logged


def test_a_message_for_an_agent_is_in_the_transcript_once_after_its_replay(
    app_db, monkeypatch, recorded
):
    from bot.services import handoff
    from bot.store import conversations

    monkeypatch.setattr(handoff, "state_of", lambda conversation_id: "assigned")
    told = []
    monkeypatch.setattr(handoff, "notify_citizen_message", lambda *a: told.append(a[2]))
    # The worker that accepted it wrote it to the transcript, then died before the DELETE.
    first = conversations.record_inbound("telegram:42", "telegram", "42", TEXT, "8")
    _add(8)
    _age(31)
    agent = Agent()
    outcomes = asyncio.run(
        replay.Replayer(agent, pipeline=_pipeline(), outputs=recorded).run_once()
    )
    assert outcomes == ["handed_off"] and agent.received == []
    citizen = [m for m in conversations.transcript("telegram:42") if m["author"] == "citizen"]
    assert [m["id"] for m in citizen] == [first]
    assert told == [first]  # the agent is pointed at the message already on the desk
    assert store.count() == 0

    # Outside a replay the channel's id is not trusted to be unique: both are kept.
    conversations.record_inbound("telegram:42", "telegram", "42", "ثانية", "8")
    assert (
        len([m for m in conversations.transcript("telegram:42") if m["author"] == "citizen"]) == 2
    )


def test_a_replay_that_fails_leaves_the_row_for_the_next_claim(app_db):
    def broken(*args, **kwargs):
        raise RuntimeError("channel not configured")

    _add(6)
    _age(31)
    outputs = {"telegram": broken}
    outcomes = asyncio.run(
        replay.Replayer(Agent(), pipeline=_pipeline(), outputs=outputs).run_once()
    )
    assert outcomes == ["error"] and store.count() == 1


def test_the_loop_runs_rounds_until_cancelled(app_db, monkeypatch, recorded):
    monkeypatch.setenv("INBOUND_SCAN_SECONDS", "0.05")
    monkeypatch.setenv("INBOUND_LEASE_SECONDS", "0.2")

    async def scenario():
        agent = Agent()
        task = asyncio.create_task(
            replay.Replayer(agent, pipeline=_pipeline(), outputs=recorded).loop()
        )
        _add(9)  # its worker dies right now
        deadline = time.monotonic() + 5
        while store.count() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        task.cancel()
        return agent

    agent = asyncio.run(scenario())
    assert [m[2] for m in agent.received] == ["9"] and store.count() == 0


def test_the_message_round_trips_with_the_reply_address():
    inbound = _inbound(11, "telegram:77")
    inbound.payload, inbound.title = "/check_eligibility", "تحقق من أهليتي"
    output = Output("telegram:77", "-100")
    output.reply_to = 555
    back, reply_to = replay.decode(replay.encode(inbound, output))
    assert back.replayed and not inbound.replayed  # so the transcript is not written twice
    back.replayed = False
    assert back == inbound and reply_to == 555 and back.verified


# ---------------------------------------------------------------- erasure
def test_erasure_by_conversation_deletes_its_pending_messages(app_db):
    from bot.services.privacy import erasure
    from bot.store import engine

    _add(1, conv="telegram:42")
    _add(2, conv="telegram:43")
    report = erasure.erase(conversation_id="telegram:42", app=engine(), tracker=None)
    assert report.rows["inbound_pending"] == 1
    with transaction() as conn:
        left = conn.execute(store.T.select()).all()
    assert [r.conversation_id for r in left] == ["telegram:43"]


def test_replies_go_back_through_the_channel_the_message_came_from():
    from channels.server import replay_outputs
    from channels.telegram.channel import TelegramOutput
    from channels.whatsapp import WhatsAppOutput

    outputs = replay_outputs()
    tg = replay.make_output(outputs, "telegram", "telegram:77", "-100", 555)
    wa = replay.make_output(outputs, "whatsapp", "whatsapp:966500000001", "966500000001")
    assert isinstance(tg, TelegramOutput) and tg.chat_id == -100 and tg.reply_to == 555
    assert isinstance(wa, WhatsAppOutput) and wa.recipient_id == "966500000001"
    with pytest.raises(ValueError):
        replay.make_output(outputs, "web", "web:x", "x")  # the widget re-sends on its own
