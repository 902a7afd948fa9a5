"""Text helpers for the channels: inbound normalisation and splitting long replies.

The notices the channels write themselves are read from here too, so every channel says
the same thing: `notice(name, lang)` in the citizen's language (bot/content/messages.yml,
"channel"); the constants are the Arabic wording.
"""

from __future__ import annotations

import re
from typing import List

from bot.cleantext import without_invisible
from bot.content import ARABIC, message
from bot.nlu.arabic import to_ascii_digits

MEDIA_REPLY = message("channel.media")
# Every rate-limit notice starts with this; `rate_limit_reply` adds when to send again.
RATE_LIMIT_REPLY = message("channel.rate_limit").split("{wait}")[0].rstrip()
TOO_LONG_REPLY = message("channel.too_long")  # {limit}
ERROR_REPLY = message("channel.error")
UNAVAILABLE_BUTTON = message("channel.unavailable_button")
MENU_HINT = message("channel.menu_hint")

_LEADING_SLASHES = re.compile(r"^[\s/]+")


def notice(name: str, lang: str = ARABIC, **values: object) -> str:
    """A channel notice ("rate_limit", "too_long", "error", ...) in `lang`."""
    return message(f"channel.{name}", lang, **values)


def wait_words(seconds: int, lang: str = ARABIC) -> str:
    """The time ahead to wait ("الدقيقة الجاية", "الـ40 ثانية الجاية")."""
    seconds = max(1, int(seconds))
    if seconds > 60:
        minutes = -(-seconds // 60)
        if minutes == 2:
            return message("channel.wait_two_minutes", lang)
        return message("channel.wait_minutes", lang, minutes=minutes)
    if seconds >= 55:
        return message("channel.wait_minute", lang)
    return message("channel.wait_seconds", lang, seconds=seconds)


def rate_limit_reply(retry_after: int, lang: str = ARABIC) -> str:
    """The message was not taken, and when to send it again."""
    return notice("rate_limit", lang, wait=wait_words(retry_after, lang))


def clean(text: str) -> str:
    """Unpaired surrogates to U+FFFD, invisible characters (they could hide a leading "/")
    and controls dropped, Arabic-Indic digits to ASCII, trimmed."""
    return to_ascii_digits(without_invisible(text or "")).strip()


def strip_command_prefix(text: str) -> str:
    """Remove every leading "/" (and whitespace between them) so text can never be
    parsed by Rasa as an intent ("/restart", " //faq{...}")."""
    return _LEADING_SLASHES.sub("", text)


def truncate(text: str, limit: int) -> str:
    """Cut to at most `limit` characters, at a word boundary when there is one nearby."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space >= limit * 0.8:
        cut = cut[:space]
    return cut.rstrip()


def split_text(text: str, limit: int = 4096) -> List[str]:
    """Split into parts of at most `limit` characters, preferring paragraph, line, then
    word boundaries; a single word longer than `limit` is cut hard. Never returns an
    empty list for non-empty text; joining the parts keeps every word."""
    text = (text or "").strip()
    if not text:
        return []
    parts: List[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep)
            if pos > 0:
                cut = pos
                break
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts
