"""The load benchmark's transcript check (bench/load.py) must catch what it
claims to catch: a lost, duplicated, reordered or unanswered turn. Runs on a SQLite
tracker store, no servers."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bench.load import Sent, check_transcripts
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
