"""The pre-check's household questions in conversation (bot/actions/eligibility.py over
bot.services.eligibility.family): dependants listed the way people list them, how many
are 18 or over, an income given as parts, and what the summary and the estimate then
show. Trackers are built from dicts as in test_eligibility_actions.py."""

import pytest
from rasa_sdk import Tracker

from bot.actions import eligibility as elig
from bot.services.eligibility import form, rules
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    CONFIRM,
    DEPENDANTS,
    INCOME,
    RESIDENT,
    SAUDI,
    SHELTER,
)
from tests.actions.test_eligibility_actions import (
    DOMAIN,
    answer,
    ask,
    form_tracker,
    message,
    result,
    texts,
    validate,
)
from tests.support.eligibility_answers import FAMILY


class Conversation:
    """The pre-check reply by reply: each reply is validated the way Rasa sends it (the
    slot set to the reply's text, then the form's validation), and what the validation
    sets is recorded as slot events, so later turns see the conversation so far."""

    def __init__(self, slots):
        self.slots = dict(slots)
        self.events = []

    def reply(self, text, intent="inform"):
        slot = self.slots.get("requested_slot")
        latest = message(text, intent)
        events = self.events + [
            {"event": "user", "text": text, "parse_data": latest},
            {"event": "slot", "name": slot, "value": text},
        ]
        tracker = Tracker(
            "citizen",
            {**self.slots, slot: text},
            latest,
            # As Rasa sends it: the reply's text set once when read, then again as the
            # form's candidate after the form's own action.
            events
            + [
                {"event": "action", "name": "eligibility_form"},
                {"event": "slot", "name": slot, "value": text},
            ],
            False,
            None,
            {"name": "eligibility_form"},
            "action_listen",
        )
        set_slots, said = validate(tracker)
        self.events = events + [
            {"event": "slot", "name": name, "value": value} for name, value in set_slots.items()
        ]
        self.slots.update(set_slots)
        return said

    def asks(self):
        """What the form asks next (the question, or the summary)."""
        action = next(
            a for a in elig._AskAction.__subclasses__() if a.slot == self.slots["requested_slot"]
        )
        return texts(ask(action(), self.slots, self.events))


BEFORE_DEPENDANTS = {
    SAUDI: True,
    AGE: 40,
    RESIDENT: True,
    ABROAD: 0,
    SHELTER: False,
    "requested_slot": DEPENDANTS,
}


def test_wife_and_three_children_are_four_and_the_estimate_counts_four():
    c = Conversation(BEFORE_DEPENDANTS)
    assert c.reply("زوجتي و ٣ عيال") == []
    assert c.slots[DEPENDANTS] == 4  # was 3: the wife was not counted
    assert "من الـ4 تابعين (زوجة و3 أبناء)، كم واحد عمره 18" in c.asks()
    c.reply("زوجتي بس")
    assert c.slots[ADULTS] == 1
    c.reply("راتبي ٨٠٠٠ وزوجتي ٢٠٠٠")
    assert c.slots[INCOME] == 10000
    c.reply("لا")
    summary = c.asks()
    assert "التابعين: 4 (زوجة و3 أبناء)، منهم 1 بعمر 18 أو أكثر و3 أقل من 18" in summary
    assert "دخل الأسرة الشهري: 10,000 ريال (8,000 + 2,000)" in summary
    c.reply("ايه صحيحة")
    assert c.slots[CONFIRM] is True and c.slots["requested_slot"] is None
    estimate = texts(result(c.slots))
    right = rules.estimate_support(1, 3, 10000).rounded()["total"]
    wrong = rules.estimate_support(1, 2, 10000).rounded()["total"]
    assert right != wrong
    assert f"الدعم الشهري التقديري: {right:,} ريال" in estimate
    assert "3 تابعين أقل من 18" in estimate


@pytest.mark.parametrize(
    "text, count, shown",
    [
        ("ولدين وبنت", 3, "التابعين: 3 (ولدين وبنت)"),
        ("انا وزوجتي وامي", 2, "التابعين: 2 (زوجة والوالدة)"),
        ("ثلاث بنات وولد", 4, "التابعين: 4 (3 بنات وولد)"),
        ("زوجتين و٥ عيال", 7, "التابعين: 7 (زوجتين و5 أبناء)"),
        ("عندي ٤ بس واحد متزوج وساكن لحاله", 3, "التابعين: 3 (من 4، واحد منهم ما ينحسب)"),
        ("احنا ٥", 4, "التابعين: 4 (أسرة من 5 وأنت منهم)"),
        ("٣ لا قصدي ٥", 5, "التابعين: 5 ("),  # was 0: the "لا" read as "none"
        ("اربعة.. لا خمسة", 5, "التابعين: 5 ("),
        ("خمسة", 5, "التابعين: 5 ("),
    ],
)
def test_dependants_as_people_give_them_are_shown_back_before_the_result(text, count, shown):
    c = Conversation(BEFORE_DEPENDANTS)
    assert c.reply(text) == []
    assert c.slots[DEPENDANTS] == count
    c.reply("ولا واحد")
    c.reply("٥٠٠٠")
    c.reply("لا")
    summary = c.asks()
    if shown.endswith("("):  # a plain number has no breakdown
        assert shown[:-2] + " (0 بعمر 18" in summary
    else:
        assert shown in summary


def test_a_list_without_its_number_is_asked_for_and_the_number_completes_it():
    c = Conversation(BEFORE_DEPENDANTS)
    said = texts(c.reply("انا وزوجتي وعيالي"))
    assert said == "تمام 👍 وكم عدد العيال؟ اكتب الرقم، مثل 3."
    assert c.slots[DEPENDANTS] is None and c.slots["requested_slot"] == DEPENDANTS
    assert c.reply("٣") == []
    assert c.slots[DEPENDANTS] == 4  # the wife and the 3 children
    assert "من الـ4 تابعين (زوجة و3 أبناء)" in c.asks()


def test_only_children_without_a_number():
    c = Conversation(BEFORE_DEPENDANTS)
    assert "وكم عدد العيال؟" in texts(c.reply("انا وعيالي"))
    c.reply("ثلاثة")
    assert c.slots[DEPENDANTS] == 3


def test_a_list_that_cannot_be_counted_asks_for_the_total():
    c = Conversation(BEFORE_DEPENDANTS)
    assert "كم عدد التابعين كلهم بدون ما تحسب نفسك" in texts(c.reply("عيالي واخواني"))
    c.reply("٦")
    assert c.slots[DEPENDANTS] == 6


def test_a_new_pre_check_does_not_complete_an_old_list():
    c = Conversation(BEFORE_DEPENDANTS)
    c.reply("زوجتي وعيالي")
    c.events += [{"event": "slot", "name": s, "value": None} for s in form.ALL_SLOTS]  # start
    c.slots.update(BEFORE_DEPENDANTS)
    c.reply("٣")
    assert c.slots[DEPENDANTS] == 3


def test_a_question_in_the_middle_is_not_taken_as_the_answer():
    # Read as an FAQ, the form leaves it alone (the rules answer it, then ask again) ...
    not_extracted = DOMAIN["slots"][DEPENDANTS]["mappings"][0]["not_intent"]
    assert "faq" in not_extracted and "faq_multi" in not_extracted
    slots, _ = validate(
        form_tracker(None, DEPENDANTS, BEFORE_DEPENDANTS, intent="faq", text="وش يعني تابع؟")
    )
    assert slots.get(DEPENDANTS) is None
    # ... and read as an answer by mistake, it is still no count: what a dependant is,
    # and the same question again.
    c = Conversation(BEFORE_DEPENDANTS)
    said = texts(c.reply("وش يعني تابع؟"))
    assert said.startswith("التابع هو اللي تعوله ويسكن معك")
    assert c.slots[DEPENDANTS] is None and c.slots["requested_slot"] == DEPENDANTS
    c.reply("زوجتي و٣ عيال")
    assert c.slots[DEPENDANTS] == 4


@pytest.mark.parametrize(
    "text, adults",
    [
        ("واحد بس", 1),
        ("الكبير بس", 1),
        ("ولا واحد", 0),
        ("زوجتي والكبير", 2),
        ("كلهم الا واحد", 3),
        ("كلهم صغار الا زوجتي", 1),
        ("ثنين كبار والباقي صغار", 2),
    ],
)
def test_how_many_are_18_or_over_as_people_say_it(text, adults):
    slots, messages = answer(ADULTS, text, slots={**BEFORE_DEPENDANTS, DEPENDANTS: 4})
    assert slots[ADULTS] == adults and messages == []
    assert slots["requested_slot"] == INCOME


@pytest.mark.parametrize(
    "slot, text, value",
    [
        (AGE, "خمسة وعشرين", 25),
        (AGE, "٣٠ لا قصدي ٣٥", 35),
        (INCOME, "٧ الاف ونص", 7500),
        (INCOME, "٥٠٠٠ + ٢٠٠٠ ضمان", 7000),
        (RESIDENT, "اكيد", True),
        (SHELTER, "لا والله", False),
    ],
)
def test_ages_incomes_and_yes_no_in_words(slot, text, value):
    base = {k: v for k, v in FAMILY.items() if form.ORDER.index(k) < form.ORDER.index(slot)}
    slots, messages = answer(slot, text, slots=base)
    assert slots[slot] == value and messages == []
