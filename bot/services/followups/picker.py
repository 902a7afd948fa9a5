"""The answer a follow-up gets on the previous answer's topic.

Answers are in bot/content/followups.yml, by `<topic>.<kind>`, `<family>.<kind>` and
`any.<kind>` (a topic's families are listed under `topics`), tried in that order; a
group or age asked about (kind `who`) is looked up as `who.<group>`, then `who`, then
as eligibility's. Two
answers are the citizen's own: after a pre-check result, "ليش؟" gets the reasons behind
its outcome and "وش اسوي الحين؟" its next steps (bot.services.eligibility.messages).
No answer for the kind on the topic leaves the message to be read on its own: kinds
whose `any` answer would say less than the message read alone (how, how much, why an
outcome, an outcome) have none. Another subject named alone ("والأوراق؟") gets
`<topic>.subject.<name>` where the topic gives it a sense of its own, else that
subject's FAQ whole.

Every answer is rendered in the conversation's language (`lang`): the English text
has the same key in bot/content/en/followups.yml, and so do the group names and topic
titles the `any` answers fill in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.content import (
    ARABIC,
    button,
    buttons_catalogue,
    fact,
    faq_answers,
    faq_text,
    faq_title,
    fill,
    followup_content,
    followup_text,
    followup_words,
)
from bot.services.eligibility import messages as precheck
from bot.services.followups.lines import best_line
from bot.services.followups.loose import leans_on
from bot.services.followups.shapes import (
    AFTER,
    IF,
    NEXT,
    STEP,
    SUBJECT,
    WHO,
    WHY,
    WHY_NOT,
    Ellipsis,
    read_subject,
)
from bot.services.followups.steps import after_step, nth_step, steps_of
from bot.services.followups.topics import PRECHECK

ANY = "any"
ELIGIBILITY = "eligibility"
ADULT = "adult"
MINOR = "minor"


@dataclass(frozen=True)
class Answer:
    key: str  # what was answered, e.g. "objection.how_long" or "precheck.why"
    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    # An FAQ answered whole (a subject named alone): sent as its response, so the
    # citizen's language picks its variation and the FAQ becomes the topic.
    faq: Optional[str] = None


def _content() -> Dict[str, Any]:
    return followup_content()


def families(topic: str) -> List[str]:
    return list((_content().get("topics") or {}).get(topic) or [])


def known_topic(topic: Optional[str]) -> bool:
    """A topic follow-ups can lean on: any FAQ answer, or a service outcome listed."""
    return bool(topic) and (topic in faq_answers() or topic in (_content().get("topics") or {}))


def title(topic: str, lang: str = ARABIC) -> str:
    titles = followup_words("titles", lang) or {}
    if topic in titles:
        return titles[topic]
    try:
        return faq_title(topic, lang)
    except KeyError:
        return topic


def group_of(ellipsis: Ellipsis) -> Optional[str]:
    """The group a `who` follow-up asks about; an age is an adult's or a minor's by the
    program's minimum age (eligibility.min_age)."""
    if ellipsis.group:
        return ellipsis.group
    if ellipsis.age is not None:
        return ADULT if ellipsis.age >= int(fact("eligibility.min_age")) else MINOR
    return None


def scopes_of(topic: str) -> List[str]:
    """The topic, the FAQ its answer derives from (a situation's or an age's answer
    leans on its list: "وين؟" after the answer for a new job is where to update), and
    their families."""
    parent = (faq_answers().get(topic) or {}).get("derived_from")
    own = [topic, parent] if parent else [topic]
    return list(dict.fromkeys(own + [f for scope in own for f in families(scope)]))


def candidates(topic: str, ellipsis: Ellipsis) -> List[str]:
    """Content keys to try, most specific first."""
    scopes = scopes_of(topic)
    if ellipsis.kind == SUBJECT:
        return [f"{scope}.{SUBJECT}.{ellipsis.group}" for scope in scopes]
    if ellipsis.kind == WHO:
        group = group_of(ellipsis)
        keys = [f"{scope}.who.{group}" for scope in scopes] + [f"{scope}.who" for scope in scopes]
        # A group named after an unrelated answer is most often asked about eligibility.
        keys += [f"{ELIGIBILITY}.who.{group}", f"{ANY}.who.{group}", f"{ANY}.who"]
    else:
        keys = [f"{scope}.{ellipsis.kind}" for scope in scopes] + [f"{ANY}.{ellipsis.kind}"]
    return list(dict.fromkeys(keys))


def _render(key: str, topic: str, ellipsis: Ellipsis, lang: str = ARABIC) -> Answer:
    entry = _content()["answers"][key]
    text = fill(followup_text(key, lang), lang).replace("{title}", title(topic, lang))
    group = group_of(ellipsis)
    if group:
        label = (followup_words("groups", lang) or {}).get(group, group)
        text = text.replace("{group}", fill(label, lang))
    buttons = [button(name, lang=lang) for name in entry.get("buttons") or []]
    return Answer(key, text, buttons)


def _from_precheck(
    ellipsis: Ellipsis, slots: Mapping[str, Any], lang: str = ARABIC
) -> Optional[Answer]:
    if ellipsis.kind in (WHY, WHY_NOT):
        text = precheck.why_text(slots, lang)
        return Answer(f"{PRECHECK}.why", text) if text else None
    if ellipsis.kind == NEXT:
        text = precheck.next_steps_text(slots, lang)
        names = ("faq_registration", "faq_eligibility_status")
        buttons = [button(name, lang=lang) for name in names]
        return Answer(f"{PRECHECK}.next", text, buttons) if text else None
    return None


def pick(
    topic: Optional[str],
    ellipsis: Optional[Ellipsis],
    slots: Optional[Mapping[str, Any]] = None,
    lang: str = ARABIC,
) -> Optional[Answer]:
    """The answer to `ellipsis` on `topic` in `lang`, or None when it has none (the
    message is then read on its own)."""
    if ellipsis is None or not known_topic(topic):
        return None
    if ellipsis.kind == IF:
        # "وإذا المبلغ غلط؟": the line of the answer before that speaks of it, if one does.
        return _line_on(topic or "", ellipsis, lang)
    if ellipsis.about:
        # "ليش يطلبون الايبان؟": a kind asked of a subject that has its own answer.
        named = _about_subject(topic or "", ellipsis, lang)
        if named:
            return named
        if not leans_on(list(ellipsis.about), _topic_text(topic)):
            return None  # "كم ياخذ تغيير الايبان؟" after an answer that never spoke of it
    if topic == PRECHECK:
        answer = _from_precheck(ellipsis, slots or {}, lang)
        if answer:
            return answer
    answers = _content().get("answers") or {}
    for key in candidates(topic, ellipsis):
        if key in answers:
            return _render(key, topic, ellipsis, lang)
    if ellipsis.kind == SUBJECT:
        return _subject_faq(topic, ellipsis.group or "")
    return None


_LINES = re.compile(r"\n|(?<=[.؛])\s+")
_NUMBERING = re.compile(r"^\s*(?:\d+[.)-]|[•*-])\s*")


def _line_on(topic: str, ellipsis: Ellipsis, lang: str = ARABIC) -> Optional[Answer]:
    """The first line of the topic's FAQ answer that uses every content word of the
    condition asked ("وإذا ما عندي مستندات؟" → "أرفق المستندات الداعمة إذا لزم..."), or
    None (the message is then read on its own)."""
    answer = faq_answers().get(topic)
    if not answer or not ellipsis.about:
        return None
    for line in _LINES.split(fill(faq_text(topic, lang), lang)):
        if len(line.split()) > 3 and leans_on(list(ellipsis.about), line):
            return Answer(f"{topic}.if", _NUMBERING.sub("", line).strip())
    return None


LINE = "line"


def pick_line(
    topic: Optional[str], words: List[str], lang: str = ARABIC, need: int = 1, alone: bool = False
) -> Optional[Answer]:
    """The line of the previous FAQ answer that speaks of `words` ("ونسخة القيد؟" after
    the documents), under that answer's title; None when no line shares `need` of them
    (or, with `alone`, when two lines share as many)."""
    quoting = _on_answer(topic, LINE, lang)
    line = best_line(quoting[1], words, need, alone) if quoting else None
    if not line:
        return None
    return Answer(f"{topic}.{LINE}", quoting[0].replace("{line}", line))


def _on_answer(topic: Optional[str], kind: str, lang: str) -> Optional[Tuple[str, str]]:
    """The `any.<kind>` text that quotes the previous FAQ answer (a line, steps), filled
    in with that answer's title, and the text of that answer; None when the topic is no
    FAQ or the quoting text is missing."""
    key = f"{ANY}.{kind}"
    if not topic or topic not in faq_answers() or key not in (_content().get("answers") or {}):
        return None
    template = fill(followup_text(key, lang), lang).replace("{title}", title(topic, lang))
    return template, fill(faq_text(topic, lang), lang)


def pick_after(topic: Optional[str], words: List[str], lang: str = ARABIC) -> Optional[Answer]:
    """The steps after the one `words` name in the previous answer ("وبعد ما اغير كلمة
    المرور؟"); after its last step, or after an answer without steps that names one of
    `words` ("وبعد ما ارفع الطلب؟" after «صوتك مسموع»), the topic's "and then?" answer;
    None otherwise."""
    quoting = _on_answer(topic, AFTER, lang)
    if quoting is None:
        return None
    template, text = quoting
    steps = after_step(text, words)
    if steps is None and (steps_of(text) or not best_line(text, words)):
        return None
    if not steps:
        return pick(topic, Ellipsis(NEXT), {}, lang)
    return Answer(
        f"{topic}.{AFTER}", template.replace("{steps}", "\n".join(f"- {s}" for s in steps))
    )


def pick_step(topic: Optional[str], number: int, lang: str = ARABIC) -> Optional[Answer]:
    """Step `number` of the previous answer ("الخطوه الثانيه وش كانت؟"); None when that
    answer has no such step."""
    quoting = _on_answer(topic, STEP, lang)
    step = nth_step(quoting[1], number) if quoting else None
    if not step:
        return None
    template, text = quoting
    number = len(steps_of(text)) if number == -1 else number  # the last, by its number
    return Answer(
        f"{topic}.{STEP}", template.replace("{number}", str(number)).replace("{step}", step)
    )


def _about_subject(topic: str, ellipsis: Ellipsis, lang: str = ARABIC) -> Optional[Answer]:
    """`<scope>.<kind>.<subject>` or `any.<kind>.<subject>` when the words a loose
    question names are a subject's (followups.yml `subjects`)."""
    subject = read_subject(" ".join(ellipsis.about))
    if not subject:
        return None
    answers = _content().get("answers") or {}
    keys = [f"{scope}.{ellipsis.kind}.{subject}" for scope in scopes_of(topic)]
    for key in keys + [f"{ANY}.{ellipsis.kind}.{subject}"]:
        if key in answers:
            return _render(key, topic, ellipsis, lang)
    return None


def _topic_text(topic: str) -> str:
    """What the previous answer said (an FAQ's text) and its title."""
    answer = faq_answers().get(topic)
    # A service's outcome has no FAQ text: the words that name it stand in for one.
    named = " ".join((_content().get("topic_words") or {}).get(topic) or [])
    return " ".join(((fill(answer["text"]) if answer else ""), title(topic), named))


def _subject_faq(topic: str, subject: str) -> Optional[Answer]:
    """The FAQ of a subject named alone; None for the answer just given (the message
    is then read on its own rather than answered with the same text again)."""
    faq = ((_content().get("subjects") or {}).get(subject) or {}).get("faq")
    if not faq or faq == topic or faq not in faq_answers():
        return None
    return Answer(f"faq.{faq}", "", faq=faq)


# A message the NLU could not place, after an answer: the answers near that answer are
# likelier than the rest. How far down the selector's ranking, and how sure at least.
RELATED_RANK = 3
RELATED_FLOOR = 0.1


def related(topic: str) -> List[str]:
    """FAQ answers near `topic`: those it offers as buttons, and those of its families."""
    answer = faq_answers().get(topic) or {}
    catalogue = buttons_catalogue()
    near = [catalogue.get(name, {}).get("faq") for name in answer.get("buttons") or []]
    mine = set(scopes_of(topic)[1:])
    for other, names in (_content().get("topics") or {}).items():
        if mine & set(names):
            near.append(other)
    return [k for k in dict.fromkeys(near) if k and k != topic and k in faq_answers()]


def related_answer(topic: Optional[str], ranking: List[Mapping[str, Any]]) -> Optional[str]:
    """The best-ranked answer near the previous one among the selector's first
    RELATED_RANK, if it is at least RELATED_FLOOR sure; None otherwise."""
    if not known_topic(topic):
        return None
    near = set(related(topic or ""))
    for row in ranking[:RELATED_RANK]:
        key = str(row.get("intent_response_key") or "").split("/", 1)[-1]
        if key in near and float(row.get("confidence") or 0.0) >= RELATED_FLOOR:
            return key
    return None


def other_answer(topic: Optional[str], ranking: List[Mapping[str, Any]]) -> Optional[str]:
    """The selector's best-ranked known answer that is not `topic` (the answer the
    citizen just said they did not mean), among its first RELATED_RANK."""
    for row in ranking[:RELATED_RANK]:
        key = str(row.get("intent_response_key") or "").split("/", 1)[-1]
        if key != topic and key in faq_answers():
            return key
    return None


UNKNOWN = "unknown"


def unknown_on_topic(
    topic: Optional[str], choices: bool = False, lang: str = ARABIC
) -> Optional[str]:
    """What a short question the NLU cannot place after an answer gets: the sources do
    not give it on that topic, and the unified number (`any.unknown`), then a line
    before the NLU's guesses when there are (`choices`); None without a topic."""
    answers = _content().get("answers") or {}
    key = f"{ANY}.{UNKNOWN}"
    if not known_topic(topic) or key not in answers:
        return None
    text = _render(key, topic or "", Ellipsis(UNKNOWN), lang).text
    line = followup_words("unknown_choices", lang)
    if choices and line:
        text += "\n" + fill(line, lang)
    return text
