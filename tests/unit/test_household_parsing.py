"""Household replies (bot/services/parsing/household.py, amounts.py): people listed the
way citizens list them, and an income given as parts."""

import pytest

from bot.services.parsing import (
    Household,
    Member,
    fill_missing,
    parse_amount_parts,
    parse_household,
)


def total(text):
    household = parse_household(text)
    return None if household is None else household.total


def kinds(text):
    return [(m.kind, m.count) for m in parse_household(text).members]


# --------------------------------------------------------------------------- the issue's examples


@pytest.mark.parametrize(
    "text, count",
    [
        ("زوجتي و ٣ عيال", 4),
        ("زوجتي و٣ عيال", 4),
        ("ولدين وبنت", 3),
        ("انا وزوجتي وامي", 2),  # the one answering is not their own dependant
        ("ثلاث بنات وولد", 4),
        ("زوجتين و٥ عيال", 7),
        ("عندي ٤ بس واحد متزوج وساكن لحاله", 3),
        ("٣ لا قصدي ٥", 5),
        ("اربعة.. لا خمسة", 5),
    ],
)
def test_the_examples_from_the_issue(text, count):
    assert total(text) == count


def test_who_was_named_is_kept_in_order():
    assert kinds("زوجتي و٣ عيال") == [("wife", 1), ("child", 3)]
    assert kinds("ولدين وبنت") == [("son", 2), ("daughter", 1)]
    assert kinds("انا وزوجتي وامي") == [("wife", 1), ("mother", 1)]
    assert kinds("ثلاث بنات وولد") == [("daughter", 3), ("son", 1)]
    assert parse_household("عندي ٤ بس واحد متزوج وساكن لحاله") == Household(
        (Member("person", 4),), 3, excluded=1
    )


# --------------------------------------------------------------------------- spellings and dialect


@pytest.mark.parametrize(
    "text, count",
    [
        # the wife, however she is named
        ("زوجه و٣ عيال", 4),
        ("زوجة وثلاث عيال", 4),
        ("الزوجة و ٣ عيال", 4),
        ("الزوجه واعيالي ٦", 7),
        ("زوجتى و٢ عيال", 3),
        ("المدام وخمس اطفال", 6),
        ("ام العيال و٤ بزران", 5),
        ("حرمتي و3 اولاد", 4),
        # children: عيال / اعيال / بزران / اطفال / اولاد / ابناء / بنات
        ("٣ عيال", 3),
        ("عيالي ٣", 3),
        ("عيالي ثلاثة", 3),
        ("اعيالي ٤", 4),
        ("٥ بزران", 5),
        ("بزراني اربعة", 4),
        ("٢ اطفال", 2),
        ("طفلين", 2),
        ("اربع اولاد", 4),
        ("٣ ابناء", 3),
        ("بنتين", 2),
        ("٣ بنات وولدين", 5),
        ("عندي 3 عيال و 2 بنات", 5),
        ("ولد وبنت", 2),
        ("ولد واحد", 1),
        # parents and siblings
        ("امي", 1),
        ("الوالدة", 1),
        ("ابوي وامي", 2),
        ("الوالد والوالدة", 2),
        ("الوالدين", 2),
        ("ابوي وامي و٣ اخوان", 5),
        ("اخوي واختي", 2),
        ("امي واخواتي الثنتين", 3),
        ("اولادي الثلاثة وامهم", 4),
        ("بنات ثنتين", 2),
        ("جدتي", 1),
        # Arabic-Indic digits, digits stuck to words, words for numbers
        ("زوجتي و٣عيال", 4),
        ("زوجتي و3 عيال", 4),
        ("زوجتي وخمسة عيال", 6),
        ("انا وزوجتي و ٣ عيال وامي", 5),
        ("عيالي ٣ وزوجتي", 4),
        ("٢ كبار و٣ صغار", 5),
    ],
)
def test_people_the_way_they_are_named(text, count):
    assert total(text) == count


@pytest.mark.parametrize(
    "text, count",
    [
        ("٤", 4),
        ("عندي ٤", 4),
        ("اربعة", 4),
        ("٤ تابعين", 4),
        ("٤ افراد", 4),
        ("ما عندي", 0),
        ("ما عندي تابعين", 0),
        ("ما عندي عيال", 0),
        ("لا", 0),
        ("ولا واحد", 0),
        ("انا بس", 0),
        ("لحالي", 0),
        ("انا لحالي", 0),
    ],
)
def test_a_number_or_nobody(text, count):
    assert total(text) == count


# --------------------------------------------------------------------------- who is left out


@pytest.mark.parametrize(
    "text, count, excluded",
    [
        ("عندي ٤ بس واحد متزوج", 3, 1),
        ("عندي ٤ بس واحد متزوج وساكن لحاله", 3, 1),
        ("٤ عيال واحد منهم متزوج", 3, 1),
        ("٣ بنات بس وحده متزوجه", 2, 1),
        ("زوجتي و٣ عيال والكبير متزوج", 3, 1),
        ("عندي ٣ عيال وولدي الكبير ساكن لحاله", 2, 1),
        ("٤ عيال ثنين منهم متزوجين", 2, 2),
        ("٥ بس واحد ساكن عند امه", 4, 1),
        ("زوجتين بس وحده مطلقه", 1, 1),
        ("٣ عيال بس واحد توفى الله يرحمه", 2, 1),
        ("عندي ٤ بس واحد ما يسكن معي", 3, 1),
    ],
)
def test_those_the_reply_leaves_out_are_not_counted(text, count, excluded):
    household = parse_household(text)
    assert (household.total, household.excluded) == (count, excluded)


def test_someone_named_apart_as_married_is_not_added():
    assert total("زوجتي و٣ عيال وولد متزوج") == 4
    assert total("عندي ولد متزوج") == 0


def test_married_said_of_the_one_answering_leaves_nobody_out():
    assert total("انا متزوج وعندي ٣ عيال") == 3
    assert total("عندي ٣ عيال ومتزوج") == 3


def test_ages_are_not_counts():
    assert total("٣ عيال تحت ١٨") == 3
    assert total("ولدي عمره ٢٠ وبنتي ١٩") == 2
    assert total("ولد ١٠ سنين وبنت ٥ سنين") == 2
    assert total("عيالي ٣ والكبير عمره ٢٠") == 3  # the eldest is one of the three


# --------------------------------------------------------------------------- a total, then who


def test_a_total_then_who():
    assert kinds("٤ زوجتي وعيالي") == [("wife", 1), ("child", 3)]
    assert total("٤ زوجتي وعيالي") == 4
    assert total("عندي ٥ زوجتي و٤ عيال") == 5
    assert total("عندي ٥ زوجتي و٣ عيال") is None  # does not add up: ask


def test_we_are_n_counts_the_one_answering():
    assert total("احنا ٥") == 4
    assert total("عددنا ٦ افراد") == 5
    assert parse_household("احنا ٥").counts_self
    assert total("احنا ٥ انا وزوجتي و٣ عيال") == 4


def test_only_after_a_no():
    assert total("ما عندي الا ولد") == 1
    assert total("ما عندي غير زوجتي") == 1
    assert total("ما عندي عيال بس زوجتي") == 1
    assert total("زوجتي بس ما عندي عيال") == 1


# --------------------------------------------------------------------------- ambiguous: ask


@pytest.mark.parametrize(
    "text, missing",
    [
        ("انا وعيالي", ("child",)),
        ("عندي عيال", ("child",)),
        ("زوجتي وعيالي", ("child",)),
        ("ابوي وامي واخواني", ("brother",)),
        ("انا واهلي", ("family",)),
        ("عيالي واخواني", ("child", "brother")),
    ],
)
def test_a_group_without_its_number_leaves_the_total_untold(text, missing):
    household = parse_household(text)
    assert household.total is None and household.missing == missing


def test_some_left_out_without_saying_how_many_is_untold():
    assert total("عندي ٤ بس متزوجين") is None


def test_a_bare_number_correcting_a_list_could_be_either():
    assert total("زوجتي و٣ عيال لا ٤") is None
    assert total("زوجتي و٣ عيال لا قصدي ٤ عيال") == 5  # the children were 4
    assert total("ولدين لا قصدي ولدين وبنت") == 3


def test_the_missing_number_given_next():
    assert fill_missing(parse_household("زوجتي وعيالي"), 3).total == 4
    assert fill_missing(parse_household("انا وعيالي"), 3).total == 3
    assert fill_missing(parse_household("عيالي واخواني"), 3) is None  # which group?
    assert fill_missing(parse_household("انا واهلي"), 5) is None  # with or without him?


# --------------------------------------------------------------------------- not an answer


@pytest.mark.parametrize(
    "text", ["وش يعني تابع؟", "وش يعني تابع", "هل امي تنحسب", "مدري", "كثير", "", "2.5", "-1"]
)
def test_no_count_at_all(text):
    assert parse_household(text) is None


# --------------------------------------------------------------------------- how many are grown up


@pytest.mark.parametrize(
    "text, grown",
    [
        ("واحد بس", 1),
        ("الكبير بس", 1),
        ("ولا واحد", 0),
        ("زوجتي بس", 1),
        ("زوجتي والكبير", 2),
        ("زوجتي وولدي الكبير", 2),
        ("ثنين كبار والباقي صغار", 2),
        ("الكبار ثنين", 2),
        ("ثنين منهم", 2),
    ],
)
def test_how_many_are_grown_up(text, grown):
    assert parse_household(text).not_younger == grown


# --------------------------------------------------------------------------- income as parts


@pytest.mark.parametrize(
    "text, parts",
    [
        ("راتبي ٨٠٠٠ وزوجتي ٢٠٠٠", (8000, 2000)),
        ("انا ٥ الاف والمدام ٣ الاف", (5000, 3000)),
        ("٥٠٠٠ راتب و ٢٠٠٠ ضمان", (5000, 2000)),
        ("راتبي ٦٠٠٠ وتقاعد ابوي ٤٠٠٠", (6000, 4000)),
        ("٦٠٠٠ + ١٥٠٠", (6000, 1500)),
        ("٦٠٠٠+١٥٠٠", (6000, 1500)),
        ("٧ الاف ونص", (7500,)),
        ("٨٠٠٠ و٢٠٠٠", (10000,)),
        ("راتبي ٨٠٠٠ وزوجتي ما تشتغل", (8000,)),
        ("راتبي ٨٠٠٠ وزوجتي ٢٠٠٠ يعني المجموع ١٠٠٠٠", (10000,)),
        ("ما عندي دخل", (0,)),
        ("٥٠٠٠ لا قصدي ٦٠٠٠", (6000,)),
    ],
)
def test_income_given_as_parts(text, parts):
    assert parse_amount_parts(text) == parts


@pytest.mark.parametrize(
    "text", ["بين ٣٠٠٠ و٤٠٠٠", "٣٠٠٠ او ٤٠٠٠", "3000 و4000", "راتبي ٨٠٠٠ بس ينخصم ٥٠٠", "مدري"]
)
def test_several_amounts_that_are_not_parts(text):
    assert parse_amount_parts(text) is None
