"""What the desk and the citizen see of an episode is never a raw slot dump: bookkeeping
is dropped, secrets are never kept, personal numbers are masked."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.masking import mask, mask_text

# Slots that are the bot's own bookkeeping, not something the citizen told it.
_INTERNAL_SLOTS = {"requested_slot", "handoff_reason", "session_started_metadata", "faq_key"}
# Slot names whose values are personal numbers even when they do not look like one yet.
_SENSITIVE_SLOT_WORDS = ("id", "iban", "mobile", "phone", "jawal", "hawiya", "account")
# Form bookkeeping (confirmations, stages, failure counters): not what the citizen said.
_BOOKKEEPING_SUFFIXES = ("_confirm", "_stage", "_failures", "_submission_id", "_stop")
# Slot names whose values are secrets: never stored nor shown, not even masked.
_SECRET_SLOT_WORDS = ("otp", "password", "pin", "token", "secret")


def mask_snapshot(slots: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """Keep what the citizen told the bot, minus bookkeeping, with personal numbers masked."""
    result: Dict[str, Any] = {}
    for name, value in (slots or {}).items():
        if (
            name in _INTERNAL_SLOTS
            or name.endswith(_BOOKKEEPING_SUFFIXES)
            or value in (None, "", [], {})
            or _is_secret(name)
        ):
            continue
        result[name] = _mask_value(name, value)
    return result


def _words(name: str) -> List[str]:
    return name.lower().replace("-", "_").split("_")


def _is_secret(name: str) -> bool:
    return any(w in _SECRET_SLOT_WORDS for w in _words(name))


def _mask_value(name: str, value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        return value
    if isinstance(value, int):
        value = str(value)
    if isinstance(value, (list, tuple)):
        return [_mask_value(name, v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_value(k, v) for k, v in value.items()}
    text = str(value)
    if any(w in _SENSITIVE_SLOT_WORDS for w in _words(name)) and any(ch.isdigit() for ch in text):
        return mask(text, 1, 2)
    return mask_text(text)
