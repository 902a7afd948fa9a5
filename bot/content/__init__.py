"""Program content: facts (program.yml), FAQ answers (faq.yml), follow-up buttons,
the eligibility pre-check's wording (eligibility.yml), the system messages
(messages.yml), what the ticket, objection and notification services say (cases.yml) and
the answers to follow-up questions (followups.yml; their English in en/followups.yml).

Plain data loaders used by the domain renderer, the actions and the services, so a
number such as the unified phone line is written once.

Arabic first: the files here are Arabic, and en/ holds their English wording under the
same keys (a text, never a fact of its own). Every accessor that returns words takes
`lang` ("ar" by default); an English text missing from en/ raises, like a missing key.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

CONTENT_DIR = Path(__file__).resolve().parent
ARABIC, ENGLISH = "ar", "en"
LANGUAGES = (ARABIC, ENGLISH)
_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


@lru_cache(maxsize=None)
def seed(name: str) -> Dict[str, Any]:
    """A file of bot/content/ as written (the seed of what staff edit in the console)."""
    with open(CONTENT_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


# The published release over the seed: whole files rebuilt by bot.services.content.live
# and swapped in one assignment, so a reader sees one release or the next, never a mix.
_published: Dict[str, Dict[str, Any]] = {}
# Domain responses written in domain/*.yml rather than here, as edited: (name, lang) -> text.
_responses: Dict[tuple, str] = {}


def use_published(files: Dict[str, Dict[str, Any]], responses: Dict[tuple, str]) -> None:
    """Serve these files (name -> parsed content) instead of their seeds from now on, and
    these texts for domain responses (bot/content/nlg.py)."""
    global _published, _responses
    _published, _responses = dict(files), dict(responses)


def published_response(name: str, lang: str) -> Optional[str]:
    """The edited text of domain response `name` in `lang`, if staff changed it."""
    return _responses.get((name, lang))


def _load(name: str) -> Dict[str, Any]:
    return _published.get(name) or seed(name)


def language_of(value: Any) -> str:
    """The reply language a slot value or detector result stands for: Arabic unless it is
    English (an unset slot, an unknown value)."""
    return ENGLISH if value == ENGLISH else ARABIC


def _english(name: str) -> Dict[str, Any]:
    return _load(f"{ENGLISH}/{name}")


def _texts(name: str, lang: str) -> Dict[str, Any]:
    """A wording file in `lang`: the Arabic one, or its English twin in en/."""
    return _english(name) if lang == ENGLISH else _load(name)


def facts() -> Dict[str, Any]:
    return _load("program.yml")


def _lookup(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value[part]
    return value


def fact(dotted: str, lang: str = ARABIC) -> Any:
    """A fact by dotted path, e.g. fact("contact.unified_number"); in English the wording
    from en/program.yml for facts that are words ("working_hours"), the same value otherwise."""
    if lang == ENGLISH:
        try:
            return _lookup(_english("program.yml"), dotted)
        except (KeyError, TypeError):
            pass
    return _lookup(facts(), dotted)


def fill(text: str, lang: str = ARABIC) -> str:
    """Replace {section.key} placeholders with program facts; unknown keys raise."""
    return _PLACEHOLDER.sub(lambda m: str(fact(m.group(1), lang)), text)


def message(dotted: str, lang: str = ARABIC, **values: Any) -> str:
    """A system message by dotted path (messages.yml), e.g. message("channel.error", "en"):
    program facts filled in, then `values` ({name})."""
    text = fill(_lookup(_texts("messages.yml", lang), dotted), lang)
    return text.format(**values) if values else text


def case_text(dotted: str, lang: str = ARABIC, **values: Any) -> str:
    """What the forms, tickets, objections, one-time codes and notifications say outside
    the domain (cases.yml), e.g. case_text("otp.sms", "en", code="123456"): program facts
    filled in, then `values` ({name})."""
    text = fill(_lookup(_texts("cases.yml", lang), dotted), lang)
    return text.format(**values) if values else text


def english_labels(kind: str) -> Dict[str, str]:
    """English names of stored keys citizens see ("ticket_status": {"open": "Open", ...});
    the Arabic ones are the store's and services' own (bot/services/labels.py)."""
    return _english("cases.yml")["labels"][kind]


def eligibility_wording(lang: str = ARABIC) -> Dict[str, Any]:
    return _texts("eligibility.yml", lang)


def eligibility_text(dotted: str, lang: str = ARABIC, **values: Any) -> str:
    """Pre-check wording by dotted path, e.g. eligibility_text("errors.count_negative",
    what="العدد"): program facts filled in first ({section.key}), then `values` ({name},
    with format specs such as {amount:,})."""
    return fill(_lookup(eligibility_wording(lang), dotted), lang).format(**values)


def faq_answers() -> Dict[str, Dict[str, Any]]:
    return _load("faq.yml")


def faq_text(key: str, lang: str = ARABIC) -> str:
    """An FAQ answer's text as written (placeholders not filled in)."""
    return _english("faq.yml")[key] if lang == ENGLISH else faq_answers()[key]["text"]


def followup_content() -> Dict[str, Any]:
    return _load("followups.yml")


def followup_text(key: str, lang: str = ARABIC) -> str:
    """A follow-up answer's text as written (placeholders not filled in)."""
    if lang == ENGLISH:
        return _english("followups.yml")["answers"][key]
    return followup_content()["answers"][key]["text"]


def followup_words(section: str, lang: str = ARABIC) -> Any:
    """A wording section of followups.yml in `lang`: `groups` and `titles` (name ->
    words), `unknown_choices` (a line)."""
    source = _english("followups.yml") if lang == ENGLISH else followup_content()
    return source.get(section)


def buttons_catalogue() -> Dict[str, Dict[str, str]]:
    return _load("buttons.yml")


def button(name: str, in_domain: bool = False, lang: str = ARABIC) -> Dict[str, str]:
    """A Rasa button dict {title, payload} for a named follow-up.

    Rasa interpolates {slot} placeholders in domain responses, buttons included,
    so a payload written into the domain doubles its braces (Rasa turns `{{` back
    into `{`); buttons sent by an action are not interpolated and keep single ones.
    """
    spec = buttons_catalogue()[name]
    if "faq" in spec:
        payload = "/faq_pick" + json.dumps({"faq_key": spec["faq"]}, ensure_ascii=False)
        if in_domain:
            payload = payload.replace("{", "{{").replace("}", "}}")
    else:
        payload = "/" + spec["intent"]
    title = _english("buttons.yml")[name] if lang == ENGLISH else spec["title"]
    return {"title": title, "payload": payload}


def intent_button(intent: str, lang: str = ARABIC) -> Optional[Dict[str, str]]:
    """The catalogue's button that starts `intent` (a service), if it has one."""
    for name, spec in buttons_catalogue().items():
        if spec.get("intent") == intent:
            return button(name, lang=lang)
    return None


def faq_buttons(key: str, in_domain: bool = False, lang: str = ARABIC) -> List[Dict[str, str]]:
    return [button(name, in_domain, lang) for name in faq_answers()[key].get("buttons", [])]


def faq_title(key: str, lang: str = ARABIC) -> str:
    """Short title of an FAQ, for "did you mean" buttons."""
    for name, spec in buttons_catalogue().items():
        if spec.get("faq") == key:
            return button(name, lang=lang)["title"]
    if lang == ENGLISH:
        return _english("faq_titles.yml")[key]
    return _load("faq_titles.yml")[key]
