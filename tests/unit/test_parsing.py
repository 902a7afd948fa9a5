"""Answer parsers (bot/services/parsing.py): answers the way people type them."""

import pytest

from bot.services.parsing import (
    clean,
    is_question,
    is_unsure,
    parse_amount,
    parse_choice,
    parse_count,
    parse_duration_months,
    parse_number,
    parse_yes_no,
)


@pytest.mark.parametrize(
    "text, value",
    [
        ("5000", 5000),
        ("٥٠٠٠", 5000),
        ("۵۰۰۰", 5000),
        ("٥٠٠٠ ريال", 5000),
        ("5000ريال", 5000),
        ("5,000", 5000),
        ("5،000", 5000),
        ("١٢٬٥٠٠", 12500),
        ("5 000", 5000),
        ("1,000,000", 1_000_000),
        ("4.5", 4.5),
        ("٤٫٥", 4.5),
        ("100", 100),
        ("0", 0),
        ("٠", 0),
        ("5k", 5000),
        ("5K", 5000),
        ("5.5k", 5500),
        ("5 k", 5000),
        ("5 الاف", 5000),
        ("5 آلاف", 5000),
        ("٥آلاف", 5000),
        ("5 ألف", 5000),
        ("خمسة آلاف", 5000),
        ("خمسه الاف", 5000),
        ("خمس تالاف", 5000),
        ("الف", 1000),
        ("ألفين", 2000),
        ("الف ونص", 1500),
        ("5 الاف ونص", 5500),
        ("خمسة آلاف وخمسمية", 5500),
        ("الفين وخمسمية", 2500),
        ("ثلاثة الاف وخمسمية وخمسين", 3550),
        ("عشرين الف", 20000),
        ("مية الف", 100000),
        ("ثلاث مية", 300),
        ("مية وعشرين", 120),
        ("مليون ومية الف", 1_100_000),
        ("5000 و500", 5500),
        ("مية وخمسة وعشرين", 125),
        ("خمسة وعشرين", 25),
        ("خمسة عشر", 15),
        ("ثمنطعش", 18),
        ("سبعطعش", 17),
        ("عشرين", 20),
        ("عمري ٣٥ سنة", 35),
        ("حوالي 8 آلاف", 8000),
        ("تقريبا ٩٠٠٠ ريال", 9000),
        ("-500", -500),
        ("−500", -500),
        ("سالب 300", -300),
        ("ولا واحد", 0),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "كثير",
        "ما ادري",
        "عندي 3 عيال و 2 بنات",
        "بين 3000 و 4000",
        "3000 و4000",
        "2 3",
        "abc",
        "خمسة خمسة",
    ],
)
def test_parse_number_gives_none_when_there_is_not_one_number(text):
    assert parse_number(text) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("٥٠٠٠ ريال", 5000),
        ("خمسة آلاف", 5000),
        ("5 الاف", 5000),
        ("5k", 5000),
        ("ما عندي دخل", 0),
        ("ماعندي دخل", 0),
        ("ما عندنا دخل", 0),
        ("لا يوجد", 0),
        ("ولا ريال", 0),
        ("عاطل", 0),
        ("بدون دخل", 0),
        ("صفر", 0),
        ("لا", 0),
        ("-200", -200),
    ],
)
def test_parse_amount(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text", ["ما ادري", "مدري والله", "كثير الحمدلله", "", "ريال"])
def test_parse_amount_none(text):
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    "text, value",
    [
        ("3", 3),
        ("٣", 3),
        ("ثلاثة", 3),
        ("عندي ٤", 4),
        ("ما عندي", 0),
        ("ولا واحد", 0),
        ("لا", 0),
        ("ما عندي تابعين", 0),
        ("2.5", 2.5),
        ("-1", -1),
        ("اثنين", 2),
    ],
)
def test_parse_count(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize(
    "text, months",
    [
        ("3", 3),
        ("٣ اشهر", 3),
        ("3 شهور", 3),
        ("ثلاث شهور", 3),
        ("شهر", 1),
        ("شهرين", 2),
        ("٤٥ يوم", 1.5),
        ("٩٠ يوم", 3),
        ("90 يوم", 3),
        ("شهر ونص", 1.5),
        ("شهرين ونص", 2.5),
        ("اسبوعين", 14 / 30),
        ("اسبوع", 7 / 30),
        ("سنة", 12),
        ("سنتين", 24),
        ("سنة و3 شهور", 15),
        ("ثلاث اشهر تقريبا", 3),
        ("تقريبا 4 شهور", 4),
        ("ما سافرت", 0),
        ("ماسافرت", 0),
        ("ما طلعت برا", 0),
        ("ولا يوم", 0),
        ("لا", 0),
        ("ما سافرت الا شهرين", 2),
        ("بشهرين", 2),
    ],
)
def test_parse_duration_months(text, months):
    assert parse_duration_months(text) == pytest.approx(months)


def test_ninety_days_is_exactly_three_months():
    assert parse_duration_months("٩٠ يوم") == 3.0


@pytest.mark.parametrize("text", ["مدري", "كثير", "", "3 4 شهور"])
def test_parse_duration_none(text):
    assert parse_duration_months(text) is None


@pytest.mark.parametrize(
    "text, answer",
    [
        ("ايه", True),
        ("اي", True),
        ("إي", True),
        ("ايوه", True),
        ("ايوا", True),
        ("نعم", True),
        ("اكيد", True),
        ("أكيد", True),
        ("صح", True),
        ("طبعا", True),
        ("yes", True),
        ("Yes", True),
        ("ok", True),
        ("تمام", True),
        ("ماشي", True),
        ("ايه والله", True),
        ("والله ايه", True),
        ("اييييه", True),
        ("اييه", True),
        ("ايه نعم", True),
        ("بلى", True),
        ("لا", False),
        ("لأ", False),
        ("لاااا", False),
        ("مو", False),
        ("مب", False),
        ("ابد", False),
        ("ابدا", False),
        ("لا والله", False),
        ("لا ابد", False),
        ("no", False),
        ("NO", False),
        ("مو كذا", False),
        ("ماسافرت", False),
        ("ما عندي", False),
        ("كلا", False),
        ("غلط", False),
    ],
)
def test_parse_yes_no(text, answer):
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize(
    "text", ["مدري", "ما ادري", "مو متأكد", "يمكن", "", "سعودي", "والله ايه لا"]
)
def test_parse_yes_no_none(text):
    assert parse_yes_no(text) is None


@pytest.mark.parametrize(
    "text, unsure",
    [
        ("مدري", True),
        ("والله ما ادري", True),
        ("مو متأكد", True),
        ("مب متاكد", True),
        ("لا أعلم", True),
        ("not sure", True),
        ("لا", False),
        ("ايه", False),
        ("5000", False),
    ],
)
def test_is_unsure(text, unsure):
    assert is_unsure(text) is unsure


OPTIONS = {"mother": ["امي سعودية", "والدتي سعودية"], "card": ["بطاقة التنقل", "بطاقة تنقل"]}


@pytest.mark.parametrize(
    "text, key",
    [
        ("أمي سعودية", "mother"),
        ("امي سعوديه وابوي اجنبي", "mother"),
        ("معي بطاقة تنقل", "card"),
        ("أحمل بطاقة التنقل", "card"),
        ("لا", None),
        ("امي سعودية ومعي بطاقة تنقل", None),
    ],
)
def test_parse_choice(text, key):
    assert parse_choice(text, OPTIONS) == key


def test_clean_folds_letters_and_digits():
    assert clean("أمي سعودية ٥٠٠٠") == "امي سعوديه 5000"
    assert clean("5k") == "5 k"


# --------------------------------------------------------------------------- replies that correct themselves


@pytest.mark.parametrize(
    "text, value",
    [
        ("٣ لا قصدي ٥", 5),
        ("3 لا قصدي 5", 5),
        ("اربعة.. لا خمسة", 5),
        ("اربعه لا خمسه", 5),
        ("٣ لا ٥", 5),
        ("٣ لا لا ٥", 5),
        ("٥٠٠٠ عفوا ٦٠٠٠", 6000),
        ("خمسة آلاف، اقصد ستة آلاف", 6000),
        ("٣٠ سوري ٣٥", 35),
        ("عمري ٣٠ لا غلطت ٣٥", 35),
        ("٥٠٠٠ قصدي تقريبا", 5000),  # nothing readable after the marker: the first stands
        ("لا ٣", 3),  # "لا" first is no correction
        ("ولا واحد", 0),
    ],
)
def test_a_reply_that_corrects_itself_counts_as_corrected(text, value):
    assert parse_number(text) == value


def test_corrections_reach_counts_amounts_and_durations():
    assert parse_count("٣ لا قصدي ٥") == 5  # not 0 for the "لا"
    assert parse_amount("٥٠٠٠ لا قصدي ٦٠٠٠") == 6000
    assert parse_duration_months("شهرين لا قصدي ٣ شهور") == 3
    assert parse_duration_months("شهرين لا ٣ شهور") == 3


@pytest.mark.parametrize(
    "text, answer",
    [
        ("اكيد لا", False),
        ("طبعا لا", False),
        ("ايه.. لا قصدي لا", False),
        ("لا عفوا ايه", True),
        ("ايه اكيد", True),
    ],
)
def test_yes_no_certainly_not_and_corrected(text, answer):
    assert parse_yes_no(text) is answer


@pytest.mark.parametrize(
    "text, asks",
    [
        ("وش يعني تابع؟", True),
        ("وش يعني تابع", True),
        ("ايش التابع", True),
        ("هل امي تنحسب", True),
        ("زوجتي تنحسب؟", True),
        ("كيف احسبهم", True),
        ("٣؟", True),
        ("زوجتي و٣ عيال", False),
        ("٤", False),
        ("ما عندي", False),
    ],
)
def test_is_question(text, asks):
    assert is_question(text) is asks
