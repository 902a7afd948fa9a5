"""The pre-check's form model and answer readers, as plain functions over slot values
(bot.services.eligibility.form, bot.services.eligibility.answers): no Rasa."""

import pytest

from bot.services.eligibility import rules
from bot.services.eligibility.answers import is_continue, prefill, read
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    CONFIRM,
    DEPENDANTS,
    EXCEPTION,
    FIELDS,
    INCOME,
    INDEPENDENT,
    ORDER,
    RESIDENT,
    SAUDI,
    SHELTER,
    STAGE,
    UNSURE,
    already_valid,
    answered_fields,
    answers_from_slots,
    correction,
    fix_field,
    required_slots_for,
)
from bot.services.eligibility.reply import Reply, yes_no
from bot.services.eligibility.words import FIELD_WORDS
from tests.support.eligibility_answers import FAMILY

# --------------------------------------------------------------------------- which questions


def test_required_slots_skip_what_does_not_apply():
    assert EXCEPTION not in required_slots_for({SAUDI: True})
    assert EXCEPTION in required_slots_for({SAUDI: False})
    assert ADULTS not in required_slots_for({DEPENDANTS: 0})
    assert INDEPENDENT not in required_slots_for({DEPENDANTS: 2})
    assert required_slots_for({SAUDI: True, AGE: 16}) == [SAUDI, AGE]


def test_every_question_then_the_summary_for_a_saudi_family():
    assert required_slots_for(FAMILY) == [
        SAUDI,
        AGE,
        RESIDENT,
        ABROAD,
        SHELTER,
        DEPENDANTS,
        ADULTS,
        INCOME,
        ASSETS,
        CONFIRM,
    ]
    # Neither follow-up on dependants is asked before their number is known.
    assert ADULTS not in required_slots_for({SAUDI: True})
    assert INDEPENDENT not in required_slots_for({SAUDI: True})


def test_a_nationality_exception_carries_on_but_none_stops():
    slots = {SAUDI: False, EXCEPTION: rules.SAUDI_MOTHER, AGE: 30}
    assert required_slots_for(slots)[-1] == CONFIRM
    assert required_slots_for({SAUDI: False, EXCEPTION: rules.NO_EXCEPTION}) == [SAUDI, EXCEPTION]


def test_not_resident_ends_with_what_was_answered():
    assert required_slots_for({SAUDI: True, AGE: 30, RESIDENT: False}) == [SAUDI, AGE, RESIDENT]


def test_raw_text_and_unsure_are_no_answer_for_the_rules():
    answers = answers_from_slots(
        {
            SAUDI: "ايه",
            AGE: "35",
            ASSETS: UNSURE,
            DEPENDANTS: 2,
            ADULTS: 5,
            INCOME: -1,
            EXCEPTION: "something",
        }
    )
    assert answers.saudi is None and answers.age is None and answers.high_value_assets is None
    assert answers.dependants == 2 and answers.dependants_adult is None  # 5 of 2: inconsistent
    assert answers.monthly_income is None and answers.nationality_exception is None
    assert answers_from_slots(FAMILY).dependants_adult == 1


@pytest.mark.parametrize(
    "slot, value, valid",
    [
        (SAUDI, True, True),
        (SAUDI, "ايه", False),
        (ASSETS, UNSURE, True),
        (SHELTER, UNSURE, False),
        (AGE, 35, True),
        (AGE, "35", False),
        (AGE, -1, False),
        (INCOME, 0, True),
        (EXCEPTION, rules.MOBILITY_CARD, True),
        (EXCEPTION, "امي سعودية", False),
        (CONFIRM, True, True),
        (CONFIRM, "yes", False),
    ],
)
def test_already_valid_only_for_values_the_form_stored(slot, value, valid):
    assert already_valid(slot, value) is valid


def test_correcting_the_dependants_clears_what_depends_on_them():
    assert correction("deps") == {
        DEPENDANTS: None,
        ADULTS: None,
        INDEPENDENT: None,
        CONFIRM: None,
        STAGE: None,
    }
    assert fix_field("fix:deps") == "deps"
    assert (
        fix_field("fix:nothing") is None and fix_field("deps") is None and fix_field(None) is None
    )


def test_answered_fields_follow_the_question_order():
    assert answered_fields(FAMILY) == [
        "saudi",
        "age",
        "res",
        "abroad",
        "shelter",
        "deps",
        "adults",
        "income",
        "assets",
    ]
    assert set(FIELD_WORDS) == set(FIELDS)
    assert [s for s in ORDER if s not in (EXCEPTION, ABROAD, ADULTS, INDEPENDENT)] == [
        FIELDS[c][0] for c in ("saudi", "age", "res", "shelter", "deps", "income", "assets")
    ]


# --------------------------------------------------------------------------- reading replies


def value(slot, text, slots=None, **reply):
    reading, error = read(slot, Reply(text, **reply), slots or {})
    return reading if reading is None else reading.get(slot), error


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ايه", True),
        ("اي والله", True),
        ("انا سعودي", True),
        ("مواطن", True),
        ("لا", False),
        ("مو سعودي", False),
        ("وافد", False),
        ("ابد", False),
    ],
)
def test_nationality_in_dialect(text, expected):
    assert value(SAUDI, text)[0] is expected


def test_a_mentioned_exception_answers_two_questions():
    reading, _ = read(SAUDI, Reply("لا بس امي سعودية"), {})
    assert reading == {SAUDI: False, EXCEPTION: rules.SAUDI_MOTHER}


def test_an_unreadable_nationality_is_explained():
    assert value(SAUDI, "وش قصدك") == (
        None,
        'ما فهمت إجابتك 🙏 اضغط "ايه" إذا أنت سعودي الجنسية، أو "لا" إذا لا.',
    )


@pytest.mark.parametrize(
    "text, age", [("٣٥", 35), ("خمسة وثلاثين", 35), ("35.7", 35), ("ثمنطعش", 18)]
)
def test_age(text, age):
    assert value(AGE, text) == (age, None)


def test_an_impossible_age_says_the_bounds():
    assert value(AGE, "٢٥٠") == (
        None,
        "العمر 250 سنة ما يبدو صحيح 🙂 اكتب عمرك بالسنوات (بين 1 و120)، مثل 35.",
    )
    assert "التقريبي" in value(AGE, "مدري")[1]


@pytest.mark.parametrize(
    "text, months", [("ما سافرت", 0), ("شهرين", 2), ("٤٥ يوم", 1.5), ("١٠٠ يوم", 3.33), ("سنة", 12)]
)
def test_time_abroad(text, months):
    assert value(ABROAD, text, {AGE: 30}) == (months, None)


def test_time_abroad_longer_than_the_age_is_refused():
    assert value(ABROAD, "سنتين", {AGE: 1})[0] is None
    assert value(ABROAD, "ايه سافرت")[1] == "تمام، وكم كانت المدة؟ اكتبها مثل: شهرين، أو 45 يوم."


@pytest.mark.parametrize("text, count", [("ما عندي", 0), ("ولا واحد", 0), ("٤", 4), ("ثلاثة", 3)])
def test_dependants(text, count):
    assert value(DEPENDANTS, text) == (count, None)


def test_dependants_that_are_no_count():
    assert value(DEPENDANTS, "2.5")[1] == "عدد التابعين لازم يكون عدد صحيح، مثل 2 أو 3."
    assert value(DEPENDANTS, "ايه عندي")[1] == "تمام، وكم عددهم؟ اكتب الرقم، مثل 3."
    assert "(الحد 30)" in value(DEPENDANTS, "31")[1]


def test_adult_dependants():
    assert value(ADULTS, "كلهم كبار", {DEPENDANTS: 4}) == (4, None)
    assert value(ADULTS, "كلهم صغار", {DEPENDANTS: 4}) == (0, None)
    assert value(ADULTS, "ايه", {DEPENDANTS: 1}) == (1, None)
    assert value(ADULTS, "5", {DEPENDANTS: 4})[1] == (
        "عدد التابعين كلهم 4، فاللي أعمارهم 18 أو أكثر لازم ما يزيدون عن 4. اكتب العدد مرة ثانية."
    )


@pytest.mark.parametrize(
    "text, amount",
    [
        ("٥٠٠٠ ريال", 5000),
        ("ستة آلاف", 6000),
        ("6k", 6000),
        ("الف ونص", 1500),
        ("عاطل", 0),
        ("٤٫٥ الف", 4500),
    ],
)
def test_income(text, amount):
    assert value(INCOME, text) == (amount, None)


def test_income_problems():
    assert "السالب" in value(INCOME, "-500")[1]
    assert value(INCOME, "9999999")[0] is None
    assert value(INCOME, "x", choice="none") == (0, None)


def test_housing_and_assets_accept_i_dont_know():
    assert value(INDEPENDENT, "ساكن مع اهلي") == (False, None)
    assert value(INDEPENDENT, "ساكن لحالي") == (True, None)
    assert value(INDEPENDENT, "مدري") == (UNSURE, None)
    assert value(ASSETS, "مو متأكد") == (UNSURE, None)
    assert value(SHELTER, "مدري")[0] is None  # not an answer there


def test_the_summary_reply():
    assert read(CONFIRM, Reply("ايه صحيحة"), FAMILY)[0] == {CONFIRM: True, STAGE: None}
    assert read(CONFIRM, Reply("لا"), FAMILY)[0] == {CONFIRM: None, STAGE: "pick_field"}
    assert read(CONFIRM, Reply("الدخل غلط"), FAMILY)[0] == correction("income")
    assert read(CONFIRM, Reply("x", choice="fix:age"), FAMILY)[0] == correction("age")


def test_intent_counts_only_when_confident_and_buttons_first():
    assert yes_no(Reply("الله يسعدك", intent="affirm", confidence=0.9), False) is True
    assert yes_no(Reply("الله يسعدك", intent="affirm", confidence=0.5), False) is None
    assert yes_no(Reply("لا", choice="yes"), False) is True
    assert yes_no(Reply("لا", choice="yes"), False, button=False) is False
    assert yes_no(Reply("x", choice=UNSURE), False) is None


def test_carry_on():
    assert is_continue(Reply("خلنا نكمل")) and is_continue(Reply("x", choice="continue"))
    assert not is_continue(Reply("35"))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("انا سعودي مقيم في الرياض هل استحق", {SAUDI: True}),
        ("انا مو سعودي هل استحق", {SAUDI: False}),
        ("امي سعودية وابوي اجنبي هل استحق", {SAUDI: False, EXCEPTION: "saudi_mother"}),
        ("ابي اعرف اذا انا مستحق", {}),
    ],
)
def test_prefill_is_conservative(text, expected):
    assert prefill(text) == expected


def test_prefill_takes_age_and_income_as_typed():
    assert prefill("انا سعودي عمري ٣٠ وراتبي ٦ الاف هل استحق؟") == {
        SAUDI: True,
        AGE: "30",
        INCOME: "6 الاف",
    }
    assert prefill("/check_eligibility") == {}
