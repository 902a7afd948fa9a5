"""A situation the citizen tells (bot/nlu/situations.py) picks the answer written for it
in place of the list the answer selector chose (bot/nlu/faq_shapes.py): no Rasa."""

import pytest

from bot.content import faq_answers, faq_text, fill
from bot.nlu.faq_shapes import situation_answer, situation_variant
from bot.nlu.situations import situation


@pytest.mark.parametrize(
    "text, told",
    [
        ("انا مطلقة وعيالي في حضانتي يحق لي الدعم؟", "divorced"),
        ("الحاضنة لها حساب مواطن", "divorced"),
        ("زوجي توفى الله يرحمه وكان هو المسجل وش اسوي", "widow"),
        ("انا ارملة هل لي دعم", "widow"),
        ("بعد وفاة زوجي انقطع الدعم", "widow"),
        ("زوجتي توظفت هل لازم ابلغهم", "income_change"),
        ("ولدي الكبير اتعين في شركة", "income_change"),
        ("زاد راتبي هالشهر", "income_change"),
        ("معي بطاقة تنقل هل اقدر اسجل", "mobility_card"),
        ("امي سعودية وابوي اجنبي هل استفيد", "saudi_mother"),
        ("زوجتي اجنبية هل تنحسب", "foreign_wife"),
        ("I am a widow, can I apply?", "widow"),
        ("I'm divorced and have custody of my two children", "divorced"),
        ("My wife got a job, what should I do?", "income_change"),
        ("I hold a mobility card, am I eligible?", "mobility_card"),
        ("My mother is Saudi and my father is Egyptian", "saudi_mother"),
        ("My wife is not Saudi, can she be added?", "foreign_wife"),
    ],
)
def test_the_situation_a_message_tells(text, told):
    assert situation(text) == told


@pytest.mark.parametrize(
    "text",
    ["وش شروط حساب المواطن", "ما اشتغل هل استفيد", "كيف احدث بياناتي", "who benefits", ""],
)
def test_messages_that_tell_no_situation(text):
    assert situation(text) is None


def test_the_situation_replaces_only_the_lists_it_is_written_for():
    assert situation_variant("who_benefits", "انا ارملة هل لي دعم") == "widow"
    assert situation_variant("update_data", "زوجتي توظفت وش اسوي") == "income_change"
    assert situation_variant("nationality_exceptions", "معي بطاقة تنقل") == "mobility_card"
    # the documents asked for by a widow are still the documents
    assert situation_variant("required_documents", "انا ارملة وش الاوراق المطلوبة") is None
    assert situation_variant("who_benefits", "وش الفئات المستفيدة") is None


def test_situation_answers_state_their_case_in_both_languages():
    expected = {
        "widow": ("أرملة", "widow"),
        "divorced_custody": ("مطلقة", "divorcee"),
        "income_change": ("دخل الأسرة", "income"),
        "mobility_card": ("بطاقة التنقل", "mobility card"),
        "saudi_mother": ("أبناء السعودية", "Saudi woman"),
        "foreign_wife": ("الزوجة الأجنبية", "foreign wife"),
    }
    for key, (arabic, english) in expected.items():
        answer = faq_answers()[key]
        assert answer["situation_from"] and all(
            k in faq_answers() for k in answer["situation_from"]
        )
        assert arabic in fill(answer["text"]), key
        assert english.lower() in fill(faq_text(key, "en"), "en").lower(), key


def test_a_situation_told_plainly_has_its_answer_whatever_was_chosen():
    assert situation_answer("My husband died last year, what do I do now?") == "widow"
    assert situation_answer("امي سعودية وابوي اردني") == "saudi_mother"
    assert situation_answer("زوجتي اجنبية") == "foreign_wife"
    assert situation_answer("كيف اغير الايبان") is None


@pytest.mark.parametrize(
    "text, told",
    [
        ("زوجتي لقت شغل في مدرسة", "income_change"),
        ("حرمتي صار لها راتب", "income_change"),
        ("المرحوم زوجي كان مسجل الطلب باسمه", "widow"),
        ("ابوي توفي وكان هو المسجل", "widow"),
        ("العيال عندي بعد الطلاق", "divorced"),
        ("I lost my husband last year", "widow"),
        ("My husband is Saudi and I am from the Philippines", "foreign_wife"),
        ("I'm married to a non-Saudi man, can my children apply?", "saudi_mother"),
        ("متى تداومون", None),
    ],
)
def test_more_ways_to_tell_a_situation(text, told):
    assert situation(text) == told


def test_a_situation_glued_to_and_or_in_another_sentence_is_read():
    assert situation("عندي اربع عيال وزوجي متوفي من سنتين، وش اسوي؟") == "widow"
    assert situation("ابوي كان المسجل وتوفى، الحين وش نسوي؟") == "widow"
    assert situation("عندي ثلاث عيال وزوجتي اجنبية") == "foreign_wife"
    assert situation("عندي بنتين وتوظفت الشهر هذا") == "income_change"
