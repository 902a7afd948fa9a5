"""Two fictional citizens spread over every table, for the retention and erasure tests
(tests/unit/test_retention.py, test_erasure.py, tests/prod/test_privacy_pg.py).

Citizen A is the one erased; citizen B must come out intact. Both are written through
the services the bot uses (tickets with their SMS, objections, one-time codes, handoffs,
transcripts, the console's turn rows, ratings and review labels, a training change of the
review queue's examples), plus Rasa tracker events
shaped like Rasa's own (user text, slot values, bot replies), where the numbers are in
clear. Each citizen also gives a name in what they type: the console keeps masked text,
so the name is what shows that the citizen's words are still there.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import shutil
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

import pytest
import sqlalchemy as sa

from bot.nlu.arabic import to_ascii_digits

# Rasa's tracker store table (rasa.core.tracker_store.SQLTrackerStore.SQLEvent), for a
# SQLite tracker file without importing Rasa.
EVENTS_METADATA = sa.MetaData()
EVENTS = sa.Table(
    "events",
    EVENTS_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)


@dataclass
class Citizen:
    national_id: str
    mobile: str  # 05xxxxxxxx
    telegram_user: str
    web_session: str
    name: str  # said in their messages, kept (masked text) by the console's tables
    conversations: List[str] = field(default_factory=list)
    ticket: str = ""
    objection: str = ""

    @property
    def telegram(self) -> str:
        return f"telegram:{self.telegram_user}"

    @property
    def web(self) -> str:
        return f"web:{self.web_session}"

    @property
    def whatsapp(self) -> str:
        return f"whatsapp:966{self.mobile[1:]}"

    @property
    def mobiles(self) -> List[str]:
        """Every spelling of the mobile (values are compared with ASCII digits)."""
        core = self.mobile[1:]
        return [self.mobile, "966" + core, "+966" + core, "00966" + core, core]

    def needles(self) -> List[str]:
        """What must not be found anywhere once the citizen is erased: the ID, the mobile
        in every spelling (its 9-digit core is inside each), each conversation id, the
        Telegram user id and the name they typed."""
        return [
            self.national_id,
            *self.mobiles,
            self.telegram_user,
            self.web_session,
            self.name,
            *self.conversations,
        ]


A = Citizen("1023456781", "0551234567", "424242", "sessAlphaQ7", "غدير المطيري")
B = Citizen("1109876548", "0569876543", "818181", "sessBravoK3", "جواهر الدوسري")
# Tables that hold no personal data at all, and why (every other table of the schema must
# hold something of citizen A in `populate`, so that the leftovers check can fail there).
NO_CITIZEN_DATA = {
    "desk_agents": "staff accounts",
    "desk_sessions": "staff sessions (token hashes)",
    "desk_agent_access": "staff sign-in history",
    "maintenance_runs": "which process purges",
    # Tags name topics, not people (their audit entries copy them); deleted with the episode.
    "handoff_labels": "agents' topic tags on an episode",
    # Which agent held an episode and when; deleted with the episode.
    "handoff_parts": "agents' parts of an episode",
    "console_daily": "counts per day and channel",
    "console_latency": "counts per day, channel and 10 ms",
    "console_forms": "counts per day, channel, form and question",
    "console_topics": "counts per day, channel and FAQ answer or form",
    "console_rollups": "the last day rolled up",
    "alembic_version": "the schema's revision",
    "revoked_web_sessions": "hashes of erased web chat sessions",
    # What the program tells every citizen, written by staff (bot/services/content).
    "content_changes": "staff's proposed wording of answers and facts",
    "content_releases": "published wording of answers and facts",
    # Retrain logs are masked as they are written and cleared after the transcript
    # period; scores are on the test sets (bot/services/privacy/training_data.py).
    "training_jobs": "retrain progress, masked logs and scores on the test sets",
    # Character n-gram counts and weights, no example text; superseded ones dropped.
    "model_releases": "trained models (what they learned, not their examples)",
}
# A conversation where A typed the ID (Arabic-Indic digits) and nothing else was stored:
# only the tracker can tell it is A's.
A_ONLY_IN_TRACKER = "rest-visitor-xq"


@pytest.fixture
def dbs(tmp_path, monkeypatch, _sqlite_template):
    """Our SQLite database (migrated) and a SQLite tracker file with Rasa's events table,
    as `make run` has them."""
    url, tracker_path = f"sqlite:///{tmp_path / 'app.db'}", tmp_path / "tracker.db"
    for key in [k for k in os.environ if k.startswith("RETENTION_")] + ["TRACKER_STORE_URL"]:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TRACKER_DB", str(tracker_path))
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    from bot.store import reset_engine

    shutil.copyfile(_sqlite_template, tmp_path / "app.db")
    reset_engine()
    app = sa.create_engine(url, future=True)
    tracker = sa.create_engine(f"sqlite:///{tracker_path}", future=True)
    EVENTS_METADATA.create_all(tracker)
    yield app, tracker
    app.dispose()
    tracker.dispose()
    reset_engine()


def import_all_models() -> None:
    """Register every table module of bot.store on Base.metadata, wherever it lives."""
    import bot.store

    for info in pkgutil.iter_modules(bot.store.__path__):
        if info.name not in ("tracker_store", "lock_store", "migrate", "migrations"):
            importlib.import_module(f"bot.store.{info.name}")


def event(kind: str, at: float, **data) -> Dict:
    return {"event": kind, "timestamp": at, **data}


def turn(at: float, text: str, slots: Dict[str, str], reply: str) -> List[Dict]:
    """One exchange as Rasa stores it: what the citizen typed, the slots it filled, the reply."""
    return (
        [
            event(
                "user",
                at,
                text=text,
                parse_data={
                    "text": text,
                    "intent": {"name": "inform", "confidence": 0.9},
                    "entities": [{"entity": k, "value": v} for k, v in slots.items()],
                },
                input_channel="rest",
                message_id="m1",
                metadata={},
            )
        ]
        + [event("slot", at, name=k, value=v) for k, v in slots.items()]
        + [
            event("bot", at, text=reply, data={}, metadata={}),
            event("action", at, name="action_listen", policy=None, confidence=1.0),
        ]
    )


def write_events(engine, sender_id: str, events: Sequence[Dict]) -> None:
    with engine.begin() as conn:
        conn.execute(
            EVENTS.insert(),
            [
                {
                    "sender_id": sender_id,
                    "type_name": e["event"],
                    "timestamp": e["timestamp"],
                    "intent_name": (e.get("parse_data") or {}).get("intent", {}).get("name"),
                    "action_name": e.get("name") if e["event"] == "action" else None,
                    "data": json.dumps(e, ensure_ascii=False),
                }
                for e in events
            ],
        )


def populate(tracker_engine, now_ts: float) -> None:
    """Both citizens, through the services (they use DATABASE_URL) and the tracker engine."""
    from bot.services import handoff, objections
    from bot.services.handoff import notes
    from bot.services.notifications import optout
    from bot.services.tickets import records as tickets
    from bot.store import conversations

    for c, other in ((A, B), (B, A)):
        c.conversations = [c.telegram, c.web, c.whatsapp]
        desc = (
            f"الدفعة ناقصة، جوالي {c.mobile.translate(str.maketrans('0123456789', '٠١٢٣٤٥٦٧٨٩'))}"
        )
        if c is B:  # B's complaint also names A: that mention must go, B's ticket stay
            desc += f" وأخوي هويته {A.national_id} وجواله +966{A.mobile[1:]}"
        outcome = tickets.submit_ticket(
            c.national_id,
            c.mobile,
            "payment",
            desc,
            tickets.idempotency_key(c.telegram, "1"),
            conversation_id=c.telegram,
            channel="telegram",
        )
        c.ticket = outcome.ticket.number
        c.objection = objections.create_objection(
            c.national_id, c.mobile, "2025-01", amount="850"
        ).number
        assert objections.issue_code(c.web, c.objection, c.national_id).ok

        conversations.record_inbound(
            c.telegram,
            "telegram",
            c.telegram_user,
            f"ابي افتح بلاغ هويتي {c.national_id} جوالي {c.mobile}",
        )
        conversations.record_outbound(
            c.telegram, f"راجع بيانات البلاغ:\n• رقم الهوية: {c.national_id}\n• الجوال: {c.mobile}"
        )
        conversations.record_inbound(c.web, "web", c.web_session, f"حالة اعتراضي {c.objection}")
        conversations.record_inbound(c.whatsapp, "whatsapp", "966" + c.mobile[1:], "السلام عليكم")
        conversations.record_outbound(c.whatsapp, "وعليكم السلام")
        # The notification history: a status change each (outbox rows) and opt-outs.
        tickets.set_status(c.ticket, "in_progress")
        objections.update_objection(c.objection, status="accepted")
        optout.stop(conversation_id=c.web)
        optout.stop(mobile=c.mobile, source="backoffice")
        episode = handoff.escalate(
            c.telegram,
            channel="telegram",
            snapshot={"ticket_national_id": c.national_id, "ticket_mobile": c.mobile},
        )
        assert handoff.claim(episode.id, "huda")  # huda's part of it
        # Agents' notes and tags on the episode name the citizen too.
        notes.add_note(episode.id, "huda", f"كلمت {c.name} على {c.mobile}")
        assert notes.add_label(episode.id, "huda", "دفعات")
        populate_console(c, other, now_ts)
        # A Telegram message still waiting for its answer (unmasked until answered).
        from bot.store import inbound

        body = json.dumps({"text": f"انا {c.name} هويتي {c.national_id}"}, ensure_ascii=False)
        inbound.add(f"telegram:update:{c.national_id}", "telegram", c.telegram, body, "w1")

        write_events(
            tracker_engine,
            c.telegram,
            [event("session_started", now_ts - 60)]
            + turn(
                now_ts - 50,
                f"هويتي {c.national_id} وجوالي {c.mobile}",
                {"ticket_national_id": c.national_id, "ticket_mobile": c.mobile},
                f"راجع بيانات البلاغ:\n• رقم الهوية: {c.national_id}",
            ),
        )
        write_events(
            tracker_engine,
            c.web,
            [event("session_started", now_ts - 40)]
            + turn(
                now_ts - 30,
                f"رقم اعتراضي {c.objection} وهويتي {c.national_id}",
                {"objection_number": c.objection, "objection_national_id": c.national_id},
                "أرسلت لك رمز تحقق",
            ),
        )
        write_events(
            tracker_engine,
            c.whatsapp,
            [event("session_started", now_ts - 20)]
            + turn(now_ts - 10, "السلام عليكم", {}, "وعليكم السلام"),
        )
    # The review queue's labelled messages (each citizen's, with their name) proposed as
    # training examples, as an editor does in the console.
    from bot.services.training import changes

    changes.propose_reviewed_examples("huda")
    arabic_id = A.national_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    write_events(
        tracker_engine,
        A_ONLY_IN_TRACKER,
        [event("session_started", now_ts - 5)]
        + turn(now_ts - 4, f"ابي اعرف اذا انا مستحق هويتي {arabic_id}", {}, "تمام"),
    )


def populate_console(c: Citizen, other: Citizen, now_ts: float) -> None:
    """The console's rows of one citizen: a turn per conversation (their text names them,
    with their numbers, which are stored masked), a rating with a comment, and a review
    label on their telegram turn; B's label note quotes A's conversation id."""
    from bot.services.console import review
    from bot.store import csat, turns

    facts = {
        "text": f"انا {c.name} هويتي {c.national_id} جوالي +966{c.mobile[1:]} "
        f"وايباني SA03 8000 0000 6080 1016 7519",
        "intent": "inform",
        "confidence": 0.4,
        "fallback": True,
    }
    turn_ids = [
        turns.record_turn(conv, conv.split(":")[0], 120, at=now_ts - 100, facts=facts)
        for conv in (c.telegram, c.web, c.whatsapp)
    ]
    rating = csat.record_ask(c.web, "web", "ticket", agent="huda", intent="inform")
    assert csat.set_score(rating, 2) and csat.want_comment(rating)
    assert csat.set_comment(rating, f"ما ساعدني، {c.name}، جوالي {c.mobile}")
    note = f"شبيه بمحادثة {other.telegram}" if c is B else f"سؤال جديد من {c.mobile}"
    review.label(turn_ids[0], "new_topic", None, note, "huda")
    review.label(turn_ids[1], "intent", "check_eligibility", None, "huda")


def all_rows(engine) -> Dict[str, List[Dict]]:
    """Every row of every table in the database, as found there (not as the models say)."""
    metadata = sa.MetaData()
    metadata.reflect(bind=engine)
    with engine.connect() as conn:
        return {
            name: [dict(r._mapping) for r in conn.execute(sa.select(tbl))]
            for name, tbl in metadata.tables.items()
        }


def leftovers(engines, needles: Sequence[str]) -> List[str]:
    """table.column: needle, for each needle found in any value of any table."""
    found = []
    for engine in engines:
        for name, rows in all_rows(engine).items():
            for row in rows:
                for col, value in row.items():
                    text = to_ascii_digits("" if value is None else str(value))
                    found += [f"{name}.{col}: {n}" for n in needles if n in text]
    return sorted(set(found))


def count_mentions(engines, needles: Sequence[str]) -> Dict[str, int]:
    """Rows per table that mention any of the needles (to check B is untouched)."""
    counts: Dict[str, int] = {}
    for engine in engines:
        for name, rows in all_rows(engine).items():
            counts[name] = counts.get(name, 0) + sum(
                1
                for row in rows
                if any(n in to_ascii_digits(str(v)) for v in row.values() for n in needles)
            )
    return counts


# --- rows on both sides of every retention period ----------------------------------------

DAY = 86400.0
# What `purge` with the default periods must report for `seed_retention`.
EXPECTED_PURGE = {
    "transcript_messages": 3,
    "handoffs": 1,
    "conversations": 2,
    "otp_challenges": 1,
    "sms_outbox": 1,
    "notifications": 1,  # the old delivered one; the old one still pending stays
    "tickets": 1,
    "objections": 1,
    "audit_log": 1,
    "events": 4,
    "bot_turns": 1,  # the 181-day-old turn (its day is rolled up first)
    "csat_ratings": 1,  # anonymised
    "review_labels": 1,
    # A reviewed example from the old turn and one from a training change made before
    # examples kept their turns, older than the period; their young twins stay.
    "training_examples": 2,
    "training_jobs": 2,  # an old finished job's log, an old ready candidate's bytes
    "model_releases": 2,  # old superseded models; the newest two keep theirs
}


def seed_retention(app, tracker, now) -> None:
    """Rows just older and just younger than each default period (bot.services.privacy.retention)."""
    import uuid
    from datetime import timedelta

    from bot.store.base import Base

    import_all_models()
    t = Base.metadata.tables

    def ago(days: float):
        return now - timedelta(days=days)

    with app.begin() as conn:
        for cid, created, inbound in (
            ("c-old", 200, 200),
            ("c-mixed", 200, 10),
            ("c-queued", 200, 200),
            ("c-ended", 200, None),
            ("c-recent-ended", 10, None),
        ):
            conn.execute(
                t["conversations"]
                .insert()
                .values(
                    conversation_id=cid,
                    channel="rest",
                    recipient_id=cid,
                    created_at=ago(created),
                    last_inbound_at=None if inbound is None else ago(inbound),
                )
            )
        for cid, days in (("c-old", 200), ("c-old", 200), ("c-mixed", 200), ("c-mixed", 10)):
            conn.execute(
                t["transcript_messages"]
                .insert()
                .values(conversation_id=cid, at=ago(days), author="citizen", text="نص")
            )
        for cid, state, queued, ended in (
            ("c-queued", "queued", 200, None),
            ("c-ended", "closed", 200, 190),
            ("c-recent-ended", "bot", 10, 5),
        ):
            conn.execute(
                t["handoffs"]
                .insert()
                .values(
                    conversation_id=cid,
                    channel="rest",
                    state=state,
                    reason="requested",
                    queued_at=ago(queued),
                    ended_at=None if ended is None else ago(ended),
                )
            )
        for days, locked in ((31, None), (31, now + timedelta(hours=1)), (29, None)):
            conn.execute(
                t["otp_challenges"]
                .insert()
                .values(
                    purpose="objection_status",
                    subject="123456782",
                    conversation_id="c-old",
                    code_hash="x" * 64,
                    salt="s" * 16,
                    attempts=0,
                    created_at=ago(days),
                    expires_at=ago(days) + timedelta(minutes=5),
                    locked_until=locked,
                    superseded=False,
                )
            )
        for days in (91, 89):
            conn.execute(
                t["sms_outbox"]
                .insert()
                .values(
                    message_id=str(uuid.uuid4()),
                    to="+966500000001",
                    body="رمز",
                    kind="otp",
                    gateway="outbox",
                    status="stored",
                    created_at=ago(days),
                )
            )
        for n, (days, state) in enumerate(((91, "sent"), (91, "pending"), (89, "failed"))):
            conn.execute(
                t["notifications"]
                .insert()
                .values(
                    idempotency_key=f"n{n}",
                    subject_type="ticket",
                    subject_number="10000000",
                    status="closed",
                    body="نص",
                    mobile="0500000001",
                    channels="sms",
                    channel_index=0,
                    attempts=0,
                    state=state,
                    next_attempt_at=ago(days),
                    created_at=ago(days),
                    updated_at=ago(days),
                )
            )
        for n, (days, nid) in enumerate(((731, "1023456781"), (729, "1023456781"), (800, ""))):
            conn.execute(
                t["tickets"]
                .insert()
                .values(
                    number=f"1000000{n}",
                    national_id=nid,
                    mobile="0500000001" if nid else "",
                    category="payment",
                    description="وصف",
                    status="closed",
                    conversation_id="c-old",
                    idempotency_key=f"k{n}",
                    created_at=ago(days),
                    updated_at=ago(days),
                )
            )
        for n, days in enumerate((731, 729)):
            conn.execute(
                t["objections"]
                .insert()
                .values(
                    number=f"20000000{n}",
                    national_id="1023456781",
                    mobile="0500000001",
                    status="accepted",
                    payment_cycle="2025-01",
                    submitted_on=ago(days).date(),
                    decision_note="ملاحظة",
                    created_at=ago(days),
                    updated_at=ago(days),
                )
            )
        # The console: a turn, a rating and a label on each side of the transcript period.
        from bot.store.turns import day_of

        turn_ids = []
        for n, days in enumerate((181, 179)):
            at = ago(days)
            turn_id = conn.execute(
                t["bot_turns"]
                .insert()
                .values(
                    conversation_id=f"c-turn{n}",
                    channel="web",
                    day=day_of(at.timestamp()),
                    ts=int(at.timestamp()),
                    text="نص",
                    intent="greet",
                    latency_ms=100,
                )
            ).inserted_primary_key[0]
            turn_ids.append(turn_id)
            conn.execute(
                t["csat_ratings"]
                .insert()
                .values(
                    conversation_id=f"c-turn{n}",
                    channel="web",
                    day=day_of(at.timestamp()),
                    asked_at=at,
                    finished="ticket",
                    score=4,
                    comment="تعليق",
                    state="done",
                )
            )
            conn.execute(
                t["review_labels"]
                .insert()
                .values(
                    turn_id=turn_id,
                    label="new_topic",
                    note="ملاحظة",
                    text="نص",
                    labelled_by="huda",
                    labelled_at=at,
                )
            )
        seed_training(conn, t, ago, turn_ids)
        for days in (1096, 1094):
            conn.execute(
                t["audit_log"]
                .insert()
                .values(
                    at=ago(days),
                    actor="bot",
                    action="ticket.created",
                    subject_type="ticket",
                    subject_id="x",
                )
            )
    ts = now.timestamp()
    write_events(
        tracker,
        "gone",
        [event("session_started", ts - 200 * DAY)] + turn(ts - 200 * DAY, "مرحبا", {}, "هلا")[:1],
    )
    write_events(
        tracker,
        "returned",
        [event("session_started", ts - 200 * DAY)]
        + turn(ts - 200 * DAY, "مرحبا", {}, "هلا")[:1]
        + [event("session_started", ts - DAY)]
        + turn(ts - DAY, "رجعت", {}, "هلا")[:1],
    )
    write_events(
        tracker,
        "long",
        [event("session_started", ts - 181 * DAY)]
        + turn(ts - 181 * DAY, "اول", {}, "هلا")[:1]
        + turn(ts - 179 * DAY, "ثاني", {}, "هلا")[:1],
    )


def seed_training(conn, t, ago, turn_ids) -> None:
    """Training rows on both sides of the transcript period (bot/services/privacy/training_data.py)."""
    old_text, young_text = "ابي اعرف وش صار على طلبي", "متى ينزل الدعم"
    for payload, days in (
        (
            {
                "examples": {"faq/payment_date": [old_text, young_text]},
                "sources": {old_text: [turn_ids[0]], young_text: [turn_ids[1]]},
            },
            1,
        ),
        ({"examples": {"greet": ["هلا والله"]}}, 181),  # before sources were kept
        ({"examples": {"greet": ["يا هلا"]}}, 179),
    ):
        conn.execute(
            t["training_changes"]
            .insert()
            .values(
                kind="examples",
                key="review",
                payload=json.dumps(payload, ensure_ascii=False),
                author="huda",
                created_at=ago(days),
                state="approved",
            )
        )
    for state, days, model in (("refused", 181, None), ("ready", 181, b"m"), ("failed", 179, None)):
        conn.execute(
            t["training_jobs"]
            .insert()
            .values(
                state=state,
                progress=100,
                log="trained\n",
                started_by="huda",
                created_at=ago(days),
                finished_at=ago(days),
                changes="[]",
                model=model,
            )
        )
    for days in (200, 190, 185, 10):
        conn.execute(
            t["model_releases"]
            .insert()
            .values(
                created_at=ago(days), kind="rollout", sha="s" * 64, model=b"m", released_by="salma"
            )  # fmt: skip
        )


def senders(tracker):
    with tracker.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT sender_id, type_name, timestamp FROM events ORDER BY id")
        ).all()
    out: Dict[str, List] = {}
    for sender, kind, ts in rows:
        out.setdefault(sender, []).append(kind)
    return out
