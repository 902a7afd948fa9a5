"""Unit tests of the shared pieces: text handling, dedup/rate state (memory and Redis),
the pipeline steps, the conversation store and its migration."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from datetime import timedelta

import pytest

from bot.store import conversations
from channels.edge import meta_signature_valid, secrets_match
from channels.inbound import (
    DUPLICATE,
    FAILED,
    HANDED_OFF,
    PROCESSED,
    RATE_LIMITED,
    REJECTED,
    TOO_LONG,
    Inbound,
)
from channels.pipeline import Pipeline
from channels.state import (
    MemoryDeduper,
    MemoryRateLimiter,
    RedisDeduper,
    RedisRateLimiter,
    TTLCache,
)
from channels.text import (
    ERROR_REPLY,
    RATE_LIMIT_REPLY,
    clean,
    notice,
    rate_limit_reply,
    split_text,
    strip_command_prefix,
    truncate,
)


@pytest.fixture(autouse=True)
def bot_owns_every_conversation(monkeypatch):
    # Deterministic handoff state for these unit tests (tests below override it).
    from bot.services import handoff

    monkeypatch.setattr(handoff, "state_of", lambda conversation_id: "bot")


# ---------------------------------------------------------------- text
def test_split_text_keeps_words_whole_and_parts_under_the_limit():
    text = " ".join(f"word{i}" for i in range(3000))
    parts = split_text(text, 4096)
    assert all(len(p) <= 4096 for p in parts) and len(parts) == -(-len(text) // 4096)
    assert " ".join(parts) == text
    assert split_text("x" * 5000, 4096) == ["x" * 4096, "x" * 904]  # one huge word: hard cut
    assert split_text("", 10) == [] and split_text("قصير", 10) == ["قصير"]
    para = "أ" * 3000 + "\n\n" + "ب" * 3000
    assert split_text(para, 4096) == ["أ" * 3000, "ب" * 3000]  # prefers paragraphs


def test_truncate_cuts_at_a_word():
    text = "حساب المواطن " * 500
    cut = truncate(text, 1000)
    assert len(cut) <= 1000 and text.startswith(cut) and cut.split()[-1] in ("حساب", "المواطن")
    assert truncate("قصير", 1000) == "قصير"


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("/restart", "restart"),
        ("//restart", "restart"),
        (" / restart", "restart"),
        ('/faq{"x":1}', 'faq{"x":1}'),
        ("عادي /مع شرطة", "عادي /مع شرطة"),
    ],
)
def test_strip_command_prefix(raw, expected):
    assert strip_command_prefix(raw) == expected


def test_clean_removes_invisible_characters_and_folds_digits():
    assert clean("\u200f\u202b/restart\u202c ") == "/restart"
    assert clean("رقمي ٠٥٥١٢٣٤٥٦٧ و ۱۲") == "رقمي 0551234567 و 12"


def test_signature_helpers():
    body = b'{"a": 1}'
    good = "sha256=" + hmac.new(b"s", body, hashlib.sha256).hexdigest()
    assert meta_signature_valid("s", body, good)
    assert not meta_signature_valid("s", body + b" ", good)
    assert not meta_signature_valid("", body, good)
    assert not meta_signature_valid("s", body, None)
    assert secrets_match("abc", "abc") and not secrets_match("abc", "abd")
    assert not secrets_match("", "") and not secrets_match("abc", None)


# ---------------------------------------------------------------- state
class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_ttl_cache_is_bounded_and_expires():
    clock = Clock()
    cache = TTLCache(3, clock)
    for k in "abcd":
        cache.set(k, 1, 10)
    assert len(cache) == 3 and cache.get("a") is None and cache.get("d") == 1
    clock.now += 11
    assert cache.get("d") is None


def test_memory_dedup_and_rate_limit():
    async def scenario():
        clock = Clock()
        dedup = MemoryDeduper(ttl=60, max_entries=100, clock=clock)
        assert await dedup.first_time("u1") and not await dedup.first_time("u1")
        clock.now += 61
        assert await dedup.first_time("u1")
        limiter = MemoryRateLimiter(limit=3, window=60, clock=clock)
        decisions = [await limiter.hit("c") for _ in range(5)]
        assert [d.allowed for d in decisions] == [True, True, True, False, False]
        assert [d.notify for d in decisions] == [False, False, False, True, False]
        assert (await limiter.hit("other")).allowed
        clock.now += 60
        assert (await limiter.hit("c")).allowed

    asyncio.run(scenario())


def test_redis_dedup_and_rate_limit_are_shared_between_workers():
    fakeredis = pytest.importorskip("fakeredis")

    async def scenario():
        server = fakeredis.FakeServer()
        worker_a = fakeredis.FakeAsyncRedis(server=server)
        worker_b = fakeredis.FakeAsyncRedis(server=server)
        da, db = RedisDeduper(worker_a, ttl=60), RedisDeduper(worker_b, ttl=60)
        assert await da.first_time("telegram:update:1")
        assert not await db.first_time("telegram:update:1")
        assert await worker_a.ttl("cza:dedup:telegram:update:1") <= 60
        clock = Clock()
        la = RedisRateLimiter(worker_a, limit=2, window=60, clock=clock)
        lb = RedisRateLimiter(worker_b, limit=2, window=60, clock=clock)
        decisions = [await la.hit("c"), await lb.hit("c"), await la.hit("c"), await lb.hit("c")]
        assert [d.allowed for d in decisions] == [True, True, False, False]
        assert [d.notify for d in decisions] == [False, False, True, False]

    asyncio.run(scenario())


def test_redis_outage_fails_open():
    class Broken:
        async def set(self, *a, **k):
            raise ConnectionError("down")

        def pipeline(self):
            raise ConnectionError("down")

    async def scenario():
        assert await RedisDeduper(Broken(), 60).first_time("x")
        assert (await RedisRateLimiter(Broken(), 1, 60).hit("x")).allowed

    asyncio.run(scenario())


def test_build_state_picks_redis_from_redis_url(monkeypatch):
    from channels.state import build_state

    monkeypatch.delenv("REDIS_URL", raising=False)
    d, r = build_state()
    assert isinstance(d, MemoryDeduper) and isinstance(r, MemoryRateLimiter)
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")
    d, r = build_state()
    assert isinstance(d, RedisDeduper) and isinstance(r, RedisRateLimiter)


# ---------------------------------------------------------------- pipeline
class Out:
    """Minimal output channel: records what the pipeline or the 'bot' sent."""

    def __init__(self):
        self.sent, self.notices, self.emitted = [], [], []

    async def notice(self, text):
        self.notices.append(text)

    async def typing(self, on):
        pass


def inbound(text=None, conv="rest-user", **kw):
    return Inbound(
        channel="rest",
        conversation_id=conv,
        recipient_id=conv,
        text=text,
        verified=kw.pop("verified", True),
        **kw,
    )


def run_pipeline(pipeline, message, behaviour=None):
    seen = []

    async def on_new_message(m):
        seen.append(m.text)
        if behaviour:
            await behaviour(m)
        else:
            m.output_channel.emitted.append("a reply")  # what Rasa's answer would do

    out = Out()
    outcome = asyncio.run(pipeline.handle(message, on_new_message, out))
    return outcome, seen, out


def test_unverified_messages_never_reach_rasa(store_db):
    outcome, seen, _ = run_pipeline(Pipeline(), inbound("hi", verified=False))
    assert (outcome, seen) == (REJECTED, [])


def test_duplicates_are_dropped(store_db):
    p = Pipeline()
    assert run_pipeline(p, inbound("a", dedup_key="k1"))[0] == PROCESSED
    assert run_pipeline(p, inbound("a", dedup_key="k1"))[:2] == (DUPLICATE, [])


def test_offered_payload_rule(store_db):
    p = Pipeline()
    conv = "rest-offers"
    conversations.record_inbound(conv, "rest", conv, "hi")
    conversations.record_outbound(conv, "choose", [{"title": "نعم", "payload": "/affirm"}])
    assert run_pipeline(p, inbound("/affirm", conv=conv, payload_as_text=True))[1] == ["/affirm"]
    # not offered any more (the citizen spoke since)
    assert run_pipeline(p, inbound("/affirm", conv=conv, payload_as_text=True))[1] == ["affirm"]
    # Telegram/WhatsApp style inbound never accepts a typed payload
    conversations.record_outbound(conv, "choose", [{"title": "نعم", "payload": "/affirm"}])
    assert run_pipeline(p, inbound("/affirm", conv=conv))[1] == ["affirm"]


def test_trusted_payload_and_title(store_db):
    p = Pipeline()
    msg = inbound(None, conv="tg-like", payload='/faq_pick{"faq_key": "x"}', title="شروط")
    assert run_pipeline(p, msg)[1] == ['/faq_pick{"faq_key": "x"}']
    assert conversations.transcript("tg-like")[-1]["text"] == "شروط"


def test_a_message_over_the_limit_is_asked_to_be_shortened_and_kept(store_db, monkeypatch):
    monkeypatch.setenv("MAX_INBOUND_CHARS", "50")
    long_text = "عندي سؤال عن حساب المواطن " * 10
    outcome, seen, out = run_pipeline(Pipeline(), inbound(long_text, conv="long"))
    assert (outcome, seen) == (TOO_LONG, [])
    assert len(out.notices) == 1 and "50" in out.notices[0] and "اختصر" in out.notices[0]
    stored = conversations.transcript("long")[0]["text"]
    assert stored and len(stored) <= 50 and long_text.startswith(stored)
    # At the limit it is an ordinary message.
    outcome, seen, out = run_pipeline(Pipeline(), inbound("ا" * 50, conv="long"))
    assert outcome == PROCESSED and seen == ["ا" * 50] and out.notices == []


def test_citizen_text_is_masked_in_the_transcript(store_db):
    run_pipeline(Pipeline(), inbound("هويتي 1012345678 وجوالي ٠٥٥١٢٣٤٥٦٧", conv="masked"))
    stored = conversations.transcript("masked")[0]["text"]
    assert "1012345678" not in stored and "0551234567" not in stored
    assert stored.startswith("هويتي 10")


def test_handoff_gate_records_notifies_and_skips_rasa(store_db, monkeypatch):
    from bot.services import handoff

    notified = []
    monkeypatch.setattr(handoff, "state_of", lambda cid: "queued")
    monkeypatch.setattr(
        handoff,
        "notify_citizen_message",
        lambda cid, text, mid: notified.append((cid, text, mid)),
        raising=False,
    )
    outcome, seen, _ = run_pipeline(Pipeline(), inbound("/restart", conv="with-agent"))
    assert (outcome, seen) == (HANDED_OFF, [])
    assert notified == [("with-agent", "restart", conversations.transcript("with-agent")[0]["id"])]


def test_handoff_failure_fails_open_to_the_bot(store_db, monkeypatch):
    from bot.services import handoff

    def broken(cid):
        raise RuntimeError("db down")

    monkeypatch.setattr(handoff, "state_of", broken)
    assert run_pipeline(Pipeline(), inbound("hi", conv="open"))[0] == PROCESSED


def test_rasa_crash_and_timeout_become_an_apology(store_db, monkeypatch):
    async def crash(m):
        raise ValueError("boom")

    outcome, _, out = run_pipeline(Pipeline(), inbound("x", conv="c1"), crash)
    assert (outcome, out.notices) == (FAILED, [ERROR_REPLY])

    monkeypatch.setenv("RASA_REPLY_TIMEOUT_SECONDS", "0.2")

    async def hang(m):
        await asyncio.sleep(5)

    outcome, _, out = run_pipeline(Pipeline(), inbound("x", conv="c2"), hang)
    assert (outcome, out.notices) == (FAILED, [ERROR_REPLY])


def test_rasa_saying_nothing_becomes_an_apology_not_silence(store_db):
    async def silent(m):
        return None

    outcome, _, out = run_pipeline(Pipeline(), inbound("x", conv="c3"), silent)
    assert (outcome, out.notices) == (FAILED, [ERROR_REPLY])


def test_rate_limit_notice_once(store_db, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    p = Pipeline()
    results = [run_pipeline(p, inbound(f"m{i}", conv="flood")) for i in range(3)]
    assert [r[0] for r in results] == [PROCESSED, RATE_LIMITED, RATE_LIMITED]
    notices = [r[2].notices for r in results]
    assert [len(n) for n in notices] == [0, 1, 0]
    # The notice says the message was not taken and when to send it again.
    assert notices[1][0].startswith(RATE_LIMIT_REPLY) and "الدقيقة الجاية" in notices[1][0]


def test_a_refused_message_is_told_when_to_retry_and_a_retry_then_gets_through():
    """A citizen answering a pre-check quickly and then rating got one warning, then
    messages that vanished. The refusal now says when to send again, and a message sent
    then goes through, whatever was tried in between (refusals do not push it back)."""

    async def scenario():
        clock = Clock()
        limiter = MemoryRateLimiter(limit=3, window=60, clock=clock, count_refused=False)
        for _ in range(3):
            assert (await limiter.hit("c")).allowed
            clock.now += 10
        refused = await limiter.hit("c")  # at 30 s; the first message leaves at 60 s
        assert (refused.allowed, refused.notify, refused.retry_after) == (False, True, 30)
        clock.now += 20
        again = await limiter.hit("c")  # tried once more in between: no second notice
        assert (again.allowed, again.notify, again.retry_after) == (False, False, 10)
        clock.now += again.retry_after
        assert (await limiter.hit("c")).allowed

    asyncio.run(scenario())


def test_the_redis_limiter_tells_the_same_retry_time():
    fakeredis = pytest.importorskip("fakeredis")

    async def scenario():
        clock = Clock()
        redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer())
        limiter = RedisRateLimiter(redis, limit=3, window=60, clock=clock, count_refused=False)
        for _ in range(3):
            assert (await limiter.hit("c")).allowed
            clock.now += 10
        refused = await limiter.hit("c")
        assert (refused.allowed, refused.notify, refused.retry_after) == (False, True, 30)
        clock.now += 20
        again = await limiter.hit("c")
        assert (again.allowed, again.notify, again.retry_after) == (False, False, 10)
        clock.now += again.retry_after
        assert (await limiter.hit("c")).allowed

    asyncio.run(scenario())


def test_a_refused_message_is_neither_stored_nor_queued(store_db, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    p = Pipeline()
    first = inbound("أول", conv="flood-2")
    second = inbound("ثاني", conv="flood-2")
    assert run_pipeline(p, first)[0] == PROCESSED and first.retry_after is None
    outcome, seen, _ = run_pipeline(p, second)
    assert (outcome, seen) == (RATE_LIMITED, [])
    assert 1 <= second.retry_after <= 60  # what the widget shows beside the message
    texts = [m["text"] for m in conversations.transcript("flood-2")]
    assert "ثاني" not in texts


def test_messages_of_one_conversation_reach_rasa_in_order(store_db):
    p = Pipeline()
    seen = []

    async def on_new_message(m):
        await asyncio.sleep(0.05 if m.text == "1" else 0)
        seen.append(m.text)

    async def scenario():
        for i in "123":
            await p.handle(inbound(i, conv="order"), on_new_message, Out(), background=True)
        await p.drain(5)

    asyncio.run(scenario())
    assert seen == ["1", "2", "3"]


# ---------------------------------------------------------------- store
def test_last_offered_buttons_cover_the_whole_last_reply(store_db):
    conv = "rest-lob"
    assert conversations.last_offered_buttons(conv) == []
    conversations.record_inbound(conv, "rest", conv, "hi")
    conversations.record_outbound(conv, "a", [{"title": "A", "payload": "/a"}])
    conversations.record_outbound(conv, "text only")
    conversations.record_outbound(
        conv, "b", [{"title": "B", "payload": "/b"}, {"title": "url", "url": "x"}]
    )
    assert [b["payload"] for b in conversations.last_offered_buttons(conv)] == ["/a", "/b"]
    conversations.record_inbound(conv, "rest", conv, "ok")
    assert conversations.last_offered_buttons(conv) == []


def test_offered_button_belongs_to_its_conversation(store_db):
    mid = conversations.record_outbound("telegram:1", "x", [{"title": "A", "payload": "/a"}])
    assert conversations.offered_button("telegram:1", mid, 0) == {"title": "A", "payload": "/a"}
    assert conversations.offered_button("telegram:2", mid, 0) is None
    assert conversations.offered_button("telegram:1", mid, 5) is None
    assert conversations.offered_button("telegram:1", mid + 100, 0) is None


def test_conversation_record_and_window(store_db):
    now = conversations.utcnow()
    conversations.record_inbound(
        "whatsapp:9665", "whatsapp", "9665", "old", at=now - timedelta(hours=30)
    )
    conv = conversations.get_conversation("whatsapp:9665")
    assert conv["channel"] == "whatsapp" and conv["recipient_id"] == "9665"
    assert conv["created_at"].tzinfo is not None
    assert not conversations.within_whatsapp_window("whatsapp:9665")
    conversations.record_inbound("whatsapp:9665", "whatsapp", "9665", "new")
    assert conversations.within_whatsapp_window("whatsapp:9665")
    assert not conversations.within_whatsapp_window("whatsapp:unknown")
    with pytest.raises(ValueError):
        conversations.record_outbound("whatsapp:9665", "x", author="citizen")
    assert [m["author"] for m in conversations.transcript("whatsapp:9665")] == [
        "citizen",
        "citizen",
    ]
    assert len(conversations.transcript("whatsapp:9665", limit=1)) == 1


def test_migration_creates_and_drops_the_tables(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine, inspect

    from bot.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'm.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "ch01_conversations")
    engine = create_engine(url, future=True)
    tables = set(inspect(engine).get_table_names())
    assert {"conversations", "transcript_messages"} <= tables
    columns = {c["name"] for c in inspect(engine).get_columns("transcript_messages")}
    assert columns == {
        "id",
        "conversation_id",
        "at",
        "author",
        "text",
        "buttons",
        "channel_message_id",
    }
    command.downgrade(cfg, "0001_base")
    assert not {"conversations", "transcript_messages"} & set(inspect(engine).get_table_names())
    engine.dispose()


def test_rate_limit_window_slides_instead_of_resetting_on_the_minute():
    """A burst straddling a minute boundary used to get twice the limit through (each
    fixed bucket counted from zero); both limiters now count the last `window` seconds."""
    fakeredis = pytest.importorskip("fakeredis")

    async def scenario(limiter, clock):
        clock.now = 59.5  # just before a minute boundary
        first = [await limiter.hit("c") for _ in range(3)]
        clock.now = 60.5  # just after it
        second = [await limiter.hit("c") for _ in range(3)]
        assert [d.allowed for d in first + second] == [True, True, True, False, False, False]
        assert [d.notify for d in first + second] == [False, False, False, True, False, False]
        clock.now = 59.5 + 60.1  # the burst has left the window, the refusals not yet
        assert not (await limiter.hit("c")).allowed
        clock.now = 60.5 + 60.1 + 0.1  # a quiet minute after the last message
        assert (await limiter.hit("c")).allowed

    # (A client address's limiter: refusals count, so a flood stays refused until it pauses.)

    clock = Clock()
    asyncio.run(scenario(MemoryRateLimiter(limit=3, window=60, clock=clock), clock))
    clock = Clock()
    asyncio.run(
        scenario(
            RedisRateLimiter(
                fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer()),
                limit=3,
                window=60,
                clock=clock,
            ),
            clock,
        )
    )


def test_the_pipelines_notices_follow_the_citizens_language(store_db, monkeypatch):
    async def crash(m):
        raise ValueError("boom")

    outcome, _, out = run_pipeline(Pipeline(), inbound("How do I register?", conv="en1"), crash)
    assert (outcome, out.notices) == (FAILED, [notice("error", "en")])
    # A message that does not say (a number) takes the conversation's last language.
    outcome, _, out = run_pipeline(Pipeline(), inbound("12345", conv="en1"), crash)
    assert out.notices == [notice("error", "en")]
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    p = Pipeline()
    run_pipeline(p, inbound("Who can benefit from the program?", conv="en2"))
    second = inbound("and my wife?", conv="en2")
    outcome, _, out = run_pipeline(p, second)
    assert outcome == RATE_LIMITED and len(out.notices) == 1
    assert out.notices[0] == rate_limit_reply(second.retry_after, "en")
