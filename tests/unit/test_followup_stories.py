"""A long message whose last question leans on the story before it
(bot.services.followups.stories), and the NLU step that marks it."""

import pytest

from bot.services.followups import picker
from bot.services.followups.stories import read_story, story_subject
from tests.unit.test_followups import _message, _shape

OBJECTION = (
    "قدمت اعتراض على الدفعة الاخيرة لانها نزلت ناقصة ٤٠٠ ريال عن الشهر اللي قبله، "
    "وارفقت كشف الراتب وصك الطلاق حق اختي اللي ساكنة معنا. كم ياخذ؟"
)
TICKET = (
    "فتحت بلاغ في صوتك مسموع عن الدفعة اللي ما نزلت، ووصلني رقم الطلب في رسالة، "
    "وصار لي اسبوعين ما احد كلمني. وين اتابعه؟"
)
IBAN = (
    "غيرت الايبان قبل اسبوع لاني فتحت حساب جديد في بنك ثاني، وضغطت حفظ، "
    "بس ما ادري اذا تم التغيير او لا. كم ياخذ وقت؟"
)


@pytest.mark.parametrize(
    "text, topic, key, fact",
    [
        (OBJECTION, "objection_steps", "objection.how_long", "90"),
        (TICKET, "sotak_masmoo", "sotak_masmoo.where", "بوابة حساب المواطن"),
        (IBAN, "change_iban", "any.how_long", "19912"),
    ],
)
def test_the_last_question_is_answered_on_the_subject_the_story_names(text, topic, key, fact):
    ellipsis, told = read_story(text)
    assert told == topic
    answer = picker.pick(told, ellipsis)
    assert answer.key == key and fact in answer.text


def test_the_first_subject_named_is_the_storys():
    assert story_subject("عندي اعتراض على الدفعة وغيرت الايبان بعدها") == "objection_steps"
    assert story_subject("زوجي توفى وعندي ثلاث عيال") is None


@pytest.mark.parametrize(
    "text",
    [
        "كم ياخذ؟",  # no story
        "قدمت اعتراض على الدفعة لانها نزلت ناقصة عن الشهر اللي قبله. كم ياخذ؟",  # short
        # A story ending in a question of its own, or in "what now" about its trouble.
        OBJECTION.replace("كم ياخذ؟", "كيف اقدم اعتراض على دفعة؟"),
        OBJECTION.replace("كم ياخذ؟", "وش اسوي الحين؟"),
        # A story that names no subject the answers know.
        "زوجي توفى الله يرحمه قبل سنة وعندي ثلاث عيال صغار وساكنين في بيت ايجار. وين؟",
    ],
)
def test_other_messages_are_not_read_as_a_story_question(text):
    assert read_story(text) is None


def test_the_nlu_marks_the_story_with_its_topic():
    message = _shape(_message(OBJECTION, "faq", key="faq/dependant_share"))
    assert message.get("intent")["name"] == "followup"
    marked = message.get("followup")
    assert marked["kind"] == "how_long" and marked["topic"] == "objection_steps"
    assert marked["intent"] == "faq"
