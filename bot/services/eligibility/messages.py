"""What the pre-check shows, composed from the answers so far: each question with its
buttons, the summary, the result with its reasons and estimate, and the form's own
lines (start, offer a way out, cancel).

Plain Python over slot values; the wording is in bot/content/eligibility.yml (Arabic)
and bot/content/en/eligibility.yml (English), chosen by `lang`, and the verdicts come from
bot.services.eligibility.rules. Messages are dicts the action passes to
`dispatcher.utter_message` (text, buttons).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.content import ARABIC, ENGLISH, button, eligibility_wording, fact
from bot.content import eligibility_text as say
from bot.services.eligibility import reasons, rules
from bot.services.eligibility.form import (
    ABROAD,
    ADULTS,
    AGE,
    ASSETS,
    CHOICE_ENTITY,
    CONFIRM,
    DEPENDANTS,
    EXCEPTION,
    FIELD_OF_RULE,
    FIELD_OF_SLOT,
    FIX,
    INCOME,
    INDEPENDENT,
    ORDER,
    RESIDENT,
    SAUDI,
    SHELTER,
    STAGE,
    STAGE_PICK_FIELD,
    UNSURE,
    answered_fields,
    answers_from_slots,
    as_int,
    number,
    relevant,
)
from bot.services.parsing import Household

Buttons = List[Dict[str, str]]
Message = Dict[str, Any]


def payload(value: str, intent: str = "inform") -> str:
    """`/inform{"elig_choice":"yes"}`: compact, so it fits Telegram's 64 bytes."""
    return (
        "/" + intent + json.dumps({CHOICE_ENTITY: value}, ensure_ascii=False, separators=(",", ":"))
    )


def choice_button(title: str, value: str) -> Dict[str, str]:
    return {"title": title, "payload": payload(value)}


def yes_no_buttons(unsure: bool = False, lang: str = ARABIC) -> Buttons:
    buttons = [
        choice_button(say("buttons.yes", lang), "yes"),
        choice_button(say("buttons.no", lang), "no"),
    ]
    if unsure:
        buttons.append(choice_button(say("buttons.unsure", lang), UNSURE))
    return buttons


# ---------------------------------------------------------------------------
# Questions and the summary
# ---------------------------------------------------------------------------


def question(
    slot: str,
    slots: Mapping[str, Any],
    parts: Optional[Mapping[str, Any]] = None,
    lang: str = ARABIC,
) -> Tuple[str, Buttons]:
    """The question for a slot and its buttons, in `lang`. `parts`: the breakdowns of the
    answers given as parts (bot.services.eligibility.family.breakdowns)."""
    parts = parts or {}

    def ask(key: str, **values: Any) -> str:
        return say(f"questions.{key}", lang, **values)

    def choice(key: str, value: str) -> Dict[str, str]:
        return choice_button(say(f"buttons.{key}", lang), value)

    if slot in (SAUDI, RESIDENT, SHELTER):
        return ask(slot), yes_no_buttons(lang=lang)
    if slot in (INDEPENDENT, ASSETS):
        return ask(slot), yes_no_buttons(unsure=True, lang=lang)
    if slot == EXCEPTION:
        return ask("elig_exception"), [
            choice("mobility_card", rules.MOBILITY_CARD),
            choice("saudi_mother", rules.SAUDI_MOTHER),
            choice("foreign_wife", rules.FOREIGN_WIFE),
            choice("no_exception", rules.NO_EXCEPTION),
        ]
    if slot == AGE:
        return ask("elig_age"), []
    if slot == ABROAD:
        max_months = reasons.format_months(fact("eligibility.max_absence_months"), lang)
        return ask("elig_months_abroad", max_months=max_months), [choice("never_travelled", "none")]
    if slot == DEPENDANTS:
        return ask("elig_dependants"), [choice("no_dependants", "none")]
    if slot == ADULTS:
        deps = as_int(slots.get(DEPENDANTS)) or 0
        if deps == 1:
            return ask("elig_dependants_adult_one"), yes_no_buttons(lang=lang)
        household = parts.get(DEPENDANTS)
        who = ""
        if household is not None and not household.excluded and not household.counts_self:
            who = say("summary.dependants_who", lang, who=people_text(household, lang))
        return ask("elig_dependants_adult", deps=deps, who=who), [
            choice("all_minors", "none"),
            choice("all_adults", "all"),
        ]
    if slot == INCOME:
        return ask("elig_income"), [choice("no_income", "none")]
    if slot == CONFIRM:
        return summary_question(slots, parts, lang)
    raise KeyError(slot)


def back_to(question_text: str, lang: str = ARABIC) -> str:
    """The question again after an FAQ answered in the middle of the pre-check."""
    return say("questions.back", lang) + "\n" + question_text


def _answer_label(value: Any, lang: str) -> str:
    key = {True: "yes", False: "no", UNSURE: "unsure"}.get(value, "unknown")
    return say(f"summary.answer.{key}", lang)


def _counted(group: str, n: int, lang: str = ARABIC) -> str:
    """ "زوجة", "ولدين", "3 أبناء", "11 ابن" ("a wife", "two sons", "3 children"): a group
    of people as the summary names it."""
    forms = eligibility_wording(lang)["people"][group]
    size = "one" if n == 1 else "two" if n == 2 else "few" if n <= 10 else "many"
    return forms.get(size, forms["one"]).format(n=n)


# How a list of people is joined: "زوجة و3 أبناء", "a wife and 3 children".
_AND = {ARABIC: " و", ENGLISH: " and "}
_COMMA = {ARABIC: "، ", ENGLISH: ", "}


def people_text(household: Household, lang: str = ARABIC) -> str:
    """Who was counted, in the citizen's own terms: "زوجة و3 أبناء", "ولدين وبنت",
    "من 4، واحد منهم ما ينحسب", "أسرة من 5 وأنت منهم" ("a wife and 3 children")."""
    if household.members and not household.named:  # a number, a family size
        whole = household.members[0]
        kind = "household" if household.counts_self else "whole"
        text = _counted(kind, whole.count or 0, lang)
    else:
        text = _AND[lang].join(_counted(m.kind, m.count or 0, lang) for m in household.members)
    if household.excluded:
        text += _COMMA[lang] + _counted("left_out", household.excluded, lang)
    return text


def summary_lines(
    slots: Mapping[str, Any], parts: Optional[Mapping[str, Any]] = None, lang: str = ARABIC
) -> List[str]:
    """One line per answer, in question order, each as the citizen will check it;
    `parts` as for question()."""
    parts = parts or {}
    lines = []

    def line(key: str, **values: Any) -> None:
        lines.append(say(f"summary.{key}", lang, **values))

    saudi = slots.get(SAUDI)
    if saudi is True:
        line("saudi")
    elif saudi is False:
        exception = slots.get(EXCEPTION)
        known = exception in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,)
        nationality = say(f"summary.nationality.{exception if known else 'unknown'}", lang)
        line("not_saudi", nationality=nationality)
    if number(slots.get(AGE)) is not None:
        line("age", age=as_int(slots.get(AGE)))
    if slots.get(RESIDENT) is not None:
        line("resident", answer=_answer_label(slots.get(RESIDENT), lang))
    if number(slots.get(ABROAD)) is not None and relevant(ABROAD, slots):
        months = number(slots.get(ABROAD))
        never = say("summary.never_travelled", lang)
        line("abroad", duration=never if months == 0 else reasons.format_months(months, lang))
    if slots.get(SHELTER) is not None:
        line("shelter", answer=_answer_label(slots.get(SHELTER), lang))
    deps = as_int(slots.get(DEPENDANTS))
    if deps == 0:
        line("no_dependants")
    elif deps is not None:
        adults = as_int(slots.get(ADULTS))
        household = parts.get(DEPENDANTS)
        who = ""
        if household is not None:
            who = say("summary.dependants_who", lang, who=people_text(household, lang))
        ages = "summary.dependants_detail_after_who" if who else "summary.dependants_detail"
        detail = "" if adults is None else say(ages, lang, adults=adults, minors=deps - adults)
        line("dependants", deps=deps, who=who, detail=detail)
    if slots.get(INDEPENDENT) is not None and relevant(INDEPENDENT, slots):
        line("independent", answer=_answer_label(slots.get(INDEPENDENT), lang))
    income = number(slots.get(INCOME))
    if income is not None:
        none = say("summary.no_income", lang)
        amount = none if income == 0 else reasons.format_riyals(income, lang)
        given = parts.get(INCOME)
        each = " + ".join(f"{reasons.round_riyals(p):,}" for p in given or ())
        shown = say("summary.income_parts", lang, parts=each) if each else ""
        line("income", income=amount, parts=shown)
    if slots.get(ASSETS) is not None:
        line("assets", answer=_answer_label(slots.get(ASSETS), lang))
    return lines


def summary_question(
    slots: Mapping[str, Any], parts: Optional[Mapping[str, Any]] = None, lang: str = ARABIC
) -> Tuple[str, Buttons]:
    if slots.get(STAGE) == STAGE_PICK_FIELD:
        fields = answered_fields(slots)
        return say("summary.pick_field", lang), [
            choice_button(say(f"fields.{code}", lang), FIX + code) for code in fields
        ][:10]
    lines = summary_lines(slots, parts, lang)
    text = say("summary.head", lang) + "\n" + "\n".join(f"• {line}" for line in lines)
    text += "\n" + say("summary.tail", lang)
    return text, [
        choice_button(say("buttons.summary_yes", lang), "yes"),
        choice_button(say("buttons.summary_no", lang), "no"),
    ]


# ---------------------------------------------------------------------------
# The form's own lines
# ---------------------------------------------------------------------------


def start_text(known: Mapping[str, Any], lang: str = ARABIC) -> str:
    """What the pre-check is; and which answers the first message already gave."""
    text = say("form.start", lang)
    if known:
        names = [
            say(f"fields.{FIELD_OF_SLOT[s]}", lang)
            for s in ORDER
            if s in known and s in FIELD_OF_SLOT
        ]
        text += "\n" + say("form.prefilled", lang, fields=_COMMA[lang].join(names))
    return text


def offer_text(error: str, lang: str = ARABIC) -> str:
    """After repeated wrong answers: what was wrong, and the ways out."""
    return say("form.offer", lang, error=error)


def offer_buttons(lang: str = ARABIC) -> Buttons:
    return [
        choice_button(say("buttons.continue", lang), "continue"),
        {"title": say("buttons.stop", lang), "payload": "/cancel"},
        {
            "title": say("buttons.person", lang),
            "payload": "/human_handoff"
            + json.dumps({"handoff_reason": "form_failed"}, separators=(",", ":")),
        },
    ]


def cancel_message(lang: str = ARABIC) -> Message:
    return {
        "text": say("form.cancelled", lang),
        "buttons": [button("check_eligibility", lang=lang), button("faq_conditions", lang=lang)],
    }


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


def _people(n: int, lang: str) -> str:
    return say("estimate.one_person", lang) if n == 1 else say("estimate.people", lang, n=n)


def estimate_text(estimate: rules.Estimate, lang: str = ARABIC) -> str:
    parts = estimate.rounded()
    lines = [
        say("estimate.total", lang, amount=parts["total"]),
        say("estimate.primary", lang, amount=parts["primary"]),
    ]
    for group, count in (("adults", estimate.adult_count), ("minors", estimate.minor_count)):
        if count:
            people = _people(count, lang)
            lines.append(say(f"estimate.{group}", lang, people=people, amount=parts[group]))
    if parts["reduction"] > 0:
        exemption = reasons.format_riyals(estimate.exemption, lang)
        lines.append(
            say("estimate.reduction", lang, amount=parts["reduction"], exemption=exemption)
        )
    lines.append(say("estimate.note", lang))
    return "\n".join(lines)


def _next_steps(outcome: str, lang: str) -> str:
    if outcome not in (rules.LIKELY_ELIGIBLE, rules.CANNOT_TELL):
        outcome = rules.LIKELY_NOT_ELIGIBLE
    return say(f"result.next_steps.{outcome}", lang)


def _reasons(findings: List[rules.Finding], lang: str) -> List[str]:
    return [
        say(f"result.reason.{f.status}", lang, reason=reasons.reason_text(f, lang))
        for f in findings
    ]


def _findings_behind(result: rules.Result) -> List[rules.Finding]:
    """The findings the outcome rests on, as the result lists them."""
    if result.outcome == rules.LIKELY_ELIGIBLE:
        return result.passes
    if result.outcome == rules.LIKELY_NOT_ELIGIBLE:
        return result.failures
    return result.unknowns + result.passes


def why_text(slots: Mapping[str, Any], lang: str = ARABIC) -> Optional[str]:
    """ "ليش؟" after the result: the reasons behind the outcome, on their own (None when
    no answer is left to reason from)."""
    if not answered_fields(slots):
        return None
    result = rules.evaluate(answers_from_slots(slots))
    findings = _findings_behind(result)
    if not findings:
        return None
    outcome = result.outcome
    if outcome not in (rules.LIKELY_ELIGIBLE, rules.CANNOT_TELL):
        outcome = rules.LIKELY_NOT_ELIGIBLE
    return say(f"result.why.{outcome}", lang) + "\n" + "\n".join(_reasons(findings, lang))


def next_steps_text(slots: Mapping[str, Any], lang: str = ARABIC) -> Optional[str]:
    """ "وش اسوي الحين؟" after the result: the next steps for its outcome."""
    if not answered_fields(slots):
        return None
    return _next_steps(rules.evaluate(answers_from_slots(slots)).outcome, lang)


def result_messages(slots: Mapping[str, Any], lang: str = ARABIC) -> List[Message]:
    """The result as messages: outcome and reasons, the estimate, next steps."""
    result = rules.evaluate(answers_from_slots(slots))
    early = result.outcome == rules.LIKELY_NOT_ELIGIBLE and slots.get(CONFIRM) is not True
    messages: List[Message] = []
    if result.outcome == rules.LIKELY_ELIGIBLE:
        head = say("result.likely_eligible", lang)
    elif result.outcome == rules.LIKELY_NOT_ELIGIBLE:
        head = say("result.stopped_early" if early else "result.likely_not_eligible", lang)
    else:
        head = say("result.cannot_tell", lang)
    reasons = _reasons(_findings_behind(result), lang)
    messages.append({"text": head + "\n" + "\n".join(reasons)})
    if result.estimate is not None:
        messages.append({"text": estimate_text(result.estimate, lang)})
    closing = say("result.closing", lang) + "\n" + _next_steps(result.outcome, lang)
    if early:
        field = FIELD_OF_RULE.get(result.failures[0].rule)
        fix = payload(f"{FIX}{field}", "check_eligibility")
        buttons = [{"title": say("buttons.fix", lang), "payload": fix}]
    else:
        buttons = [button("faq_registration", lang=lang)]
    buttons += [button("faq_eligibility_status", lang=lang), button("human_handoff", lang=lang)]
    messages.append({"text": closing, "buttons": buttons})
    return messages
