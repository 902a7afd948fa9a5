"""What the pre-check shows, composed from the answers so far: each question with its
buttons, the summary, the result with its reasons and estimate, and the form's own
lines (start, offer a way out, cancel).

Plain Python over slot values; the Arabic is in bot/content/eligibility.yml and the
verdicts come from bot.services.eligibility.rules. Messages are dicts the action passes to
`dispatcher.utter_message` (text, buttons).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.content import button, eligibility_wording, fact
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


def yes_no_buttons(unsure: bool = False) -> Buttons:
    buttons = [choice_button(say("buttons.yes"), "yes"), choice_button(say("buttons.no"), "no")]
    if unsure:
        buttons.append(choice_button(say("buttons.unsure"), UNSURE))
    return buttons


# ---------------------------------------------------------------------------
# Questions and the summary
# ---------------------------------------------------------------------------


def question(
    slot: str, slots: Mapping[str, Any], parts: Optional[Mapping[str, Any]] = None
) -> Tuple[str, Buttons]:
    """The Arabic question for a slot and its buttons. `parts`: the breakdowns of the
    answers given as parts (bot.services.eligibility.family.breakdowns)."""
    parts = parts or {}
    if slot in (SAUDI, RESIDENT, SHELTER):
        return say(f"questions.{slot}"), yes_no_buttons()
    if slot in (INDEPENDENT, ASSETS):
        return say(f"questions.{slot}"), yes_no_buttons(unsure=True)
    if slot == EXCEPTION:
        return say("questions.elig_exception"), [
            choice_button(say("buttons.mobility_card"), rules.MOBILITY_CARD),
            choice_button(say("buttons.saudi_mother"), rules.SAUDI_MOTHER),
            choice_button(say("buttons.foreign_wife"), rules.FOREIGN_WIFE),
            choice_button(say("buttons.no_exception"), rules.NO_EXCEPTION),
        ]
    if slot == AGE:
        return say("questions.elig_age"), []
    if slot == ABROAD:
        max_months = reasons.format_months(fact("eligibility.max_absence_months"))
        return (
            say("questions.elig_months_abroad", max_months=max_months),
            [choice_button(say("buttons.never_travelled"), "none")],
        )
    if slot == DEPENDANTS:
        return say("questions.elig_dependants"), [
            choice_button(say("buttons.no_dependants"), "none")
        ]
    if slot == ADULTS:
        deps = as_int(slots.get(DEPENDANTS)) or 0
        if deps == 1:
            return say("questions.elig_dependants_adult_one"), yes_no_buttons()
        household = parts.get(DEPENDANTS)
        who = ""
        if household is not None and not household.excluded and not household.counts_self:
            who = say("summary.dependants_who", who=people_text(household))
        return say("questions.elig_dependants_adult", deps=deps, who=who), [
            choice_button(say("buttons.all_minors"), "none"),
            choice_button(say("buttons.all_adults"), "all"),
        ]
    if slot == INCOME:
        return say("questions.elig_income"), [choice_button(say("buttons.no_income"), "none")]
    if slot == CONFIRM:
        return summary_question(slots, parts)
    raise KeyError(slot)


def back_to(question_text: str) -> str:
    """The question again after an FAQ answered in the middle of the pre-check."""
    return say("questions.back") + "\n" + question_text


def _answer_label(value: Any) -> str:
    return {
        True: say("summary.answer.yes"),
        False: say("summary.answer.no"),
        UNSURE: say("summary.answer.unsure"),
    }.get(value, say("summary.answer.unknown"))


def _counted(group: str, n: int) -> str:
    """ "زوجة", "ولدين", "3 أبناء", "11 ابن": a group of people as the summary names it."""
    forms = eligibility_wording()["people"][group]
    size = "one" if n == 1 else "two" if n == 2 else "few" if n <= 10 else "many"
    return forms.get(size, forms["one"]).format(n=n)


def people_text(household: Household) -> str:
    """Who was counted, in the citizen's own terms: "زوجة و3 أبناء", "ولدين وبنت",
    "من 4، واحد منهم ما ينحسب", "أسرة من 5 وأنت منهم"."""
    if household.members and not household.named:  # a number, a family size
        whole = household.members[0]
        text = _counted("household" if household.counts_self else "whole", whole.count or 0)
    else:
        text = " و".join(_counted(m.kind, m.count or 0) for m in household.members)
    if household.excluded:
        text += "، " + _counted("left_out", household.excluded)
    return text


def summary_lines(slots: Mapping[str, Any], parts: Optional[Mapping[str, Any]] = None) -> List[str]:
    """One line per answer, in question order, each as the citizen will check it;
    `parts` as for question()."""
    parts = parts or {}
    lines = []
    saudi = slots.get(SAUDI)
    if saudi is True:
        lines.append(say("summary.saudi"))
    elif saudi is False:
        exception = slots.get(EXCEPTION)
        known = exception in rules.NATIONALITY_EXCEPTIONS + (rules.NO_EXCEPTION,)
        nationality = say(f"summary.nationality.{exception if known else 'unknown'}")
        lines.append(say("summary.not_saudi", nationality=nationality))
    if number(slots.get(AGE)) is not None:
        lines.append(say("summary.age", age=as_int(slots.get(AGE))))
    if slots.get(RESIDENT) is not None:
        lines.append(say("summary.resident", answer=_answer_label(slots.get(RESIDENT))))
    if number(slots.get(ABROAD)) is not None and relevant(ABROAD, slots):
        months = number(slots.get(ABROAD))
        duration = say("summary.never_travelled") if months == 0 else reasons.format_months(months)
        lines.append(say("summary.abroad", duration=duration))
    if slots.get(SHELTER) is not None:
        lines.append(say("summary.shelter", answer=_answer_label(slots.get(SHELTER))))
    deps = as_int(slots.get(DEPENDANTS))
    if deps == 0:
        lines.append(say("summary.no_dependants"))
    elif deps is not None:
        adults = as_int(slots.get(ADULTS))
        household = parts.get(DEPENDANTS)
        who = "" if household is None else say("summary.dependants_who", who=people_text(household))
        ages = "summary.dependants_detail_after_who" if who else "summary.dependants_detail"
        detail = "" if adults is None else say(ages, adults=adults, minors=deps - adults)
        lines.append(say("summary.dependants", deps=deps, who=who, detail=detail))
    if slots.get(INDEPENDENT) is not None and relevant(INDEPENDENT, slots):
        lines.append(say("summary.independent", answer=_answer_label(slots.get(INDEPENDENT))))
    income = number(slots.get(INCOME))
    if income is not None:
        amount = say("summary.no_income") if income == 0 else reasons.format_riyals(income)
        given = parts.get(INCOME)
        each = " + ".join(f"{reasons.round_riyals(p):,}" for p in given or ())
        shown = say("summary.income_parts", parts=each) if each else ""
        lines.append(say("summary.income", income=amount, parts=shown))
    if slots.get(ASSETS) is not None:
        lines.append(say("summary.assets", answer=_answer_label(slots.get(ASSETS))))
    return lines


def summary_question(
    slots: Mapping[str, Any], parts: Optional[Mapping[str, Any]] = None
) -> Tuple[str, Buttons]:
    if slots.get(STAGE) == STAGE_PICK_FIELD:
        return (
            say("summary.pick_field"),
            [choice_button(say(f"fields.{code}"), FIX + code) for code in answered_fields(slots)][
                :10
            ],
        )
    lines = summary_lines(slots, parts)
    text = say("summary.head") + "\n" + "\n".join(f"• {line}" for line in lines)
    text += "\n" + say("summary.tail")
    return text, [
        choice_button(say("buttons.summary_yes"), "yes"),
        choice_button(say("buttons.summary_no"), "no"),
    ]


# ---------------------------------------------------------------------------
# The form's own lines
# ---------------------------------------------------------------------------


def start_text(known: Mapping[str, Any]) -> str:
    """What the pre-check is; and which answers the first message already gave."""
    text = say("form.start")
    if known:
        names = [
            say(f"fields.{FIELD_OF_SLOT[s]}") for s in ORDER if s in known and s in FIELD_OF_SLOT
        ]
        text += "\n" + say("form.prefilled", fields="، ".join(names))
    return text


def offer_text(error: str) -> str:
    """After repeated wrong answers: what was wrong, and the ways out."""
    return say("form.offer", error=error)


def offer_buttons() -> Buttons:
    return [
        choice_button(say("buttons.continue"), "continue"),
        {"title": say("buttons.stop"), "payload": "/cancel"},
        {
            "title": say("buttons.person"),
            "payload": "/human_handoff"
            + json.dumps({"handoff_reason": "form_failed"}, separators=(",", ":")),
        },
    ]


def cancel_message() -> Message:
    return {
        "text": say("form.cancelled"),
        "buttons": [button("check_eligibility"), button("faq_conditions")],
    }


# ---------------------------------------------------------------------------
# The result
# ---------------------------------------------------------------------------


def _people(n: int) -> str:
    return say("estimate.one_person") if n == 1 else say("estimate.people", n=n)


def estimate_text(estimate: rules.Estimate) -> str:
    parts = estimate.rounded()
    lines = [
        say("estimate.total", amount=parts["total"]),
        say("estimate.primary", amount=parts["primary"]),
    ]
    if estimate.adult_count:
        lines.append(
            say("estimate.adults", people=_people(estimate.adult_count), amount=parts["adults"])
        )
    if estimate.minor_count:
        lines.append(
            say("estimate.minors", people=_people(estimate.minor_count), amount=parts["minors"])
        )
    if parts["reduction"] > 0:
        lines.append(
            say(
                "estimate.reduction",
                amount=parts["reduction"],
                exemption=reasons.format_riyals(estimate.exemption),
            )
        )
    lines.append(say("estimate.note"))
    return "\n".join(lines)


def _next_steps(outcome: str) -> str:
    if outcome not in (rules.LIKELY_ELIGIBLE, rules.CANNOT_TELL):
        outcome = rules.LIKELY_NOT_ELIGIBLE
    return say(f"result.next_steps.{outcome}")


def _reasons(findings: List[rules.Finding]) -> List[str]:
    return [say(f"result.reason.{f.status}", reason=reasons.reason_text(f)) for f in findings]


def _findings_behind(result: rules.Result) -> List[rules.Finding]:
    """The findings the outcome rests on, as the result lists them."""
    if result.outcome == rules.LIKELY_ELIGIBLE:
        return result.passes
    if result.outcome == rules.LIKELY_NOT_ELIGIBLE:
        return result.failures
    return result.unknowns + result.passes


def why_text(slots: Mapping[str, Any]) -> Optional[str]:
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
    return say(f"result.why.{outcome}") + "\n" + "\n".join(_reasons(findings))


def next_steps_text(slots: Mapping[str, Any]) -> Optional[str]:
    """ "وش اسوي الحين؟" after the result: the next steps for its outcome."""
    if not answered_fields(slots):
        return None
    return _next_steps(rules.evaluate(answers_from_slots(slots)).outcome)


def result_messages(slots: Mapping[str, Any]) -> List[Message]:
    """The result as messages: outcome and reasons, the estimate, next steps."""
    result = rules.evaluate(answers_from_slots(slots))
    early = result.outcome == rules.LIKELY_NOT_ELIGIBLE and slots.get(CONFIRM) is not True
    messages: List[Message] = []
    if result.outcome == rules.LIKELY_ELIGIBLE:
        head = say("result.likely_eligible")
    elif result.outcome == rules.LIKELY_NOT_ELIGIBLE:
        head = say("result.stopped_early" if early else "result.likely_not_eligible")
    else:
        head = say("result.cannot_tell")
    reasons = _reasons(_findings_behind(result))
    messages.append({"text": head + "\n" + "\n".join(reasons)})
    if result.estimate is not None:
        messages.append({"text": estimate_text(result.estimate)})
    closing = say("result.closing") + "\n" + _next_steps(result.outcome)
    if early:
        field = FIELD_OF_RULE.get(result.failures[0].rule)
        buttons = [
            {"title": say("buttons.fix"), "payload": payload(f"{FIX}{field}", "check_eligibility")}
        ]
    else:
        buttons = [button("faq_registration")]
    buttons += [button("faq_eligibility_status"), button("human_handoff")]
    messages.append({"text": closing, "buttons": buttons})
    return messages
