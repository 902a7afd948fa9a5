"""Reading the household questions of the pre-check: how many dependants, how many of
them are 18 or over, and the household's monthly income; and the breakdown the summary
shows when the citizen listed people or gave the income as parts.

Who counts as a dependant (تابع) in the Citizen Account program, from the seeds:
- the applicant is the primary beneficiary (المستفيد الأساسي, 100% share) and each
  dependant adds a share by age, 50% at 18 or over and 30% under 18 (004, "جدول
  الاستحقاق الفعلي"), so the applicant is never one of their own dependants:
  "انا وزوجتي وامي" is 2;
- eligibility looks at "إجمالي عدد أفراد الأسرة وأعمار المعالين" (004): the family
  members the applicant supports (المعالين), whoever they are, so a wife (each wife:
  "زوجتين و٥ عيال" is 7), children, a mother, a father or siblings all count;
- a dependant stops counting on marriage, death or passing the allowed age: "انخفاض
  عدد التابعين المؤهلين (بسبب الزواج، الوفاة، أو تجاوز السن المسموح به)" (003); and
  one who lives on their own registers for themselves: "الأفراد المستقلون في مسكن خاص
  كفرد مستقل" (004), "بشرط أن يثبت استقلالية السكن" (003). So "عندي ٤ بس واحد متزوج
  وساكن لحاله" is 3, and the question asks for those "اللي تعولهم ويسكنون معك".
- the household's income is all of it: "مجموع دخل الأسرة" (003), "إجمالي دخل الأسرة"
  (004), so "راتبي ٨٠٠٠ وزوجتي ٢٠٠٠" is 10,000.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from bot.content import ARABIC, eligibility_wording, fact
from bot.content import eligibility_text as say
from bot.services.eligibility.form import ADULTS, DEPENDANTS, INCOME, as_int, number
from bot.services.eligibility.reply import Reading, Reply, yes_no
from bot.services.eligibility.words import ALL_WORDS, EXCEPT_WORDS, SMALL_WORDS
from bot.services.parsing import (
    Household,
    clean,
    fill_missing,
    is_question,
    is_unsure,
    parse_amount_parts,
    parse_count,
    parse_household,
    parse_number,
)


def _read_count(text: str, what: str, lang: str = ARABIC) -> Tuple[Optional[int], Optional[str]]:
    value = parse_count(text)
    if value is None:
        return None, say("errors.count_unreadable", lang, what=what)
    if value < 0:
        return None, say("errors.count_negative", lang, what=what)
    if not float(value).is_integer():
        return None, say("errors.count_fraction", lang, what=what)
    return int(value), None


def household_of(reply: Reply) -> Optional[Household]:
    """The people a reply to "how many dependants?" names. A bare number right after a
    list with one group and no number completes that list: "زوجتي وعيالي", then "٣",
    is a wife and 3 children, 4."""
    household = parse_household(reply.text)
    if reply.previous and household is not None and household.bare:
        earlier = parse_household(reply.previous)
        if earlier is not None and earlier.total is None and household.total is not None:
            return fill_missing(earlier, household.total) or household
    return household


def _how_many(household: Household, lang: str = ARABIC) -> str:
    """Ask for the number a list left out, rather than guess it."""
    missing = household.missing
    named = eligibility_wording(lang)["people_all"]
    who = named.get(missing[0]) if len(missing) == 1 else None
    if who and household.members and fill_missing(household, 1) is not None:
        return say("errors.dependants_how_many_of", lang, who=who)
    return say("errors.dependants_exact", lang)


def read_dependants(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    if reply.choice == "none":
        return {DEPENDANTS: 0}, None
    if is_question(reply.text):
        return None, say("errors.dependants_question", reply.lang)  # "وش يعني تابع؟" is no answer
    household = household_of(reply)
    if household is not None and household.total is None:
        return None, _how_many(household, reply.lang)
    if household is not None:
        count = household.total
    else:
        what = say("errors.count_of_dependants", reply.lang)
        count, error = _read_count(reply.text, what, reply.lang)
        if error:
            if yes_no(reply, allow_unsure=False, button=False) is True:
                return None, say("errors.dependants_how_many", reply.lang)
            return None, error
    if count > fact("eligibility_precheck.max_dependants"):
        return None, say("errors.dependants_too_many", reply.lang, count=count)
    return {DEPENDANTS: count}, None


def _all_but(tokens: Sequence[str], deps: int) -> Optional[Tuple[Optional[int], bool]]:
    """ "كلهم صغار" → 0, "كلهم كبار" → all, "كلهم الا واحد" → all but one, "كلهم صغار
    الا زوجتي" → 1: (the number, or None if the exception has no number; whether the
    reply was of that shape at all)."""
    if not ALL_WORDS & set(tokens):
        return None
    cut = next((i for i, t in enumerate(tokens) if t in EXCEPT_WORDS), None)
    small = bool(SMALL_WORDS & set(tokens[:cut]))
    if cut is None:
        return (0 if small else deps), True
    exception = parse_household(" ".join(tokens[cut + 1 :]))
    if exception is None or exception.total is None:
        return None, True
    return (exception.total if small else deps - exception.total), True


def read_adults(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    deps = as_int(slots.get(DEPENDANTS)) or 0
    if reply.choice == "none":
        return {ADULTS: 0}, None
    if reply.choice == "all":
        return {ADULTS: deps}, None
    if is_question(reply.text):
        return None, say("errors.adults_question", reply.lang)
    found = _all_but(clean(reply.text).split(), deps)
    if found is not None:
        count, _ = found
        if count is None:
            return None, say("errors.adults_exact", reply.lang)
    else:
        if deps == 1 or reply.choice in ("yes", "no"):
            answer = yes_no(reply, allow_unsure=False)
            if answer is not None and parse_number(reply.text) is None:
                if deps == 1 or answer is False:
                    return {ADULTS: deps if answer else 0}, None
        # "واحد بس", "الكبير بس", "زوجتي والكبير", "ثنين كبار والباقي صغار", "ولا واحد"
        household = parse_household(reply.text)
        count = household.not_younger if household is not None else None
        if household is not None and count is None:
            return None, say("errors.adults_exact", reply.lang)
        if household is None:
            what = say("errors.count_of_adults", reply.lang)
            count, error = _read_count(reply.text, what, reply.lang)
            if error:
                return None, error
    if count < 0 or count > deps:
        return None, say("errors.adults_too_many", reply.lang, deps=deps)
    return {ADULTS: count}, None


def read_income(reply: Reply, slots: Mapping[str, Any]) -> Reading:
    if reply.choice == "none":
        return {INCOME: 0}, None
    parts = parse_amount_parts(reply.text)  # "راتبي ٨٠٠٠ وزوجتي ٢٠٠٠": the household's sum
    if parts is None:
        if is_unsure(reply.text):
            return None, say("errors.income_unsure", reply.lang)
        return None, say("errors.income_unreadable", reply.lang)
    value = sum(parts)
    if value < 0:
        return None, say("errors.income_negative", reply.lang)
    if value > fact("eligibility_precheck.max_monthly_income"):
        return None, say("errors.income_too_high", reply.lang)
    return {INCOME: int(value) if float(value).is_integer() else round(value, 2)}, None


# ---------------------------------------------------------------------------
# What the summary shows next to these answers
# ---------------------------------------------------------------------------


def breakdowns(slots: Mapping[str, Any], replies: Mapping[str, Sequence[str]]) -> Dict[str, Any]:
    """The parts of an answer given as parts, re-read from the replies that gave it
    (oldest first): for DEPENDANTS the Household when people were listed ("زوجتي و٣
    عيال"), for INCOME the amounts when there were several. Only while the replies
    still read as the stored answer, so a corrected answer never shows old parts."""
    found: Dict[str, Any] = {}
    given = list(replies.get(DEPENDANTS) or ())
    if given:
        previous = given[-2] if len(given) > 1 else None
        household = household_of(Reply(given[-1], previous=previous))
        listed = household is not None and (
            len(household.members) > 1 or household.excluded or household.counts_self
        )
        if listed and household.total == as_int(slots.get(DEPENDANTS)):
            found[DEPENDANTS] = household
    given = list(replies.get(INCOME) or ())
    parts = parse_amount_parts(given[-1]) if given else None
    income = number(slots.get(INCOME))
    if parts and len(parts) > 1 and income is not None and abs(sum(parts) - income) < 0.01:
        found[INCOME] = parts
    return found
