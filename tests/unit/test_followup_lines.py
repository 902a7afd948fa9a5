"""bot.services.followups.lines: the line of the previous answer a short "and X?" asks
about, found by a light stem of its words."""

import pytest

from bot.services.followups import picker
from bot.services.followups.lines import best_line, content_words, read_about, stem
from bot.services.followups.shapes import ABOUT, Ellipsis
from bot.services.followups.shapes import WHO as WHO_KIND

ANSWER = """المستندات اللي ممكن تنطلب عند التسجيل:
• رقم الحساب البنكي (الآيبان) لمقدم الطلب
• صورة الهوية الوطنية سارية المفعول
• صورة سجل الأسرة (القيد)
البوابة تعرض لك المستندات المطلوبة لحالتك، وترفعها قبل إتمام الطلب."""


@pytest.mark.parametrize(
    "a, b", [("يوصلني", "توصلك"), ("اتابع", "تتابع"), ("طلبي", "الطلب"), ("والقيد", "القيد")]
)
def test_a_light_stem_meets_the_same_word_in_another_person(a, b):
    assert stem(a) == stem(b)


def test_the_line_that_names_it_not_the_heading_nor_the_whole_answer():
    assert best_line(ANSWER, content_words("ونسخة القيد؟")) == "صورة سجل الأسرة (القيد)"
    assert best_line(ANSWER, content_words("والايبان؟")).startswith("رقم الحساب البنكي")
    assert best_line(ANSWER, content_words("وتويتر؟")) is None


def test_a_word_most_lines_use_tells_nothing():
    # "صورة" is in two of four lines, "الطلب" in two: the line is chosen by "الهوية".
    assert best_line(ANSWER, content_words("وصورة الهوية؟")).startswith("صورة الهوية")
    lines = "\n".join(f"• شرط {n} للطلب" for n in ("أول", "ثاني", "ثالث"))
    assert best_line(lines, ["الطلب"]) is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("وتويتر؟", ("وتويتر",)),
        ("ونسخة القيد؟", ("ونسخه", "القيد")),
        ("طيب والقطاع الخاص؟", ("والقطاع", "الخاص")),
        ("and twitter?", ("twitter",)),
        ("what about the family record?", ("family", "record")),
    ],
)
def test_and_x_is_read_with_what_it_names(text, words):
    ellipsis = read_about(text)
    assert ellipsis is not None and ellipsis.kind == ABOUT and ellipsis.about == words


@pytest.mark.parametrize(
    "text",
    ["وين اسجل", "وش الشروط", "ولو كان ساكن معي؟", "كيف اسجل", "تويتر", "/faq", "",
     "والله ما فهمت وش تقصد بالكلام هذا كله"],
)  # fmt: skip
def test_questions_of_their_own_and_long_messages_are_not_and_x(text):
    assert read_about(text) is None


def test_the_picked_line_comes_under_the_answers_title_in_the_citizens_language():
    ar = picker.pick_line("required_documents", ["القيد"])
    assert ar.key == "required_documents.line" and "(القيد)" in ar.text and "«" in ar.text
    en = picker.pick_line("contact_channels", ["twitter"], "en")
    assert "Twitter" in en.text and "@citizenaccount" in en.text
    assert picker.pick_line("contact_channels", ["القيد"]) is None
    assert picker.pick_line(None, ["القيد"]) is None
    assert picker.pick_line("precheck", ["القيد"]) is None  # no FAQ text to read


def _shaped(text, intent):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.7},
            "intent_ranking": [{"name": intent, "confidence": 0.7}],
        }
    )
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    return message


def test_the_nlu_marks_and_x_read_as_an_faq_but_not_a_forms_answer():
    marked = _shaped("وتويتر؟", "faq")
    assert marked.get("intent")["name"] == "followup"
    assert marked.get("followup")["kind"] == ABOUT and marked.get("followup")["intent"] == "faq"
    # Read as an answer to a form's question, it stays that form's answer.
    assert _shaped("وسيارتي", "inform").get("intent")["name"] == "inform"


@pytest.mark.parametrize(
    "text, asks",
    [
        ("واقدر اتابع الشكوى بعدين؟", True),
        ("اقدر اعرف نتيجتي؟", True),
        ("ابي اتابع بلاغي", False),
        # What is wanted, then "how?" of it: a question, not a request to start.
        ("ابي ارفع شكوى على حساب المواطن كيف؟", True),
        ("ابي اقدم اعتراض، كيف؟", True),
        ("الدفعه نزلت ناقصه ٣٠٠ ريال عن الشهر اللي قبله ابي اعترض كيف", True),
        ("ابي ارفع شكوى", False),
    ],
)
def test_whether_a_service_lets_you_is_a_question_not_a_request(text, asks):
    from bot.services.followups.asking import asks_about_service

    assert asks_about_service(text) is asks


@pytest.mark.parametrize("text", ["وباي يوم بالضبط؟", "واي تاريخ ينزل؟", "طيب اي يوم؟"])
def test_which_day_is_asked_as_when(text):
    from bot.services.followups.shapes import HOW_LONG, read

    assert read(text).kind == HOW_LONG


def test_a_where_question_read_as_a_no_is_about_the_service_ranked_behind():
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    ranking = [("deny", 0.58), ("faq", 0.19), ("open_ticket", 0.08)]
    message = Message(
        data={
            "text": "طيب ولو ما نزلت ابد وين اشتكي؟",
            "intent": {"name": "deny", "confidence": 0.58},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "response_selector": {
                "faq": {"response": {"intent_response_key": "faq/update_data", "confidence": 0.1}}
            },
        }
    )
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    assert message.get("intent")["name"] == "faq_multi"
    assert message.get("response_selector")["faq"]["offer"] == "open_ticket"
    # A plain "no" stays a no.
    message = Message(data={"text": "لا", "intent": {"name": "deny", "confidence": 0.9},
                            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking]})  # fmt: skip
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    assert message.get("intent")["name"] == "deny"


@pytest.mark.parametrize(
    "text", ["يعني لو ولدي تزوج ينقص؟", "واذا بنتي توفت ينقص الدعم؟", "what if my son got married?"]
)
def test_a_dependant_who_married_or_died_is_read_with_what_it_does_to_the_support(text):
    from bot.services.followups.english import read_english
    from bot.services.followups.shapes import WHO, read

    ellipsis = read_english(text) or read(text)
    assert ellipsis.kind == WHO and ellipsis.group == "dependant_change"


@pytest.mark.parametrize(
    "text, group",
    [
        ("انا موظف حكومي، اقدر اسجل في حساب المواطن؟", "employee"),
        ("انا متقاعد وعندي عيال يحق لي؟", "retired"),
        ("im a government employee, can i still register??", "employee"),
        ("ana mwathaf 7komi a8dar astafeed?", "employee"),
    ],
)
def test_a_group_told_with_can_i_register_is_read_as_that_groups_eligibility(text, group):
    from bot.services.followups.told import read_told

    assert read_told(text) == Ellipsis(WHO_KIND, group=group)


@pytest.mark.parametrize(
    "text", ["انا موظف حكومي", "can i register?", "انا ارملة اقدر اسجل؟", "وش شروط حساب المواطن"]
)
def test_no_group_or_no_question_or_a_situation_is_left_to_the_nlu(text):
    from bot.services.followups.told import read_told

    assert read_told(text) is None


def test_the_nlu_marks_a_told_group_unless_the_selector_is_sure_of_a_specific_answer():
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    def shaped(key, confidence):
        message = Message(
            data={
                "text": "انا موظف حكومي، اقدر اسجل في حساب المواطن؟",
                "intent": {"name": "faq", "confidence": 0.9},
                "intent_ranking": [{"name": "faq", "confidence": 0.9}],
                "response_selector": {
                    "faq": {"response": {"intent_response_key": key, "confidence": confidence}}
                },
            }
        )
        FollowupShapes(FollowupShapes.get_default_config()).process([message])
        return message

    marked = shaped("faq/single_independent", 0.2)
    assert marked.get("intent")["name"] == "followup"
    assert marked.get("followup")["group"] == "employee"
    assert marked.get("followup")["topic"] == "eligibility_conditions"
    assert shaped("faq/eligibility_conditions", 0.9).get("intent")["name"] == "followup"
    assert shaped("faq/single_independent", 0.9).get("intent")["name"] == "faq"


def test_and_x_with_a_question_word_asks_its_own_question():
    assert read_about("ويسكر الساعه كم؟") is None
    assert read_about("and how much?") is None
    assert read_about("ولازم ارفعها كلها؟").about == ("ارفعها", "كلها")


@pytest.mark.parametrize("text", ["والرمز يجيني على وش؟", "الرمز يوصل على وين"])
def test_what_arrives_then_where_asks_where_it_arrives(text):
    from bot.services.followups.shapes import DELIVERY, read

    assert read(text).kind == DELIVERY


@pytest.mark.parametrize(
    "text, age", [("ok and our kid hes 5?", 5), ("and the older one is 19", 19)]
)
def test_an_english_age_told_of_our_kid_is_asked_about_that_age(text, age):
    from bot.services.followups.english import read_english

    assert read_english(text).age == age


def test_a_how_question_read_as_a_forms_answer_gets_the_faq_the_selector_is_sure_of():
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    def shaped(text, confidence):
        message = Message(
            data={
                "text": text,
                "intent": {"name": "inform_ticket_category", "confidence": 0.6},
                "intent_ranking": [
                    {"name": "inform_ticket_category", "confidence": 0.6},
                    {"name": "faq", "confidence": 0.4},
                ],
                "response_selector": {
                    "faq": {
                        "response": {
                            "intent_response_key": "faq/objection_steps",
                            "confidence": confidence,
                        }
                    }
                },
            }
        )
        FollowupShapes(FollowupShapes.get_default_config()).process([message])
        return message.get("intent")["name"]

    assert shaped("كيف اعترض على الدفعه؟ المبلغ اللي نزل غلط", 0.77) == "faq"
    assert shaped("كيف اعترض على الدفعه؟ المبلغ اللي نزل غلط", 0.2) == "inform_ticket_category"
    assert shaped("الدفعات", 0.77) == "inform_ticket_category"  # an answer, not a question


@pytest.mark.parametrize(
    "text",
    ["على وش يحددون الاهلية في حساب المواطن؟", "what criteria they use to decide eligibility?"],
)
def test_what_eligibility_is_worked_out_on_is_read_in_both_languages(text):
    from bot.services.followups.english import read_english
    from bot.services.followups.shapes import BASIS, read

    assert (read_english(text) or read(text)).kind == BASIS
