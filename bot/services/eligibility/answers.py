"""Reading the citizen's answers to the pre-check's questions, the way people type them.

Each reader takes the reply (its text, the button's choice, the intent the NLU saw, the
language to answer in; bot.services.eligibility.reply) and the answers so far, and returns
the slot values the reply gives, or None and the explanation to show before asking
again. Numbers, amounts, durations and yes/no come from bot.services.parsing; the
pre-check's own words, Arabic and English, from bot.services.eligibility.words. The household questions (dependants, their ages, income) are read in
bot.services.eligibility.family. No Rasa: the action builds a Reply from the tracker.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Dict, Mapping

from bot.content import eligibility_text as say
from bot.content import fact
from bot.services.eligibility import rules
from bot.services.eligibility.family import read_adults, read_dependants, read_income
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    CONFIRM,
    DEPENDANTS,
    EXCEPTION,
    INCOME,
    INDEPENDENT,
    RESIDENT,
    SAUDI,
    SHELTER,
    STAGE,
    STAGE_PICK_FIELD,
    as_int,
    correction,
    fix_field,
)
from bot.services.eligibility.reply import Reading, Reply, yes_no
from bot.services.eligibility.words import (
    CONTINUE_WORDS,
    EXCEPTION_WORDS,
    FIELD_WORDS,
    NATIONALITY_WORDS,
    NOT_SAUDI_WORDS,
    ON_MY_OWN_WORDS,
    SAUDI_STATEMENTS,
    SAUDI_WORDS,
    WITH_FAMILY_WORDS,
)
from bot.services.parsing import (
    clean,
    is_unsure,
    parse_choice,
    parse_duration_months,
    parse_number,
)


def is_continue(reply: Reply) -> bool:
    """ "كمل" (or the button) after the form offered to stop, carry on or get a person."""
    return reply.choice == "continue" or bool(parse_choice(reply.text, {"go": CONTINUE_WORDS}))


def _plain(n: float) -> Any:
    return int(n) if float(n).is_integer() else n


def read_saudi(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    if reply.choice in rules.NATIONALITY_EXCEPTIONS:
        return {SAUDI: False, EXCEPTION: reply.choice}, None
    if reply.choice in ("yes", "no"):
        return {SAUDI: reply.choice == "yes"}, None
    exception = parse_choice(reply.text, EXCEPTION_WORDS)
    if exception:
        return {SAUDI: False, EXCEPTION: exception}, None
    if parse_choice(reply.text, {"no": NOT_SAUDI_WORDS}):
        return {SAUDI: False}, None
    answer = yes_no(reply, allow_unsure=False, button=False)
    if answer is None and parse_choice(reply.text, {"yes": SAUDI_WORDS}):
        answer = True
    if answer is None:
        return None, say("errors.saudi", reply.lang)
    return {SAUDI: answer}, None


def read_exception(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    if reply.choice in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,):
        return {EXCEPTION: reply.choice}, None
    found = parse_choice(reply.text, NATIONALITY_WORDS)
    if found:
        return {EXCEPTION: found}, None
    if yes_no(reply, allow_unsure=False) is False:
        return {EXCEPTION: rules.NO_EXCEPTION}, None
    return None, say("errors.exception", reply.lang)


def read_age(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    value = parse_number(reply.text)
    if value is None:
        if is_unsure(reply.text):
            return None, say("errors.age_unsure", reply.lang)
        return None, say("errors.age_unreadable", reply.lang)
    low = fact("eligibility_precheck.min_plausible_age")
    high = fact("eligibility_precheck.max_plausible_age")
    if value < low or value > high:
        return None, say("errors.age_implausible", reply.lang, age=_plain(value))
    return {AGE: int(math.floor(value))}, None


def read_resident(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    answer = yes_no(reply, allow_unsure=False)
    if answer is None:
        return None, say("errors.resident", reply.lang)
    return {RESIDENT: answer}, None


def read_abroad(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    if reply.choice == "none":
        return {ABROAD: 0}, None
    months = parse_duration_months(reply.text)
    if months is None:
        if yes_no(reply, allow_unsure=False, button=False) is True:
            return None, say("errors.abroad_how_long", reply.lang)
        return None, say("errors.abroad_unreadable", reply.lang)
    if months < 0:
        return None, say("errors.abroad_negative", reply.lang)
    age = as_int(slots.get(AGE))
    if months > 12 * (age if age else fact("eligibility_precheck.max_plausible_age")):
        return None, say("errors.abroad_too_long", reply.lang)
    return {ABROAD: int(months) if float(months).is_integer() else round(months, 2)}, None


def read_shelter(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    answer = yes_no(reply, allow_unsure=False)
    if answer is None:
        return None, say("errors.shelter", reply.lang)
    return {SHELTER: answer}, None


def read_independent(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    answer = yes_no(reply, allow_unsure=True)
    if answer is None:
        if parse_choice(reply.text, {"no": WITH_FAMILY_WORDS}):
            return {INDEPENDENT: False}, None
        if parse_choice(reply.text, {"yes": ON_MY_OWN_WORDS}):
            return {INDEPENDENT: True}, None
        return None, say("errors.independent", reply.lang)
    return {INDEPENDENT: answer}, None


def read_assets(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    answer = yes_no(reply, allow_unsure=True)
    if answer is None:
        return None, say("errors.assets", reply.lang)
    return {ASSETS: answer}, None


def read_confirm(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    """The summary: yes shows the result; no lists the answers to pick one to
    correct; naming an answer ("العمر غلط") or its button re-asks just that one."""
    field = fix_field(reply.choice)
    if field:
        return correction(field), None
    field = None if reply.choice else parse_choice(reply.text, FIELD_WORDS)
    if field:
        return correction(field), None
    answer = yes_no(reply, allow_unsure=False)
    picking = slots.get(STAGE) == STAGE_PICK_FIELD
    if answer is True:
        return {CONFIRM: True, STAGE: None}, None
    if answer is False:
        if picking:
            return {CONFIRM: None, STAGE: None}, None  # nothing to correct after all
        return {CONFIRM: None, STAGE: STAGE_PICK_FIELD}, None
    if picking:
        return None, say("errors.pick_field", reply.lang)
    return None, say("errors.confirm", reply.lang)


READERS: Dict[str, Callable[[Reply, Mapping[str, Any]], Reading]] = {
    SAUDI: read_saudi,
    EXCEPTION: read_exception,
    AGE: read_age,
    RESIDENT: read_resident,
    ABROAD: read_abroad,
    SHELTER: read_shelter,
    DEPENDANTS: read_dependants,
    ADULTS: read_adults,
    INDEPENDENT: read_independent,
    INCOME: read_income,
    ASSETS: read_assets,
    CONFIRM: read_confirm,
}


def read(slot: str, reply: Reply, slots: Mapping[str, Any]) -> Reading:
    """What `reply` answers to the question `slot`, given the answers so far."""
    return READERS[slot](reply, slots)


# ---------------------------------------------------------------------------
# Answers given before the questions start
# ---------------------------------------------------------------------------

# After clean(): "عمري ٣٠", "my age is 30", "aged 30", "30 years old".
_AGE_IN_TEXT = re.compile(
    r"(?:عمري|من العمر|\bmy age(?: is)?|\baged?)\s*:?\s*(\d{1,3})(?![\d.])"
    r"|\b(\d{1,3}) (?:years|year|yrs) old\b"
)
_INCOME_IN_TEXT = re.compile(
    r"(?:راتبي|دخلي|دخلنا|راتبنا|دخل اسرتي|دخل الاسره|\bmy salary(?: is)?|\bmy income(?: is)?"
    r"|\bour income(?: is)?)\s+((?:\d[\d.]*)(?:\s*(?:k|الف|الاف|thousand))?)"
)


def prefill(text: str) -> Dict[str, Any]:
    """Answers already given in the message that started the pre-check, e.g.
    "انا سعودي عمري ٣٠ وراتبي ٦ الاف، هل استحق؟" or "I'm Saudi, 30 years old, my salary
    is 6k, am I eligible?" → nationality, age and income.
    Conservative: only clear statements; the form validates them like any answer."""
    if not text or text.startswith("/"):
        return {}
    found: Dict[str, Any] = {}
    cleaned = clean(text)
    # "مقيم" alone is no statement of nationality here ("سعودي مقيم في الرياض").
    if parse_choice(text, {"no": [w for w in NOT_SAUDI_WORDS if w not in ("مقيم", "وافد")]}):
        found[SAUDI] = False
    elif parse_choice(text, {"yes": SAUDI_STATEMENTS}):
        found[SAUDI] = True
    exception = parse_choice(text, EXCEPTION_WORDS)
    if exception:
        found.update({SAUDI: False, EXCEPTION: exception})
    age = _AGE_IN_TEXT.search(cleaned)
    if age:
        found[AGE] = age.group(1) or age.group(2)
    income = _INCOME_IN_TEXT.search(cleaned)
    if income:
        found[INCOME] = income.group(1)
    return found
