"""bot.services.followups.steps and the line questions of lines.py: a step of the
previous answer named by its number, the steps after one it names, and a short question
that continues the answer before and names one of its lines."""

import pytest

from bot.content import faq_text, fill
from bot.services.followups import picker
from bot.services.followups.lines import best_line, line_needs, read_line_question
from bot.services.followups.shapes import AFTER, ASK_LINE, STEP, Ellipsis
from bot.services.followups.steps import after_step, nth_step, read_after, read_step, steps_of

STEPS = """لاستعادة كلمة المرور:
1. ادخل البوابة واضغط "نسيت كلمة المرور"
2. أدخل رقم الهوية وتاريخ الميلاد
3. توصلك رسالة نصية بكلمة مرور مؤقتة
4. ادخل بها ثم غيّرها لكلمة مرور جديدة
5. كمّل بيانات الدخل والعنوان
إذا تغير جوالك تواصل على 19912."""


@pytest.mark.parametrize(
    "text, number",
    [
        ("الخطوه الثانيه وش كانت؟ ما فهمتها", 2),
        ("الخطوة رقم ٣؟", 3),
        ("ثاني خطوه كيف؟", 2),
        ("what is step 4?", 4),
        ("the second step?", 2),
    ],
)
def test_a_step_named_by_its_number(text, number):
    ellipsis = read_step(text)
    assert ellipsis is not None and ellipsis.kind == STEP and ellipsis.about == (str(number),)


@pytest.mark.parametrize("text", ["كم خطوة؟", "خطوات التسجيل", "step by step please", ""])
def test_no_step_number_no_step(text):
    assert read_step(text) is None


def test_the_nth_step_and_none_past_the_last():
    assert nth_step(STEPS, 2) == "أدخل رقم الهوية وتاريخ الميلاد"
    assert nth_step(STEPS, 6) is None and nth_step(STEPS, 0) is None
    assert nth_step("بدون خطوات مرقمة", 1) is None


@pytest.mark.parametrize(
    "text, words",
    [
        ("وبعد ما ادخل فيها؟", ("ادخل",)),
        ("وبعد ما اغير كلمة المرور ويش المطلوب؟", ("اغير", "كلمه", "المرور")),
        ("طيب بعدما توصلني الرساله؟", ("توصلني", "الرساله")),
        ("what do i do after i get the sms?", ("sms",)),
        # A step told done, then "and then?" asked of it.
        ("دخلتها وجتني رساله فيها رمز، وبعدين؟", ("دخلتها", "وجتني", "رساله", "رمز")),
        ("سجلت دخولي وبعدين وش اسوي؟", ("سجلت", "دخولي")),
        (
            "i logged in with the temporary password, then what?",
            ("logged", "temporary", "password"),
        ),
    ],
)
def test_after_a_step_is_read_with_the_step_named(text, words):
    ellipsis = read_after(text)
    assert ellipsis is not None and ellipsis.kind == AFTER and ellipsis.about == words


@pytest.mark.parametrize(
    "text",
    ["طيب وبعدين؟", "and after that?", "وبعدها؟", "بعد", "", "طيب، وبعدين؟", "ok then what?"],
)
def test_then_without_a_step_is_not_after(text):
    assert read_after(text) is None


def test_what_follows_then_and_the_steps_after():
    # "ادخل" is in steps 1, 2 and 4: the later one, and the rest after its "ثم".
    assert after_step(STEPS, ["ادخل"]) == ["غيّرها لكلمة مرور جديدة", "كمّل بيانات الدخل والعنوان"]
    # The message the citizen got: the two steps after it.
    assert after_step(STEPS, ["الرساله"]) == [
        "ادخل بها ثم غيّرها لكلمة مرور جديدة",
        "كمّل بيانات الدخل والعنوان",
    ]
    assert after_step(STEPS, ["الدخل", "والعنوان"]) == []  # the last step
    assert after_step(STEPS, ["تويتر"]) is None


def test_a_step_told_done_gets_the_steps_after_it():
    told = read_after("دخلتها وجتني رساله فيها رمز، وبعدين؟")
    assert after_step(STEPS, list(told.about)) == [
        "ادخل بها ثم غيّرها لكلمة مرور جديدة",
        "كمّل بيانات الدخل والعنوان",
    ]


def test_income_is_not_logging_in():
    # A light stem makes "الدخل" and "ادخل" one word; a step is looked for by the verb.
    steps = "1. ادخل البوابة\n2. اكتب رقم الهوية\n3. أضف بيانات الدخل"
    assert after_step(steps, ["ادخل"]) == ["اكتب رقم الهوية", "أضف بيانات الدخل"]


def test_the_real_answers_have_their_steps():
    after = after_step(fill(faq_text("password_recovery")), ["ادخل"])
    assert after and "كلمة مرور جديدة" in after[0]
    english = after_step(fill(faq_text("password_recovery", "en"), "en"), ["log"])
    assert english and "new password" in english[0]


@pytest.mark.parametrize(
    "text, words",
    [
        ("وكيف اعرف رقم الطلب؟", ("اعرف", "رقم", "الطلب")),
        ("ومين بيكلمني بعدين؟", ("بيكلمني",)),
        ("طيب والرساله وش يكون فيها؟", ("والرساله",)),
        ("and who contacts me?", ("contacts",)),
        ("وش الحالات اللي ممكن تطلع؟", ("الحالات", "تطلع")),
    ],
)
def test_a_question_continuing_the_answer_names_its_words(text, words):
    ellipsis = read_line_question(text)
    assert ellipsis is not None and ellipsis.kind == ASK_LINE and ellipsis.about == words


@pytest.mark.parametrize(
    "text", ["كيف اسجل؟", "وين", "/faq", "", "والله ما فهمت وش تقصد بالكلام هذا كله يا اخوي"]
)
def test_a_question_of_its_own_is_not_a_line_question(text):
    assert read_line_question(text) is None


def test_a_line_question_needs_enough_of_its_words_in_the_line():
    answer = (
        "مميزاتها:\n• يوصلك رقم الطلب برسالة نصية\n• فريق الدعم يتواصل معك\n"
        "• تتابع طلبك من البوابة\n• حل المشكلات إلكترونيًا"
    )
    words = list(read_line_question("وكيف اعرف رقم الطلب؟").about)
    assert best_line(answer, words, line_needs(words)) == "يوصلك رقم الطلب برسالة نصية"
    # "مين بيكلمني" is the support team that gets in touch ("كلم" is "تواصل").
    words = list(read_line_question("ومين بيكلمني بعدين؟").about)
    assert best_line(answer, words, line_needs(words)) == "فريق الدعم يتواصل معك"
    # One word of two is not enough: "وين مقرهم في جدة" is not the portal line.
    assert best_line(answer, ["مقرهم", "البوابه"], line_needs(["مقرهم", "البوابه"])) is None


@pytest.mark.parametrize(
    "text, told",
    [
        ("سويت التحقق من الاهلية وطلع اني مو مستحق", True),
        ("رفعت اعتراض مالي قبل شهرين وللحين حالته تحت الدراسه", True),
        ("قدمت شكوى ولا احد رد علي", True),
        ("ابي اسوي تحقق", False),
        ("ابي اعرف حالة اعتراضي", False),
        ("رفعت اعتراض", False),  # used, nothing told of what came of it
    ],
)
def test_a_service_already_used_told_with_its_outcome(text, told):
    from bot.services.followups.asking import tells_outcome

    assert tells_outcome(text) is told


@pytest.mark.parametrize(
    "text, intent, answer",
    [
        ("سويت التحقق من الاهلية وطلع اني مو مستحق", "check_eligibility", "faq/eligibility_status"),
        (
            "رفعت اعتراض قبل شهرين وللحين تحت الدراسه",
            "objection_status",
            "faq/objection_reply_time",
        ),
    ],
)
def test_an_outcome_told_gets_what_it_means_and_the_service_offered(text, intent, answer):
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    selector = {"faq": {"response": {"intent_response_key": "faq/update_data", "confidence": 0.2}}}
    message = Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.95},
            "intent_ranking": [{"name": intent, "confidence": 0.95}],
            "response_selector": selector,
        }
    )
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    assert message.get("intent")["name"] == "faq_multi"
    assert message.get("response_selector")["faq"]["answers"] == [answer]
    assert message.get("response_selector")["faq"]["offer"] == intent


@pytest.mark.parametrize(
    "text, kind",
    [
        ("ليش؟ انا سعودي وعمري ٣٠", "why"),
        ("وين؟ انا ساكن في جدة", "where"),
        ("طيب وش اسوي اذا شايف انه غلط؟", "next"),
    ],
)
def test_a_short_question_then_what_the_citizen_tells(text, kind):
    from bot.services.followups.asking import read_first_question

    assert read_first_question(text).kind == kind


@pytest.mark.parametrize(
    "text",
    ["ليش؟", "كيف اسجل؟ وش الشروط؟", "انا سعودي؟ ايه", "", "ابي اسجل في حساب المواطن اذا اقدر"],
)
def test_no_question_first_or_two_questions(text):
    from bot.services.followups.asking import read_first_question

    assert read_first_question(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "والقيد من وين اطلعه؟",
        "طيب وين اطلع هالبطاقة؟",
        "وش الورقة اللي تثبت اني ساكن لحالي؟",
        "وكيف اثبت اني مستقل بالسكن؟",
        "where do i get the family record?",
        "which document proves i live alone?",
    ],
)
def test_which_paper_or_where_to_get_it(text):
    from bot.services.followups.papers import read_paper
    from bot.services.followups.shapes import PAPER

    assert read_paper(text).kind == PAPER


@pytest.mark.parametrize(
    "text",
    [
        "وش الاوراق المطلوبة للتسجيل؟",  # the documents' own question
        "what documents do i need",
        "وين اسجل؟",
        "وين اطلع على حالة طلبي؟",  # where to look, not where to get
        "where do i get my result",
    ],
)
def test_the_documents_question_and_where_to_look_are_not_papers(text):
    from bot.services.followups.papers import read_paper

    assert read_paper(text) is None


def test_a_paper_is_answered_plainly_unknown_in_both_languages():
    from bot.services.followups.shapes import PAPER

    for topic in ("single_independent", "required_documents", "mobility_card"):
        answer = picker.pick(topic, Ellipsis(PAPER))
        assert "ما عندي" in answer.text and "19912" in answer.text
    english = picker.pick("single_independent", Ellipsis(PAPER), {}, "en")
    assert "do not say" in english.text and "19912" in english.text


def test_two_questions_of_one_paper_are_one_paper_question():
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.followup_shapes import FollowupShapes

    text = "وكيف اثبت اني ساكن لحالي؟ وش الورقه المطلوبه بالضبط؟"
    message = Message(
        data={
            "text": text,
            "intent": {"name": "faq_multi", "confidence": 0.9},
            "intent_ranking": [{"name": "faq_multi", "confidence": 0.9}],
        }
    )
    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    assert message.get("intent")["name"] == "followup"
    assert message.get("followup")["kind"] == "paper"


@pytest.mark.parametrize(
    "text, asks",
    [
        ("والايميل نفس الشي؟ ابي اغيره", True),
        ("whats the email to send a complaint to?", True),
        ("wesh el email 7ag 7sab el mowa6en", True),
        ("وفيه بريد الكتروني؟", True),
        ("وش الشروط", False),
        ("الموقع الالكتروني وش هو", False),
    ],
)
def test_an_email_address_is_asked(text, asks):
    from bot.services.followups.asking import read_email

    assert (read_email(text) is not None) is asks


def test_no_source_gives_an_email_address():
    from bot.services.followups.shapes import EMAIL

    arabic = picker.pick("contact_channels", Ellipsis(EMAIL))
    assert "إيميل" in arabic.text and "19912" in arabic.text and "@" not in arabic.text
    english = picker.pick("contact_channels", Ellipsis(EMAIL), {}, "en")
    assert "no e-mail address" in english.text and "19912" in english.text


@pytest.mark.parametrize(
    "text, kind",
    [("وإذا ما حدثت وش بيصير؟", "not_done"), ("واذا انرفض وش يصير", "rejected")],
)
def test_a_case_then_what_happens_is_asked_of_the_case(text, kind):
    from bot.services.followups.asking import read_case_first

    assert read_case_first(text).kind == kind


@pytest.mark.parametrize("text", ["وش يصير بعدين", "طيب وش يصير", "وش الشروط"])
def test_what_happens_alone_is_not_a_case(text):
    from bot.services.followups.asking import read_case_first

    assert read_case_first(text) is None


@pytest.mark.parametrize(
    "text, corrects",
    [
        ("لا قصدي رقم الجوال مو كلمة المرور", True),
        ("لا، اقصد البيانات اللي اعبيها", True),
        ("no i mean the mobile number", True),
        ("لا", False),
        ("قصة حساب المواطن", False),
    ],
)
def test_a_correction_of_the_answer_just_given(text, corrects):
    from bot.services.followups.asking import read_correction

    assert (read_correction(text) is not None) is corrects


def test_what_arrives_is_what_reaches_you():
    # "تجيني الرساله" is "توصلك رسالة": the step with the message, not "إرسال الطلب".
    steps = (
        '1. ادخل البوابة\n2. توصلك رسالة نصية بكلمة مرور\n3. وافق على الشروط\n4. اضغط "إرسال الطلب"'
    )
    assert after_step(steps, ["تجيني", "الرساله"]) == ["وافق على الشروط", 'اضغط "إرسال الطلب"']


@pytest.mark.parametrize(
    "text, kind",
    [
        ("بس ما وصلتني اي رساله", "no_sms"),
        ("يعني لو ما حدثت يوقفونه؟", "not_done"),
    ],
)
def test_a_case_told_with_more_words(text, kind):
    from bot.services.followups.asking import read_condition
    from bot.services.followups.shapes import read

    assert (read(text) or read_condition(text)).kind == kind


def test_after_an_answer_without_steps_the_topics_and_then():
    after = picker.pick_after("sotak_masmoo", ["ارفع", "الطلب"])
    assert after is not None and "رقم الطلب" in after.text
    assert picker.pick_after("sotak_masmoo", ["تويتر"]) is None


def test_a_paper_the_sources_name_is_answered_with_it():
    from rasa_sdk import Tracker

    from bot.actions.followups import ActionAnswerFollowup
    from bot.services.followups.papers import OBTAIN, PROOF, read_paper
    from tests.support.actions import load_domain, run_action

    assert read_paper("وش الورقة اللي تثبت دخلي؟").group == PROOF
    assert read_paper("والقيد من وين اطلعه؟").group == OBTAIN

    def reply(text, lang="ar"):
        ellipsis = read_paper(text)
        latest = {"text": text, "intent": {"name": "followup"},
                  "followup": {**ellipsis.as_dict(), "intent": "faq"}}  # fmt: skip
        slots = {"last_topic": None, "language": lang}
        tracker = Tracker("c", slots, latest, [], False, None, {}, "action_listen")
        msgs, _ = run_action(ActionAnswerFollowup(), tracker, load_domain("followups"))
        return "\n".join(m.get("text") or "" for m in msgs)

    # The salary statement proves income; nothing in the sources proves living alone.
    assert "الراتب الشهري" in reply("وش الورقة اللي تثبت دخلي؟")
    assert "ما عندي" in reply("وش الورقة اللي تثبت اني ساكن لحالي؟")
    assert "monthly salary" in reply("what document proves my income?", "en")
    # Where to get one is never in the sources, even for a document they name.
    assert "ما عندي" in reply("والقيد من وين اطلعه؟")


REASONS = """أبرز أسباب نقص مبلغ الدعم:
• زيادة الدخل الشهري للأسرة، فيُعاد احتساب الدعم ويقل
• نقص عدد التابعين المؤهلين (زواج، وفاة، أو تجاوز السن)
• عدم تحديث البيانات بعد أي تغيير خلال المدة المحددة"""
DEPENDANTS = "نقص عدد التابعين المؤهلين (زواج، وفاة، أو تجاوز السن)"


@pytest.mark.parametrize(
    "text",
    [
        "ولدي تزوج الشهر اللي فات، هذا له دخل؟",
        "ولدي تزوج قبل شهرين، ممكن هذا السبب؟",
        "بنتي كبرت وتجاوزت السن، هذا يأثر؟",
        "الا صح ولدي الكبير تزوج الشهر اللي فات وطلع من البيت، هذا السبب؟",
    ],
)
def test_a_yes_or_no_on_one_case_of_a_list_gets_that_line(text):
    ellipsis = read_line_question(text)
    assert ellipsis is not None and ellipsis.kind == ASK_LINE
    words = list(ellipsis.about)
    # "هذا له دخل" asks whether: not the income line.
    assert best_line(REASONS, words, line_needs(words, ellipsis.group)) == DEPENDANTS


def test_living_alone_is_the_answers_independent_housing():
    ellipsis = read_line_question("يعني لازم اكون ساكن لحالي؟")
    line = "يقدر يسجل كمستفيد مستقل، بشرط يثبت استقلالية السكن"
    words = list(ellipsis.about)
    assert (
        best_line(line + "\nوتتابع طلبك من البوابة", words, line_needs(words, ellipsis.group))
        == line
    )


def test_a_long_message_without_a_yes_or_no_is_no_line_question():
    assert read_line_question("ولدي تزوج الشهر اللي فات وبنتي كبرت وانا ساكن لحالي؟") is None


@pytest.mark.parametrize("text", ["is it free to call?", "and are they open on friday?"])
def test_an_english_yes_or_no_needs_one_word_of_a_line(text):
    ellipsis = read_line_question(text)
    assert ellipsis is not None and ellipsis.group == "yes_no"
    assert line_needs(list(ellipsis.about), ellipsis.group) == 1


@pytest.mark.parametrize(
    "text", ["واخر زر اضغطه وش اسمه بالضبط؟", "وش الزر الاخير؟", "what is the last step?"]
)
def test_the_last_step_or_button_is_the_answers_last(text):
    ellipsis = read_step(text)
    assert ellipsis is not None and ellipsis.about == ("-1",)
    assert nth_step(STEPS, int(ellipsis.about[0])) == "كمّل بيانات الدخل والعنوان"


def test_one_last_thing_is_not_the_last_step():
    assert read_step("اخر شي ابي اسالك عن الايبان") is None


def test_the_last_step_is_quoted_with_its_number():
    answer = picker.pick_step("registration_steps", -1)
    steps = steps_of(fill(faq_text("registration_steps")))
    assert answer is not None and f"الخطوة {len(steps)} " in answer.text
    assert steps[-1] in answer.text


def test_a_step_told_done_then_what_comes_after_it():
    told = read_after("وافقت على الشروط والاحكام، وش اللي بعدها؟")
    assert told is not None and told.kind == AFTER and "الشروط" in told.about
