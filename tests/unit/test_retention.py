"""Retention purge on SQLite (tests/prod/test_privacy_pg.py runs it on PostgreSQL): rows
older than their period go (or are anonymised), younger ones stay, Rasa's tracker keeps a
conversation's current session, and one process purges at a time."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import timedelta

import pytest

from bot.services.privacy import databases, periods
from bot.services.privacy import schedule as retention_schedule
from bot.services.privacy.periods import Periods
from bot.services.privacy.retention import purge
from bot.services.privacy.schedule import LEASE, claim, release, run_if_due
from bot.store.base import utcnow
from tests.support import privacy_data as data


def _rows(app, name):
    return data.all_rows(app)[name]


def test_purge_removes_what_is_older_than_its_period_and_keeps_the_rest(dbs):
    app, tracker = dbs
    now = utcnow()
    data.seed_retention(app, tracker, now)

    counts = purge(app, tracker, Periods(), now=now, batch=2)  # batches of 2: several rounds

    assert counts == data.EXPECTED_PURGE
    rows = data.all_rows(app)
    assert sorted(c["conversation_id"] for c in rows["conversations"]) == [
        "c-mixed",
        "c-queued",
        "c-recent-ended",
    ]  # recent message, open handoff, recent episode
    assert [m["conversation_id"] for m in rows["transcript_messages"]] == ["c-mixed"]
    assert sorted(h["conversation_id"] for h in rows["handoffs"]) == ["c-queued", "c-recent-ended"]
    assert len(rows["otp_challenges"]) == 2  # the young one and the still-locked one
    assert len(rows["sms_outbox"]) == 1
    tickets = {t["number"]: t for t in rows["tickets"]}
    assert len(tickets) == 3  # anonymised, not deleted
    old = tickets["10000000"]
    assert (old["national_id"], old["mobile"], old["description"], old["conversation_id"]) == (
        "",
        "",
        "",
        None,
    )
    assert old["status"] == "closed" and old["idempotency_key"] != "k0"
    assert tickets["10000001"]["national_id"] == "1023456781"
    objections = {o["number"]: o for o in rows["objections"]}
    assert (
        objections["200000000"]["national_id"] == ""
        and objections["200000000"]["decision_note"] is None
    )
    assert objections["200000000"]["payment_cycle"] == "2025-01"
    assert objections["200000001"]["national_id"] == "1023456781"
    # The console: the old turn is gone but its day is counted in the rollups; the old
    # rating keeps its score without conversation or comment; the old label is gone.
    assert [t["conversation_id"] for t in rows["bot_turns"]] == ["c-turn1"]
    assert sum(d["turns"] for d in rows["console_daily"]) == 2
    assert [r["score"] for r in rows["csat_ratings"]] == [4, 4]
    assert sorted((r["conversation_id"], r["comment"]) for r in rows["csat_ratings"]) == [
        ("c-turn1", "تعليق"),
        ("erased", None),
    ]
    assert [label["turn_id"] for label in rows["review_labels"]] == [rows["bot_turns"][0]["id"]]
    # Training: the reviewed example of the old turn and the old change's text are gone
    # (the next retrain leaves them out); old logs, candidates and superseded models too.
    examples = [json.loads(c["payload"])["examples"] for c in rows["training_changes"]]
    assert examples == [{"faq/payment_date": ["متى ينزل الدعم"]}, {}, {"greet": ["يا هلا"]}]
    jobs = [(j["state"], j["log"] is None, j["model"]) for j in rows["training_jobs"]]
    assert jobs == [("refused", True, None), ("discarded", True, None), ("failed", False, None)]
    assert [r["model"] is None for r in rows["model_releases"]] == [True, True, False, False]
    audit = rows["audit_log"]
    assert [a["action"] for a in audit] == ["ticket.created", "retention.purged"]
    assert '"events": 4' in audit[-1]["detail"]
    assert data.senders(tracker) == {
        "returned": ["session_started", "user"],  # the current session only
        "long": ["session_started", "user", "user"],  # its one session is still going on
    }


def test_a_second_purge_finds_nothing_and_a_dry_run_changes_nothing(dbs):
    app, tracker = dbs
    now = utcnow()
    data.seed_retention(app, tracker, now)
    before = data.all_rows(app), data.all_rows(tracker)

    assert purge(app, tracker, Periods(), now=now, dry_run=True) == data.EXPECTED_PURGE
    assert (data.all_rows(app), data.all_rows(tracker)) == before  # not even an audit entry

    purge(app, tracker, Periods(), now=now)
    again = purge(app, tracker, Periods(), now=now)
    assert set(again.values()) == {0}


def test_a_period_of_zero_keeps_that_kind_forever(dbs):
    app, tracker = dbs
    now = utcnow()
    data.seed_retention(app, tracker, now)
    counts = purge(app, tracker, Periods(transcripts=0, tickets=0, audit=0), now=now)
    assert set(counts) == {"otp_challenges", "sms_outbox", "notifications", "objections"}
    assert len(_rows(app, "transcript_messages")) == 4
    assert len(data.senders(tracker)) == 3


def test_the_purge_report_names_the_console_tables(dbs, capsys):
    from bot.backoffice.__main__ import main

    app, tracker = dbs
    data.seed_retention(app, tracker, utcnow())
    assert main(["purge", "--dry-run"]) == 0
    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["bot_turns", "deleted", "1"] in table
    assert ["csat_ratings", "anonymised", "1"] in table
    assert ["review_labels", "deleted", "1"] in table


def test_periods_come_from_the_environment():
    env = {
        "RETENTION_TRANSCRIPT_DAYS": "30",
        "RETENTION_AUDIT_DAYS": "many",
        "RETENTION_SMS_DAYS": "-5",
        "RETENTION_TICKET_DAYS": " ",
    }
    assert Periods.from_env(env) == Periods(transcripts=30, sms=0)
    assert Periods.from_env({}) == Periods(180, 30, 90, 730, 730, 1095)
    assert periods.purge_every({}) == timedelta(hours=24)
    assert periods.purge_every({"RETENTION_PURGE_EVERY_HOURS": "0"}) == timedelta(0)


def test_no_tracker_yet_is_not_an_error(dbs, tmp_path, monkeypatch):
    app, _tracker = dbs
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "never-created.db"))
    assert databases.open_engines()[1] is None
    assert not (tmp_path / "never-created.db").exists()
    assert "events" not in purge(app, None, Periods())


URL_CASES = {
    "defaults": {},
    "var dir": {"VAR_DIR": "{tmp}/var"},
    "sqlite files": {"TRACKER_DB": "{tmp}/t.db", "DATABASE_URL": "sqlite:///{tmp}/app.db"},
    "heroku-style postgres": {"DATABASE_URL": "postgres://u:p@db/cza"},
    "postgres wins over TRACKER_DB": {
        "DATABASE_URL": "postgresql+psycopg2://u@db/cza",
        "TRACKER_DB": "{tmp}/ignored.db",
    },
    "explicit tracker": {
        "TRACKER_STORE_URL": "postgresql://u@other/t",
        "DATABASE_URL": "postgresql://u@db/cza",
    },
    "tracker as a URL": {"TRACKER_DB": "sqlite:///{tmp}/y.db"},
}


@pytest.mark.parametrize("case", list(URL_CASES))
def test_urls_follow_the_rules_of_the_stores(case, monkeypatch, tmp_path):
    """The purge finds the databases exactly where the servers put them."""
    import bot.store
    from bot.store.tracker_store import tracker_store_url

    env = {k: v.replace("{tmp}", str(tmp_path)) for k, v in URL_CASES[case].items()}
    assert databases.tracker_url(env) == tracker_store_url(env)
    for key in ("DATABASE_URL", "VAR_DIR", "TRACKER_DB", "TRACKER_STORE_URL"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert databases.app_url() == bot.store.database_url()


# --- one purge at a time -------------------------------------------------------------------


def test_only_one_holder_at_a_time_and_a_dead_holders_lease_expires(dbs):
    app, _ = dbs
    now = utcnow()
    assert claim(app, "host:1", now=now)
    assert not claim(app, "host:2", now=now)
    assert not claim(app, "host:2", now=now + LEASE - timedelta(seconds=1))
    assert claim(app, "host:2", now=now + LEASE + timedelta(seconds=1))  # host:1 died
    release(app, "host:1", finished=True)  # too late: no longer its lease
    assert not claim(app, "host:3", now=now + LEASE + timedelta(seconds=2))
    release(app, "host:2", finished=True)
    assert not claim(app, "host:3", every=timedelta(hours=24))  # just ran
    assert claim(app, "host:3", every=timedelta(hours=24), now=utcnow() + timedelta(hours=25))


def test_concurrent_callers_purge_once(dbs):
    app, tracker = dbs
    data.seed_retention(app, tracker, utcnow())
    results, barrier = [], threading.Barrier(4)

    def worker(n):
        barrier.wait()
        results.append(run_if_due(app, tracker, timedelta(hours=24), Periods(), holder=f"w{n}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ran = [r for r in results if r is not None]
    assert len(results) == 4 and ran == [data.EXPECTED_PURGE]
    assert run_if_due(app, tracker, timedelta(hours=24), Periods(), holder="later") is None


def test_a_failed_purge_frees_the_lease_and_is_retried(dbs, monkeypatch):
    app, tracker = dbs

    def broken(*_a, **_k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention_schedule, "purge", broken)
    with pytest.raises(RuntimeError):
        run_if_due(app, tracker, timedelta(hours=24), Periods(), holder="a")
    monkeypatch.undo()
    assert run_if_due(app, tracker, timedelta(hours=24), Periods(), holder="b") is not None


def test_two_schedulers_on_one_database_purge_once(dbs):
    app, tracker = dbs
    data.seed_retention(app, tracker, utcnow())
    env = dict(os.environ)
    schedulers = [
        retention_schedule.Scheduler(env, every=timedelta(hours=24), delay=0, check=0.05).start()
        for _ in range(2)
    ]
    deadline = time.monotonic() + 20
    while sum(s.runs for s in schedulers) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # several more checks each: none may purge again
    for s in schedulers:
        s.stop()
    assert sum(s.runs for s in schedulers) == 1
    assert data.senders(tracker) == {
        "returned": ["session_started", "user"],
        "long": ["session_started", "user", "user"],
    }
    assert retention_schedule.start_scheduler({"RETENTION_PURGE_EVERY_HOURS": "0"}) is None


def test_backoffice_purge_command(dbs, capsys):
    from bot.backoffice.__main__ import main

    app, tracker = dbs
    data.seed_retention(app, tracker, utcnow())
    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "transcript_messages  deleted     3" in out
    assert main(["purge", "--if-due"]) == 0
    out = capsys.readouterr().out
    assert "tickets              anonymised  1" in out
    assert main(["purge", "--if-due"]) == 0
    assert "not run" in capsys.readouterr().out
    assert main(["purge"]) == 0  # without --if-due it runs again
    assert "events               deleted     0" in capsys.readouterr().out


def test_migration_matches_the_model(dbs):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from bot.store.base import Base
    from bot.store.maintenance import MaintenanceRun  # noqa: F401  (registers the table)

    app, _ = dbs
    with app.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "maintenance_runs" in repr(d)] == []
