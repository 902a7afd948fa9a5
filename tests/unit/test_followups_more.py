"""Follow-ups added for conversations as citizens hold them: a price asked in a word
the classifier reads as "never mind", a day after the hours asked with a verb, "will
they call me?" and "how do I know what happened to it?" after a ticket."""

import pytest

from bot.services.followups import picker
from bot.services.followups.shapes import read
from tests.unit.test_followups import _message, _shape


@pytest.mark.parametrize(
    "text, kind, group",
    [
        ("ويشتغلون الجمعة؟", "who", "friday"),
        ("وفاتحين يوم السبت؟", "who", "days"),
        ("ببلاش؟", "cost", None),
        ("بيتصلون علي؟", "callback", None),
        ("يعني هم بيتصلون علي؟", "callback", None),
        ("طيب كيف اعرف وش صار عليه؟", "how", None),
    ],
)
def test_more_elliptical_shapes(text, kind, group):
    found = read(text)
    assert found is not None and (found.kind, found.group) == (kind, group)


def test_a_price_read_as_never_mind_is_a_followup_and_never_mind_stays():
    assert _shape(_message("ببلاش؟", "cancel")).get("intent")["name"] == "followup"
    assert _shape(_message("بلاش", "cancel")).get("intent")["name"] == "cancel"
    assert _shape(_message("وين؟", "cancel")).get("intent")["name"] == "cancel"


@pytest.mark.parametrize(
    "topic, text, key, facts",
    [
        ("ticket", "بيتصلون علي؟", "ticket.callback", ["فريق الدعم يتواصل"]),
        ("ticket", "كيف اعرف وش صار عليه؟", "ticket.how", ["رقم البلاغ"]),
        ("working_hours", "ويشتغلون الجمعة؟", "contact.who.friday", ["الواحدة ظهرًا", "24 ساعة"]),
        ("working_hours", "والعيد؟", "contact.who.days", ["19912", "24 ساعة"]),
        ("contact_channels", "ببلاش؟", "contact.cost", ["مجاني"]),
    ],
)
def test_the_new_kinds_get_their_fact_on_the_topic(topic, text, key, facts):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key
    for fact in facts:
        assert fact in answer.text


def test_will_they_call_on_another_topic_says_the_sources_do_not():
    answer = picker.pick("change_iban", read("بيتصلون علي؟"))
    assert answer.key == "any.callback"
    assert "ما عندي" in answer.text and "19912" in answer.text


@pytest.mark.parametrize("text", ["وين اتابع بلاغي؟", "وين اتابع الشكوى؟", "من وين اتابع طلبي"])
def test_where_to_follow_a_ticket_up_after_opening_it(text):
    from bot.services.followups.loose import read_loose

    kind, about = read_loose(text)
    answer = picker.pick("ticket", shapes_ellipsis(kind, about))
    assert answer is not None and answer.key == "ticket.where"
    # The same words after an answer that never spoke of a ticket are read on their own.
    assert picker.pick("change_iban", shapes_ellipsis(kind, about)) is None


def shapes_ellipsis(kind, about):
    from bot.services.followups.shapes import Ellipsis

    return Ellipsis(kind, about=tuple(about))


def test_a_where_question_about_a_ticket_after_one_is_a_followup_on_it():
    message = _shape(_message("وين اتابع بلاغي؟", "ticket_status"))
    assert message.get("intent")["name"] == "followup"  # on a ticket topic it is answered there
    # Alone, "how do I find my ticket's status" asks for the status, as before.
    message = _shape(_message("كيف اعرف حالة بلاغي؟", "ticket_status", answer_confidence=0.2))
    assert message.get("intent")["name"] == "ticket_status"


@pytest.mark.parametrize(
    "topic, text, key, facts",
    [
        (
            "password_recovery",
            "وين توصلني الكلمه الجديده؟",
            "password_recovery.delivery",
            ["رسالة نصية"],
        ),
        ("support_dropped", "واذا ولدي تزوج؟", "any.who.dependant_change", ["عدد التابعين"]),
        ("entitlement_calculation", "والمستفيد الاساسي نفسه؟", "shares.who.primary", ["100%"]),
        ("contact_channels", "وفيه رقم ثاني غيره؟", "any.phone", ["19911", "19912"]),
        ("program_about", "ومتى بدأ؟", "any.start", ["2017"]),
        ("program_about", "ومين الجهة المسؤولة عنه؟", "any.authority", ["الموارد البشرية"]),
        ("eligibility_conditions", "طيب على ايش يحسبون الاهلية؟", "eligibility.basis", ["أعمار"]),
        ("eligibility_conditions", "واي بنك؟", "eligibility.subject.iban", ["أي من البنوك"]),
        (
            "single_independent",
            "وكم المبلغ اللي بينزل لي بالريال؟",
            "eligibility.how_much",
            ["ما عندي"],
        ),
        ("update_data", "كم يوم عندي عشان احدث؟", "any.how_long", ["ما عندي", "19912"]),
        ("objection_steps", "وبعدها؟", "objection.next", ["إرسال الطلب", "90"]),
        ("password_recovery", "وبعدها؟", "password_recovery.next", ["الحساب البنكي"]),
    ],
)
def test_facts_asked_in_other_words_on_their_topic(topic, text, key, facts):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key
    for fact in facts:
        assert fact in answer.text


def test_a_followup_asking_something_inside_a_form_is_left_to_the_rules():
    from rasa_sdk import Tracker

    from bot.actions.forms import leave_to_rules

    def latest(kind, original="faq"):
        parse = {"intent": {"name": "followup"}, "followup": {"kind": kind, "intent": original}}
        return Tracker("t", {}, parse, [], False, None, {"name": "ticket_form"}, "action_listen")

    assert leave_to_rules(latest("next"), "open_ticket")  # "وبعد ما اقدمها وش يصير؟"
    assert leave_to_rules(latest("where"), "open_ticket")  # "واقدر اتابعها؟"
    assert not leave_to_rules(latest("who", "inform"), "open_ticket")  # "عمري ٣٥" is an answer
    assert not leave_to_rules(latest("no_sms", "resend_code"), "open_ticket")

    def about(text, words):
        tracker = latest("about")
        tracker.latest_message.update(text=text)
        tracker.latest_message["followup"]["about"] = words
        return tracker

    for kind in ("ask_line", "after", "step"):  # "ويعطوني رقم اتابع فيه؟", "وبعد ما ارسله؟"
        assert leave_to_rules(latest(kind), "open_ticket")
    # A question naming things where the form wants a number, not "وزوجتي" as an answer.
    assert leave_to_rules(about("ويعطوني رقم اتابع فيه؟", ["رقم", "اتابع"]), "open_ticket")
    assert not leave_to_rules(about("وزوجتي", ["زوجتي"]), "open_ticket")
    assert not leave_to_rules(about("زوجتي وامي", ["زوجتي", "امي"]), "open_ticket")


def test_a_followup_inside_a_form_is_answered_on_its_service():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.followups import ActionAnswerFollowup

    parse = {
        "text": "وبعد ما اقدمها وش يصير؟",
        "intent": {"name": "followup"},
        "followup": {"kind": "next", "intent": "faq"},
    }
    events = [
        {"event": "user", "text": "ابي اقدم شكوى"},
        {"event": "bot", "text": "اكتب رقم الهوية"},
        {"event": "user", "text": parse["text"], "parse_data": parse},
    ]
    tracker = Tracker("t", {}, parse, events, False, None, {"name": "ticket_form"}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFollowup().run(dispatcher, tracker, {})
    assert "فريق الدعم يتواصل" in dispatcher.messages[0]["text"]


def test_a_where_question_read_as_no_is_about_the_service_ranked_next():
    message = _message("طيب ولو ما نزلت ابد وين اشتكي؟", "deny", confidence=0.5)
    message.set(
        "intent_ranking",
        [{"name": "deny", "confidence": 0.5}, {"name": "open_ticket", "confidence": 0.29}],
    )
    _shape(message)
    assert message.get("intent")["name"] == "faq_multi"
    selector = message.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/sotak_masmoo"] and selector["offer"] == "open_ticket"
    # A plain "no" stays a "no"; so does a where-question with no service behind it.
    assert _shape(_message("لا", "deny")).get("intent")["name"] == "deny"
    lone = _message("طيب ولو ما نزلت ابد وين اشتكي؟", "deny")
    assert _shape(lone).get("intent")["name"] == "deny"


def test_a_phone_question_read_as_a_ticket_category_is_a_followup():
    message = _shape(_message("وفيه رقم ثاني غيره؟", "inform_ticket_category"))
    assert message.get("intent")["name"] == "followup"
    assert message.get("followup")["kind"] == "phone"


@pytest.mark.parametrize(
    "topic, text, key, facts",
    [
        ("change_mobile", "ومين اكلم؟", "any.phone", ["19912"]),
        (
            "password_recovery",
            "كم ياخذ وقت توصل الرسالة؟",
            "password_recovery.how_long",
            ["ما عندي"],
        ),
        ("working_hours", "وفيه ايميل؟", "any.channel", ["ما عندي", "19912"]),
        ("contact_channels", "عندهم واتساب؟", "any.channel", ["ما عندي", "19912"]),
        ("support_dropped", "طيب كيف ارجعه؟", "support_dropped.how", ["تفاصيل الطلب"]),
        ("required_documents", "وكيف ارفعها؟", "required_documents.where", ["ترفع"]),
        ("update_data", "وكيف ارفعها؟", "update_data.where", ["إدارة المرفقات"]),
        ("objection_steps", "وكم تاخذ المراجعه؟", "objection.how_long", ["90"]),
        ("program_about", "ومين وراه؟", "any.authority", ["الموارد البشرية"]),
    ],
)
def test_whom_to_call_other_channels_and_how_to_get_it_back(topic, text, key, facts):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key
    for fact in facts:
        assert fact in answer.text


def test_why_a_subject_is_asked_for_gets_its_own_answer_after_any_topic():
    from bot.services.followups.loose import read_loose

    kind, about = read_loose("ليش يطلبون الايبان؟")
    answer = picker.pick("registration_steps", shapes_ellipsis(kind, about))
    assert answer.key == "any.why.iban" and "الدعم الشهري" in answer.text


def test_whom_to_call_read_as_a_person_please_is_a_followup_but_a_person_stays():
    assert _shape(_message("ومين اكلم؟", "human_handoff")).get("intent")["name"] == "followup"
    assert _shape(_message("ابي اكلم موظف", "human_handoff")).get("intent")["name"] == (
        "human_handoff"
    )


def test_an_off_topic_reading_after_an_answer_says_the_sources_do_not_give_it():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.followups import ActionAnswerFollowup

    parse = {
        "text": "ومتوفر للايفون كيف؟",
        "intent": {"name": "followup"},
        "followup": {"kind": "how", "intent": "out_of_scope"},
    }
    events = [
        {"event": "user", "text": "كيف احمل التطبيق"},
        {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_faq/mobile_app"}},
        {"event": "user", "text": parse["text"], "parse_data": parse},
    ]
    tracker = Tracker("t", {}, parse, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFollowup().run(dispatcher, tracker, {})
    assert "ما عندي في مصادري" in dispatcher.messages[0]["text"]
    assert "19912" in dispatcher.messages[0]["text"]


@pytest.mark.parametrize(
    "topic, text, key, fact",
    [
        ("eligibility_conditions", "وإذا زوجتي موظفة؟", "eligibility.who.employee", "الحد المانع"),
        ("who_benefits", "وإذا كان عندي سجل تجاري؟", "any.who.business", "19912"),
        ("support_dropped", "ولدي تعدى ١٨", "any.who.dependant_change", "عدد التابعين"),
        ("objection_steps", "وكم مرة اقدر اعترض؟", "any.count", "19912"),
        ("registration_steps", "وهل لازم احضر للمقر؟", "any.visit", "إلكترونيًا"),
        ("eligibility_status", "طيب اقدر اروح لمقرهم؟", "any.visit", "مقر حساب المواطن"),
    ],
)
def test_more_conditions_on_the_topic(topic, text, key, fact):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key and fact in answer.text


def test_a_condition_no_shape_reads_never_starts_a_service():
    message = _shape(_message("وإذا ما عندي ايبان؟", "check_eligibility"))
    assert message.get("intent")["name"] == "followup"
    assert message.get("followup")["kind"] == "if"
    # Not without the "and" that continues a message, nor with a where-question in it.
    assert _shape(_message("اذا ما عندي ايبان", "check_eligibility")).get("intent")["name"] == (
        "check_eligibility"
    )


def test_a_condition_read_as_the_answer_it_follows_says_the_sources_do_not_give_it():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.followups import ActionAnswerFollowup

    parse = {
        "text": "وإذا الحساب مو باسمي؟",
        "intent": {"name": "followup"},
        "followup": {"kind": "if", "intent": "faq"},
        "response_selector": {"faq": {"response": {"intent_response_key": "faq/change_iban"}}},
    }
    events = [
        {"event": "user", "text": "كيف اغير الايبان"},
        {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_faq/change_iban"}},
        {"event": "user", "text": parse["text"], "parse_data": parse},
    ]
    tracker = Tracker("t", {}, parse, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFollowup().run(dispatcher, tracker, {})
    assert "ما عندي في مصادري" in dispatcher.messages[0]["text"]


def test_a_condition_read_as_a_service_says_what_is_not_known_and_offers_the_service():
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from bot.actions.followups import ActionAnswerFollowup

    parse = {
        "text": "وإذا ما عندي ايبان؟",
        "intent": {"name": "followup"},
        "followup": {"kind": "if", "intent": "check_eligibility"},
    }
    events = [
        {"event": "user", "text": "كيف اسجل"},
        {
            "event": "bot",
            "text": "...",
            "metadata": {"utter_action": "utter_faq/registration_steps"},
        },
        {"event": "user", "text": parse["text"], "parse_data": parse},
    ]
    tracker = Tracker("t", {}, parse, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    ActionAnswerFollowup().run(dispatcher, tracker, {})
    reply = dispatcher.messages[0]
    assert "19912" in reply["text"] and reply["buttons"][0]["payload"] == "/check_eligibility"


@pytest.mark.parametrize(
    "topic, text, line",
    [
        ("support_dropped", "وإذا المبلغ غلط؟", "تقدم اعتراض"),
        ("objection_steps", "وإذا ما عندي مستندات؟", "إذا لزم"),
    ],
)
def test_a_condition_gets_the_line_of_the_answer_before_that_speaks_of_it(topic, text, line):
    from bot.services.followups.asking import read_condition

    answer = picker.pick(topic, read_condition(text))
    assert answer.key == f"{topic}.if" and line in answer.text
    assert not answer.text[0].isdigit()  # the step's number is not kept


def test_a_condition_no_line_speaks_of_is_read_on_its_own():
    from bot.services.followups.asking import read_condition

    # Every word must be in one line: the date is there, forgetting it is not.
    assert (
        picker.pick("password_recovery", read_condition("وإذا نسيت تاريخ انتهاء الهوية؟")) is None
    )
    assert read_condition("وإذا خلصت التسجيل وش بعده؟").kind == "next"


def test_a_thanks_between_the_answer_and_the_followup_keeps_the_topic():
    from bot.services.followups.topics import topic_of

    def user(text, intent=None):
        parse = {"intent": {"name": intent}} if intent else {}
        return {"event": "user", "text": text, "parse_data": parse}

    answer = {"event": "bot", "metadata": {"utter_action": "utter_faq/registration_steps"}}
    thanks = [user("كيف اسجل", "faq"), answer, user("شكرا", "thanks"), {"event": "bot"}]
    assert topic_of(thanks + [user("وين؟", "followup")]) == "registration_steps"
    # Only one such exchange, and only small talk: a question in between is a topic of its own.
    twice = thanks + [user("تمام", "affirm"), {"event": "bot"}, user("وين؟", "followup")]
    assert topic_of(twice) is None
    other = [user("كيف اسجل", "faq"), answer, user("ابي اكلم موظف", "human_handoff")]
    assert topic_of(other + [{"event": "bot"}, user("وين؟", "followup")]) is None


def test_what_now_after_the_reply_time_is_what_to_do_while_it_is_studied():
    from bot.services.followups import picker
    from bot.services.followups.shapes import NEXT, Ellipsis

    for lang in ("ar", "en"):
        answer = picker.pick("objection_reply_time", Ellipsis(NEXT), {}, lang)
        under_review = picker.pick("objection_under_review", Ellipsis(NEXT), {}, lang)
        assert answer is not None and answer.text == under_review.text
        assert "19912" in answer.text
    # After the steps, the steps that follow submitting.
    assert picker.pick("objection_steps", Ellipsis(NEXT), {}).key == "objection.next"
