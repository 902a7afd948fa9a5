"""The console's SQL aggregates on fixture conversations with known answers
(tests/support/console.py), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from bot.services.console import stats
from bot.services.console.compare import compare
from bot.services.console.stats import Period
from bot.services.console.topics import outcomes
from bot.store import turns as turn_store
from tests.support import console as fixtures

D = fixtures.D


@pytest.fixture
def loaded(app_db):
    return fixtures.load()


def test_volume_counts_conversations_and_messages_per_day_and_channel(loaded):
    rows = stats.volume(Period(D, D + 1))["rows"]
    assert rows == [
        [D, "telegram", 1, 2],
        [D, "web", 3, 6],
        [D, "whatsapp", 1, 1],
        [D + 1, "whatsapp", 1, 1],
    ]
    assert stats.volume(Period(D, D + 1, "web"))["rows"] == [[D, "web", 3, 6]]
    assert stats.volume(Period(D + 2, D + 3))["rows"] == []


def test_containment_follows_its_definition(loaded):
    c = stats.containment(Period(D, D + 1))
    assert c["conversations"] == 6
    assert c["contained"] == 3  # web:a, web:e, web:f
    assert c["contained_share"] == 50.0
    outcomes = {r[0]: r[1] for r in c["rows"]}
    assert outcomes == {
        "contained": 3,
        "handed_off": 1,
        "ended_on_fallback": 1,
        "came_back_within_24h": 1,
    }
    # On day D alone whatsapp:9 still came back the next morning: not contained.
    assert stats.containment(Period(D, D, "whatsapp"))["contained"] == 0


def test_handoffs_rate_reasons_waits_and_agents(loaded):
    h = stats.handoffs(Period(D, D + 1))
    assert h["handoffs"] == 3
    # One definition on the whole page: conversations handed off, of all conversations
    # (telegram:1 of 6), the containment table's number (the episodes are counted apart).
    assert h["rate"] == 16.7
    containment = stats.containment(Period(D, D + 1))
    assert h["rate"] == next(r[2] for r in containment["rows"] if r[0] == "handed_off")
    assert h["reasons"]["rows"] == [["requested", 2], ["fallback", 1]]
    assert (h["wait_p50"], h["wait_p95"]) == (60.0, 180.0)
    assert (h["handling_p50"], h["handling_p95"]) == (300.0, 600.0)
    assert h["rows"] == [
        ["omar", 1, 180.0, 180.0, 300.0, 300.0],
        ["sara", 1, 60.0, 60.0, 600.0, 600.0],
    ]
    assert stats.handoffs(Period(D, D + 1, "web"))["handoffs"] == 1


def test_fallbacks_rate_and_the_messages_behind_them(loaded):
    f = stats.fallbacks(Period(D, D + 1))
    assert (f["messages"], f["fallbacks"], f["rate"]) == (10, 2, 20.0)
    assert [r[3] for r in f["rows"]] == ["؟؟", "ابي فلوسي 10••••••78"]


def test_forms_started_completed_abandoned_and_where_citizens_stop(loaded):
    f = stats.forms(Period(D, D + 1))
    assert f["rows"] == [
        ["eligibility_form", 1, 0, 0, 1],
        ["ticket_form", 1, 1, 0, 0],
    ]
    assert f["drop_off"]["rows"] == [["eligibility_form", "elig_age", 1]]


def test_intents_with_their_confidence_and_rating(loaded):
    rows = {r[0]: r[1:] for r in stats.intents(Period(D, D + 1))["rows"]}
    assert rows["check_eligibility"][:2] == [2, 0.575]
    assert rows["nlu_fallback"] == [2, 0.25, 2, None, 0]
    assert rows["faq/conditions"] == [1, 0.8, 0, 5.0, 1]


def test_satisfaction_average_distribution_and_masked_comments(loaded):
    s = stats.satisfaction(Period(D, D + 1))
    assert (s["average"], s["ratings"], s["asked"], s["response_rate"]) == (3.5, 2, 3, 66.7)
    assert s["distribution"]["rows"] == [[1, 0], [2, 1], [3, 0], [4, 0], [5, 1]]
    assert s["rows"] == [["agent_closed", 1, 0, None], ["ticket", 2, 2, 3.5]]
    (comment,) = s["comments"]["rows"]
    assert "0551234567" not in comment[5]  # stored masked


def test_latency_percentiles_by_channel(loaded):
    lat = stats.latency(Period(D, D + 1))
    assert (lat["p50_ms"], lat["p95_ms"]) == (500.0, 1000.0)
    assert lat["rows"] == [
        ["telegram", 300.0, 400.0],
        ["web", 600.0, 900.0],
        ["whatsapp", 500.0, 1000.0],
    ]


def test_settled_days_come_from_the_rollup_and_the_last_two_are_live(app_db, monkeypatch):
    from datetime import datetime, timezone

    from sqlalchemy import text

    from bot.services.console import rollup as console_rollup
    from bot.store import engine
    from bot.store.turns import day_of

    # The console's clock stands still for the test: Riyadh's midnight (21:00 UTC) cannot
    # fall between the test's "today" and the rollup's.
    now = datetime.now(timezone.utc)
    monkeypatch.setattr(console_rollup, "utcnow", lambda: now)
    today = day_of(now.timestamp())
    fixtures.load(D)  # settled: rolled up
    fixtures.load(today - 1)  # yesterday and today: live
    old, new = Period(D, D + 1), Period(today - 1, today)
    assert stats.containment(old)["contained"] == stats.containment(new)["contained"] == 3
    assert [r[1:] for r in stats.volume(new)["rows"]] == [r[1:] for r in stats.volume(old)["rows"]]
    assert stats.fallbacks(new)["rate"] == 20.0
    assert stats.forms(new) == stats.forms(old)
    assert stats.latency(new) == stats.latency(old)
    assert outcomes(new) == outcomes(old) and outcomes(old)["rows"]
    with engine().connect() as c:
        days = {r[0] for r in c.execute(text("SELECT day FROM console_daily"))}
    assert days == {D, D + 1}
    with engine().connect() as c:
        topics = {r[0] for r in c.execute(text("SELECT DISTINCT day FROM console_topics"))}
    assert topics == {D}  # the rows of the topics (D + 1 has none)
    assert console_rollup.through_day(name=console_rollup.TOPICS) == today - 2
    assert console_rollup.through_day() == today - 2
    assert console_rollup.ensure() == today - 2  # nothing to do the second time
    both = stats.containment(Period(D, today))
    assert both["conversations"] == 12 and both["contained"] == 6


def test_turns_and_rating_links_go_with_the_transcript_retention_counts_stay(app_db, monkeypatch):
    from sqlalchemy import text

    from bot.services.console import rollup as console_rollup
    from bot.store import engine

    fixtures.load(D)
    before = stats.containment(Period(D, D + 1)), stats.satisfaction(Period(D, D + 1))["average"]
    with engine().begin() as c:  # a new day's rollup with a short retention period
        c.execute(text("UPDATE console_rollups SET through_day = through_day - 1"))
        for table in ("console_daily", "console_topics"):
            c.execute(text(f"DELETE FROM {table} WHERE day > :d"), {"d": D + 5})
    monkeypatch.setenv("RETENTION_TRANSCRIPT_DAYS", "7")
    console_rollup.ensure()
    with engine().connect() as c:
        assert c.execute(text("SELECT COUNT(*) FROM bot_turns")).scalar() == 0
        ids = {r[0] for r in c.execute(text("SELECT conversation_id FROM csat_ratings"))}
        comments = c.execute(text("SELECT COUNT(comment) FROM csat_ratings")).scalar()
    assert ids == {"erased"} and comments == 0
    assert stats.containment(Period(D, D + 1)) == before[0]  # from the rollup
    assert stats.satisfaction(Period(D, D + 1))["average"] == before[1]


def test_a_transfer_credits_each_agent_with_their_own_part(app_db):
    """Sara claimed after an 18 s wait and transferred to Omar 80 s later. The transfer
    used to overwrite claimed_at/claimed_by: Omar was credited with the conversation and
    a 98 s wait. Each agent now has their own part, and only a claim has a wait."""
    from bot.services import handoff

    t0 = fixtures.T0 + 3600
    view = handoff.escalate("telegram:77", channel="telegram", now=fixtures.at(0, t0))
    assert handoff.claim(view.id, "sara", now=fixtures.at(18, t0))
    assert handoff.transfer(view.id, "sara", "omar", now=fixtures.at(98, t0))
    assert handoff.close(view.id, "omar", now=fixtures.at(200, t0))
    # Released back to the queue and claimed again: that wait runs from the release.
    other = handoff.escalate("web:78", channel="web", now=fixtures.at(0, t0))
    assert handoff.claim(other.id, "omar", now=fixtures.at(10, t0))
    assert handoff.release(other.id, "omar", now=fixtures.at(40, t0))
    assert handoff.claim(other.id, "sara", now=fixtures.at(70, t0))
    assert handoff.return_to_bot(other.id, "sara", now=fixtures.at(100, t0))

    h = stats.handoffs(Period(D, D))
    assert h["rows"] == [
        # agent, episodes, wait p50/p95 (their claims), handling p50/p95 (their parts)
        ["omar", 2, 10.0, 10.0, 30.0, 102.0],
        ["sara", 2, 18.0, 30.0, 30.0, 80.0],
    ]
    assert (h["wait_p50"], h["wait_p95"]) == (18.0, 30.0)  # 10, 18, 30: never 98
    parts = handoff.parts_of(view.id)
    assert [(p["agent"], p["began"], p["ended"]) for p in parts] == [
        ("sara", "claimed", "transferred"),
        ("omar", "transferred", "closed"),
    ]
    assert parts[1]["waiting_since"] is None


def test_outcome_per_topic_puts_the_answers_to_fix_first(loaded):
    got = outcomes(Period(D, D + 1))
    assert got["columns"][:7] == [
        "topic",
        "conversations",
        "contained",
        "handed_off",
        "ended_on_fallback",
        "came_back",
        "abandoned",
    ]
    # eligibility: started once, never completed; faq/documents: the citizen came back
    # the next morning; the contained ones after, with their conversations' ratings.
    assert [r[:7] + r[8:] for r in got["rows"]] == [
        ["eligibility_form", 1, 1, 0, 0, 0, 1, None, 0],
        ["faq/documents", 1, 0, 0, 0, 1, None, None, 0],
        ["faq/conditions", 1, 1, 0, 0, 0, None, 5.0, 1],
        ["ticket_form", 1, 1, 0, 0, 0, 0, 2.0, 1],
    ]
    assert outcomes(Period(D, D + 1, "whatsapp"))["rows"][0][:6] == ["faq/documents", 1, 0, 0, 0, 1]


def test_two_periods_side_by_side_with_the_change(app_db):

    fixtures.load(D)
    fixtures.load(D - 7)
    turn_store.record_turn(  # one more (contained) conversation the week before
        "web:extra",
        "web",
        100,
        at=turn_store.day_start_ts(D - 7) + 12 * 3600,
        facts={"intent": "greet", "confidence": 0.9, "text": "هلا"},
    )
    rows = {r[0]: r[1:] for r in compare(Period(D, D + 1), Period(D - 7, D - 6))["rows"]}
    assert rows["conversations"] == [6, 7, -1.0, -14.3]
    assert rows["messages"] == [10, 11, -1.0, -9.1]
    # shares differ in points, with no relative change
    assert rows["contained_share"] == [50.0, 57.1, -7.1, None]
    assert rows["csat_average"] == [3.5, 3.5, 0.0, None]
    assert rows["latency_p95_ms"][:2] == [1000.0, 1000.0]
    nothing = {r[0]: r[1:] for r in compare(Period(D, D + 1), Period(D - 30, D - 29))["rows"]}
    assert nothing["conversations"] == [6, 0, 6.0, None]
    assert nothing["contained_share"] == [50.0, None, None, None]
