"""Follow-ups: which messages are elliptical and what they ask (bot.services.followups.shapes),
the previous answer's topic (topics), the answer picked on it (picker), the content behind
it (bot/content/followups.yml) and the NLU step that marks them (bot/nlu/followup_shapes.py)."""

import re

import pytest

from bot.content import buttons_catalogue, faq_answers, followup_content
from bot.services.followups import picker, shapes
from bot.services.followups.asking import asks_about_service
from bot.services.followups.shapes import Ellipsis, read
from bot.services.followups.topics import TOPIC_SLOT, objection_topic, topic_of

# ------------------------------------------------------------------ the classifier


@pytest.mark.parametrize(
    "text, kind, group, age",
    [
        ("وين؟", "where", None, None),
        ("طيب وينه بالضبط؟", "where", None, None),
        ("من وين؟", "where", None, None),
        ("وين ألقاها؟", "where", None, None),
        ("الرابط وين؟", "where", None, None),
        ("وش احتاج؟", "what", None, None),
        ("وش يبون مني؟", "what", None, None),
        ("وش المطلوب؟", "what", None, None),
        ("كم ياخذ وقت؟", "how_long", None, None),
        ("كم يوم ياخذ الرد؟", "how_long", None, None),
        ("متى يردون؟", "how_long", None, None),
        ("ومتى يصير التغيير؟", "how_long", None, None),
        ("طيب وبعدين؟", "next", None, None),
        ("طيب وش اسوي الحين؟", "next", None, None),
        ("وش الخطوة الجاية؟", "next", None, None),
        ("والحل؟", "next", None, None),
        ("ليش؟", "why", None, None),
        ("ليه؟", "why", None, None),
        ("ليش طلعت كذا؟", "why", None, None),
        ("ليش طلعت غير مؤهل؟", "why_not", None, None),
        ("ليش رفضوني؟", "why_not", None, None),
        ("وش السبب؟", "why", None, None),
        ("كيف؟", "how", None, None),
        ("وش رقمهم؟", "phone", None, None),
        ("مجاني؟", "cost", None, None),
        ("وكم؟", "how_much", None, None),
        ("وإذا رفضوه؟", "rejected", None, None),
        ("وإذا طلعت غير مؤهل؟", "rejected", None, None),
        ("وإذا انقبل؟", "accepted", None, None),
        ("وإذا تأخر؟", "late", None, None),
        ("وإذا ما ردوا علي؟", "late", None, None),
        ("وإذا ما وصلتني الرسالة؟", "no_sms", None, None),
        ("وإذا تغير جوالي؟", "mobile_changed", None, None),
        ("والأرملة؟", "who", "widow", None),
        ("طيب والمطلقة؟", "who", "divorced", None),
        ("وبالنسبة للمطلقة؟", "who", "divorced", None),
        ("والزوجة؟", "who", "wife", None),
        ("والزوجة الأجنبية؟", "who", "foreign_wife", None),
        ("والأعزب؟", "who", "single", None),
        ("والمسجون؟", "who", "prison", None),
        ("وإذا كان مسافر؟", "who", "traveller", None),
        ("وإذا ساكن برا؟", "who", "traveller", None),
        ("وإذا كنت مسافر برا؟", "who", "traveller", None),
        ("وإذا سافرت ٤ شهور؟", "who", "traveller", None),
        ("وإذا عنده إعاقة؟", "who", "disabled", None),
        ("واللي ما يشتغل؟", "who", "unemployed", None),
        ("والموظف؟", "who", "employee", None),
        ("وحاملين بطاقة التنقل؟", "who", "mobility_card", None),
        ("وعيال السعودية من اجنبي؟", "who", "saudi_mother", None),
        ("والمتقاعد؟", "who", "retired", None),
        ("وانا؟", "who", "primary", None),
        ("واللي فوق ١٨؟", "who", None, 19),
        ("واللي تحت 18؟", "who", None, 17),
        ("وإذا كان عمره ١٢؟", "who", None, 12),
        ("وإذا عمري ١٧؟", "who", None, 17),
        ("و 17؟", "who", None, 17),
        ("ولدي عمره ٢٠", "who", None, 20),
        ("والمطلقة اللي عندها عيال؟", "who", "divorced", None),
        ("وإذا كان ساكن مع أهله؟", "who", "with_family", None),
        ("طيب وبعد ما احدثها؟", "next", None, None),
        ("كم ياخذ وقت عشان توصل الرسالة؟", "how_long", None, None),
        ("وكم ياخذ وقت على ما يردون؟", "how_long", None, None),
        ("وش يصير بعد ما ارفعها؟", "next", None, None),
        ("طيب وبعدين وش اختار؟", "next", None, None),
        ("طيب واذا عندي ولد عمره ٢٠؟", "who", None, 20),
    ],
)
def test_elliptical_messages_say_what_they_ask(text, kind, group, age):
    assert read(text) == Ellipsis(kind, group, age)


@pytest.mark.parametrize(
    "text",
    [
        # a subject of their own: read on their own, as before
        "وين اسجل؟",
        "وش ساعات العمل؟",
        "طيب وش رقم خدمة العملاء",
        "كم نصيب الزوجة؟",
        "كم نصيب التابع اللي عمره فوق 18؟",
        "متى ينزل الدعم؟",
        "ليش نقص الدعم؟",
        "كيف اسجل؟",
        "وش شروط حساب المواطن؟",
        "وش المستندات المطلوبة؟",
        "وين وصل اعتراضي",
        "ابي افتح بلاغ",
        "وين اشوف الدفعات؟",
        "كم ياخذ وقت عشان ينزل الدعم هالشهر بعد التحديث؟",
        # answers to a form's question, not questions
        "16",
        "ساكن",
        "ايه",
        "طيب",
        "بلاش",
        # buttons
        "/affirm",
        '/faq_pick{"faq_key": "working_hours"}',
        "",
    ],
)
def test_self_contained_messages_and_answers_are_not_followups(text):
    assert read(text) is None


def test_a_long_message_is_never_a_followup():
    assert read("وين " + " ".join(["بالضبط"] * shapes.MAX_WORDS)) is None


@pytest.mark.parametrize(
    "text, asks",
    [
        ("وين اقدم بلاغ؟", True),
        ("وش احتاج عشان افتح بلاغ", True),
        ("طيب وين؟", True),
        ("كيف اعرف اذا انا مؤهل ولا لا؟", True),
        ("ابي افتح بلاغ", False),
        ("ابي اعرف اذا انا مستحق", False),
    ],
)
def test_questions_about_a_service_are_told_from_requests(text, asks):
    assert asks_about_service(text) is asks


# ------------------------------------------------------------------ the topic


def _user(text="x"):
    return {"event": "user", "text": text}


def _faq_reply(key):
    return {"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_faq/{key}"}}


def test_the_topic_is_the_previous_faq_answer():
    events = [_user("كيف اسجل"), _faq_reply("registration_steps"), _user("وين؟")]
    assert topic_of(events) == "registration_steps"


def test_a_slot_set_after_the_answer_wins_over_it():
    events = [
        _user("كيف اعترض"),
        _faq_reply("objection_steps"),
        {"event": "slot", "name": TOPIC_SLOT, "value": objection_topic("rejected")},
        _user("وش اسوي الحين؟"),
    ]
    assert topic_of(events) == "objection_rejected"


def test_an_older_answer_or_another_session_is_no_topic():
    two_back = [_user(), _faq_reply("registration_steps"), _user("شكرا"), _user("وين؟")]
    assert topic_of(two_back) is None
    small_talk = [_user(), _faq_reply("registration_steps"), _user("شكرا"), {"event": "bot"}]
    assert topic_of(small_talk + [_user("وين؟")]) is None
    new_session = [_user(), _faq_reply("change_iban"), {"event": "session_started"}, _user("وين")]
    assert topic_of(new_session) is None
    assert topic_of([_user("وين؟")]) is None


# ------------------------------------------------------------------ the picker


@pytest.mark.parametrize(
    "topic, text, key, facts",
    [
        ("registration_steps", "وين؟", "registration_steps.where", ["بوابة حساب المواطن"]),
        ("objection_steps", "وين القاها؟", "objection.where", ["الدفعات المالية"]),
        ("change_iban", "وينه؟", "change_iban.where", ["تفاصيل الطلب"]),
        ("registration_steps", "وش احتاج؟", "registration_steps.what", ["رقم الهوية"]),
        ("password_recovery", "وش يبون مني؟", "password_recovery.what", ["انتهاء الهوية"]),
        ("who_benefits", "والأرملة؟", "eligibility.who.widow", ["أرملة"]),
        ("eligibility_conditions", "وإذا كان مسافر؟", "eligibility.who.traveller", ["3 أشهر"]),
        ("entitlement_calculation", "واللي فوق ١٨؟", "shares.who.adult", ["50%"]),
        ("dependant_share", "وإذا كان عمره ١٢؟", "shares.who.minor", ["30%"]),
        ("eligibility_conditions", "وإذا عمري ١٧؟", "eligibility.who.minor", ["18"]),
        ("registration_steps", "وإذا عمري ١٧؟", "eligibility.who.minor", ["18"]),
        ("objection_steps", "كم ياخذ وقت؟", "objection.how_long", ["90"]),
        ("objection_steps", "وبعدين؟", "objection.next", ["90", "بأثر رجعي"]),
        ("registration_steps", "طيب وبعدين؟", "registration_steps.next", ["دراسة الأهلية"]),
        ("support_dropped", "وش اسوي الحين؟", "support_dropped.next", ["اعتراض"]),
        ("objection_rejected", "وش اسوي الحين؟", "objection_rejected.next", ["صوتك مسموع"]),
        ("objection_under_review", "وش اسوي الحين؟", "objection_under_review.next", ["90"]),
        ("objection_accepted", "وش اسوي الحين؟", "objection_accepted.next", ["بأثر رجعي"]),
        ("ticket", "متى يردون؟", "ticket.how_long", ["ما عندي", "19912"]),
        ("password_recovery", "وإذا ما وصلتني الرسالة؟", "password_recovery.no_sms", ["19912"]),
        ("working_hours", "وش رقمهم؟", "any.phone", ["19912"]),
    ],
)
def test_a_followup_gets_the_fact_it_asks_for_on_the_topic(topic, text, key, facts):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key
    for fact in facts:
        assert fact in answer.text


@pytest.mark.parametrize(
    "topic, text",
    [
        ("registration_steps", "كم ياخذ وقت؟"),
        ("change_iban", "ومتى يصير التغيير؟"),
        ("who_benefits", "والمتقاعد؟"),
        ("entitlement_calculation", "والزوجة؟"),
        ("change_iban", "والزوج؟"),
        ("age_rule", "ليش؟"),
        ("ticket", "متى يردون؟"),
    ],
)
def test_what_the_sources_do_not_give_is_said_plainly_with_the_line(topic, text):
    answer = picker.pick(topic, read(text))
    assert "ما عندي" in answer.text or "ما تذكر" in answer.text
    assert "19912" in answer.text


def test_no_topic_or_nothing_to_say_leaves_the_message_to_be_read_on_its_own():
    assert picker.pick(None, read("وين؟")) is None
    assert picker.pick("registration_steps", None) is None
    assert picker.pick("no_such_topic", read("وين؟")) is None
    assert picker.pick("change_iban", read("كيف؟")) is None  # `how` has no general answer
    assert picker.pick("change_iban", read("ليش انا غير مؤهل؟")) is None
    assert picker.pick("change_iban", read("كم يعطون")) is None


def test_a_group_after_an_unrelated_answer_is_asked_about_eligibility():
    assert picker.pick("change_iban", read("والمسجون؟")).key == "eligibility.who.prison"
    assert picker.pick("change_iban", read("والزوج؟")).key == "any.who"


def test_an_age_is_an_adult_or_a_minor_by_the_programs_age():
    assert picker.group_of(Ellipsis("who", age=18)) == "adult"
    assert picker.group_of(Ellipsis("who", age=17)) == "minor"
    assert picker.group_of(Ellipsis("who", group="widow")) == "widow"


def test_why_after_a_precheck_gives_that_results_reasons():
    stopped = {"elig_saudi": True, "elig_age": 16}
    answer = picker.pick("precheck", read("ليش؟"), stopped)
    assert answer.key == "precheck.why" and "16" in answer.text and "18" in answer.text
    steps = picker.pick("precheck", read("وش اسوي الحين؟"), stopped)
    assert steps.key == "precheck.next" and "19912" in steps.text
    assert picker.pick("precheck", read("ليش طلعت غير مؤهل؟"), stopped).key == "precheck.why"
    # nothing answered (slots reset): the general answer instead
    assert picker.pick("precheck", read("ليش؟"), {}).key == "eligibility.why"


# ------------------------------------------------------------------ the content


def _answers():
    return followup_content()["answers"]


def test_every_answer_has_a_source_fills_and_stays_short():
    topic = "registration_steps"
    for key, entry in _answers().items():
        assert entry.get("source"), key
        kind = key.split(".", 1)[1]
        if kind.startswith("who"):
            ellipsis = Ellipsis("who", group=kind.partition(".")[2] or "retired")
        else:
            ellipsis = Ellipsis(kind)
        text = picker._render(key, topic, ellipsis).text
        if kind == picker.LINE:  # {line} is the previous answer's own
            text = picker.pick_line("required_documents", ["القيد"]).text
        if kind == "after":  # {steps}, and {step} with its {number}, are its steps
            text = picker.pick_after("change_iban", ["اسجل", "دخولي"]).text
        if kind == "step":
            text = picker.pick_step("change_iban", 2).text
        assert not re.search(r"[{}]", text), key
        assert len(text) <= 420, key


def test_answers_buttons_and_topics_are_known():
    catalogue = buttons_catalogue()
    for key, entry in _answers().items():
        assert set(entry.get("buttons") or []) <= set(catalogue), key
    content = followup_content()
    families = {key.split(".", 1)[0] for key in _answers()} - set(faq_answers()) - {"any"}
    for topic, names in content["topics"].items():
        assert topic in faq_answers() or topic in content["titles"], topic
        assert set(names) <= families, topic
    assert set(content["services"].values()) <= set(faq_answers())


def test_unknown_answers_point_to_the_line():
    for key, entry in _answers().items():
        if str(entry["source"]).startswith("none"):
            assert "{contact.unified_number}" in entry["text"], key


# ------------------------------------------------------------------ the NLU step


def _message(text, intent, confidence=0.9, key="faq/contact_channels", answer_confidence=0.3):
    from rasa.shared.nlu.training_data.message import Message

    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "response_selector": {
                "faq": {"response": {"intent_response_key": key, "confidence": answer_confidence}}
            },
        }
    )


def _shape(message):
    from bot.nlu.followup_shapes import FollowupShapes

    FollowupShapes(FollowupShapes.get_default_config()).process([message])
    return message


def test_the_nlu_marks_a_followup_and_keeps_what_it_was_read_as():
    message = _shape(_message("وين؟", "faq"))
    assert message.get("intent")["name"] == "followup"
    assert message.get("followup") == {"kind": "where", "group": None, "age": None, "intent": "faq"}
    assert message.get("intent_ranking")[0]["name"] == "faq"  # "did you mean" still works
    assert "followup" in message.as_dict(only_output_properties=True)


def test_the_nlu_leaves_self_contained_messages_buttons_and_other_intents():
    sure = _message("وش ساعات العمل؟", "faq", key="faq/working_hours", answer_confidence=0.8)
    assert _shape(sure).get("intent")["name"] == "faq"
    # Unsure of its answer, it may ask about a line of the answer before; the follow-up
    # action answers it as read when no line holds its words.
    unsure = _shape(_message("وش ساعات العمل؟", "faq")).get("followup")
    assert unsure["kind"] == "ask_line" and unsure["intent"] == "faq"
    assert _shape(_message("/affirm", "affirm")).get("intent")["name"] == "affirm"
    assert _shape(_message("وين؟", "human_handoff")).get("intent")["name"] == "human_handoff"


def test_a_where_question_about_a_service_gets_its_faq_and_the_offer():
    message = _shape(_message("وين اقدم بلاغ؟", "open_ticket"))
    assert message.get("intent")["name"] == "faq_multi"
    selector = message.get("response_selector")["faq"]
    assert selector["answers"] == ["faq/sotak_masmoo"] and selector["offer"] == "open_ticket"
    question = "كيف اعرف اذا انا مؤهل؟"
    sure = _shape(
        _message(question, "check_eligibility", key="faq/eligibility_status", answer_confidence=0.8)
    )
    assert sure.get("response_selector")["faq"]["answers"] == ["faq/eligibility_status"]
    unsure = _shape(_message(question, "check_eligibility", key="faq/eligibility_status"))
    assert unsure.get("response_selector")["faq"]["answers"] == ["faq/eligibility_conditions"]
    assert unsure.get("response_selector")["faq"]["offer"] == "check_eligibility"
    assert _shape(_message("ابي افتح بلاغ", "open_ticket")).get("intent")["name"] == "open_ticket"


@pytest.mark.parametrize(
    "text, subject",
    [
        ("والأوراق؟", "documents"),
        ("طيب والمستندات المطلوبة؟", "documents"),
        ("والايبان؟", "iban"),
        ("طيب والدوام؟", "hours"),
        ("والشروط بعد؟", "conditions"),
    ],
)
def test_another_subject_named_alone_is_a_followup(text, subject):
    assert read(text) == Ellipsis("subject", group=subject)


def test_a_subject_alone_without_a_lead_is_a_question_of_its_own():
    assert read("الاوراق؟") is None
    assert read("وش المستندات المطلوبة؟") is None


def test_a_subject_gets_its_sense_on_the_topic_or_its_faq():
    assert picker.pick("objection_steps", read("والأوراق؟")).key == "objection.subject.documents"
    answer = picker.pick("registration_steps", read("والأوراق؟"))
    assert answer.faq == "required_documents"
    # the answer just given is not given again: the message is read on its own
    assert picker.pick("required_documents", read("والأوراق؟")) is None


def test_an_answer_derived_from_another_leans_on_its_topic():
    # the answer for a job that changes the income derives from updating one's data
    assert picker.pick("income_change", read("وين؟")).key == "update_data.where"
    assert picker.pick("widow", read("والمطلقة؟")).key == "eligibility.who.divorced"


@pytest.mark.parametrize(
    "text, kind, group",
    [
        ("والرسالة ما توصلني", "no_sms", None),
        ("الرمز ما يوصلني", "no_sms", None),
        ("وإذا شهرين بس؟", "who", "traveller"),
        ("واذا سافرت ٤ شهور؟", "who", "traveller"),
    ],
)
def test_more_ways_to_lean_on_the_answer(text, kind, group):
    assert read(text) == Ellipsis(kind, group=group)


def test_a_where_question_at_the_end_of_a_message_is_about_the_service():
    assert asks_about_service("عندي مشكلة في صرف الدعم وين اشتكي؟")
    assert asks_about_service("عندي مشكلة في الصرف، وين اقدم الشكوى؟")
    assert not asks_about_service("عندي مشكلة، ابي افتح بلاغ")


@pytest.mark.parametrize(
    "text, kind, group",
    [
        ("والموعد؟", "how_long", None),
        ("والمبلغ؟", "how_much", None),
        ("والرسوم؟", "cost", None),
        ("والرابط؟", "where", None),
        ("والرقم؟", "phone", None),
        ("والراتب؟", "who", "high_income"),
        ("والعمر؟", "subject", "age"),
        ("طيب والاقامة؟", "subject", "residence"),
    ],
)
def test_one_noun_for_what_the_answer_did_not_say(text, kind, group):
    assert read(text) == Ellipsis(kind, group=group)


@pytest.mark.parametrize(
    "topic, text, key",
    [
        ("registration_steps", "طيب وبعد ما ارسل الطلب؟", "registration_steps.next"),
        ("registration_steps", "وهل فيه رسوم؟", "any.cost"),
        ("registration_steps", "والتابعين؟", "eligibility.who.child"),
        ("objection_steps", "وإذا انقبل متى ينزل؟", "objection.accepted"),
        ("objection_steps", "وأرفق شي؟", "objection.what"),
        ("eligibility_conditions", "وش الحد المانع؟", "eligibility.who.high_income"),
        ("contact_channels", "ووين مقرهم؟", "contact.where"),
        ("update_data", "وإذا ما حدثت؟", "update_data.not_done"),
        ("income_change", "وإذا ما حدثت؟", "update_data.not_done"),
    ],
)
def test_follow_ups_citizens_add(topic, text, key):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key


@pytest.mark.parametrize(
    "topic, text, key",
    [
        ("eligibility_status", "وين القى التفاصيل؟", "eligibility_status.where"),
        ("working_hours", "والجمعة؟", "contact.who.friday"),
        ("working_hours", "والمقرات وين؟", "contact.where"),
        ("sotak_masmoo", "وكيف ادخلها؟", "sotak_masmoo.how"),
        ("residence_rule", "وإذا سافرت للعلاج؟", "eligibility.who.traveller"),
        ("single_independent", "والمطلق؟", "eligibility.who.divorced"),
        ("payment_unknown", "ليش تأخر؟", "any.late"),
        ("change_mobile", "وإذا ما اقدر ادخل؟", "any.no_access"),
    ],
)
def test_more_follow_ups_on_their_topic(topic, text, key):
    answer = picker.pick(topic, read(text))
    assert answer is not None and answer.key == key


@pytest.mark.parametrize(
    "topic, text, key",
    [
        ("change_iban", "كم ياخذ تغيير الايبان؟", "any.how_long"),
        ("objection_steps", "متى يردون على الاعتراض؟", "objection.how_long"),
        ("eligibility_status", "وين القى دراسة الاهلية؟", "eligibility_status.where"),
        ("registration_steps", "وش احتاج للتسجيل؟", "registration_steps.what"),
    ],
)
def test_a_question_naming_the_topic_is_a_followup_on_it(topic, text, key):
    from bot.services.followups.loose import read_loose

    kind, words = read_loose(text)
    answer = picker.pick(topic, Ellipsis(kind, about=tuple(words)))
    assert answer is not None and answer.key == key


def test_a_question_naming_another_subject_is_read_on_its_own():
    from bot.services.followups.loose import read_loose

    kind, words = read_loose("كم ياخذ تغيير الايبان؟")
    assert picker.pick("registration_steps", Ellipsis(kind, about=tuple(words))) is None
    assert read_loose("كم ياخذ؟") is None  # nothing named: the strict reading's
    assert read_loose("وش شروط حساب المواطن في البرنامج الجديد") is None


def test_an_unplaced_message_after_an_answer_gets_the_near_answer_ranked_high():
    ranking = [
        {"intent_response_key": "faq/password_recovery", "confidence": 0.3},
        {"intent_response_key": "faq/objection_reply_time", "confidence": 0.2},
        {"intent_response_key": "faq/change_iban", "confidence": 0.1},
    ]
    assert picker.related_answer("objection_steps", ranking) == "objection_reply_time"
    assert picker.related_answer("working_hours", ranking) is None  # nothing near it
    assert picker.related_answer(None, ranking) is None
    low = [{"intent_response_key": "faq/objection_reply_time", "confidence": 0.05}]
    assert picker.related_answer("objection_steps", low) is None
