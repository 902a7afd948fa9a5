"""RulePolicy._get_possible_keys: the rules that fit the conversation, found with the
rules parsed once.

Every prediction asks which of the ~150 rules fit the conversation's past states, twice
(once reading the user's text, once the intent), and a message needs two or three
predictions. Rasa's version re-reads every rule for every past state: the JSON key turned
back into states (cached), then reversed into a new list and its list values turned into
tuples, for each rule and each state, and it keeps walking the whole history after no
rule is left or every rule left is shorter than the walk. That was about a fifth of
Rasa's in-process CPU per FAQ message.

Here each lookup is parsed once (reversed states, tuples already made) and the walk stops
when no rule is left, or when it is past the longest rule still left (Rasa's check says
yes to every rule from there on). The test of one rule state against one conversation
state is Rasa's `_is_rule_applicable` / `_does_rule_match_state`, line for line; the
hash covers the whole class, and tests/unit/test_rule_lookup.py compares the two on the trained
model's rules.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from bot.patches.registry import Patch

PREVIOUS_ACTION = "prev_action"  # rasa.shared.core.constants.PREVIOUS_ACTION
SHOULD_NOT_BE_SET = "should_not_be_set"  # rasa.shared.core.constants.SHOULD_NOT_BE_SET

# A rule state, ready to compare: does it have a previous action, and its sub-states as
# (state type, ((key, value), ...)) with JSON's lists back as tuples.
Prepared = Tuple[bool, Tuple[Tuple[Text, Tuple[Tuple[Text, Any], ...]], ...]]


def _prepare_state(state: Dict[Text, Dict[Text, Any]]) -> Prepared:
    subs = tuple(
        (
            state_type,
            tuple(
                (key, tuple(value) if isinstance(value, list) else value)
                for key, value in sub.items()
            ),
        )
        for state_type, sub in state.items()
    )
    return bool(state.get(PREVIOUS_ACTION)), subs


Rule = Tuple[Text, Tuple[Prepared, ...]]
ACTION_NAME = "action_name"  # rasa.shared.core.constants.ACTION_NAME


def _action_before(rule: Tuple[Prepared, ...]) -> Optional[Text]:
    """The action a rule's last state requires just before it, or None (any)."""
    if not rule or not rule[0][0]:
        return None
    for state_type, items in rule[0][1]:
        if state_type == PREVIOUS_ACTION:
            for key, value in items:
                if key == ACTION_NAME and value and value != SHOULD_NOT_BE_SET:
                    return value
    return None


def _prepare(lookup: Dict[Text, Text]) -> Dict[Optional[Text], List[Rule]]:
    """The rules by the action their last state requires (None: any), so the first step
    of a walk tries only the rules that can follow the conversation's last action."""
    index: Dict[Optional[Text], List[Rule]] = {}
    for key in lookup:
        rule = tuple(_prepare_state(s) for s in reversed(json.loads(key)))
        index.setdefault(_action_before(rule), []).append((key, rule))
    return index


def _matches(rule: Prepared, conversation_state: Dict[Text, Dict[Text, Any]]) -> bool:
    rule_has_previous, subs = rule
    has_previous = bool(conversation_state.get(PREVIOUS_ACTION))
    if not rule_has_previous and not has_previous:
        return True
    if not rule_has_previous or not has_previous:
        return False
    for state_type, items in subs:
        conversation_sub_state = conversation_state.get(state_type, {})
        for key, value_from_rules in items:
            value_from_conversation = conversation_sub_state.get(key)
            if (
                value_from_rules
                and value_from_rules != SHOULD_NOT_BE_SET
                and value_from_conversation != value_from_rules
            ) or (
                value_from_rules == SHOULD_NOT_BE_SET
                and value_from_conversation
                and value_from_conversation != SHOULD_NOT_BE_SET
            ):
                return False
    return True


def possible_keys(
    prepared: Dict[Optional[Text], List[Rule]], states: List[Dict[Text, Any]]
) -> Set[Text]:
    if not states:
        return {key for rules in prepared.values() for key, _ in rules}
    last = (states[-1].get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
    candidates = (prepared.get(last) or []) + (prepared.get(None) or []) if last else None
    if candidates is None:  # no action name to go by: every rule
        candidates = [rule for rules in prepared.values() for rule in rules]
    for turn, state in enumerate(reversed(states)):
        if not candidates or turn >= max(len(rule) for _, rule in candidates):
            break
        candidates = [
            (key, rule)
            for key, rule in candidates
            if turn >= len(rule) or _matches(rule[turn], state)
        ]
    return {key for key, _ in candidates}


def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[Dict]) -> Set[Text]:
    # Parsed once per lookup. Training edits a lookup in place while it checks the rules,
    # so the keys are compared too (a set comparison costs far less than the parse).
    cache = self.__dict__.setdefault("_prepared_lookups", {})
    entry = cache.get(id(lookup))
    if entry is None or entry[0] is not lookup or entry[1] != lookup.keys():
        entry = cache[id(lookup)] = (lookup, frozenset(lookup), _prepare(lookup))
    return possible_keys(entry[2], states)


PATCHES = [
    Patch(
        "rasa.core.policies.rule_policy:RulePolicy",
        "_get_possible_keys",
        lambda _original: _get_possible_keys,
        upstream_sha256="f81907adf0fea37d32eae91aa31f39c9f8868eedada431dfe2e964e4796b3c57",
        # The replacement re-does _is_rule_applicable and _does_rule_match_state: the
        # hash covers the whole class.
        upstream="rasa.core.policies.rule_policy:RulePolicy",
    ),
]
