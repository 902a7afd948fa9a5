"""The rating rules (bot/services/console/csat.py) and the hooks the pipeline and the desk call
(channels/turn_hooks.py), without a server."""

from __future__ import annotations

import asyncio
import types
from datetime import datetime, timedelta, timezone

import pytest

from bot.services.console import csat
from bot.store import csat as store
from bot.store import turns
from channels import turn_hooks as hooks

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):
    from bot.store import reset_engine

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    yield url
    reset_engine()


def test_asked_only_after_something_finished_never_during_a_form_once_a_day(db):
    assert csat.maybe_ask("web:1", "web", None, now=NOW) is None
    assert csat.maybe_ask("web:1", "web", "ticket", form_running=True, now=NOW) is None
    first = csat.maybe_ask("web:1", "web", "precheck", now=NOW)
    assert first["text"] == csat.QUESTION and len(first["buttons"]) == 5
    assert csat.maybe_ask("web:1", "web", "ticket", now=NOW + timedelta(hours=23)) is None
    assert csat.maybe_ask("web:1", "web", "ticket", now=NOW + timedelta(hours=25)) is not None
    assert csat.maybe_ask("web:2", "web", "objection", now=NOW) is not None


def test_a_score_then_a_comment_and_other_text_goes_to_the_bot(db):
    ask = csat.maybe_ask("web:1", "web", "ticket", intent="open_ticket", now=NOW)
    assert csat.handle_reply("web:1", "متى الدعم", False, NOW) is None  # ignored: the bot answers
    reply = csat.handle_reply("web:1", csat.score_payload(3), True, NOW + timedelta(minutes=1))
    assert reply["text"] == csat.THANKS
    # a second tap on an old button is only thanked, the score stays
    assert csat.handle_reply("web:1", csat.score_payload(1), True, NOW)["text"] == csat.LATE
    assert csat.handle_reply("web:1", "نص عادي", False, NOW) is None  # no comment asked for
    assert csat.handle_reply("web:1", csat.COMMENT_PAYLOAD, True, NOW)["text"] == csat.ASK_COMMENT
    later = NOW + timedelta(minutes=5)
    assert csat.handle_reply("web:1", "رقمي 1012345678 وما رد أحد", False, later)["text"] == (
        csat.COMMENT_THANKS
    )
    row = store.get(ask["id"])
    assert (row["score"], row["state"], row["intent"]) == (3, "done", "open_ticket")
    assert "1012345678" not in row["comment"]
    assert csat.handle_reply("web:1", "سؤال ثاني", False, later) is None


def test_a_comment_not_written_within_half_an_hour_is_dropped(db):
    csat.maybe_ask("web:1", "web", "ticket", now=NOW)
    csat.handle_reply("web:1", csat.score_payload(5), True, NOW)
    csat.handle_reply("web:1", csat.COMMENT_PAYLOAD, True, NOW)
    assert (
        csat.handle_reply("web:1", "سؤال", False, datetime.now(timezone.utc) + timedelta(hours=1))
        is None
    )


def test_forged_score_payloads_are_not_scores(db):
    csat.maybe_ask("web:1", "web", "ticket", now=NOW)
    for bad in ('/csat_score{"score": 9}', '/csat_score{"score": "5"}', "/csat_scorex"):
        assert csat.handle_reply("web:1", bad, True, NOW)["text"] == csat.LATE
    assert store.open_ask("web:1", timedelta(days=1), NOW)["score"] is None


class Output:
    def __init__(self):
        self.sent = []

    async def emit(self, text, buttons=None, author=None):
        self.sent.append((text, buttons))


def test_an_agent_question_that_did_not_reach_the_citizen_comes_with_the_next_bot_turn(db):
    inbound = types.SimpleNamespace(conversation_id="telegram:7", channel="telegram")
    ask = asyncio.run(hooks.after_agent("telegram:7", "telegram", "sara", "agent_closed"))
    assert ask["text"] == csat.QUESTION_AGENT  # for the desk to send with its closing words
    asyncio.run(hooks.question_not_delivered(ask))
    out = Output()
    turns.note_events("telegram:7", [{"type_name": "user", "data": '{"text": "شكرا"}'}], None)
    asyncio.run(hooks.after_rasa(inbound, 0.0, out, failed=False))
    assert out.sent[0][0] == csat.QUESTION_AGENT
    rows = [r for r in [store.get(1)] if r]
    assert rows[0]["agent"] == "sara" and rows[0]["state"] == "asked"
    assert rows[0]["finished"] == "agent_closed"
    # the next turn does not ask again
    out2 = Output()
    asyncio.run(hooks.after_rasa(inbound, 0.0, out2, failed=False))
    assert out2.sent == []


def test_the_agents_part_and_the_bots_are_asked_about_apart(db):
    assert csat.maybe_ask("web:3", "web", "ticket", now=NOW) is not None
    since = NOW + timedelta(hours=1)  # the episode began after the bot's question
    agent = csat.maybe_ask("web:3", "web", "agent_closed", agent="sara", now=since, since=since)
    assert agent is not None and agent["text"] == csat.QUESTION_AGENT
    # once per episode, and the bot's 24 hours are its own
    later = since + timedelta(minutes=5)
    assert csat.maybe_ask("web:3", "web", "agent_returned", now=later, since=since) is None
    assert csat.maybe_ask("web:3", "web", "precheck", now=later) is None


def test_after_rasa_writes_the_turn_row_with_what_the_tracker_store_noted(db):
    rows = [
        {
            "type_name": "user",
            "data": '{"text": "وش الشروط 0551234567", "parse_data": {"intent": {"name": "faq", "confidence": 0.91}, "response_selector": {"faq": {"response": {"intent_response_key": "faq/eligibility_conditions"}}}}}',
        },
        {"type_name": "action", "action_name": "utter_faq"},
    ]
    turns.note_events("web:9", rows, None)
    out = Output()
    inbound = types.SimpleNamespace(conversation_id="web:9", channel="web")
    asyncio.run(hooks.after_rasa(inbound, 0.0, out, failed=False))
    from sqlalchemy import select

    from bot.store import session_scope

    with session_scope() as s:
        (row,) = s.execute(select(turns.BotTurn)).scalars().all()
        assert (row.intent, row.confidence, row.fallback, row.channel) == (
            "faq/eligibility_conditions",
            0.91,
            False,
            "web",
        )
        assert "0551234567" not in row.text and row.latency_ms is not None
    assert out.sent == []  # nothing finished: no question


def test_the_tracker_store_rows_say_what_a_turn_did():
    facts = turns.summarise(
        [
            {
                "type_name": "user",
                "data": '{"text": "نعم", "parse_data": {"intent": {"name": "affirm", "confidence": 0.8}}}',
            },
            {"type_name": "active_loop", "data": '{"name": null}'},
            {"type_name": "action", "action_name": "action_submit_ticket"},
        ],
        None,
    )
    assert facts["finished"] == "ticket" and facts["form_event"] == "completed"
    assert facts["form"] == "ticket_form" and not facts["active"]
    started = turns.summarise(
        [
            {"type_name": "active_loop", "data": '{"name": "eligibility_form"}'},
            {"type_name": "slot", "data": '{"name": "requested_slot", "value": "elig_saudi"}'},
        ],
        "eligibility_form",
    )
    assert (started["form_event"], started["requested_slot"], started["active"]) == (
        "started",
        "elig_saudi",
        True,
    )
    fell = turns.summarise(
        [{"type_name": "action", "action_name": "action_fallback_escalate"}], None
    )
    assert fell["fallback"] and fell["handoff"]
