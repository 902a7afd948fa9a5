"""action_answer_followup for "and X?" (the line of the previous answer that names X) and
for a follow-up the NLU would answer with the very answer it follows."""

from rasa_sdk import Tracker

from bot.actions.followups import ActionAnswerFollowup
from bot.services.followups.lines import read_about
from bot.services.followups.loose import read_loose
from bot.services.followups.shapes import Ellipsis, read
from tests.support.actions import load_domain, run_action

DOMAIN = load_domain("followups")


def _tracker(text, topic, key, confidence, intent="faq"):
    # As bot/nlu/followup_shapes.py reads it.
    loose = read_loose(text)
    ellipsis = read(text) or (Ellipsis(loose[0], about=tuple(loose[1])) if loose else None)
    ellipsis = ellipsis or read_about(text)
    latest = {
        "text": text,
        "intent": {"name": "followup", "confidence": 0.9},
        "intent_ranking": [{"name": intent, "confidence": 0.9}],
        "entities": [],
        "followup": {**ellipsis.as_dict(), "intent": intent} if ellipsis else {"intent": intent},
        "response_selector": {
            "faq": {
                "response": {"intent_response_key": f"faq/{key}", "confidence": confidence},
                "ranking": [{"intent_response_key": f"faq/{key}", "confidence": confidence}],
            }
        },
    }
    events = [
        {"event": "user", "text": "..."},
        {"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_faq/{topic}"}},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": text, "parse_data": latest},
    ]
    return Tracker("c", {"last_topic": None}, latest, events, False, None, {}, "action_listen")


def _run(tracker):
    msgs, slots = run_action(ActionAnswerFollowup(), tracker, DOMAIN)
    return msgs, slots, "\n".join(m.get("text") or "" for m in msgs)


def test_and_x_after_a_list_gets_the_line_that_names_it():
    t = _tracker("ونسخة القيد؟", "required_documents", "required_documents", 0.2)
    msgs, slots, text = _run(t)
    assert "سجل الأسرة (القيد)" in text and "الآيبان" not in text
    assert slots == {"last_topic": "required_documents"}
    msgs, _, text = _run(_tracker("وتويتر؟", "contact_channels", "contact_channels", 0.7))
    assert "@citizenaccount" in text and "19912" not in text


def test_and_x_the_nlu_is_sure_is_another_answer_gets_that_answer():
    t = _tracker("والاعتراض؟", "registration_steps", "objection_steps", 0.8)
    msgs, _, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/objection_steps"]


def test_and_x_the_answer_does_not_name_is_read_on_its_own():
    t = _tracker("والقطاع الخاص؟", "required_documents", "who_benefits", 0.3)
    msgs, _, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/who_benefits"]


def test_a_followup_that_would_get_the_same_answer_again_gets_its_line():
    # Read on its own it is the «صوتك مسموع» answer it follows: the line that answers it.
    t = _tracker("ومين يتواصل معي؟", "sotak_masmoo", "sotak_masmoo", 0.6)
    _, slots, text = _run(t)
    assert "فريق الدعم يتواصل معك" in text and "24 ساعة" not in text
    assert slots == {"last_topic": "sotak_masmoo"}


def test_a_length_of_time_the_answer_does_not_give_is_still_unknown():
    t = _tracker("وكم المدة اللي لازم احدث خلالها؟", "update_data", "update_data", 0.6)
    _, _, text = _run(t)
    assert "19912" in text and "ما عندي" in text


def test_a_message_the_nlu_could_not_place_gets_the_line_that_names_it():
    from bot.actions.fallback import ActionFallback

    t = _tracker("وبعدها وش اضغط؟", "change_iban", "registration_steps", 0.1, intent="nlu_fallback")
    t.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.3}
    msgs, _ = run_action(ActionFallback(), t, DOMAIN)
    text = "\n".join(m.get("text") or "" for m in msgs)
    assert "حفظ" in text and "19912" not in text
    # Nothing in the answer named: what the sources do not give, as before.
    t = _tracker("وكم الرسوم؟", "change_iban", "registration_steps", 0.1, intent="nlu_fallback")
    t.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.3}
    msgs, slots = run_action(ActionFallback(), t, DOMAIN)
    assert "19912" in "\n".join(m.get("text") or "" for m in msgs)
    # Answered on the topic, the topic stays for a third message ("طيب وش اسوي؟").
    assert slots == {"last_topic": "change_iban"}


def test_a_question_about_the_program_itself_needs_no_answer_before_it():
    text = "على وش يحددون الاهلية في حساب المواطن؟"
    latest = {
        "text": text,
        "intent": {"name": "followup", "confidence": 0.9},
        "entities": [],
        "followup": {**read(text).as_dict(), "intent": "faq"},
    }
    events = [{"event": "action", "name": "action_listen"}, {"event": "user", "text": text}]
    t = Tracker("c", {"last_topic": None}, latest, events, False, None, {}, "action_listen")
    _, slots, reply = _run(t)
    assert "الدخل" in reply and "أعمار" in reply
    assert slots == {"last_topic": "eligibility_conditions"}


def _marked(text, topic, key, confidence, ellipsis):
    # As bot/nlu/followup_shapes.py marks it when no other reading came first.
    tracker = _tracker(text, topic, key, confidence)
    tracker.latest_message["followup"] = {**ellipsis.as_dict(), "intent": "faq"}
    return tracker


def test_a_question_naming_a_line_of_the_answer_gets_that_line():
    from bot.services.followups.lines import read_line_question

    text = "وكيف اعرف رقم الطلب؟"
    t = _marked(text, "sotak_masmoo", "eligibility_status", 0.34, read_line_question(text))
    _, slots, text = _run(t)
    assert "رقم الطلب برسالة نصية" in text and "دراسة الأهلية" not in text
    assert slots == {"last_topic": "sotak_masmoo"}


def test_a_question_naming_no_line_is_read_on_its_own():
    from bot.services.followups.lines import read_line_question

    text = "والمبتعث برا نفس الحكم؟"
    t = _marked(text, "sotak_masmoo", "residence_rule", 0.41, read_line_question(text))
    msgs, _, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/residence_rule"]


def test_after_a_step_the_steps_that_follow_it():
    from bot.services.followups.steps import read_after

    text = "وبعد ما اغير كلمة المرور ويش المطلوب؟"
    t = _marked(text, "registration_steps", "password_recovery", 0.63, read_after(text))
    _, slots, text = _run(t)
    assert "وافق على الشروط والأحكام" in text and "الحساب البنكي" in text
    assert "نسيت كلمة المرور" not in text
    assert slots == {"last_topic": "registration_steps"}


def test_a_step_by_its_number_in_english_too():
    from bot.services.followups.steps import read_step

    t = _marked(
        "الخطوه الثانيه وش كانت؟", "change_iban", "program_about", 0.15, read_step("الخطوه الثانيه")
    )
    _, _, text = _run(t)
    assert "الخطوة 2" in text and "تفاصيل الطلب" in text
    t = _marked("what was step 3?", "change_iban", "program_about", 0.15, read_step("step 3"))
    t.slots["language"] = "en"
    _, _, text = _run(t)
    assert text.startswith("Step 3") and "IBAN" in text


def test_a_time_asked_of_another_subject_is_said_unknown_on_that_subject():
    from bot.services.followups.shapes import HOW_LONG

    text = "كم ياخذ تغيير الايبان؟"
    ellipsis = Ellipsis(HOW_LONG, about=("تغيير", "الايبان"))
    t = _marked(text, "objection_steps", "change_iban", 0.6, ellipsis)
    t.latest_message["followup"]["untimed"] = "change_iban"
    _, slots, text = _run(t)
    assert "ما عندي" in text and "19912" in text and "90" not in text
    assert slots == {"last_topic": "change_iban"}


def test_a_correction_gets_the_best_answer_other_than_the_one_given():
    from bot.services.followups.shapes import CORRECTION

    t = _marked(
        "لا قصدي رقم الجوال مو كلمة المرور",
        "password_recovery",
        "password_recovery",
        0.46,
        Ellipsis(CORRECTION),
    )
    t.latest_message["response_selector"]["faq"]["ranking"] = [
        {"intent_response_key": "faq/password_recovery", "confidence": 0.46},
        {"intent_response_key": "faq/change_mobile", "confidence": 0.3},
    ]
    msgs, slots, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/change_mobile"]
    assert slots == {"last_topic": "change_mobile"}


def test_a_paper_asked_of_a_subject_gets_the_subject_then_what_the_sources_do_not_name():
    from bot.services.followups.papers import read_paper

    text = "كيف اثبت اني ساكن لحالي؟"
    t = _marked(text, "contact_channels", "single_independent", 0.8, read_paper(text))
    msgs, slots, reply = _run(t)
    assert msgs[0].get("response") == "utter_faq/single_independent"
    assert "ما عندي" in reply and "19912" in reply
    assert slots == {"last_topic": "single_independent"}
    # Unsure of the subject, or already on it: only what the sources do not name.
    t = _marked(text, "single_independent", "single_independent", 0.8, read_paper(text))
    msgs, _, reply = _run(t)
    assert all(not m.get("response") for m in msgs) and "ما عندي" in reply


def test_a_yes_or_no_on_one_reason_gets_that_reason():
    from bot.services.followups.lines import read_line_question

    text = "ولدي تزوج الشهر اللي فات، هذا له دخل؟"
    t = _marked(text, "support_dropped", "update_data", 0.2, read_line_question(text))
    _, slots, reply = _run(t)
    assert "زواج" in reply and "زيادة الدخل" not in reply and "إدارة المرفقات" not in reply
    assert slots == {"last_topic": "support_dropped"}


def test_the_answer_just_given_asked_again_gets_its_line_else_the_answer_whole():
    from bot.services.followups.lines import REPEATED, content_words
    from bot.services.followups.shapes import ASK_LINE

    def repeated(text):
        return Ellipsis(ASK_LINE, group=REPEATED, about=tuple(content_words(text)))

    text = "عندهم حساب بتويتر؟"
    t = _marked(text, "contact_channels", "contact_channels", 0.88, repeated(text))
    _, _, reply = _run(t)
    assert "@citizenaccount" in reply and "19911" not in reply
    # No line names it, or two lines do as much: the answer it was read as, whole.
    for text in ("طيب والسفاره وش دورها؟", "طلع لي غير مؤهل ليش؟"):
        topic = "contact_channels" if "السفاره" in text else "eligibility_status"
        t = _marked(text, topic, topic, 0.9, repeated(text))
        msgs, slots, _ = _run(t)
        assert [m.get("response") for m in msgs] == [f"utter_faq/{topic}"], text
        assert slots == {"last_topic": topic}


def test_how_again_after_steps_the_nlu_placed_nowhere_gets_those_steps():
    from bot.services.followups.lines import read_line_question

    text = "وكيف أصححها؟"
    t = _marked(text, "update_data", "update_data", 0.12, read_line_question(text))
    t.latest_message["followup"]["intent"] = "nlu_fallback"
    msgs, slots, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/update_data"]
    assert slots == {"last_topic": "update_data"}
    # Placed by the NLU on another answer, it is that answer's.
    t = _marked("وكيف اعرف اني مؤهل؟", "update_data", "eligibility_status", 0.4,
                read_line_question("وكيف اعرف اني مؤهل؟"))  # fmt: skip
    msgs, _, _ = _run(t)
    assert [m.get("response") for m in msgs] == ["utter_faq/eligibility_status"]


def test_a_longer_message_the_nlu_could_not_place_needs_two_words_of_the_line():
    from bot.actions.fallback import ActionFallback

    def fallback(text):
        t = _tracker(text, "objection_reply_time", "who_benefits", 0.1, intent="nlu_fallback")
        t.latest_message["intent"] = {"name": "nlu_fallback", "confidence": 0.3}
        t.slots["language"] = "en"
        msgs, _ = run_action(ActionFallback(), t, DOMAIN)
        return "\n".join(m.get("text") or "" for m in msgs)

    reply = fallback("and if they accept do i get the missing amount back?")
    assert "retroactively" in reply and "90 days" not in reply
    # Ten words sharing one with a line: not enough to say which line is meant.
    assert "retroactively" not in fallback("and if i travel for a long time do they accept me")


def test_a_line_naming_two_words_beats_another_answer_the_nlu_is_fairly_sure_of():
    from bot.services.followups.lines import read_line_question

    text = "وكيف اعرف رقم طلبي؟"  # after «صوتك مسموع», read on its own as the eligibility status
    ellipsis = read_line_question(text)
    t = _marked(text, "sotak_masmoo", "eligibility_status", 0.77, ellipsis)
    _, slots, reply = _run(t)
    assert "رقم الطلب برسالة نصية" in reply and "دراسة الأهلية" not in reply
    assert slots == {"last_topic": "sotak_masmoo"}
    # Sure enough of its own answer, or a line naming one of its words only: its own.
    own = ["utter_faq/eligibility_status"]
    assert _responses(text, "sotak_masmoo", "eligibility_status", 0.85)[0] == own
    assert _responses("وكيف اعرف حالتي؟", "sotak_masmoo", "eligibility_status", 0.7)[0] == own


def _responses(text, topic, key, confidence):
    """The responses and slots of a line question read on its own as `key`."""
    from bot.services.followups.lines import read_line_question

    msgs, slots, _ = _run(_marked(text, topic, key, confidence, read_line_question(text)))
    return [m.get("response") for m in msgs], slots


def test_how_to_do_it_after_steps_gets_those_steps_whatever_else_the_nlu_read():
    responses, slots = _responses("زين وكيف احدثها؟", "update_data", "support_dropped", 0.7)
    assert responses == ["utter_faq/update_data"] and slots == {"last_topic": "update_data"}
