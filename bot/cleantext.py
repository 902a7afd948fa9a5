"""Characters that must not reach a store, a page or a spreadsheet, and their removal.

Invisible formatting characters (zero-width, bidi controls such as U+202E, U+061C the
Arabic Letter Mark) can hide a leading "/" or "=", reverse how a staff page shows a note,
or split a personal number so masking misses it. Unpaired UTF-16 surrogates ("\\ud800"
in JSON) are valid in a Python str but not in UTF-8: the first database write, tracker
save or action call raises UnicodeEncodeError, so they become U+FFFD at the edge.

A leaf (standard library only), so the channels, the services, the store and
bot/masking.py clean the same way.
"""

from __future__ import annotations

import re

# Zero-width, bidi embedding/override/isolate marks, word joiners, BOM, Arabic Letter Mark.
INVISIBLE = "\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
# C0 controls other than tab and newline, and DEL.
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_INVISIBLE = re.compile(f"[{INVISIBLE}{CONTROLS}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """Unpaired surrogates to U+FFFD; a pair written as two escapes becomes its character."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def without_invisible(text: str) -> str:
    """Surrogates fixed, then invisible and control characters (not tab, newline) dropped."""
    return _INVISIBLE.sub("", without_surrogates(text))


def clean_strings(value):
    """`value` (parsed JSON) with every string, key or value, free of lone surrogates."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [clean_strings(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): clean_strings(v) for k, v in value.items()}
    return value
