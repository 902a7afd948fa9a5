"""What refuses a change to an item (errors) and what only flags it for the approver
(warnings), and how the text will look on each channel.

The channel limits are the ones the channels apply when sending (channels/telegram,
channels/whatsapp.py; tests/unit/test_content.py keeps them equal): a text past
them would be cut into several messages, a button title past them would turn WhatsApp's
reply buttons into a list or be refused by the platform.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Tuple

from bot.content import ARABIC, ENGLISH, LANGUAGES, fact, fill
from bot.services.content import catalogue

TELEGRAM_MAX_TEXT = 4096
TELEGRAM_MAX_CALLBACK_BYTES = 64
WHATSAPP_MAX_TEXT = 4096
WHATSAPP_MAX_BODY = 1024  # an interactive message's body (text with buttons)
WHATSAPP_MAX_REPLY_BUTTONS, WHATSAPP_MAX_BUTTON_TITLE = 3, 20
WHATSAPP_MAX_LIST_ROWS, WHATSAPP_MAX_ROW_TITLE = 10, 24
# The widget shows any length, but a phone screen does not: an answer longer than this
# is a page to scroll, not a reply (the FAQ answers are written to about 600).
WIDGET_MAX_TEXT = 1000
MAX_TITLE = WHATSAPP_MAX_BUTTON_TITLE  # button and "did you mean" titles

_DOTTED = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")
_NAMED = re.compile(r"\{([a-z_][a-z0-9_]*)(?::[^{}]*)?\}")
_ANY_BRACE = re.compile(r"[{}]")
_DIGITS = re.compile(r"[0-9]+")
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _problem(code: str, lang: Optional[str] = None, **detail: Any) -> Dict[str, Any]:
    return {"code": code, "lang": lang, **detail}


def _named(text: str) -> List[str]:
    return sorted(set(_NAMED.findall(text)))


def _stray_braces(text: str) -> bool:
    rest = _NAMED.sub("", _DOTTED.sub("", text))
    return bool(_ANY_BRACE.search(rest))


def _fact_numbers() -> Dict[str, str]:
    """Facts that are numbers of two digits or more: value -> placeholder. A text that
    types one of them would keep the old number when the fact changes."""
    found = {}
    for name in catalogue.fact_keys():
        value = fact(name)
        if isinstance(value, bool):
            continue
        text = str(value).strip()
        if text.isdigit() and len(text) >= 2:
            found.setdefault(text, "{" + name + "}")
    return found


def _numbers_in(text: str) -> List[str]:
    return _DIGITS.findall(_DOTTED.sub("", text.translate(_ARABIC_DIGITS)))


def _check_fact(key: str, lang: str, text: str) -> List[Dict[str, Any]]:
    if "{" in text or "}" in text:
        return [_problem("broken_placeholder", lang)]
    if catalogue.is_flag(key) and text.strip().lower() not in ("true", "false"):
        return [_problem("not_yes_no", lang)]
    if catalogue.is_number(key) and not text.strip().translate(_ARABIC_DIGITS).isdigit():
        return [_problem("not_a_number", lang)]
    return []


def _check_text(key: str, lang: str, text: str, before: str) -> List[Dict[str, Any]]:
    errors = []
    if _stray_braces(text):
        errors.append(_problem("broken_placeholder", lang))
    known = set(catalogue.fact_keys())
    for name in _DOTTED.findall(text):
        if name not in known:
            errors.append(_problem("unknown_placeholder", lang, placeholder="{" + name + "}"))
    wanted, given = _named(before), _named(text)
    for name in sorted(set(wanted) - set(given)):
        errors.append(_problem("missing_placeholder", lang, placeholder="{" + name + "}"))
    for name in sorted(set(given) - set(wanted)):
        errors.append(_problem("unknown_placeholder", lang, placeholder="{" + name + "}"))
    numbers = _fact_numbers()
    had = _numbers_in(before)
    for number in _numbers_in(text):
        if number in numbers and number not in had:
            errors.append(
                _problem("typed_number", lang, number=number, placeholder=numbers[number])
            )
    return errors


def _rendered(text: str) -> str:
    """The text with the program facts filled in, as published now; {name} values stay."""
    try:
        return fill(text)
    except (KeyError, TypeError):
        return text


def _check_limits(key: str, lang: str, text: str) -> List[Dict[str, Any]]:
    kind, _ = catalogue.split(key)
    shown = _rendered(text)
    errors = []
    if kind in ("button", "faq_title"):
        if len(shown) > MAX_TITLE:
            errors.append(_problem("too_long", lang, channel="whatsapp", limit=MAX_TITLE))
        return errors
    for channel, limit in (
        ("telegram", TELEGRAM_MAX_TEXT),
        ("whatsapp", WHATSAPP_MAX_TEXT),
        ("web", WIDGET_MAX_TEXT),
    ):
        if len(shown) > limit:
            errors.append(_problem("too_long", lang, channel=channel, limit=limit))
    return errors


def new_text_errors(lang: str, text: str, title: bool = False) -> List[Dict[str, Any]]:
    """What refuses the text of an item that does not exist yet (a new FAQ's answer or
    title): the same checks as an edit, against an empty text before it."""
    if not text.strip():
        return [_problem("empty", lang)]
    key = "faq_title.new" if title else "faq.new"
    errors = _check_text(key, lang, text, "") + _check_limits(key, lang, text)
    if lang == ARABIC and not re.search(r"[\u0600-\u06ff]", text):
        errors.append(_problem("not_arabic", lang))
    return errors


def check(
    key: str, texts: Dict[str, str], current: Dict[str, Any]
) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """(errors, warnings) of changing item `key` (values now: `current`) to `texts`."""
    errors: List[Dict[str, Any]] = []
    warnings: List[Dict[str, Any]] = []
    kind, _ = catalogue.split(key)
    changed = {
        lang: str(text) for lang, text in texts.items() if str(text) != str(current.get(lang))
    }
    if not changed:
        return [_problem("unchanged")], []
    for lang, text in changed.items():
        if lang not in LANGUAGES or lang not in current:
            errors.append(_problem("unknown_language", lang))
            continue
        if not text.strip():
            errors.append(_problem("empty", lang))
            continue
        if kind == "program":
            errors.extend(_check_fact(key, lang, text))
            continue
        before = str(current.get(lang) or "")
        errors.extend(_check_text(key, lang, text, before))
        errors.extend(_check_limits(key, lang, text))
        for name in _DOTTED.findall(before):
            if "{" + name + "}" not in text:
                warnings.append(_problem("placeholder_removed", lang, placeholder="{" + name + "}"))
    if ARABIC in current and ENGLISH in current and len(changed) == 1:
        other = ENGLISH if ARABIC in changed else ARABIC
        warnings.append(_problem("other_language_unchanged", other))
    return errors, warnings


def preview(key: str, lang: str, text: str, buttons: List[str]) -> List[Dict[str, Any]]:
    """How each channel shows `text` (facts filled in) with these button titles."""
    shown = _rendered(text)
    parts = lambda limit: [shown[i : i + limit] for i in range(0, len(shown), limit)] or [""]  # noqa: E731
    whatsapp_style = "text"
    if buttons:
        fits = len(buttons) <= WHATSAPP_MAX_REPLY_BUTTONS
        if fits and all(len(t) <= WHATSAPP_MAX_BUTTON_TITLE for t in buttons):
            whatsapp_style = "reply_buttons"
        elif len(buttons) <= WHATSAPP_MAX_LIST_ROWS and all(
            len(t) <= WHATSAPP_MAX_ROW_TITLE for t in buttons
        ):
            whatsapp_style = "list"
        else:
            whatsapp_style = "numbered_menu"
    return [
        {
            "channel": "web",
            "limit": WIDGET_MAX_TEXT,
            "parts": [shown],
            "buttons": buttons,
            "style": "buttons" if buttons else "text",
            "fits": len(shown) <= WIDGET_MAX_TEXT,
        },
        {
            "channel": "telegram",
            "limit": TELEGRAM_MAX_TEXT,
            "parts": parts(TELEGRAM_MAX_TEXT),
            "buttons": buttons,
            "style": "inline_keyboard" if buttons else "text",
            "fits": len(shown) <= TELEGRAM_MAX_TEXT,
        },
        {
            "channel": "whatsapp",
            "limit": WHATSAPP_MAX_TEXT,
            "parts": parts(WHATSAPP_MAX_TEXT),
            "buttons": buttons,
            "style": whatsapp_style,
            "fits": len(shown) <= WHATSAPP_MAX_TEXT and whatsapp_style != "numbered_menu",
        },
    ]
