"""The load benchmark's transcript check (bench/load.py) must catch what it
claims to catch: a lost, duplicated, reordered or unanswered turn. Runs on a SQLite
tracker store, no servers."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bench.load_check import check_transcripts
from bench.load_client import Sent
from bot.store.tracker_store import EnvTrackerStore


def _store(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    return url, EnvTrackerStore(domain=Domain.empty(), url=url)


def _write(store, sender, turns):
    """turns: [(message_id, text, answered)] written to the tracker in this order."""

    async def run():
        tracker = await store.get_or_create_tracker(sender)
        for mid, text, answered in turns:
            tracker.update(UserUttered(text, message_id=mid))
            if answered:
                tracker.update(BotUttered("جواب"))
            tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)

    asyncio.run(run())


def _sent(sender, n, failed=()):
    return [
        Sent(sender, i, f"{sender}.{i}", f"رسالة {i}", float(i), ok=i not in failed)
        for i in range(n)
    ]


def _turns(sender, order, unanswered=()):
    return [(f"{sender}.{i}", f"رسالة {i}", i not in unanswered) for i in order]


@pytest.mark.parametrize(
    "order,failed,unanswered,problem",
    [
        ([0, 1, 2], (), (), None),
        ([0, 2], (1,), (), None),  # a failed message may be missing
        ([0, 1, 2], (1,), (), None),  # ... or stored (the reply was lost, not the turn)
        ([0, 2], (), (), "lost"),
        ([0, 1, 1, 2], (), (), "duplicated"),
        ([0, 2, 1], (), (), "out_of_order"),
        ([0, 1, 2], (), (1,), "unanswered"),
    ],
)
def test_check_flags_each_kind_of_damage(tmp_path, order, failed, unanswered, problem):
    url, store = _store(tmp_path)
    _write(store, "load-x-1", _turns("load-x-1", order, unanswered))
    _write(store, "load-x-2", _turns("load-x-2", [0, 1, 2]))
    sent = _sent("load-x-1", 3, failed) + _sent("load-x-2", 3)
    report = check_transcripts(url, "load-x-", sent)
    assert report["matched_by"] == "message_id"
    assert report["conversations"] == 2
    if problem is None:
        assert report["complete"], report
    else:
        assert not report["complete"]
        assert report[problem] >= 1, report
        assert report["examples"] == ["load-x-1"]


def test_a_message_sent_again_and_stored_twice_is_unexpected_not_reordered(tmp_path):
    # The REST fault run matches by text: a message whose worker died after storing the
    # turn is sent again and stored a second time. That copy is the retry's, and
    # test_prod_stack allows as many unexpected turns as there were retries.
    url, store = _store(tmp_path)
    _write(store, "load-y-1", [(None, f"رسالة {i}", True) for i in (0, 1, 1, 2)])
    sent = _sent("load-y-1", 3)
    sent[1].retried = 1
    report = check_transcripts(url, "load-y-", sent)
    assert report["matched_by"] == "text"
    assert (report["lost"], report["out_of_order"], report["unexpected"]) == (0, 0, 1), report
    sent[1].retried = 0  # without a retry the same transcript is damage
    report = check_transcripts(url, "load-y-", sent)
    assert not report["complete"] and report["unexpected"] + report["out_of_order"] >= 1


def _resent_turns(sender, retry_copies=1):
    """Message 1 stored under its first id by a worker that died before answering, then
    sent again under a new id and answered (stored `retry_copies` times)."""
    turns = _turns(sender, [0]) + [(f"{sender}.1", "رسالة 1", False)]
    turns += [(f"{sender}.1.r1", "رسالة 1", True)] * retry_copies
    return turns + _turns(sender, [2])


def _resent(sender):
    sent = _sent(sender, 3)
    sent[1].retried, sent[1].attempt_ids = 1, [f"{sender}.1", f"{sender}.1.r1"]
    return sent


def test_a_copy_stored_by_a_dead_worker_is_a_resent_copy_when_matched_by_id(tmp_path):
    url, store = _store(tmp_path)
    _write(store, "load-z-1", _resent_turns("load-z-1"))
    report = check_transcripts(url, "load-z-1", _resent("load-z-1"))
    assert report["matched_by"] == "message_id"
    assert report["complete"] and report["resent_copies"] == 1, report

    # The retry's turn stored twice is a duplicate all the same.
    _write(store, "load-z-2", _resent_turns("load-z-2", retry_copies=2))
    report = check_transcripts(url, "load-z-2", _resent("load-z-2"))
    assert not report["complete"] and report["duplicated"] == 1, report

    # Without the retry, a turn under an id never sent is unexpected.
    _write(store, "load-z-3", _resent_turns("load-z-3"))
    report = check_transcripts(url, "load-z-3", _sent("load-z-3", 3))
    assert not report["complete"] and report["unexpected"] == 1, report
