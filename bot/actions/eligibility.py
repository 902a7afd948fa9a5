"""Eligibility pre-check dialogue (issue 3): a Rasa form, thin over bot.services.

- `action_elig_start`: clears earlier answers, says what the pre-check is, and keeps
  what the first message already told us ("انا سعودي عمري ٣٠ ..."); with a
  `fix:<field>` button it re-opens one answer after an early stop instead.
- `validate_eligibility_form`: reads each answer the way people type it
  (bot.services.eligibility.answers), explains a bad answer and asks again, offers
  stop / continue / a person after repeated failures, skips questions that do not
  apply, and stops early when a hard condition already fails
  (bot.services.eligibility.form, bot.services.eligibility.rules).
- `action_ask_elig_<slot>`: one question at a time, with buttons; the last one
  (`elig_confirm`) is the summary of the answers, where any answer can be corrected.
  Dependants given as a list and an income given as parts are shown with their parts
  ("التابعين: 4 (زوجة و3 أبناء)"), re-read from the replies that gave them.
- `action_elig_result`: the outcome with its reasons, an estimate when likely
  eligible, and what to do next. Always an indicative pre-check.
- `action_elig_cancel`: "الغاء" / "وقف" ends it cleanly.

What is said is composed by bot.services.eligibility.messages from
bot/content/eligibility.yml (English: bot/content/en/eligibility.yml, when the `language`
slot says so; bot/nlu/language_tagger.py fills it). Every answer slot is `from_text` (domain/eligibility.yml);
buttons send `/inform{"elig_choice": ...}` so a tap never depends on the NLU.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.forms import (
    FailureCounter,
    answer_intent_of,
    confidence_of,
    entity_of,
    form_button,
    reply_language,
    resumes_after_faq,
    text_of,
)
from bot.content import eligibility_text as say
from bot.content import fact
from bot.services.eligibility import messages
from bot.services.eligibility.answers import is_continue, prefill, read
from bot.services.eligibility.family import breakdowns
from bot.services.eligibility.form import (
    ADULTS,
    ALL_SLOTS,
    ANSWER_SLOTS,
    CHOICE_ENTITY,
    CONFIRM,
    DEPENDANTS,
    FAILURES,
    FORM,
    INCOME,
    ORDER,
    STAGE,
    STAGE_OFFER,
    STAGE_PICK_FIELD,
    already_valid,
    correction,
    fix_field,
    required_slots_for,
)
from bot.services.eligibility.reply import Reply
from bot.services.followups.topics import PRECHECK, TOPIC_SLOT


def replies_to(tracker: Tracker, slot: str) -> Tuple[List[str], List[str]]:
    """The citizen's replies to one question, oldest first: (those that gave its current
    answer, those given since). Read from the slot's events: Rasa sets the slot to the
    reply's text, then the form to what it read, or to None when it could not. Two
    Nones in a row (a restart, a correction, "أكمل") start afresh; the same answer set
    again with no reply (the form re-checking what it stored) keeps its replies."""
    answered: List[str] = []
    since: List[str] = []
    last: Any = None
    fresh = True  # the next text is a new reply (Rasa repeats the text it validates)
    cleared = True
    for event in tracker.events:
        if event.get("event") != "slot" or event.get("name") != slot:
            continue
        value = event.get("value")
        if isinstance(value, str):
            if fresh or not since or since[-1] != value:
                since.append(value)
            fresh = cleared = False
        elif value is None:
            if cleared:
                since = []
            fresh = cleared = True
        else:
            if since or value != last:
                answered = since
            since, last, fresh, cleared = [], value, True, True
    return answered, since


WRONG_ANSWERS = FailureCounter(
    FAILURES, lambda: int(fact("eligibility_precheck.max_failures_before_offer"))
)


class ValidateEligibilityForm(FormValidationAction):
    """One `validate_<slot>` per question, all made by `_validator` below."""

    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        return required_slots_for(tracker.slots)

    def _validate(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        if already_valid(slot, value):
            return {slot: value}
        text = value if isinstance(value, str) else str(value)
        _, given = replies_to(tracker, slot)
        previous = given[-2] if len(given) > 1 and given[-1] == text else None
        lang = reply_language(tracker)
        reply = Reply(
            text,
            entity_of(tracker, CHOICE_ENTITY),
            answer_intent_of(tracker),
            confidence_of(tracker),
            previous,
            lang,
        )
        # The citizen's reply to this question (not a value carried in from elsewhere).
        is_reply = slot == tracker.get_slot("requested_slot") and text == (
            tracker.latest_message or {}
        ).get("text")
        if is_reply and reply.intent == "check_eligibility":
            field = fix_field(reply.choice)
            if field:
                return correction(field)  # an old "عدّل إجابتي" button
            dispatcher.utter_message(text=say("form.already_running", lang))
            return {slot: None, STAGE: None}
        if is_reply and is_continue(reply):
            dispatcher.utter_message(text=say("form.carry_on", lang))
            return {slot: None, STAGE: None, **WRONG_ANSWERS.clear(tracker, slot)}
        reading, error = read(slot, reply, tracker.slots)
        if reading is not None:
            reading.setdefault(STAGE, None)
            reading.update(WRONG_ANSWERS.clear(tracker, slot))
            return reading
        counted, offer = WRONG_ANSWERS.bump(tracker, slot)
        if offer:
            dispatcher.utter_message(
                text=messages.offer_text(error, lang), buttons=messages.offer_buttons(lang)
            )
            return {slot: None, **counted, STAGE: STAGE_OFFER}
        dispatcher.utter_message(text=error)
        keep = slot == CONFIRM and tracker.get_slot(STAGE) == STAGE_PICK_FIELD
        return {slot: None, **counted, STAGE: STAGE_PICK_FIELD if keep else None}


def _validator(slot: str):
    async def validate(self, value, dispatcher, tracker, domain):
        return self._validate(slot, value, dispatcher, tracker)

    validate.__name__ = validate.__qualname__ = f"validate_{slot}"
    return validate


for _slot in ANSWER_SLOTS:
    setattr(ValidateEligibilityForm, f"validate_{_slot}", _validator(_slot))


class _AskAction(Action, ABC):
    """Asks one question of the form, with its buttons."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        if tracker.get_slot(STAGE) == STAGE_OFFER:
            # The options (continue / stop / a person) were just offered: don't
            # bury them under the same question again.
            return [SlotSet(STAGE, None)]
        parts = {}
        if self.slot in (ADULTS, CONFIRM):
            given = {s: replies_to(tracker, s)[0] for s in (DEPENDANTS, INCOME)}
            parts = breakdowns(tracker.slots, given)
        lang = reply_language(tracker)
        text, buttons = messages.question(self.slot, tracker.slots, parts, lang)
        if resumes_after_faq(tracker, FORM):
            text = messages.back_to(text, lang)
        if _just_started(tracker):
            # The start message just said "تقدر تكتب إلغاء بأي وقت": the button goes with it.
            buttons = list(buttons or []) + [form_button("cancel", lang)]
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


def _just_started(tracker: Tracker) -> bool:
    """Did action_elig_start run in this turn (before this first question)?"""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") == "action_elig_start":
            return True
    return False


def _ask_action(slot: str) -> type:
    """`ActionAskEligAge` (`action_ask_elig_age`) for elig_age, and so on: a module-level
    subclass of Action, which is how the action server finds it."""
    class_name = "ActionAsk" + "".join(part.title() for part in slot.split("_"))
    return type(_AskAction)(
        class_name,
        (_AskAction,),
        {
            "slot": slot,
            "__module__": __name__,
            "__qualname__": class_name,
            "__doc__": f"Asks {slot}.",
        },
    )


for _slot in ANSWER_SLOTS:
    _cls = _ask_action(_slot)
    globals()[_cls.__name__] = _cls
del _slot, _cls


class ActionEligStart(Action):
    def name(self) -> Text:
        return "action_elig_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        field = fix_field(entity_of(tracker, CHOICE_ENTITY) or "")
        lang = reply_language(tracker)
        if field and any(tracker.get_slot(s) is not None for s in ORDER):
            dispatcher.utter_message(text=say("form.fix", lang))
            return [SlotSet(slot, value) for slot, value in correction(field).items()] + [
                SlotSet(FAILURES, None)
            ]
        known = prefill(text_of(tracker))
        dispatcher.utter_message(text=messages.start_text(known, lang))
        return [SlotSet(slot, None) for slot in ALL_SLOTS] + [
            SlotSet(slot, value) for slot, value in known.items()
        ]


class ActionEligResult(Action):
    def name(self) -> Text:
        return "action_elig_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        for message in messages.result_messages(tracker.slots, reply_language(tracker)):
            dispatcher.utter_message(**message)
        # "ليش؟" or "وش اسوي الحين؟" next is about this result (bot.services.followups).
        return [SlotSet(STAGE, None), SlotSet(FAILURES, None), SlotSet(TOPIC_SLOT, PRECHECK)]


class ActionEligCancel(Action):
    def name(self) -> Text:
        return "action_elig_cancel"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        dispatcher.utter_message(**messages.cancel_message(reply_language(tracker)))
        return [SlotSet(slot, None) for slot in ALL_SLOTS] + [SlotSet("requested_slot", None)]
