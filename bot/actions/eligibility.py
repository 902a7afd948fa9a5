"""Eligibility pre-check dialogue (issue 3): a Rasa form, thin over bot.services.

- `action_elig_start`: clears earlier answers, says what the pre-check is, and keeps
  what the first message already told us ("انا سعودي عمري ٣٠ ..."); with a
  `fix:<field>` button it re-opens one answer after an early stop instead.
- `validate_eligibility_form`: reads each answer the way people type it
  (bot.services.parsing), explains a bad answer and asks again, offers stop /
  continue / a person after repeated failures, skips questions that do not apply,
  and stops early when a hard condition already fails (bot.services.eligibility).
- `action_ask_elig_<slot>`: one question at a time, with buttons; the last one
  (`elig_confirm`) is the summary of the answers, where any answer can be corrected.
- `action_elig_result`: the outcome with its reasons, an estimate when likely
  eligible, and what to do next. Always an indicative pre-check.
- `action_elig_cancel`: "الغاء" / "وقف" ends it cleanly.

Every answer slot is `from_text` (domain/eligibility.yml); buttons send
`/inform{"elig_choice": ...}` so a tap never depends on the NLU.
"""
from __future__ import annotations

import json
import math
import re
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.content import button, fact
from bot.services import eligibility as rules
from bot.services.parsing import (clean, is_unsure, parse_amount, parse_choice, parse_count,
                                  parse_duration_months, parse_number, parse_yes_no)

FORM = "eligibility_form"

SAUDI = "elig_saudi"
EXCEPTION = "elig_exception"
AGE = "elig_age"
RESIDENT = "elig_resident"
ABROAD = "elig_months_abroad"
SHELTER = "elig_shelter"
DEPENDANTS = "elig_dependants"
ADULTS = "elig_dependants_adult"
INDEPENDENT = "elig_independent"
INCOME = "elig_income"
ASSETS = "elig_assets"
CONFIRM = "elig_confirm"
STAGE = "elig_stage"          # "offer" (stop/continue/person just offered), "pick_field"
FAILURES = "elig_failures"    # {slot: wrong answers in a row}

# The questions in the order they are asked; CONFIRM (the summary) comes last.
ORDER = [SAUDI, EXCEPTION, AGE, RESIDENT, ABROAD, SHELTER, DEPENDANTS, ADULTS,
         INDEPENDENT, INCOME, ASSETS]
ANSWER_SLOTS = ORDER + [CONFIRM]
ALL_SLOTS = ANSWER_SLOTS + [STAGE, FAILURES]

UNSURE = "unsure"             # stored for "I don't know" where that is an answer
STAGE_OFFER = "offer"
STAGE_PICK_FIELD = "pick_field"
CHOICE_ENTITY = "elig_choice"

# Short codes for "correct this answer" buttons (Telegram callback_data <= 64 bytes),
# with the answers that depend on each one.
FIELDS: Dict[str, List[str]] = {
    "saudi": [SAUDI, EXCEPTION],
    "exc": [EXCEPTION],
    "age": [AGE],
    "res": [RESIDENT, ABROAD],
    "abroad": [ABROAD],
    "shelter": [SHELTER],
    "deps": [DEPENDANTS, ADULTS, INDEPENDENT],
    "adults": [ADULTS],
    "indep": [INDEPENDENT],
    "income": [INCOME],
    "assets": [ASSETS],
}
FIELD_OF_SLOT = {slots[0]: code for code, slots in FIELDS.items()}
FIELD_TITLES = {
    "saudi": "الجنسية", "exc": "استثناء الجنسية", "age": "العمر", "res": "الإقامة",
    "abroad": "مدة السفر", "shelter": "دار الإيواء/السجن", "deps": "عدد التابعين",
    "adults": "أعمار التابعين", "indep": "السكن المستقل", "income": "الدخل الشهري",
    "assets": "الأصول والعقارات",
}
# Words that name an answer when the citizen types a correction ("العمر غلط").
FIELD_WORDS = {
    "saudi": ["الجنسية", "جنسيتي", "جنسية", "سعودي", "سعودية"],
    "exc": ["بطاقة التنقل", "الاستثناء", "استثناء"],
    "age": ["العمر", "عمري", "عمر", "السن", "سني"],
    "res": ["الاقامة", "اقامة", "اقامتي", "مقيم"],
    "abroad": ["السفر", "سفر", "سفري", "سافرت", "برا", "الخارج"],
    "shelter": ["ايواء", "الايواء", "السجن", "سجن"],
    "deps": ["التابعين", "تابعين", "العيال", "عيال", "الاولاد", "اولاد", "الابناء", "افراد"],
    "adults": ["اعمار", "الكبار", "اعمارهم"],
    "indep": ["السكن", "سكن", "سكني", "مستقل"],
    "income": ["الدخل", "دخل", "دخلي", "الراتب", "راتب", "راتبي"],
    "assets": ["اصول", "الاصول", "عقار", "عقارات", "العقارات", "املاك"],
}

NATIONALITY_WORDS = {
    rules.MOBILITY_CARD: ["بطاقة التنقل", "بطاقة تنقل", "تنقل", "بطاقه التنقل"],
    rules.SAUDI_MOTHER: ["امي سعودية", "ام سعودية", "والدتي سعودية", "امي مواطنة",
                         "ابوي اجنبي", "ابي اجنبي", "والدي اجنبي", "ابوي غير سعودي"],
    rules.FOREIGN_WIFE: ["زوجي سعودي", "متزوجة سعودي", "متزوجة من سعودي", "زوجة سعودي",
                         "زوجه اجنبيه", "زوجة اجنبية"],
    rules.NO_EXCEPTION: ["ولا وحدة", "ولا واحد", "ولا شي", "ما ينطبق", "غير ذلك", "مقيم",
                         "وافد", "لا شي منها"],
}
NOT_SAUDI_WORDS = ["مو سعودي", "مب سعودي", "مش سعودي", "غير سعودي", "لست سعودي",
                   "مو سعودية", "مب سعودية", "غير سعودية", "لست سعودية", "اجنبي",
                   "اجنبية", "وافد", "مقيم", "non saudi"]
SAUDI_WORDS = ["سعودي", "سعودية", "سعوديه", "مواطن", "مواطنة", "saudi"]
CONTINUE_WORDS = ["كمل", "نكمل", "اكمل", "خلنا نكمل", "استمر", "نستمر", "كملي", "واصل", "continue"]


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def payload(value: str, intent: str = "inform") -> str:
    """`/inform{"elig_choice":"yes"}`: compact, so it fits Telegram's 64 bytes."""
    return "/" + intent + json.dumps({CHOICE_ENTITY: value}, ensure_ascii=False,
                                     separators=(",", ":"))


def choice_button(title: str, value: str) -> Dict[str, str]:
    return {"title": title, "payload": payload(value)}


YES_NO = [choice_button("ايه", "yes"), choice_button("لا", "no")]
YES_NO_UNSURE = YES_NO + [choice_button("مو متأكد", UNSURE)]


def _max_failures() -> int:
    return int(fact("eligibility_precheck.max_failures_before_offer"))


def number(value: Any) -> Optional[float]:
    """A stored numeric answer, or None (raw text, "unsure", booleans)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def boolean(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


def as_int(value: Any) -> Optional[int]:
    n = number(value)
    return None if n is None else int(n)


def answers_from_slots(slots: Dict[str, Any]) -> rules.Answers:
    """Rules input from slot values; raw (unvalidated) text and "unsure" are None."""
    exception = slots.get(EXCEPTION)
    if exception not in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,):
        exception = None
    dependants = as_int(slots.get(DEPENDANTS))
    adults = as_int(slots.get(ADULTS))
    if dependants is None or adults is None or adults > dependants or adults < 0:
        adults = None
    income = number(slots.get(INCOME))
    months = number(slots.get(ABROAD))
    return rules.Answers(
        saudi=boolean(slots.get(SAUDI)),
        nationality_exception=exception,
        age=as_int(slots.get(AGE)),
        permanent_resident=boolean(slots.get(RESIDENT)),
        months_abroad=months if months is not None and months >= 0 else None,
        in_shelter_or_prison=boolean(slots.get(SHELTER)),
        dependants=dependants if dependants is not None and dependants >= 0 else None,
        dependants_adult=adults,
        independent_housing=boolean(slots.get(INDEPENDENT)),
        monthly_income=income if income is not None and income >= 0 else None,
        high_value_assets=boolean(slots.get(ASSETS)),
    )


def relevant(slot: str, slots: Dict[str, Any]) -> bool:
    """Whether a question applies given the answers so far."""
    if slot == EXCEPTION:
        return slots.get(SAUDI) is False
    if slot == ABROAD:
        return slots.get(RESIDENT) is not False
    deps = as_int(slots.get(DEPENDANTS))
    if slot == ADULTS:
        return deps is not None and deps > 0
    if slot == INDEPENDENT:
        return deps == 0
    return True


def required_slots_for(slots: Dict[str, Any]) -> List[str]:
    """The questions still in play: irrelevant ones skipped; after a hard failure
    only what was answered, so the form ends there and the result says why."""
    required = [slot for slot in ORDER if relevant(slot, slots)]
    if rules.first_failure(answers_from_slots(slots)) is not None:
        return [slot for slot in required if slots.get(slot) is not None]
    return required + [CONFIRM]


def latest_choice(tracker: Tracker) -> Optional[str]:
    """The `elig_choice` a button sent with the latest message, if any."""
    return next(tracker.get_latest_entity_values(CHOICE_ENTITY), None)


def latest_intent(tracker: Tracker) -> Tuple[Optional[str], float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def failures(tracker: Tracker) -> Dict[str, int]:
    value = tracker.get_slot(FAILURES)
    return dict(value) if isinstance(value, dict) else {}


def _without(counts: Dict[str, int], slot: str) -> Optional[Dict[str, int]]:
    counts = {k: v for k, v in counts.items() if k != slot}
    return counts or None


def yes_no_from(text: str, choice: Optional[str], tracker: Tracker,
                allow_unsure: bool) -> Optional[Any]:
    """True / False / UNSURE (if allowed) from a button, the words, or the intent."""
    if choice in ("yes", "no"):
        return choice == "yes"
    if choice == UNSURE and allow_unsure:
        return UNSURE
    answer = parse_yes_no(text)
    if answer is not None:
        return answer
    if allow_unsure and is_unsure(text):
        return UNSURE
    intent, confidence = latest_intent(tracker)
    if intent in ("affirm", "deny") and confidence >= 0.8:
        return intent == "affirm"
    return None


def _with_unit(n: float, unit: str) -> str:
    return f"{int(n) if float(n).is_integer() else n} {unit}"


# ---------------------------------------------------------------------------
# Questions
# ---------------------------------------------------------------------------

def question(slot: str, slots: Dict[str, Any]) -> Tuple[str, List[Dict[str, str]]]:
    """The Arabic question for a slot and its buttons."""
    max_months = rules.format_months(fact("eligibility.max_absence_months"))
    adult_age = fact("eligibility_precheck.dependant_adult_age")
    if slot == SAUDI:
        return "أول سؤال: أنت سعودي الجنسية؟", YES_NO
    if slot == EXCEPTION:
        return ("طيب، ينطبق عليك واحد من استثناءات الجنسية؟\n"
                "• تحمل بطاقة التنقل\n"
                "• والدتك سعودية متزوجة من أجنبي\n"
                "• زوجة أجنبية لمواطن سعودي", [
                    choice_button("أحمل بطاقة التنقل", rules.MOBILITY_CARD),
                    choice_button("أمي سعودية", rules.SAUDI_MOTHER),
                    choice_button("زوجي سعودي", rules.FOREIGN_WIFE),
                    choice_button("لا شي منها", rules.NO_EXCEPTION),
                ])
    if slot == AGE:
        return "كم عمرك؟ اكتبه بالسنوات، مثل 35.", []
    if slot == RESIDENT:
        return "ساكن بشكل دائم داخل المملكة؟", YES_NO
    if slot == ABROAD:
        return (f"كم أطول مدة قضيتها مؤخرًا خارج المملكة؟ مثل: شهرين، 45 يوم، أو \"ما سافرت\".\n"
                f"(الشرط ما تزيد عن {max_months})", [choice_button("ما سافرت", "none")])
    if slot == SHELTER:
        return "سؤال نسأله للكل 🙏 أنت مقيم حاليًا في دار إيواء حكومية أو في السجن؟", YES_NO
    if slot == DEPENDANTS:
        return ("كم عدد التابعين اللي تعولهم ويسكنون معك؟ (الزوجة والأبناء وغيرهم)\n"
                "إذا ما عندك تابعين اكتب 0.", [choice_button("ما عندي تابعين", "none")])
    if slot == ADULTS:
        deps = as_int(slots.get(DEPENDANTS)) or 0
        if deps == 1:
            return f"التابع عمره {adult_age} سنة أو أكثر؟", YES_NO
        return (f"من الـ{deps} تابعين، كم واحد عمره {adult_age} سنة أو أكثر؟", [
            choice_button(f"كلهم أقل من {adult_age}", "none"),
            choice_button(f"كلهم {adult_age} أو أكثر", "all"),
        ])
    if slot == INDEPENDENT:
        return ("بما إنك بتسجل بدون تابعين: ساكن في سكن مستقل خاص فيك (مو مع أهلك)؟",
                YES_NO_UNSURE)
    if slot == INCOME:
        return ("كم دخل أسرتك الشهري تقريبًا؟ (كل الرواتب والدخل بالريال)\n"
                "مثل: 6000، أو \"ستة آلاف\"، أو 6k.", [choice_button("ما عندنا دخل", "none")])
    if slot == ASSETS:
        return ("عندك أنت أو أحد من أسرتك أصول أو عقارات عالية القيمة مسجلة باسمه؟",
                YES_NO_UNSURE)
    if slot == CONFIRM:
        return summary_question(slots)
    raise KeyError(slot)


def _yes_no_label(value: Any) -> str:
    return {True: "نعم", False: "لا", UNSURE: "مو متأكد"}.get(value, "-")


def summary_lines(slots: Dict[str, Any]) -> List[str]:
    lines = []
    saudi = slots.get(SAUDI)
    if saudi is True:
        lines.append("الجنسية: سعودي")
    elif saudi is False:
        exception = {
            rules.MOBILITY_CARD: "غير سعودي، وتحمل بطاقة التنقل",
            rules.SAUDI_MOTHER: "غير سعودي، ووالدتك سعودية",
            rules.FOREIGN_WIFE: "زوجة أجنبية لمواطن سعودي",
            rules.NO_EXCEPTION: "غير سعودي، بدون استثناء",
        }.get(slots.get(EXCEPTION), "غير سعودي")
        lines.append(f"الجنسية: {exception}")
    if number(slots.get(AGE)) is not None:
        lines.append(f"العمر: {as_int(slots.get(AGE))} سنة")
    if slots.get(RESIDENT) is not None:
        lines.append(f"مقيم بشكل دائم في المملكة: {_yes_no_label(slots.get(RESIDENT))}")
    if number(slots.get(ABROAD)) is not None and relevant(ABROAD, slots):
        months = number(slots.get(ABROAD))
        text = "ما سافرت" if months == 0 else rules.format_months(months)
        lines.append(f"أطول مدة خارج المملكة: {text}")
    if slots.get(SHELTER) is not None:
        lines.append(f"في دار إيواء أو سجن: {_yes_no_label(slots.get(SHELTER))}")
    deps = as_int(slots.get(DEPENDANTS))
    if deps == 0:
        lines.append("التابعين: ما عندك تابعين")
    elif deps is not None:
        adults = as_int(slots.get(ADULTS))
        age = fact("eligibility_precheck.dependant_adult_age")
        detail = "" if adults is None else f" ({adults} بعمر {age} أو أكثر، {deps - adults} أقل من {age})"
        lines.append(f"التابعين: {deps}{detail}")
    if slots.get(INDEPENDENT) is not None and relevant(INDEPENDENT, slots):
        lines.append(f"سكن مستقل: {_yes_no_label(slots.get(INDEPENDENT))}")
    income = number(slots.get(INCOME))
    if income is not None:
        lines.append("دخل الأسرة الشهري: " + ("ما فيه دخل" if income == 0
                                                else rules.format_riyals(income)))
    if slots.get(ASSETS) is not None:
        lines.append(f"أصول أو عقارات عالية القيمة: {_yes_no_label(slots.get(ASSETS))}")
    return lines


def summary_question(slots: Dict[str, Any]) -> Tuple[str, List[Dict[str, str]]]:
    if slots.get(STAGE) == STAGE_PICK_FIELD:
        codes = [FIELD_OF_SLOT[s] for s in ORDER
                 if s in FIELD_OF_SLOT and relevant(s, slots) and slots.get(s) is not None]
        return ("أي إجابة تبي تعدّل؟",
                [choice_button(FIELD_TITLES[c], f"fix:{c}") for c in codes][:10])
    text = "قبل النتيجة، هذي إجاباتك:\n" + "\n".join(f"• {l}" for l in summary_lines(slots))
    text += "\nكلها صحيحة؟"
    return text, [choice_button("صحيحة، اعرض النتيجة", "yes"), choice_button("أبي أعدّل", "no")]


# ---------------------------------------------------------------------------
# Answer readers: (value or None, Arabic explanation when None)
# ---------------------------------------------------------------------------

Reading = Tuple[Optional[Dict[str, Any]], Optional[str]]


def read_saudi(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    if choice in rules.NATIONALITY_EXCEPTIONS:
        return {SAUDI: False, EXCEPTION: choice}, None
    if choice in ("yes", "no"):
        return {SAUDI: choice == "yes"}, None
    exception = parse_choice(text, {k: v for k, v in NATIONALITY_WORDS.items()
                                    if k != rules.NO_EXCEPTION})
    if exception:
        return {SAUDI: False, EXCEPTION: exception}, None
    if parse_choice(text, {"no": NOT_SAUDI_WORDS}):
        return {SAUDI: False}, None
    answer = yes_no_from(text, None, tracker, allow_unsure=False)
    if answer is None and parse_choice(text, {"yes": SAUDI_WORDS}):
        answer = True
    if answer is None:
        return None, "ما فهمت إجابتك 🙏 اضغط \"ايه\" إذا أنت سعودي الجنسية، أو \"لا\" إذا لا."
    return {SAUDI: answer}, None


def read_exception(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    if choice in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,):
        return {EXCEPTION: choice}, None
    found = parse_choice(text, NATIONALITY_WORDS)
    if found:
        return {EXCEPTION: found}, None
    if yes_no_from(text, choice, tracker, allow_unsure=False) is False:
        return {EXCEPTION: rules.NO_EXCEPTION}, None
    return None, ("اختر واحد من الأزرار تحت السؤال، أو اكتب \"لا\" إذا ما ينطبق عليك "
                  "ولا واحد منها.")


def read_age(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    value = parse_number(text)
    if value is None:
        if is_unsure(text):
            return None, "ما يحتاج دقة 🙂 اكتب عمرك التقريبي بالسنوات، مثل 35."
        return None, "ما قدرت أقرأ العمر 🙏 اكتبه رقم بالسنوات، مثل 35."
    low = fact("eligibility_precheck.min_plausible_age")
    high = fact("eligibility_precheck.max_plausible_age")
    if value < low or value > high:
        return None, (f"العمر {_with_unit(value, 'سنة')} ما يبدو صحيح 🙂 اكتب عمرك بالسنوات "
                      f"(بين {low} و{high})، مثل 35.")
    return {AGE: int(math.floor(value))}, None


def read_resident(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    answer = yes_no_from(text, choice, tracker, allow_unsure=False)
    if answer is None:
        return None, "جاوبني بـ\"ايه\" إذا ساكن بشكل دائم داخل المملكة، أو \"لا\" إذا ساكن برا."
    return {RESIDENT: answer}, None


def read_abroad(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    if choice == "none":
        return {ABROAD: 0}, None
    months = parse_duration_months(text)
    if months is None:
        if yes_no_from(text, None, tracker, allow_unsure=False) is True:
            return None, "تمام، وكم كانت المدة؟ اكتبها مثل: شهرين، أو 45 يوم."
        return None, ("ما قدرت أقرأ المدة 🙏 اكتبها مثل: \"شهرين\"، \"45 يوم\"، \"3 أشهر\"، "
                      "أو اكتب \"ما سافرت\".")
    if months < 0:
        return None, "المدة ما تكون بالسالب 🙂 اكتب كم شهر أو يوم كنت خارج المملكة."
    age = as_int(tracker.get_slot(AGE))
    if months > 12 * (age if age else fact("eligibility_precheck.max_plausible_age")):
        return None, "المدة هذي أطول من عمرك 🙂 تأكد منها واكتبها مرة ثانية."
    return {ABROAD: int(months) if float(months).is_integer() else round(months, 2)}, None


def read_shelter(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    answer = yes_no_from(text, choice, tracker, allow_unsure=False)
    if answer is None:
        return None, "جاوبني بـ\"ايه\" أو \"لا\" لو سمحت، أو اضغط أحد الأزرار."
    return {SHELTER: answer}, None


def _read_count(text: str, what: str) -> Tuple[Optional[int], Optional[str]]:
    value = parse_count(text)
    if value is None:
        return None, f"ما قدرت أقرأ {what} 🙏 اكتبه رقم، مثل 3، أو 0 إذا ما فيه."
    if value < 0:
        return None, f"{what} ما يكون بالسالب 🙂 اكتب رقم مثل 3، أو 0."
    if not float(value).is_integer():
        return None, f"{what} لازم يكون عدد صحيح، مثل 2 أو 3."
    return int(value), None


def read_dependants(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    if choice == "none":
        return {DEPENDANTS: 0}, None
    count, error = _read_count(text, "عدد التابعين")
    if error:
        if yes_no_from(text, None, tracker, allow_unsure=False) is True:
            return None, "تمام، وكم عددهم؟ اكتب الرقم، مثل 3."
        return None, error
    high = fact("eligibility_precheck.max_dependants")
    if count > high:
        return None, f"العدد {count} كبير مرة 🙂 تأكد منه واكتبه مرة ثانية (الحد {high})."
    return {DEPENDANTS: count}, None


def read_adults(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    deps = as_int(tracker.get_slot(DEPENDANTS)) or 0
    if choice == "none":
        return {ADULTS: 0}, None
    if choice == "all":
        return {ADULTS: deps}, None
    tokens = clean(text).split()
    if "كلهم" in tokens or "جميعهم" in tokens:
        small = {"صغار", "تحت", "اقل", "قصر", "اطفال"}
        return {ADULTS: 0 if small & set(tokens) else deps}, None
    if deps == 1 or choice in ("yes", "no"):
        answer = yes_no_from(text, choice, tracker, allow_unsure=False)
        if answer is not None and parse_number(text) is None:
            if deps == 1 or answer is False:
                return {ADULTS: deps if answer else 0}, None
    count, error = _read_count(text, "العدد")
    if error:
        return None, error
    if count > deps:
        age = fact("eligibility_precheck.dependant_adult_age")
        return None, (f"عدد التابعين كلهم {deps}، فاللي أعمارهم {age} أو أكثر لازم ما يزيدون "
                      f"عن {deps}. اكتب العدد مرة ثانية.")
    return {ADULTS: count}, None


def read_independent(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    answer = yes_no_from(text, choice, tracker, allow_unsure=True)
    if answer is None:
        if parse_choice(text, {"no": ["مع اهلي", "مع ابوي", "مع امي", "عند اهلي", "مع الوالدين"]}):
            return {INDEPENDENT: False}, None
        if parse_choice(text, {"yes": ["لحالي", "بروحي", "شقة", "ايجار", "بيتي", "مستقل"]}):
            return {INDEPENDENT: True}, None
        return None, "جاوبني بـ\"ايه\" إذا ساكن في سكن مستقل خاص فيك، أو \"لا\" إذا ساكن مع أهلك."
    return {INDEPENDENT: answer}, None


def read_income(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    if choice == "none":
        return {INCOME: 0}, None
    value = parse_amount(text)
    if value is None:
        if is_unsure(text):
            return None, "ما يحتاج رقم دقيق 🙂 اكتب دخل الأسرة الشهري التقريبي بالريال، مثل 6000."
        return None, ("ما قدرت أقرأ المبلغ 🙏 اكتبه بالريال مثل 6000 أو \"ستة آلاف\"، "
                      "أو اكتب \"ما عندنا دخل\".")
    if value < 0:
        return None, "الدخل ما يكون بالسالب 🙂 اكتب دخل الأسرة الشهري بالريال، أو 0 إذا ما فيه دخل."
    if value > fact("eligibility_precheck.max_monthly_income"):
        return None, "المبلغ هذا كبير مرة على دخل شهري 🙂 تأكد منه واكتب الدخل الشهري بالريال."
    return {INCOME: int(value) if float(value).is_integer() else round(value, 2)}, None


def read_assets(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    answer = yes_no_from(text, choice, tracker, allow_unsure=True)
    if answer is None:
        return None, ("جاوبني بـ\"ايه\" أو \"لا\"، وإذا مو متأكد اضغط \"مو متأكد\" "
                      "ونكمل.")
    return {ASSETS: answer}, None


def read_confirm(text: str, choice: Optional[str], tracker: Tracker) -> Reading:
    """The summary: yes shows the result; no lists the answers to pick one to
    correct; naming an answer ("العمر غلط") or its button re-asks just that one."""
    if choice and choice.startswith("fix:") and choice[4:] in FIELDS:
        return correction(choice[4:]), None
    field = None if choice else parse_choice(text, FIELD_WORDS)
    if field:
        return correction(field), None
    answer = yes_no_from(text, choice, tracker, allow_unsure=False)
    if answer is True:
        return {CONFIRM: True, STAGE: None}, None
    if answer is False:
        if tracker.get_slot(STAGE) == STAGE_PICK_FIELD:
            return {CONFIRM: None, STAGE: None}, None     # nothing to correct after all
        return {CONFIRM: None, STAGE: STAGE_PICK_FIELD}, None
    if tracker.get_slot(STAGE) == STAGE_PICK_FIELD:
        return None, "اختر من الأزرار الإجابة اللي تبي تعدّلها، أو اكتب اسمها مثل \"العمر\" أو \"الدخل\"."
    return None, "اضغط \"صحيحة، اعرض النتيجة\" إذا الإجابات سليمة، أو \"أبي أعدّل\" لتصحيح إجابة."


def correction(field: str) -> Dict[str, Any]:
    """Clear one answer (and the ones that depend on it) so the form asks it again."""
    events: Dict[str, Any] = {slot: None for slot in FIELDS[field]}
    events.update({CONFIRM: None, STAGE: None})
    return events


READERS: Dict[str, Callable[[str, Optional[str], Tracker], Reading]] = {
    SAUDI: read_saudi, EXCEPTION: read_exception, AGE: read_age, RESIDENT: read_resident,
    ABROAD: read_abroad, SHELTER: read_shelter, DEPENDANTS: read_dependants,
    ADULTS: read_adults, INDEPENDENT: read_independent, INCOME: read_income,
    ASSETS: read_assets, CONFIRM: read_confirm,
}


def already_valid(slot: str, value: Any) -> bool:
    """A value this form stored itself (re-validated when the form restarts)."""
    if slot in (SAUDI, RESIDENT, SHELTER):
        return isinstance(value, bool)
    if slot in (INDEPENDENT, ASSETS):
        return isinstance(value, bool) or value == UNSURE
    if slot == EXCEPTION:
        return value in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,)
    if slot in (AGE, DEPENDANTS, ADULTS, INCOME, ABROAD):
        return number(value) is not None and number(value) >= 0
    if slot == CONFIRM:
        return value is True
    return False


def is_continue(text: str, choice: Optional[str]) -> bool:
    return choice == "continue" or bool(parse_choice(text, {"go": CONTINUE_WORDS}))


def offer_buttons() -> List[Dict[str, str]]:
    return [
        choice_button("أكمل", "continue"),
        {"title": "وقّف التحقق", "payload": "/cancel"},
        {"title": "أكلم موظف",
         "payload": "/human_handoff" + json.dumps({"handoff_reason": "form_failed"},
                                                  separators=(",", ":"))},
    ]


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------

class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_eligibility_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return required_slots_for(tracker.slots)

    def _validate(self, slot: str, value: Any, dispatcher: CollectingDispatcher,
                  tracker: Tracker) -> Dict[str, Any]:
        counts = failures(tracker)
        if already_valid(slot, value):
            return {slot: value}
        text = value if isinstance(value, str) else str(value)
        choice = latest_choice(tracker)
        intent, _ = latest_intent(tracker)
        # The citizen's reply to this question (not a value carried in from elsewhere).
        is_reply = (slot == tracker.get_slot("requested_slot")
                    and text == (tracker.latest_message or {}).get("text"))
        if is_reply and intent == "check_eligibility":
            if choice and choice.startswith("fix:") and choice[4:] in FIELDS:
                return correction(choice[4:])     # an old "عدّل إجابتي" button
            dispatcher.utter_message(text="احنا الحين في التحقق المبدئي 👍 نكمل من حيث وقفنا:")
            return {slot: None, STAGE: None}
        if is_reply and is_continue(text, choice):
            dispatcher.utter_message(text="تمام، نكمل 👍")
            return {slot: None, STAGE: None, FAILURES: _without(counts, slot)}
        reading, error = READERS[slot](text, choice, tracker)
        if reading is not None:
            reading.setdefault(STAGE, None)
            reading[FAILURES] = _without(counts, slot)
            return reading
        counts[slot] = counts.get(slot, 0) + 1
        if counts[slot] % _max_failures() == 0:
            dispatcher.utter_message(
                text=(f"{error}\n\nيبدو إن السؤال هذا متعب، والعذر مني 🙏 تقدر تكتب إجابتك الآن، "
                      "أو تضغط \"أكمل\" وأعيد السؤال، أو نوقف التحقق، أو أحولك لموظف."),
                buttons=offer_buttons())
            return {slot: None, FAILURES: counts, STAGE: STAGE_OFFER}
        dispatcher.utter_message(text=error)
        keep = slot == CONFIRM and tracker.get_slot(STAGE) == STAGE_PICK_FIELD
        return {slot: None, FAILURES: counts, STAGE: STAGE_PICK_FIELD if keep else None}

    async def validate_elig_saudi(self, value, dispatcher, tracker, domain):
        return self._validate(SAUDI, value, dispatcher, tracker)

    async def validate_elig_exception(self, value, dispatcher, tracker, domain):
        return self._validate(EXCEPTION, value, dispatcher, tracker)

    async def validate_elig_age(self, value, dispatcher, tracker, domain):
        return self._validate(AGE, value, dispatcher, tracker)

    async def validate_elig_resident(self, value, dispatcher, tracker, domain):
        return self._validate(RESIDENT, value, dispatcher, tracker)

    async def validate_elig_months_abroad(self, value, dispatcher, tracker, domain):
        return self._validate(ABROAD, value, dispatcher, tracker)

    async def validate_elig_shelter(self, value, dispatcher, tracker, domain):
        return self._validate(SHELTER, value, dispatcher, tracker)

    async def validate_elig_dependants(self, value, dispatcher, tracker, domain):
        return self._validate(DEPENDANTS, value, dispatcher, tracker)

    async def validate_elig_dependants_adult(self, value, dispatcher, tracker, domain):
        return self._validate(ADULTS, value, dispatcher, tracker)

    async def validate_elig_independent(self, value, dispatcher, tracker, domain):
        return self._validate(INDEPENDENT, value, dispatcher, tracker)

    async def validate_elig_income(self, value, dispatcher, tracker, domain):
        return self._validate(INCOME, value, dispatcher, tracker)

    async def validate_elig_assets(self, value, dispatcher, tracker, domain):
        return self._validate(ASSETS, value, dispatcher, tracker)

    async def validate_elig_confirm(self, value, dispatcher, tracker, domain):
        return self._validate(CONFIRM, value, dispatcher, tracker)


def _interrupted(tracker: Tracker) -> bool:
    """True when the form resumes after answering something else (an FAQ)."""
    for event in reversed(tracker.events):
        if event.get("event") == "action":
            name = event.get("name")
            if name in (FORM, "action_listen", None) or name.startswith("action_ask_"):
                continue
            return name.startswith("utter_faq") or name == "action_answer_faq_pick"
        if event.get("event") == "user":
            return False
    return False


class _AskAction(Action, ABC):
    """Asks one question of the form, with its buttons."""

    @property
    @abstractmethod
    def slot(self) -> str:
        ...

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        if tracker.get_slot(STAGE) == STAGE_OFFER:
            # The options (continue / stop / a person) were just offered: don't
            # bury them under the same question again.
            return [SlotSet(STAGE, None)]
        text, buttons = question(self.slot, tracker.slots)
        if _interrupted(tracker):
            text = "نرجع للتحقق 👇\n" + text
        dispatcher.utter_message(text=text, buttons=buttons or None)
        return []


class ActionAskEligSaudi(_AskAction):
    slot = SAUDI


class ActionAskEligException(_AskAction):
    slot = EXCEPTION


class ActionAskEligAge(_AskAction):
    slot = AGE


class ActionAskEligResident(_AskAction):
    slot = RESIDENT


class ActionAskEligMonthsAbroad(_AskAction):
    slot = ABROAD


class ActionAskEligShelter(_AskAction):
    slot = SHELTER


class ActionAskEligDependants(_AskAction):
    slot = DEPENDANTS


class ActionAskEligDependantsAdult(_AskAction):
    slot = ADULTS


class ActionAskEligIndependent(_AskAction):
    slot = INDEPENDENT


class ActionAskEligIncome(_AskAction):
    slot = INCOME


class ActionAskEligAssets(_AskAction):
    slot = ASSETS


class ActionAskEligConfirm(_AskAction):
    slot = CONFIRM


_AGE_IN_TEXT = re.compile(r"(?:عمري|من العمر)\s*:?\s*(\d{1,3})(?![\d.])")
_INCOME_IN_TEXT = re.compile(
    r"(?:راتبي|دخلي|دخلنا|راتبنا|دخل اسرتي|دخل الاسره)\s+((?:\d[\d.]*)(?:\s*(?:k|الف|الاف))?)")


def prefill(text: str) -> Dict[str, Any]:
    """Answers already given in the message that started the pre-check, e.g.
    "انا سعودي عمري ٣٠ وراتبي ٦ الاف، هل استحق؟" → nationality, age and income.
    Conservative: only clear statements; the form validates them like any answer."""
    if not text or text.startswith("/"):
        return {}
    found: Dict[str, Any] = {}
    cleaned = clean(text)
    # "مقيم" alone is no statement of nationality here ("سعودي مقيم في الرياض").
    if parse_choice(text, {"no": [w for w in NOT_SAUDI_WORDS if w not in ("مقيم", "وافد")]}):
        found[SAUDI] = False
    elif parse_choice(text, {"yes": ["سعودي", "سعوديه", "سعودية"]}):
        found[SAUDI] = True
    exception = parse_choice(text, {k: v for k, v in NATIONALITY_WORDS.items()
                                    if k != rules.NO_EXCEPTION})
    if exception:
        found.update({SAUDI: False, EXCEPTION: exception})
    age = _AGE_IN_TEXT.search(cleaned)
    if age:
        found[AGE] = age.group(1)
    income = _INCOME_IN_TEXT.search(cleaned)
    if income:
        found[INCOME] = income.group(1)
    return found


class ActionEligStart(Action):
    def name(self) -> Text:
        return "action_elig_start"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        choice = latest_choice(tracker) or ""
        has_answers = any(tracker.get_slot(s) is not None for s in ORDER)
        if choice.startswith("fix:") and choice[4:] in FIELDS and has_answers:
            dispatcher.utter_message(text="تمام، خلنا نصحح الإجابة 👇")
            return [SlotSet(slot, value) for slot, value in correction(choice[4:]).items()] + [
                SlotSet(FAILURES, None)]
        events = [SlotSet(slot, None) for slot in ALL_SLOTS]
        known = prefill((tracker.latest_message or {}).get("text") or "")
        text = ("تمام 👍 بسوي لك تحقق مبدئي سريع من أهليتك لحساب المواطن، بأسئلة قصيرة وحدة وحدة.\n"
                "النتيجة استرشادية وليست قرار البرنامج، والقرار الرسمي يطلع لك في البوابة.\n"
                "تقدر تكتب \"إلغاء\" بأي وقت، أو تسألني أي سؤال وبعدها نكمل.")
        if known:
            names = [FIELD_TITLES[FIELD_OF_SLOT[s]] for s in ORDER if s in known and s in FIELD_OF_SLOT]
            text += "\nوأخذت من رسالتك: " + "، ".join(names) + " (تقدر تعدّلها قبل النتيجة)."
        dispatcher.utter_message(text=text)
        events += [SlotSet(slot, value) for slot, value in known.items()]
        return events


def _next_steps(outcome: str) -> str:
    number_ = fact("contact.unified_number")
    if outcome == rules.LIKELY_ELIGIBLE:
        return ("الخطوة الجاية: سجّل في بوابة حساب المواطن، وبعدها تابع حالتك من \"دراسة الأهلية\". "
                f"ولأي استفسار اتصل على الرقم الموحد {number_}.")
    if outcome == rules.CANNOT_TELL:
        return ("الأفضل تسجّل في بوابة حساب المواطن وتشوف النتيجة الرسمية من \"دراسة الأهلية\"، "
                f"أو تتصل على الرقم الموحد {number_} وتسألهم عن حالتك.")
    return ("إذا تغيّر وضعك تقدر تعيد التحقق بأي وقت. وإذا تشوف إن وضعك مختلف، سجّل في البوابة "
            f"وشوف النتيجة الرسمية من \"دراسة الأهلية\"، أو اتصل على الرقم الموحد {number_}.")


def _people(n: int) -> str:
    return "تابع واحد" if n == 1 else f"{n} تابعين"


def estimate_text(estimate: rules.Estimate) -> str:
    parts = estimate.rounded()
    age = fact("eligibility_precheck.dependant_adult_age")
    shares = (fact("entitlement_shares.primary"), fact("entitlement_shares.dependant_adult"),
              fact("entitlement_shares.dependant_minor"))
    lines = [f"💰 الدعم الشهري التقديري: {parts['total']:,} ريال",
             f"• أنت (المستفيد الأساسي {shares[0]}%): {parts['primary']:,} ريال"]
    if estimate.adult_count:
        lines.append(f"• {_people(estimate.adult_count)} بعمر {age} أو أكثر ({shares[1]}% لكل واحد): "
                     f"{parts['adults']:,} ريال")
    if estimate.minor_count:
        lines.append(f"• {_people(estimate.minor_count)} أقل من {age} ({shares[2]}% لكل واحد): "
                     f"{parts['minors']:,} ريال")
    if parts["reduction"] > 0:
        lines.append(f"نقص التقدير {parts['reduction']:,} ريال لأن دخل الأسرة أعلى من حد الإعفاء "
                     f"التقديري ({rules.format_riyals(estimate.exemption)})، والدعم يتناقص كل ما زاد الدخل.")
    lines.append("⚠️ هذا تقدير تقريبي بأرقام توضيحية، والمبلغ الفعلي يحدده البرنامج.")
    return "\n".join(lines)


def result_messages(slots: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The result as messages: outcome and reasons, the estimate, next steps."""
    answers = answers_from_slots(slots)
    result = rules.evaluate(answers)
    early = result.outcome == rules.LIKELY_NOT_ELIGIBLE and slots.get(CONFIRM) is not True
    messages: List[Dict[str, Any]] = []
    if result.outcome == rules.LIKELY_ELIGIBLE:
        head = "✅ النتيجة المبدئية: غالبًا تنطبق عليك شروط حساب المواطن."
        reasons = [f"✔️ {f.text}" for f in result.passes]
    elif result.outcome == rules.LIKELY_NOT_ELIGIBLE:
        head = ("❌ النتيجة المبدئية: غالبًا ما تنطبق عليك الشروط حاليًا"
                + ("، ووقفت الأسئلة هنا لأن شرط أساسي ما تحقق:" if early else ":"))
        reasons = [f"✖️ {f.text}" for f in result.failures]
    else:
        head = "❔ النتيجة المبدئية: ما أقدر أحدد من إجاباتك، لأن:"
        reasons = [f"❔ {f.text}" for f in result.unknowns]
        reasons += [f"✔️ {f.text}" for f in result.passes]
    messages.append({"text": head + "\n" + "\n".join(reasons)})
    if result.estimate is not None:
        messages.append({"text": estimate_text(result.estimate)})
    closing = ("هذا تحقق مبدئي استرشادي وليس قرار البرنامج. البرنامج يدرس طلبك ويتحقق من مطابقة "
               "بياناتك للبيانات الرسمية لدى الجهات الحكومية.\n" + _next_steps(result.outcome))
    if early:
        failed = result.failures[0]
        field = {"nationality": "saudi", "age": "age", "residence": "res", "absence": "abroad",
                 "shelter": "shelter", "independence": "indep", "income": "income",
                 "assets": "assets"}.get(failed.rule)
        buttons = [{"title": "عدّل إجابتي", "payload": payload(f"fix:{field}", "check_eligibility")}]
    else:
        buttons = [button("faq_registration")]
    buttons += [button("faq_eligibility_status"), button("human_handoff")]
    messages.append({"text": closing, "buttons": buttons})
    return messages


class ActionEligResult(Action):
    def name(self) -> Text:
        return "action_elig_result"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        for message in result_messages(tracker.slots):
            dispatcher.utter_message(**message)
        return [SlotSet(STAGE, None), SlotSet(FAILURES, None)]


class ActionEligCancel(Action):
    def name(self) -> Text:
        return "action_elig_cancel"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List:
        dispatcher.utter_message(
            text="تمام، وقّفت التحقق المبدئي 👍 ومسحت إجاباتك. تقدر تبدأ من جديد بأي وقت.",
            buttons=[button("check_eligibility"), button("faq_conditions")])
        return [SlotSet(slot, None) for slot in ALL_SLOTS] + [SlotSet("requested_slot", None)]
