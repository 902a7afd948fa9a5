"""The household questions' readers (bot.services.eligibility.family): dependants
listed, how many are 18 or over, an income given as parts, and the breakdown the
summary shows. Plain functions over slot values: no Rasa."""

import pytest

from bot.services.eligibility.family import breakdowns
from bot.services.eligibility.form import ADULTS, AGE, DEPENDANTS, INCOME, RESIDENT
from tests.unit.test_eligibility_form import value


@pytest.mark.parametrize(
    "text, count",
    [
        ("زوجتي و ٣ عيال", 4),
        ("ولدين وبنت", 3),
        ("انا وزوجتي وامي", 2),
        ("ثلاث بنات وولد", 4),
        ("زوجتين و٥ عيال", 7),
        ("عندي ٤ بس واحد متزوج وساكن لحاله", 3),
        ("٣ لا قصدي ٥", 5),
        ("اربعة.. لا خمسة", 5),
        ("ام العيال و٤ بزران", 5),
        ("لحالي", 0),
    ],
)
def test_dependants_listed(text, count):
    assert value(DEPENDANTS, text) == (count, None)


def test_a_list_without_a_number_is_asked_for_not_guessed():
    assert value(DEPENDANTS, "انا وعيالي") == (
        None,
        "تمام 👍 وكم عدد العيال؟ اكتب الرقم، مثل 3.",
    )
    assert "بدون ما تحسب نفسك" in value(DEPENDANTS, "عيالي واخواني")[1]
    assert "بدون ما تحسب نفسك" in value(DEPENDANTS, "انا واهلي")[1]
    assert "بدون ما تحسب نفسك" in value(DEPENDANTS, "عندي ٤ بس متزوجين")[1]


def test_the_number_after_a_list_completes_it():
    assert value(DEPENDANTS, "٣", previous="زوجتي وعيالي") == (4, None)
    assert value(DEPENDANTS, "٣", previous="انا وعيالي") == (3, None)
    assert value(DEPENDANTS, "٣", previous="ايه عندي") == (3, None)
    assert value(DEPENDANTS, "زوجتي و٣", previous="زوجتي وعيالي") == (4, None)


def test_a_question_is_no_answer_and_is_answered():
    count, said = value(DEPENDANTS, "وش يعني تابع؟")
    assert count is None
    assert said.startswith("التابع هو اللي تعوله ويسكن معك")
    assert value(ADULTS, "وش تقصد؟", {DEPENDANTS: 3})[0] is None


@pytest.mark.parametrize(
    "text, adults",
    [
        ("واحد بس", 1),
        ("الكبير بس", 1),
        ("ولا واحد", 0),
        ("زوجتي بس", 1),
        ("زوجتي والكبير", 2),
        ("كلهم الا واحد", 3),
        ("كلهم كبار الا الصغير", 3),
        ("كلهم صغار الا زوجتي", 1),
        ("ثنين كبار والباقي صغار", 2),
        ("ثنين منهم", 2),
        ("لا", 0),
    ],
)
def test_adult_dependants_as_people_say_it(text, adults):
    assert value(ADULTS, text, {DEPENDANTS: 4}) == (adults, None)


def test_adult_dependants_that_cannot_be_told():
    assert "بالضبط" in value(ADULTS, "الكبار", {DEPENDANTS: 4})[1]
    assert "بالضبط" in value(ADULTS, "كلهم الا الكبار", {DEPENDANTS: 4})[1]


@pytest.mark.parametrize(
    "text, amount",
    [
        ("راتبي ٨٠٠٠ وزوجتي ٢٠٠٠", 10000),
        ("انا ٥ الاف والمدام ٣ الاف", 8000),
        ("٧ الاف ونص", 7500),
        ("٥٠٠٠ لا قصدي ٦٠٠٠", 6000),
    ],
)
def test_household_income_given_as_parts(text, amount):
    assert value(INCOME, text) == (amount, None)


def test_several_amounts_that_are_not_parts_are_asked_again():
    assert "ما قدرت أقرأ المبلغ" in value(INCOME, "بين ٣٠٠٠ و٤٠٠٠")[1]


@pytest.mark.parametrize(
    "slot, text, expected",
    [(AGE, "خمسة وعشرين", 25), (AGE, "٣٠ لا قصدي ٣٥", 35), (RESIDENT, "اكيد لا", False)],
)
def test_ages_and_yes_no_in_words(slot, text, expected):
    assert value(slot, text, {AGE: 30}) == (expected, None)


def test_breakdowns_only_while_the_replies_give_the_stored_answer():
    shown = breakdowns(
        {DEPENDANTS: 4, INCOME: 10000},
        {DEPENDANTS: ["زوجتي و٣ عيال"], INCOME: ["راتبي ٨٠٠٠ وزوجتي ٢٠٠٠"]},
    )
    assert [(m.kind, m.count) for m in shown[DEPENDANTS].members] == [("wife", 1), ("child", 3)]
    assert shown[INCOME] == (8000, 2000)
    # A list completed by the next reply, as the reader read it.
    shown = breakdowns({DEPENDANTS: 4}, {DEPENDANTS: ["زوجتي وعيالي", "٣"]})
    assert shown[DEPENDANTS].total == 4
    # A plain number, a single group, or an answer the replies no longer give: nothing.
    assert breakdowns({DEPENDANTS: 4, INCOME: 6000}, {DEPENDANTS: ["٤"], INCOME: ["٦٠٠٠"]}) == {}
    assert breakdowns({DEPENDANTS: 3}, {DEPENDANTS: ["ثلاث بنات"]}) == {}
    assert breakdowns({DEPENDANTS: 5}, {DEPENDANTS: ["زوجتي و٣ عيال"]}) == {}
    assert breakdowns({INCOME: 9000}, {INCOME: ["راتبي ٨٠٠٠ وزوجتي ٢٠٠٠"]}) == {}


@pytest.mark.parametrize(
    "text, count",
    [
        ("عندي توأم وامهم", 3),  # twins are two children, their mother the wife
        ("زوجتي والتوأم", 3),
        ("توأم", 2),
        ("توأمين وأمهم", 3),
        ("زوجتي وولد وتوأم", 4),
        ("my wife and twins", 3),
        ("زوجتي وبنتين واخوهم", 4),  # the children's brother is a child
    ],
)
def test_twins_are_two_children(text, count):
    assert value(DEPENDANTS, text) == (count, None)


@pytest.mark.parametrize(
    "text, adults",
    [
        ("الكبير 19 والباقي تحت", 1),
        ("الكبير عمره ١٩ والباقين تحت ١٨", 1),
        ("اكبرهم 20 والبقية تحت 18", 1),
        ("الكبيرة عمرها ٢٠ والباقي تحت الثمنطعش", 1),
        ("الزوجة والكبير 19 والباقي اصغر", 2),
        ("the eldest is 19 and the rest are under 18", 1),
        ("ثنين فوق ١٨ والباقي تحت", 2),
    ],
)
def test_the_eldest_and_the_rest_under(text, adults):
    assert value(ADULTS, text, {DEPENDANTS: 4}) == (adults, None)


@pytest.mark.parametrize(
    "text, amount",
    [
        ("بالف وثمنمية", 1800),  # "ب" of a price glued to the number, dialect spelling
        ("الف وتمنمية", 1800),
        ("راتبي بالفين وخمسمية", 2500),
        ("تقريبا بخمسة الاف", 5000),
        ("بثلاث تالاف وخمسميه", 3500),
        ("سبعتلاف", 7000),  # a unit and "thousands" as one word
        ("خمستالاف ونص", 5500),
        ("بسبعمية ريال", 700),
    ],
)
def test_amounts_in_dialect_words(text, amount):
    assert value(INCOME, text) == (amount, None)
