"""What a ticket's category and status and an objection's status are called to the citizen,
in the conversation's language. Staff see the Arabic names (bot.services.tickets.labels,
bot.store.objections), which are also the citizen's in Arabic; the English ones are in
bot/content/en/cases.yml (`labels`)."""

from __future__ import annotations

from bot.content import ARABIC, ENGLISH, english_labels
from bot.services.tickets.labels import TICKET_CATEGORIES, TICKET_STATUSES
from bot.store.objections import OBJECTION_STATUSES

ARABIC_LABELS = {
    "ticket_category": TICKET_CATEGORIES,
    "ticket_status": TICKET_STATUSES,
    "objection_status": OBJECTION_STATUSES,
}


def label(kind: str, key: str, lang: str = ARABIC) -> str:
    """The name of `key` (a stored category or status) of `kind` in `lang`; the key itself
    if it has none."""
    names = english_labels(kind) if lang == ENGLISH else ARABIC_LABELS[kind]
    return names.get(key, key)


def ticket_category(key: str, lang: str = ARABIC) -> str:
    return label("ticket_category", key, lang)


def ticket_status(key: str, lang: str = ARABIC) -> str:
    return label("ticket_status", key, lang)


def objection_status(key: str, lang: str = ARABIC) -> str:
    return label("objection_status", key, lang)
