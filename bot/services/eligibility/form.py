"""The eligibility pre-check as a form: its slots, the order of the questions, which
ones apply given the answers so far, and what the answers mean for the rules.

Plain Python over slot values (a dict such as a tracker's `slots`), no Rasa; the
rules themselves are in bot.services.eligibility.rules. The domain declares the same slots
(domain/eligibility.yml).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional

from bot.services.eligibility import rules

FORM = "eligibility_form"

SAUDI = "elig_saudi"
EXCEPTION = "elig_exception"
AGE = "elig_age"
RESIDENT = "elig_resident"
ABROAD = "elig_months_abroad"
SHELTER = "elig_shelter"
DEPENDANTS = "elig_dependants"
ADULTS = "elig_dependants_adult"
INDEPENDENT = "elig_independent"
INCOME = "elig_income"
ASSETS = "elig_assets"
CONFIRM = "elig_confirm"
STAGE = "elig_stage"  # "offer" (stop/continue/person just offered), "pick_field"
FAILURES = "elig_failures"  # {slot: wrong answers in a row}

# The questions in the order they are asked; CONFIRM (the summary) comes last.
ORDER = [
    SAUDI,
    EXCEPTION,
    AGE,
    RESIDENT,
    ABROAD,
    SHELTER,
    DEPENDANTS,
    ADULTS,
    INDEPENDENT,
    INCOME,
    ASSETS,
]
ANSWER_SLOTS = ORDER + [CONFIRM]
ALL_SLOTS = ANSWER_SLOTS + [STAGE, FAILURES]

UNSURE = "unsure"  # stored for "I don't know" where that is an answer
STAGE_OFFER = "offer"
STAGE_PICK_FIELD = "pick_field"
CHOICE_ENTITY = "elig_choice"  # what a button sends: /inform{"elig_choice": ...}
FIX = "fix:"  # a choice "fix:<field>" re-opens one answer

# Short codes for "correct this answer" buttons (Telegram callback_data <= 64 bytes),
# with the answers that depend on each one.
FIELDS: Dict[str, List[str]] = {
    "saudi": [SAUDI, EXCEPTION],
    "exc": [EXCEPTION],
    "age": [AGE],
    "res": [RESIDENT, ABROAD],
    "abroad": [ABROAD],
    "shelter": [SHELTER],
    "deps": [DEPENDANTS, ADULTS, INDEPENDENT],
    "adults": [ADULTS],
    "indep": [INDEPENDENT],
    "income": [INCOME],
    "assets": [ASSETS],
}
FIELD_OF_SLOT = {slots[0]: code for code, slots in FIELDS.items()}
# The answer to correct when a rule stopped the pre-check early (Finding.rule).
FIELD_OF_RULE = {
    "nationality": "saudi",
    "age": "age",
    "residence": "res",
    "absence": "abroad",
    "shelter": "shelter",
    "independence": "indep",
    "income": "income",
    "assets": "assets",
}


def number(value: Any) -> Optional[float]:
    """A stored numeric answer, or None (raw text, "unsure", booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def boolean(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


def as_int(value: Any) -> Optional[int]:
    n = number(value)
    return None if n is None else int(n)


def answers_from_slots(slots: Mapping[str, Any]) -> rules.Answers:
    """Rules input from slot values; raw (unvalidated) text and "unsure" are None."""
    exception = slots.get(EXCEPTION)
    if exception not in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,):
        exception = None
    dependants = as_int(slots.get(DEPENDANTS))
    adults = as_int(slots.get(ADULTS))
    if dependants is None or adults is None or adults > dependants or adults < 0:
        adults = None
    income = number(slots.get(INCOME))
    months = number(slots.get(ABROAD))
    return rules.Answers(
        saudi=boolean(slots.get(SAUDI)),
        nationality_exception=exception,
        age=as_int(slots.get(AGE)),
        permanent_resident=boolean(slots.get(RESIDENT)),
        months_abroad=months if months is not None and months >= 0 else None,
        in_shelter_or_prison=boolean(slots.get(SHELTER)),
        dependants=dependants if dependants is not None and dependants >= 0 else None,
        dependants_adult=adults,
        independent_housing=boolean(slots.get(INDEPENDENT)),
        monthly_income=income if income is not None and income >= 0 else None,
        high_value_assets=boolean(slots.get(ASSETS)),
    )


def relevant(slot: str, slots: Mapping[str, Any]) -> bool:
    """Whether a question applies given the answers so far."""
    if slot == EXCEPTION:
        return slots.get(SAUDI) is False
    if slot == ABROAD:
        return slots.get(RESIDENT) is not False
    deps = as_int(slots.get(DEPENDANTS))
    if slot == ADULTS:
        return deps is not None and deps > 0
    if slot == INDEPENDENT:
        return deps == 0
    return True


def required_slots_for(slots: Mapping[str, Any]) -> List[str]:
    """The questions still in play: irrelevant ones skipped; after a hard failure
    only what was answered, so the form ends there and the result says why."""
    required = [slot for slot in ORDER if relevant(slot, slots)]
    if rules.first_failure(answers_from_slots(slots)) is not None:
        return [slot for slot in required if slots.get(slot) is not None]
    return required + [CONFIRM]


def already_valid(slot: str, value: Any) -> bool:
    """A value this form stored itself (re-validated when the form restarts)."""
    if slot in (SAUDI, RESIDENT, SHELTER):
        return isinstance(value, bool)
    if slot in (INDEPENDENT, ASSETS):
        return isinstance(value, bool) or value == UNSURE
    if slot == EXCEPTION:
        return value in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,)
    if slot in (AGE, DEPENDANTS, ADULTS, INCOME, ABROAD):
        return number(value) is not None and number(value) >= 0
    if slot == CONFIRM:
        return value is True
    return False


def fix_field(choice: Optional[str]) -> Optional[str]:
    """The field a "fix:<field>" button names, if it is one."""
    if choice and choice.startswith(FIX) and choice[len(FIX) :] in FIELDS:
        return choice[len(FIX) :]
    return None


def correction(field: str) -> Dict[str, Any]:
    """Clear one answer (and the ones that depend on it) so the form asks it again."""
    events: Dict[str, Any] = {slot: None for slot in FIELDS[field]}
    events.update({CONFIRM: None, STAGE: None})
    return events


def answered_fields(slots: Mapping[str, Any]) -> List[str]:
    """Codes of the answers given so far (that still apply), in question order."""
    return [
        FIELD_OF_SLOT[s]
        for s in ORDER
        if s in FIELD_OF_SLOT and relevant(s, slots) and slots.get(s) is not None
    ]
