"""bot.patches.rule_lookup: the rules that fit a conversation are the ones Rasa's own
RulePolicy._get_possible_keys finds, on made-up rules and on the trained model's own."""

from __future__ import annotations

import json
import random
import tarfile

import pytest
from rasa.core.policies.rule_policy import RulePolicy

from bot import patches
from bot.patches import registry

pytestmark = pytest.mark.usefixtures("rasa_patches")

SNS = "should_not_be_set"


def _rasas():
    patch = next(p for p in patches.all_patches() if p.name == "_get_possible_keys")
    return registry.original(patch)


def _policy():
    # Neither version reads anything the constructor sets.
    return RulePolicy.__new__(RulePolicy)


def _state(rng, start=False):
    state = {}
    if not start:
        state["prev_action"] = {"action_name": rng.choice(["action_listen", "utter_a", "f"])}
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(["faq", "greet", "deny"])}
    if rng.random() < 0.4:
        state["slot"] = {"s": rng.choice([(1.0,), (0.0,), SNS, [1.0]])}
    if rng.random() < 0.3:
        state["active_loop"] = {"name": rng.choice(["f", SNS])}
    return state


def _rule(rng):
    states = [_state(rng, start=rng.random() < 0.3)]
    states += [_state(rng) for _ in range(rng.randint(0, 4))]
    # Rules come out of training as JSON: tuples become lists there.
    return json.dumps(states)


def _compare(lookup, conversations):
    ours, theirs = _policy(), _policy()
    for states in conversations:
        expected = _rasas()(theirs, lookup, states)
        assert ours._get_possible_keys(lookup, states) == expected, states


def test_made_up_rules_fit_the_same_conversations():
    rng = random.Random(3)
    lookup = {_rule(rng): "utter_x" for _ in range(120)}
    conversations = []
    for _ in range(3000):
        states = [_state(rng, start=True)] + [_state(rng) for _ in range(rng.randint(0, 8))]
        conversations.append(states)
    # Conversations that end the way a rule does, so that some rules do fit.
    for key in list(lookup)[:60]:
        tail = json.loads(key)
        conversations.append([_state(rng, start=True)] * rng.randint(0, 2) + tail)
    _compare(lookup, conversations)
    assert sum(bool(_rasas()(_policy(), lookup, c)) for c in conversations) > 100


def test_a_lookup_edited_in_place_is_read_again():
    """Training removes and adds rules in the same dict while it checks them."""
    rng = random.Random(5)
    lookup = {_rule(rng): "a" for _ in range(30)}
    policy = _policy()
    conversation = json.loads(next(iter(lookup)))
    assert policy._get_possible_keys(lookup, conversation)
    lookup.clear()
    lookup.update({_rule(rng): "b" for _ in range(30)})
    assert policy._get_possible_keys(lookup, conversation) == _rasas()(
        _policy(), lookup, conversation
    )


def test_the_trained_models_rules_fit_the_same_conversations(trained_model):
    with tarfile.open(trained_model) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("rule_policy.json"))
        lookup = json.load(archive.extractfile(member))["lookup"]["rules"]
    rules = [json.loads(key) for key in lookup]
    rng = random.Random(11)
    conversations = []
    for _ in range(1500):
        # Several rules' states one after another, the last whole, sometimes with one
        # slot or intent changed: near misses as well as fits.
        states = [s for r in rng.sample(rules, rng.randint(1, 3)) for s in r]
        if rng.random() < 0.5:
            victim = dict(rng.choice(states))
            if "user" in victim:
                victim["user"] = {"intent": rng.choice(["faq", "greet", "affirm", "deny"])}
            if "slot" in victim:
                victim["slot"] = {k: SNS for k in victim["slot"]}
            states[rng.randrange(len(states))] = victim
        conversations.append(states)
    _compare(lookup, conversations)
    assert sum(bool(_rasas()(_policy(), lookup, c)) for c in conversations) > 300


def test_debug_log_copies_are_made_only_when_the_line_is_written(caplog):
    """bot.patches.debug_copies: Rasa's `copy.deepcopy(...)` arguments of debug lines."""
    import logging

    import rasa.core.processor as processor

    value = {"events": [{"event": "user"}]}
    with caplog.at_level(logging.INFO, logger="rasa.core.processor"):
        assert processor.copy.deepcopy(value) is value  # the line is dropped unread
    with caplog.at_level(logging.DEBUG, logger="rasa.core.processor"):
        copied = processor.copy.deepcopy(value)
        assert copied == value and copied is not value and copied["events"] is not value["events"]
    assert processor.copy.copy(value) == value  # the rest of `copy` as it was
