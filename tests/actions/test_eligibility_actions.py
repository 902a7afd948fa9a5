"""Eligibility pre-check actions, driven with CollectingDispatcher and trackers built
from dicts (as RasaHQ/financial-demo tests/test_actions.py does).

The form's validation action receives what Rasa sends it: the slot candidates as
the trailing `slot` events after the form's own `action` event, and the latest
user message with its intent and (for buttons) its `elig_choice` entity.
"""

import asyncio
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import eligibility as elig
from bot.content import fact
from bot.services.eligibility import form
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    CONFIRM,
    DEPENDANTS,
    EXCEPTION,
    FAILURES,
    INCOME,
    INDEPENDENT,
    RESIDENT,
    SAUDI,
    SHELTER,
    STAGE,
)
from tests.support.eligibility_answers import FAMILY

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain" / "eligibility.yml").read_text(encoding="utf-8"))


def message(text, intent="inform", choice=None, confidence=1.0):
    entities = [{"entity": "elig_choice", "value": choice}] if choice else []
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities,
    }


def form_tracker(
    answer=None, slot=None, slots=None, intent="inform", choice=None, text=None, history=()
):
    """The tracker the validation action gets when `slot` was asked and the user
    replied `answer` (None: the form resumes without a new reply)."""
    slots = {**(slots or {})}
    slots["requested_slot"] = slot
    latest = message(text if text is not None else (answer or ""), intent, choice)
    events = list(history) + [
        {"event": "user", "text": latest["text"], "parse_data": latest},
        {"event": "slot", "name": "requested_slot", "value": slot},
        {"event": "action", "name": "eligibility_form"},
    ]
    if answer is not None:
        slots[slot] = answer
        events.append({"event": "slot", "name": slot, "value": answer})
    return Tracker(
        "citizen", slots, latest, events, False, None, {"name": "eligibility_form"}, "action_listen"
    )


def validate(tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(elig.ValidateEligibilityForm().run(dispatcher, tracker, DOMAIN))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}, dispatcher.messages


def answer(slot, text, slots=None, **kwargs):
    return validate(form_tracker(text, slot, slots, **kwargs))


def texts(messages):
    return "\n".join(m.get("text") or "" for m in messages)


def payloads(messages):
    return [b["payload"] for m in messages for b in (m.get("buttons") or [])]


# --------------------------------------------------------------------------- one question at a time


@pytest.mark.parametrize("text", ["ايه", "اي", "ايوه", "نعم", "انا سعودي", "سعودية"])
def test_saudi_yes_in_dialect_moves_on_to_age(text):
    slots, messages = answer(SAUDI, text)
    assert slots[SAUDI] is True
    assert slots["requested_slot"] == AGE  # the exception question is skipped
    assert messages == []


@pytest.mark.parametrize("text", ["لا", "مو سعودي", "ابد", "لا والله"])
def test_not_saudi_asks_for_an_exception(text):
    slots, _ = answer(SAUDI, text)
    assert slots[SAUDI] is False
    assert slots["requested_slot"] == EXCEPTION


def test_saudi_button():
    slots, _ = answer(SAUDI, '/inform{"elig_choice":"yes"}', choice="yes")
    assert slots[SAUDI] is True


def test_a_mentioned_exception_fills_two_answers_at_once():
    slots, _ = answer(SAUDI, "لا بس امي سعودية")
    assert (slots[SAUDI], slots[EXCEPTION]) == (False, "saudi_mother")
    assert slots["requested_slot"] == AGE


def test_no_exception_stops_early():
    slots, _ = answer(EXCEPTION, "لا شي منها", slots={SAUDI: False}, choice="none")
    assert slots[EXCEPTION] == "none"
    assert slots["requested_slot"] is None  # the form ends; the result says why


@pytest.mark.parametrize(
    "text, value",
    [("٣٥", 35), ("عمري 35 سنة", 35), ("خمسة وثلاثين", 35), ("18", 18), ("ثمنطعش", 18)],
)
def test_age(text, value):
    slots, messages = answer(AGE, text, slots={SAUDI: True})
    assert slots[AGE] == value
    assert slots["requested_slot"] == RESIDENT
    assert messages == []


def test_age_17_stops_early():
    slots, _ = answer(AGE, "17", slots={SAUDI: True})
    assert slots[AGE] == 17
    assert slots["requested_slot"] is None


@pytest.mark.parametrize(
    "text, says",
    [
        ("٢٥٠", "250"),
        ("0", "0"),
        ("-3", "-3"),
        ("كبير", "رقم"),
        ("مدري", "التقريبي"),
    ],
)
def test_impossible_or_unreadable_age_is_explained_and_asked_again(text, says):
    slots, messages = answer(AGE, text, slots={SAUDI: True})
    assert slots[AGE] is None
    assert slots["requested_slot"] == AGE  # the same question again
    assert says in texts(messages)
    assert slots[FAILURES] == {AGE: 1}


def test_three_failures_offer_stop_continue_or_a_person():
    slots = {SAUDI: True, FAILURES: {AGE: 2}}
    result, messages = answer(AGE, "ماني فاهم", slots=slots)
    assert result[FAILURES] == {AGE: 3}
    assert result[STAGE] == "offer"
    buttons = payloads(messages)
    assert "/cancel" in buttons
    assert any(p.startswith("/human_handoff") for p in buttons)
    assert '/inform{"elig_choice":"continue"}' in buttons
    # The question is not repeated under the offer ...
    d = CollectingDispatcher()
    events = elig.ActionAskEligAge().run(
        d, Tracker("c", {**slots, STAGE: "offer"}, {}, [], False, None, {}, "action_listen"), DOMAIN
    )
    assert d.messages == [] and events[0]["value"] is None
    # ... and "continue" asks it again with a clean slate.
    result, messages = answer(
        AGE,
        '/inform{"elig_choice":"continue"}',
        choice="continue",
        slots={SAUDI: True, FAILURES: {AGE: 3}, STAGE: "offer"},
    )
    assert result[AGE] is None and result.get(FAILURES) is None and result[STAGE] is None
    assert result["requested_slot"] == AGE


def test_a_good_answer_clears_the_failure_count():
    slots, _ = answer(AGE, "40", slots={SAUDI: True, FAILURES: {AGE: 2}})
    assert slots[AGE] == 40 and slots[FAILURES] is None


@pytest.mark.parametrize(
    "text, months, next_slot",
    [
        ("ما سافرت", 0, SHELTER),
        ("شهرين", 2, SHELTER),
        ("٩٠ يوم", 3, SHELTER),
        ("3 شهور", 3, SHELTER),
        ("4 اشهر", 4, None),
        ("١٠٠ يوم", 3.33, None),
    ],
)
def test_months_abroad_and_the_three_month_boundary(text, months, next_slot):
    slots, _ = answer(ABROAD, text, slots={SAUDI: True, AGE: 30, RESIDENT: True})
    assert slots[ABROAD] == months
    assert slots["requested_slot"] == next_slot


def test_not_resident_stops_before_asking_about_travel():
    slots, _ = answer(RESIDENT, "لا", slots={SAUDI: True, AGE: 30})
    assert slots[RESIDENT] is False
    assert slots["requested_slot"] is None


def test_no_dependants_skips_their_ages_and_asks_about_housing():
    base = {SAUDI: True, AGE: 22, RESIDENT: True, ABROAD: 0, SHELTER: False}
    slots, _ = answer(DEPENDANTS, "ما عندي", slots=base)
    assert slots[DEPENDANTS] == 0
    assert slots["requested_slot"] == INDEPENDENT


def test_dependants_then_their_ages():
    base = {SAUDI: True, AGE: 40, RESIDENT: True, ABROAD: 0, SHELTER: False}
    slots, _ = answer(DEPENDANTS, "٤", slots=base)
    assert slots["requested_slot"] == ADULTS
    slots, messages = answer(ADULTS, "5", slots={**base, DEPENDANTS: 4})
    assert slots[ADULTS] is None and "4" in texts(messages)
    slots, _ = answer(ADULTS, "كلهم صغار", slots={**base, DEPENDANTS: 4})
    assert slots[ADULTS] == 0 and slots["requested_slot"] == INCOME


@pytest.mark.parametrize(
    "text, value",
    [
        ("٥٠٠٠ ريال", 5000),
        ("خمسة آلاف", 5000),
        ("5 الاف", 5000),
        ("5k", 5000),
        ("ما عندي دخل", 0),
        ("٤٫٥ الف", 4500),
    ],
)
def test_income_the_way_people_write_it(text, value):
    base = {**FAMILY}
    del base[INCOME], base[ASSETS]
    slots, messages = answer(INCOME, text, slots=base)
    assert slots[INCOME] == value
    assert slots["requested_slot"] == ASSETS
    assert messages == []


@pytest.mark.parametrize(
    "text, says", [("-500", "السالب"), ("كثير", "بالريال"), ("ما ادري", "تقريبي")]
)
def test_bad_income_is_explained(text, says):
    base = {k: v for k, v in FAMILY.items() if k not in (INCOME, ASSETS)}
    slots, messages = answer(INCOME, text, slots=base)
    assert slots[INCOME] is None and says in texts(messages)
    assert slots["requested_slot"] == INCOME


def test_income_at_the_cap_stops_early():
    base = {k: v for k, v in FAMILY.items() if k not in (INCOME, ASSETS)}
    cap = fact("eligibility_precheck.base_income_cap") * (100 + 50 + 30 * 2) / 100
    slots, _ = answer(INCOME, str(int(cap)), slots=base)
    assert slots["requested_slot"] is None


def test_unsure_about_assets_is_an_answer():
    base = {k: v for k, v in FAMILY.items() if k != ASSETS}
    slots, _ = answer(ASSETS, "مدري والله", slots=base)
    assert slots[ASSETS] == "unsure"
    assert slots["requested_slot"] == CONFIRM


# --------------------------------------------------------------------------- summary and corrections


def ask(action, slots, events=()):
    d = CollectingDispatcher()
    action.run(d, Tracker("c", slots, {}, list(events), False, None, {}, "action_listen"), DOMAIN)
    return d.messages


def test_summary_shows_every_answer_before_the_result():
    messages = ask(elig.ActionAskEligConfirm(), FAMILY)
    text = texts(messages)
    for expected in ("سعودي", "40 سنة", "ما سافرت", "التابعين: 3", "5,000 ريال"):
        assert expected in text
    assert payloads(messages) == ['/inform{"elig_choice":"yes"}', '/inform{"elig_choice":"no"}']


def test_confirming_the_summary_ends_the_form():
    slots, _ = answer(CONFIRM, "ايه صحيحة", slots=FAMILY)
    assert slots[CONFIRM] is True and slots["requested_slot"] is None


def test_no_at_the_summary_lists_the_answers_to_correct():
    slots, _ = answer(CONFIRM, "لا", slots=FAMILY)
    assert slots[CONFIRM] is None and slots[STAGE] == "pick_field"
    messages = ask(elig.ActionAskEligConfirm(), {**FAMILY, STAGE: "pick_field"})
    assert '/inform{"elig_choice":"fix:age"}' in payloads(messages)
    assert '/inform{"elig_choice":"fix:income"}' in payloads(messages)
    assert len(payloads(messages)) <= 10


@pytest.mark.parametrize("how", [dict(text="العمر غلط"), dict(choice="fix:age")])
def test_correcting_one_answer_asks_only_that_again(how):
    text = how.get("text", '/inform{"elig_choice":"fix:age"}')
    slots, _ = answer(
        CONFIRM, text, slots={**FAMILY, STAGE: "pick_field"}, choice=how.get("choice")
    )
    assert slots[AGE] is None and slots["requested_slot"] == AGE
    # The new age, then the summary again.
    slots, _ = answer(AGE, "٤٥", slots={**FAMILY, AGE: None})
    assert slots[AGE] == 45 and slots["requested_slot"] == CONFIRM


def test_correcting_the_dependants_clears_their_ages_too():
    slots, _ = answer(CONFIRM, '/inform{"elig_choice":"fix:deps"}', slots=FAMILY, choice="fix:deps")
    assert slots[DEPENDANTS] is None and slots[ADULTS] is None
    slots, _ = answer(DEPENDANTS, "0", slots={**FAMILY, DEPENDANTS: None, ADULTS: None})
    assert slots["requested_slot"] == INDEPENDENT


# --------------------------------------------------------------------------- questions


def test_questions_have_buttons_that_fit_whatsapp_and_telegram():
    slots = {**FAMILY, DEPENDANTS: 3}
    for action in elig._AskAction.__subclasses__():
        for messages in (ask(action(), slots), ask(action(), {**slots, STAGE: "pick_field"})):
            assert messages and texts(messages)
            for b in (m.get("buttons") or [] for m in messages):
                for button in b:
                    assert len(button["title"]) <= 20, button
                    assert len(button["payload"].encode()) <= 64, button


def test_the_question_after_an_faq_says_we_are_back():
    events = [
        {"event": "user", "text": "وش المستندات"},
        {"event": "action", "name": "utter_faq"},
        {"event": "action", "name": "eligibility_form"},
    ]
    assert "نرجع للتحقق" in texts(ask(elig.ActionAskEligAge(), {SAUDI: True}, events))
    events = [{"event": "user", "text": "ايه"}, {"event": "action", "name": "eligibility_form"}]
    assert "نرجع" not in texts(ask(elig.ActionAskEligAge(), {SAUDI: True}, events))


# --------------------------------------------------------------------------- result


def result(slots):
    d = CollectingDispatcher()
    elig.ActionEligResult().run(
        d, Tracker("c", slots, {}, [], False, None, {}, "action_listen"), DOMAIN
    )
    return d.messages


def test_result_likely_eligible_with_estimate_and_breakdown():
    messages = result({**FAMILY, CONFIRM: True})
    text = texts(messages)
    assert "غالبًا تنطبق" in text
    assert "التقديري" in text and "المستفيد الأساسي 100%" in text
    assert "50%" in text and "30%" in text
    assert "ليس قرار البرنامج" in text and "مطابقة بياناتك" in text
    assert fact("contact.unified_number") in text and "دراسة الأهلية" in text
    assert '/faq_pick{"faq_key": "registration_steps"}' in payloads(messages)


def test_result_after_an_early_stop_says_why_and_offers_to_correct():
    messages = result({SAUDI: True, AGE: 17})
    text = texts(messages)
    assert "غالبًا ما تنطبق" in text and "وقفت الأسئلة" in text
    assert "17" in text and "18" in text
    assert '/check_eligibility{"elig_choice":"fix:age"}' in payloads(messages)
    assert "ليس قرار البرنامج" in text


def test_result_cannot_tell_when_unsure():
    messages = result({**FAMILY, ASSETS: "unsure", CONFIRM: True})
    text = texts(messages)
    assert "ما أقدر أحدد" in text and "أصول" in text
    assert "الدعم الشهري التقديري" not in text
    assert fact("contact.unified_number") in text


def test_result_not_eligible_over_the_cap_gives_the_numbers():
    messages = result({**FAMILY, INCOME: 50000, CONFIRM: True})
    assert "50,000 ريال" in texts(messages)


# --------------------------------------------------------------------------- start and cancel


def start(text, slots=None, choice=None):
    d = CollectingDispatcher()
    latest = message(text, "check_eligibility", choice)
    events = elig.ActionEligStart().run(
        d, Tracker("c", slots or {}, latest, [], False, None, {}, "action_listen"), DOMAIN
    )
    return {e["name"]: e["value"] for e in events}, d.messages


def test_start_clears_old_answers_and_says_it_is_indicative():
    slots, messages = start("ابي اعرف اذا انا مستحق", slots=FAMILY)
    assert all(slots[s] is None for s in form.ANSWER_SLOTS)
    assert "استرشادية" in texts(messages) and "إلغاء" in texts(messages)


def test_start_keeps_what_the_first_message_said():
    slots, messages = start("انا سعودي عمري ٣٠ وراتبي ٦ الاف هل استحق؟")
    assert slots[SAUDI] is True and slots[AGE] == "30" and slots[INCOME] == "6 الاف"
    assert "وأخذت من رسالتك: الجنسية، العمر، الدخل الشهري" in texts(messages)
    # The form validates them like any answer.
    tracker = Tracker(
        "c",
        {SAUDI: True, AGE: "30", INCOME: "6 الاف", "requested_slot": None},
        message("انا سعودي عمري ٣٠ وراتبي ٦ الاف هل استحق؟", "check_eligibility"),
        [
            {"event": "action", "name": "eligibility_form"},
            {"event": "slot", "name": SAUDI, "value": True},
            {"event": "slot", "name": AGE, "value": "30"},
            {"event": "slot", "name": INCOME, "value": "6 الاف"},
        ],
        False,
        None,
        {},
        "action_listen",
    )
    validated, _ = validate(tracker)
    assert (validated[SAUDI], validated[AGE], validated[INCOME]) == (True, 30, 6000)
    assert validated["requested_slot"] == RESIDENT


def test_fix_button_after_an_early_stop_reopens_one_answer():
    slots, _ = start(
        '/check_eligibility{"elig_choice":"fix:age"}',
        slots={SAUDI: True, AGE: 17},
        choice="fix:age",
    )
    assert slots[AGE] is None and SAUDI not in slots


def test_cancel_clears_everything():
    d = CollectingDispatcher()
    events = elig.ActionEligCancel().run(
        d, Tracker("c", FAMILY, {}, [], False, None, {}, "x"), DOMAIN
    )
    cleared = {e["name"]: e["value"] for e in events}
    assert all(cleared[s] is None for s in form.ALL_SLOTS) and cleared["requested_slot"] is None
    assert "وقّفت" in texts(d.messages)


def test_asking_to_check_again_mid_form_carries_on():
    slots, messages = answer(
        AGE, "ابي اعرف اذا انا مستحق", slots={SAUDI: True}, intent="check_eligibility"
    )
    assert slots[AGE] is None and slots["requested_slot"] == AGE
    assert FAILURES not in slots or not slots[FAILURES]
    assert "نكمل" in texts(messages)
