"""Program content: facts (program.yml), FAQ answers (faq.yml), follow-up buttons,
the eligibility pre-check's wording (eligibility.yml) and the answers to follow-up
questions (followups.yml).

Plain data loaders used by the domain renderer, the actions and the services, so a
number such as the unified phone line is written once.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

CONTENT_DIR = Path(__file__).resolve().parent
_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


@lru_cache(maxsize=None)
def _load(name: str) -> Dict[str, Any]:
    with open(CONTENT_DIR / name, encoding="utf-8") as f:
        return yaml.safe_load(f)


def facts() -> Dict[str, Any]:
    return _load("program.yml")


def _lookup(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        value = value[part]
    return value


def fact(dotted: str) -> Any:
    """A fact by dotted path, e.g. fact("contact.unified_number")."""
    return _lookup(facts(), dotted)


def fill(text: str) -> str:
    """Replace {section.key} placeholders with program facts; unknown keys raise."""
    return _PLACEHOLDER.sub(lambda m: str(fact(m.group(1))), text)


def eligibility_wording() -> Dict[str, Any]:
    return _load("eligibility.yml")


def eligibility_text(dotted: str, **values: Any) -> str:
    """Pre-check wording by dotted path, e.g. eligibility_text("errors.count_negative",
    what="العدد"): program facts filled in first ({section.key}), then `values` ({name},
    with format specs such as {amount:,})."""
    return fill(_lookup(eligibility_wording(), dotted)).format(**values)


def faq_answers() -> Dict[str, Dict[str, Any]]:
    return _load("faq.yml")


def followup_content() -> Dict[str, Any]:
    return _load("followups.yml")


def buttons_catalogue() -> Dict[str, Dict[str, str]]:
    return _load("buttons.yml")


def button(name: str, in_domain: bool = False) -> Dict[str, str]:
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
    return {"title": spec["title"], "payload": payload}


def intent_button(intent: str) -> Optional[Dict[str, str]]:
    """The catalogue's button that starts `intent` (a service), if it has one."""
    for name, spec in buttons_catalogue().items():
        if spec.get("intent") == intent:
            return button(name)
    return None


def faq_buttons(key: str, in_domain: bool = False) -> List[Dict[str, str]]:
    return [button(name, in_domain) for name in faq_answers()[key].get("buttons", [])]


def faq_title(key: str) -> str:
    """Short Arabic title of an FAQ, for "did you mean" buttons."""
    for spec in buttons_catalogue().values():
        if spec.get("faq") == key:
            return spec["title"]
    return _load("faq_titles.yml")[key]
