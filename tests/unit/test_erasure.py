"""Erasure of one citizen on SQLite (tests/prod/test_privacy_pg.py: the same on
PostgreSQL): afterwards no table holds the citizen's national ID, mobile (in any format) or
conversation ids, the other citizen's data is all there, and one audit entry says what
was done."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from bot.services.privacy import erasure
from bot.services.privacy.subject import subject
from bot.store import conversations
from tests.support import privacy_data as data
from tests.support.privacy_data import (
    A_ONLY_IN_TRACKER,
    A,
    B,
)


@pytest.fixture
def citizens(dbs):
    app, tracker = dbs
    data.populate(tracker, time.time())
    return app, tracker


def _audit(app, action):
    return [a for a in data.all_rows(app)["audit_log"] if a["action"] == action]


def test_nothing_of_the_erased_citizen_remains_and_the_other_is_intact(citizens):
    app, tracker = citizens
    b_before = data.count_mentions([app, tracker], B.needles())
    assert data.leftovers([app, tracker], A.needles())  # the fixture really has A

    report = erasure.erase(
        national_id=A.national_id, actor="backoffice:test", app=app, tracker=tracker
    )

    A.conversations.append(A_ONLY_IN_TRACKER)
    assert data.leftovers([app, tracker], A.needles()) == []
    assert data.count_mentions([app, tracker], B.needles()) == b_before
    assert report.conversations == 4  # telegram, web, WhatsApp, tracker-only
    assert report.rows == {
        "transcript_messages": 5,
        "conversations": 3,
        "handoff_notes": 1,
        "handoff_labels": 1,
        "handoff_parts": 1,
        "handoffs": 1,
        "review_labels": 2,  # the labels on A's telegram and web turns
        "training_examples": 1,  # A's web message, taken into a pending training change
        "bot_turns": 3,  # a turn in each of A's three conversations
        "inbound_pending": 1,  # a Telegram message of A still waiting for its answer
        "csat_ratings": 1,  # anonymised
        "otp_challenges": 1,
        "sms_outbox": 2,
        "notifications": 2,  # the ticket's and the objection's status changes
        "notification_optouts": 2,  # by conversation and by mobile
        "tickets": 1,
        "objections": 1,
        "mentions": 3,  # B's review note quoting A's conversation among them
        "revoked_web_sessions": 1,  # A's widget session: its token opens nothing now
        "events": 20,
    }
    entries = _audit(app, "privacy.erased")
    assert len(entries) == 1 and entries[0]["id"] == report.audit_id
    assert (entries[0]["subject_type"], entries[0]["subject_id"], entries[0]["actor"]) == (
        "citizen",
        "1•••••••81",
        "backoffice:test",
    )
    assert json.loads(entries[0]["detail"])["rows"] == report.rows

    rows = data.all_rows(app)
    ticket = {t["number"]: t for t in rows["tickets"]}
    assert ticket[A.ticket]["national_id"] == "" and ticket[A.ticket]["category"] == "payment"
    assert ticket[B.ticket]["national_id"] == B.national_id
    assert "10••••••81" in ticket[B.ticket]["description"]  # B's text named A: masked
    assert {o["number"] for o in rows["objections"]} == {A.objection, B.objection}
    assert data.senders(tracker).keys() == set(B.conversations)
    # The console: A's rating still counts (score, day, channel) without who gave it.
    ratings = sorted(rows["csat_ratings"], key=lambda r: r["id"])
    assert [(r["conversation_id"], r["score"], r["comment"] is None) for r in ratings] == [
        ("erased", 2, True),
        (B.web, 2, False),
    ]
    assert {t["conversation_id"] for t in rows["bot_turns"]} == {B.telegram, B.web, B.whatsapp}
    (label,) = [r for r in rows["review_labels"] if r["label"] == "new_topic"]
    assert B.name in label["text"] and label["note"] == "شبيه بمحادثة telegram:4•••42"


def _training_change(app):
    (row,) = data.all_rows(app)["training_changes"]
    return row, json.loads(row["payload"])


def test_erasure_removes_the_citizens_example_from_a_pending_training_change(citizens):
    app, tracker = citizens
    row, before = _training_change(app)
    texts = [t for v in before["examples"].values() for t in v]
    assert any(A.name in t for t in texts) and any(B.name in t for t in texts)
    assert all(ids for ids in before["sources"].values())  # each text knows its turn
    erasure.erase(national_id=A.national_id, app=app, tracker=tracker)
    row, after = _training_change(app)
    texts = [t for v in after["examples"].values() for t in v]
    assert [A.name in t for t in texts] == [False] and B.name in texts[0]
    assert list(after["sources"]) == texts and after["erased"] == 1
    assert row["state"] == "pending"  # B's example still waits for its approver
    # Once nothing is left, the change no longer waits for a decision.
    erasure.erase(national_id=B.national_id, app=app, tracker=tracker)
    row, after = _training_change(app)
    assert (row["state"], after["examples"], after["erased"]) == ("withdrawn", {}, 2)


def test_erasure_removes_the_example_from_an_approved_change_too(citizens):
    """The next retrain leaves it out: the candidate data is built from the stored change."""
    from bot.services.training import changes, dataset
    from bot.store import session_scope

    app, tracker = citizens
    row, _ = _training_change(app)
    changes.approve(row["id"], "salma")
    erasure.erase(conversation_id=A.web, app=app, tracker=tracker)
    with session_scope() as s:
        examples, _ = dataset.contents(changes.approved(s))
    trained = " ".join(t for v in examples.values() for t in v)
    assert B.name in trained and A.name not in trained


def test_a_dry_run_reports_the_same_and_changes_nothing(citizens):
    app, tracker = citizens
    before = data.all_rows(app), data.all_rows(tracker)
    dry = erasure.erase(national_id=A.national_id, dry_run=True, app=app, tracker=tracker)
    assert (data.all_rows(app), data.all_rows(tracker)) == before
    assert dry.audit_id is None
    real = erasure.erase(national_id=A.national_id, app=app, tracker=tracker)
    assert real.rows == dry.rows and real.audit_id is not None
    again = erasure.erase(national_id=A.national_id, app=app, tracker=tracker)
    assert set(again.rows.values()) == {0}  # nothing left to find
    assert len(_audit(app, "privacy.erased")) == 2  # each request is recorded


def test_erase_by_mobile_in_any_format(citizens):
    app, tracker = citizens
    b_before = data.count_mentions([app, tracker], B.needles())
    report = erasure.erase(mobile="+966 55 123 4567", app=app, tracker=tracker)
    assert report.subject == "05••••••67" and report.kind == "mobile"
    assert data.leftovers([app, tracker], [A.mobile[1:], A.whatsapp, A.telegram, A.web]) == []
    assert data.count_mentions([app, tracker], B.needles()) == b_before
    # The conversation where only the ID was typed is not the mobile's.
    assert A_ONLY_IN_TRACKER in data.senders(tracker)


def test_erase_one_conversation(citizens):
    app, tracker = citizens
    report = erasure.erase(conversation_id=A.telegram, app=app, tracker=tracker)
    assert report.subject == "telegram:4•••42"
    assert data.leftovers([app, tracker], [A.telegram, A.telegram_user]) == []
    rows = data.all_rows(app)
    assert {t["number"]: t["national_id"] for t in rows["tickets"]}[A.ticket] == ""
    assert A.ticket not in " ".join(m["body"] for m in rows["sms_outbox"])  # its SMS went too
    assert A.web in data.senders(tracker)  # A's other conversations stay
    assert any(c["conversation_id"] == A.whatsapp for c in rows["conversations"])


def test_a_timestamp_that_looks_like_the_id_is_not_a_mention(dbs):
    app, tracker = dbs
    data.write_events(
        tracker, "rest-other", data.turn(float(A.national_id), "متى الدفعة", {}, "قريب")
    )
    data.write_events(
        tracker, "rest-mine", data.turn(time.time(), f"هويتي {A.national_id}", {}, "تمام")
    )
    report = erasure.erase(national_id=A.national_id, app=app, tracker=tracker)
    assert set(data.senders(tracker)) == {"rest-other"}
    assert report.rows["events"] == 3


def test_the_subject_must_be_one_well_formed_number():
    assert subject(national_id="١٠٢٣٤٥٦٧٨١").value == "1023456781"
    assert subject(mobile="966551234567").value == "0551234567"
    assert subject(conversation_id=" web:abc ").value == "web:abc"
    for bad in (
        {},
        {"national_id": "123"},
        {"national_id": "3023456781"},
        {"mobile": "0112345678"},
        {"national_id": A.national_id, "mobile": A.mobile},
    ):
        with pytest.raises(ValueError):
            subject(**bad)


def test_backoffice_erase_command(citizens, capsys):
    from bot.backoffice.__main__ import main

    assert main(["--actor", "dpo", "erase", "--national-id", A.national_id, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would erase national ID 1•••••••81: 4 conversation(s)" in out and "dry run" in out
    assert main(["--actor", "dpo", "erase", "--national-id", A.national_id]) == 0
    out = capsys.readouterr().out
    assert "erased national ID 1•••••••81" in out and "audit entry" in out
    assert "tickets                 anonymised  1" in out
    assert A.national_id not in out and A.mobile not in out
    assert main(["erase", "--national-id", "12"]) == 1
    assert "10 digits" in capsys.readouterr().err


def test_transcripts_store_replies_masked_too(dbs):
    conversations.record_outbound("rest-x", f"• رقم الهوية: {A.national_id}\n• الجوال: {A.mobile}")
    conversations.record_outbound("rest-x", "الحد ٥٠٠٠ ريال")
    texts = [m["text"] for m in conversations.transcript("rest-x")]
    assert texts == ["• رقم الهوية: 10••••••81\n• الجوال: 05••••••67", "الحد ٥٠٠٠ ريال"]


def test_the_fixture_puts_the_erased_citizen_in_every_table_that_can_hold_personal_data(
    citizens,
):
    """Every table of the schema (the models' and the migrations') either holds something
    of citizen A before the erasure, so that the leftovers check above can fail on it, or
    is listed as holding no personal data: a new table must be added to one or the other."""
    from bot.store.base import Base

    app, tracker = citizens
    data.import_all_models()
    tables = set(Base.metadata.tables) | set(data.all_rows(app))
    mentioned = data.count_mentions([app], A.needles())
    holding = {name for name, n in mentioned.items() if n}
    assert tables - holding - set(data.NO_CITIZEN_DATA) == set()
    assert holding & set(data.NO_CITIZEN_DATA) == set()
    for name in ("bot_turns", "csat_ratings", "review_labels", "handoff_notes"):
        assert name in holding


def test_every_mobile_spelling_is_a_needle():
    assert {"0551234567", "966551234567", "+966551234567"} <= set(A.needles())


def test_every_table_is_looked_at(citizens):
    """The leftovers check reads every table in the database; each model's table is one."""
    from bot.store.base import Base

    app, tracker = citizens
    data.import_all_models()
    assert set(Base.metadata.tables) <= set(data.all_rows(app))
    assert "events" in sa.inspect(tracker).get_table_names()
