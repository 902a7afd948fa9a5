"""Rasa's tracker store and lock store as the production profile selects them, on real
PostgreSQL and Redis: what is chosen by which variable, pool sizes, behaviour during an
outage and after it, and the lock keeping one conversation's messages in order across
processes."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, LockStore
from rasa.core.tracker_store import FailSafeTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.store.errors import StoreUnavailable
from bot.store.lock_store import AtomicRedisLockStore
from bot.store.tracker_store import EnvTrackerStore, ensure_tracker_tables, tracker_store_url
from bot.tools.services import Postgres, Redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def endpoint(name: str) -> EndpointConfig:
    """The entry exactly as endpoints.yml declares it."""
    os.environ.setdefault("ACTION_ENDPOINT_URL", "http://127.0.0.1:1/webhook")
    os.environ.setdefault("ACTION_SERVER_TOKEN", "not-a-real-secret-0123456789")
    return read_endpoint_config(os.path.join(ROOT, "endpoints.yml"), name)


def tracker_store() -> FailSafeTrackerStore:
    """What Rasa's Agent builds from endpoints.yml: the store wrapped in FailSafeTrackerStore."""
    return FailSafeTrackerStore(create_tracker_store(endpoint("tracker_store"), Domain.empty()))


async def say(store, sender: str, *texts: str) -> None:
    tracker = await store.get_or_create_tracker(sender)
    for text in texts:
        tracker.update(UserUttered(text, message_id=f"{sender}-{text}"))
        tracker.update(BotUttered(f"re: {text}"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)


def user_texts(url: str, sender: str):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
            ),
            {"s": sender},
        ).all()
    engine.dispose()
    return [json.loads(r[0])["text"] for r in rows]


# --- which store the environment selects ----------------------------------------------


def test_endpoints_yml_names_the_env_selected_stores():
    assert endpoint("tracker_store").type == "bot.store.tracker_store.EnvTrackerStore"
    assert endpoint("lock_store").type == "bot.store.lock_store.EnvLockStore"


def test_postgres_database_url_puts_the_tracker_next_to_our_tables(prod_env):
    store = tracker_store()
    inner = store._tracker_store
    assert isinstance(inner, EnvTrackerStore)
    assert inner.engine.dialect.name == "postgresql"
    asyncio.run(say(store, "citizen-1", "وش شروط حساب المواطن", "كيف اغير الايبان"))
    assert user_texts(prod_env["DATABASE_URL"], "citizen-1") == [
        "وش شروط حساب المواطن",
        "كيف اغير الايبان",
    ]
    retrieved = asyncio.run(store.retrieve("citizen-1"))
    assert [e.text for e in retrieved.events if isinstance(e, UserUttered)] == [
        "وش شروط حساب المواطن",
        "كيف اغير الايبان",
    ]


def test_without_postgres_the_tracker_stays_in_the_sqlite_file(monkeypatch, tmp_path):
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    store = tracker_store()
    assert store._tracker_store.engine.dialect.name == "sqlite"
    asyncio.run(say(store, "local", "هلا"))
    assert user_texts(f"sqlite:///{tmp_path / 'tracker.db'}", "local") == ["هلا"]
    assert not os.path.exists(tmp_path / "app.db")  # our tables' file is not the tracker's

    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.delenv("TRACKER_DB")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    assert tracker_store_url() == f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"


def test_pool_is_small_by_default_and_set_by_environment(prod_env, monkeypatch):
    inner = tracker_store()._tracker_store
    assert (inner.engine.pool.size(), inner.engine.pool._max_overflow) == (4, 1)
    assert inner._executor()._max_workers == 4  # one thread per kept connection
    monkeypatch.setenv("SQL_POOL_SIZE", "2")
    monkeypatch.setenv("SQL_MAX_OVERFLOW", "3")
    inner = tracker_store()._tracker_store
    assert (inner.engine.pool.size(), inner.engine.pool._max_overflow) == (2, 3)


def test_many_concurrent_conversations_stay_within_the_pool(prod_env, pg_server):
    store = tracker_store()

    async def crowd():
        await asyncio.gather(*[say(store, f"c{i}", "سؤال", "سؤال ثاني") for i in range(40)])

    asyncio.run(crowd())
    import psycopg2

    conn = psycopg2.connect(pg_server.admin_url())
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'rasa-tracker' "
            "AND datname = %s",
            (prod_env["DATABASE_URL"].rsplit("/", 1)[1],),
        )
        open_connections = cur.fetchone()[0]
    conn.close()
    assert 1 <= open_connections <= 5
    assert all(
        user_texts(prod_env["DATABASE_URL"], f"c{i}") == ["سؤال", "سؤال ثاني"] for i in range(40)
    )


def test_migrations_and_tracker_tables_on_postgres(prod_env):
    from bot.store.migrate import upgrade

    upgrade(prod_env["DATABASE_URL"])
    ensure_tracker_tables(prod_env["DATABASE_URL"])
    ensure_tracker_tables(prod_env["DATABASE_URL"])  # idempotent: run-prod runs it on every start
    tables = set(sa.inspect(sa.create_engine(prod_env["DATABASE_URL"])).get_table_names())
    assert {"events", "audit_log", "alembic_version"} <= tables


# --- outages ---------------------------------------------------------------------------


def test_postgres_outage_is_an_error_not_a_silent_empty_conversation(
    service_binaries, monkeypatch, tmp_path
):
    """Rasa's FailSafeTrackerStore would answer from a blank in-memory tracker and drop the
    turn; ours raises, and works again once PostgreSQL is back, without a new store."""
    with Postgres(durable=False) as pg:
        monkeypatch.setenv("DATABASE_URL", pg.url)
        store = tracker_store()
        asyncio.run(say(store, "citizen", "اول رسالة"))
        pg.stop(remove=False)
        with pytest.raises(StoreUnavailable) as raised:
            asyncio.run(store.retrieve("citizen"))
        assert "tracker store" in str(raised.value) and "اول" not in str(raised.value)
        tracker = DialogueStateTracker("citizen", [])
        tracker.update(UserUttered("اثناء الانقطاع"))
        with pytest.raises(StoreUnavailable):
            asyncio.run(store.save(tracker))
        pg.start()
        asyncio.run(say(store, "citizen", "بعد العودة"))
        assert user_texts(pg.url, "citizen") == ["اول رسالة", "بعد العودة"]


def test_restart_while_idle_costs_the_next_citizen_nothing(service_binaries, monkeypatch):
    """No pre-ping on every checkout (bot.store.ping_when_idle): a connection that sat idle
    is tested first, so a database restarted between two messages is invisible."""
    from bot import store as app_store

    with Postgres(durable=False) as pg:
        monkeypatch.setenv("DATABASE_URL", pg.url)
        store = tracker_store()
        asyncio.run(say(store, "citizen", "قبل"))
        app_store.reset_engine()
        with app_store.session_scope() as session:
            assert session.execute(sa.text("SELECT 1")).scalar() == 1
        pg.stop(remove=False)
        pg.start()
        time.sleep(app_store.PING_AFTER_IDLE_SECONDS + 0.2)
        asyncio.run(say(store, "citizen", "بعد"))  # no StoreUnavailable
        with app_store.session_scope() as session:
            assert session.execute(sa.text("SELECT 1")).scalar() == 1
        assert user_texts(pg.url, "citizen") == ["قبل", "بعد"]
        app_store.reset_engine()


def test_redis_outage_fails_the_lock_clearly_and_recovers(service_binaries):
    with Redis() as redis_srv:
        store = AtomicRedisLockStore(redis_srv.url)

        async def once():
            async with store.lock("conv"):
                return True

        assert asyncio.run(once())
        redis_srv.stop(remove=False)
        with pytest.raises(StoreUnavailable):
            asyncio.run(once())
        redis_srv.start()
        assert asyncio.run(once())


# --- lock store ------------------------------------------------------------------------


def test_lock_store_selection(monkeypatch, redis_url):
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert isinstance(LockStore.create(endpoint("lock_store")), AtomicRedisLockStore)
    monkeypatch.delenv("REDIS_URL")
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert isinstance(LockStore.create(endpoint("lock_store")), InMemoryLockStore)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(ValueError, match="REDIS_URL"):
        LockStore.create(endpoint("lock_store"))


def _hammer(url: str, rounds: int, barrier) -> None:
    """One 'worker': take the conversation's lock, then do a deliberately racy
    read-sleep-write on a counter, and track how many holders are inside at once."""
    import redis

    store = AtomicRedisLockStore(url)
    client = redis.Redis.from_url(url)
    barrier.wait()

    async def run():
        for _ in range(rounds):
            async with store.lock("same-conversation"):
                inside = client.incr("inside")
                client.set("max_inside", max(int(client.get("max_inside") or 0), inside))
                value = int(client.get("counter") or 0)
                await asyncio.sleep(0.002)
                client.set("counter", value + 1)
                client.decr("inside")

    asyncio.run(run())


def test_lock_serialises_one_conversation_across_processes(redis_url):
    import redis

    workers, rounds = 4, 25
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    procs = [ctx.Process(target=_hammer, args=(redis_url, rounds, barrier)) for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert all(p.exitcode == 0 for p in procs)
    client = redis.Redis.from_url(redis_url)
    assert int(client.get("counter")) == workers * rounds  # no lost update: never two holders
    assert int(client.get("max_inside")) == 1
    assert client.keys("cza:lock*") == []  # nothing left behind


def _hold_forever(url: str, ready) -> None:
    store = AtomicRedisLockStore(url)

    async def run():
        async with store.lock("stuck"):
            ready.set()
            await asyncio.sleep(600)

    asyncio.run(run())


def test_ticket_of_a_killed_worker_is_freed_at_once(redis_url):
    """A worker killed mid-message must not make the conversation wait for the ticket's
    lifetime (60 s): the next message is served as soon as the death is seen."""
    ctx = multiprocessing.get_context("fork")
    ready = ctx.Event()
    holder = ctx.Process(target=_hold_forever, args=(redis_url, ready))
    holder.start()
    assert ready.wait(30)
    store = AtomicRedisLockStore(redis_url)

    async def blocked():
        async with store.lock("stuck"):
            return True

    with pytest.raises(asyncio.TimeoutError):  # a live holder does block
        asyncio.run(asyncio.wait_for(blocked(), 0.5))
    os.kill(holder.pid, signal.SIGKILL)
    # Not reaped yet: a zombie, like a killed Sanic worker whose parent never waits for it.
    deadline = time.monotonic() + 10
    while open(f"/proc/{holder.pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # Served well inside the ticket's 60 s lifetime: freed because its holder died, not
    # because it ran out (how fast is bench's business, not this test's).
    assert asyncio.run(asyncio.wait_for(blocked(), 10))
    holder.join(10)


def test_a_slow_redis_does_not_freeze_the_worker(redis_url):
    """While Redis answers slowly, the worker's other conversations keep moving: the lock's
    Redis round trips run off the event loop (Rasa's own LockStore blocks the loop on them)."""
    import redis

    store = AtomicRedisLockStore(redis_url)
    admin = redis.Redis.from_url(redis_url)

    async def scenario():
        ticks = 0
        stop = asyncio.Event()

        async def other_conversations():
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(other_conversations())
        await asyncio.sleep(0.05)
        admin.execute_command("CLIENT", "PAUSE", 600)  # every client waits 0.6 s
        before, started = ticks, time.monotonic()
        async with store.lock("slow-redis"):
            waited = time.monotonic() - started
        stop.set()
        await ticker
        return waited, ticks - before

    waited, ticks_meanwhile = asyncio.run(scenario())
    assert waited >= 0.4  # the pause was real
    assert ticks_meanwhile >= 0.5 * waited / 0.01  # and the loop kept turning through it


def test_a_lost_release_does_not_fail_a_handled_message(redis_url, monkeypatch):
    """Redis going away between the answer and the lock's release: the citizen keeps the
    answer (no apology added); the ticket simply expires."""
    from bot.store.lock_store import LockStoreUnavailable

    store = AtomicRedisLockStore(redis_url)

    def gone(*_args):
        raise LockStoreUnavailable("lock store unavailable (ConnectionError)")

    monkeypatch.setattr(store, "cleanup", gone)

    async def handled():
        async with store.lock("answered"):
            return "answer"

    assert asyncio.run(handled()) == "answer"


def test_rate_limit_is_shared_and_exact_on_real_redis(redis_url):
    """Two workers' limiters on one real Redis, hit at the same moment: exactly `limit`
    messages get through, one refusal is announced, and the window slides."""
    import redis.asyncio as aioredis

    from channels.state import RedisRateLimiter

    async def scenario():
        now = [time.time()]
        clients = [aioredis.from_url(redis_url), aioredis.from_url(redis_url)]
        workers = [
            RedisRateLimiter(c, limit=3, window=60, prefix="t:rate:", clock=lambda: now[0])
            for c in clients
        ]
        decisions = await asyncio.gather(*(workers[i % 2].hit("conv") for i in range(10)))
        assert sum(d.allowed for d in decisions) == 3
        assert sum(d.notify for d in decisions) == 1
        now[0] += 30
        assert not (await workers[0].hit("conv")).allowed  # still inside the window
        now[0] += 61
        assert (await workers[1].hit("conv")).allowed  # a quiet minute later
        for c in clients:
            await c.close()

    asyncio.run(scenario())
