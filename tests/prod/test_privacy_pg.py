"""Retention purge and erasure on PostgreSQL as production has it: our tables and Rasa's
tracker `events` table in one database (tests/unit/test_retention.py and test_erasure.py
run the same on SQLite). Tracker events here are also written by the real tracker store."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import timedelta

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.services.privacy import databases, erasure
from bot.services.privacy.periods import Periods
from bot.services.privacy.retention import purge
from bot.services.privacy.schedule import run_if_due
from bot.store import reset_engine
from bot.store.base import utcnow
from bot.store.migrate import upgrade
from bot.store.tracker_store import EnvTrackerStore, ensure_tracker_tables
from tests.support import privacy_data as data
from tests.support.privacy_data import A_ONLY_IN_TRACKER, A, B

DOMAIN = Domain.from_dict(
    {"slots": {"ticket_national_id": {"type": "text", "mappings": [{"type": "custom"}]}}}
)


@pytest.fixture
def pg(pg_database, monkeypatch, tmp_path):
    """Our tables migrated and Rasa's events table, in one fresh PostgreSQL database."""
    for key in [k for k in os.environ if k.startswith("RETENTION_")] + [
        "TRACKER_DB",
        "TRACKER_STORE_URL",
    ]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATABASE_URL", pg_database)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    reset_engine()
    upgrade(pg_database)
    ensure_tracker_tables(pg_database)
    app, tracker = databases.open_engines()
    assert tracker is app  # the production layout: one database
    yield app
    reset_engine()


def _save(store, sender_id, events):
    async def go():
        tracker = await store.get_or_create_tracker(sender_id, append_action_listen=False)
        for e in events:
            tracker.update(e)
        await store.save(tracker)

    asyncio.run(go())


def _loaded(store, sender_id):
    tracker = asyncio.run(store.retrieve(sender_id))
    return None if tracker is None else [e.as_dict() for e in tracker.events]


def _turn(text, at, national_id=None):
    events = [UserUttered(text, {"name": "inform", "confidence": 0.9}, timestamp=at)]
    if national_id:
        events.append(SlotSet("ticket_national_id", national_id, timestamp=at))
    return events + [
        BotUttered("تمام", timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def test_erasure_leaves_nothing_of_the_citizen_and_all_of_the_other(pg):
    data.populate(pg, time.time())
    store = EnvTrackerStore(DOMAIN, url=os.environ["DATABASE_URL"])
    arabic = A.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    _save(
        store,
        "rest-saved-by-rasa",
        [SessionStarted(timestamp=time.time())]
        + _turn(f"هويتي {arabic}", time.time(), A.national_id),
    )
    b_before = data.count_mentions([pg], B.needles())
    # A is in every table that can hold personal data (the console's included), so the
    # leftovers check below reads something of A in each of them first.
    holding = {name for name, n in data.count_mentions([pg], A.needles()).items() if n}
    assert set(data.all_rows(pg)) - holding - set(data.NO_CITIZEN_DATA) == set()

    report = erasure.erase(national_id=A.national_id, actor="backoffice:test")

    A.conversations += [A_ONLY_IN_TRACKER, "rest-saved-by-rasa"]
    assert data.leftovers([pg], A.needles()) == []
    assert data.count_mentions([pg], B.needles()) == b_before
    assert report.conversations == 5 and report.rows["events"] == 20 + 5
    assert [
        report.rows[t] for t in ("bot_turns", "csat_ratings", "review_labels", "training_examples")
    ] == [3, 1, 2, 1]
    ratings = data.all_rows(pg)["csat_ratings"]
    assert sorted(r["conversation_id"] for r in ratings) == sorted(["erased", B.web])
    assert _loaded(store, "rest-saved-by-rasa") is None
    assert _loaded(store, B.telegram)  # B's conversation still loads
    entries = [a for a in data.all_rows(pg)["audit_log"] if a["action"] == "privacy.erased"]
    assert len(entries) == 1 and entries[0]["subject_id"] == "1•••••••81"


def test_erasure_by_mobile_and_a_dry_run(pg):
    data.populate(pg, time.time())
    before = data.all_rows(pg)
    dry = erasure.erase(mobile="٠٥٥١٢٣٤٥٦٧", dry_run=True)
    assert data.all_rows(pg) == before
    real = erasure.erase(mobile="0551234567")
    assert real.rows == dry.rows and real.rows["sms_outbox"] == 2
    assert data.leftovers([pg], [A.mobile[1:], A.whatsapp, A.telegram, A.web]) == []


def test_purge_on_postgres(pg):
    now = utcnow()
    data.seed_retention(pg, pg, now)
    before = data.all_rows(pg)
    assert purge(pg, pg, Periods(), now=now, dry_run=True) == data.EXPECTED_PURGE
    assert data.all_rows(pg) == before
    assert purge(pg, pg, Periods(), now=now, batch=2) == data.EXPECTED_PURGE
    assert data.senders(pg) == {
        "returned": ["session_started", "user"],
        "long": ["session_started", "user", "user"],
    }
    rows = data.all_rows(pg)
    assert sorted(c["conversation_id"] for c in rows["conversations"]) == [
        "c-mixed",
        "c-queued",
        "c-recent-ended",
    ]
    assert sorted(t["national_id"] for t in rows["tickets"]) == ["", "", "1023456781"]


def test_the_tracker_store_reads_a_purged_conversation_as_before(pg):
    """A citizen who came back keeps their current session; the old one is gone."""
    store = EnvTrackerStore(DOMAIN, url=os.environ["DATABASE_URL"])
    old, recent = time.time() - 200 * 86400, time.time() - 3600
    _save(store, "web:back", [SessionStarted(timestamp=old)] + _turn("قديم", old, A.national_id))
    _save(store, "web:back", [SessionStarted(timestamp=recent)] + _turn("جديد", recent))
    _save(
        store,
        "web:long",
        [SessionStarted(timestamp=old)] + _turn("بدأت", old) + _turn("وما زلت", recent),
    )
    current = _loaded(store, "web:back"), _loaded(store, "web:long")

    counts = purge(pg, pg, Periods())

    assert counts["events"] == 5  # the old session of web:back only
    assert (_loaded(store, "web:back"), _loaded(store, "web:long")) == current
    full = asyncio.run(store.retrieve_full_tracker("web:back"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["جديد"]


def test_one_purge_at_a_time_on_postgres(pg):
    data.seed_retention(pg, pg, utcnow())
    results, barrier = [], threading.Barrier(4)

    def worker(n):
        barrier.wait()
        results.append(run_if_due(pg, pg, timedelta(hours=24), Periods(), holder=f"w{n}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r for r in results if r is not None] == [data.EXPECTED_PURGE]
    assert len(results) == 4
