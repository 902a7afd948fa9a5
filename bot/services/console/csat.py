"""Citizens' rating (CSAT): when to ask, what the buttons are, and what a reply means.

Asked once after the bot finishes something for the citizen (a ticket opened, a
pre-check outcome, an objection or ticket status shown), never while a form is still
running and never twice in 24 hours to the same conversation (one citizen on one
channel). The agent's part is rated on its own: when an agent closes or hands back a
conversation the question is sent at once with the closing words, once per episode,
whatever the bot asked that day; if it cannot reach the citizen then (a WhatsApp window
closed, a REST client) it is owed and asked on the conversation's next bot turn. The buttons are the same
on every channel; each channel draws them its own way (Telegram inline buttons, a
WhatsApp list, chips in the widget). Their payloads never reach Rasa: the pipeline
hands them to `handle_reply` first (channels/turn_hooks.py). A citizen who ignores
the question, or writes something else, is answered by the bot as usual. Every text
is in the citizen's language (`lang`, from bot.services.language).
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from bot import metrics
from bot.content import ARABIC, message
from bot.services.language import conversation_language
from bot.store import csat as store
from bot.store.base import utcnow

ONCE_PER = timedelta(hours=24)
ANSWER_WITHIN = timedelta(hours=24)
COMMENT_WITHIN = timedelta(minutes=30)

BOT_FINISHES = ("ticket", "precheck", "objection", "ticket_status")
AGENT_FINISHES = ("agent_closed", "agent_returned")

# The Arabic wording; every language's is in bot/content/messages.yml ("csat").
QUESTION = message("csat.question")
QUESTION_AGENT = message("csat.question_agent")
THANKS = message("csat.thanks")
ASK_COMMENT = message("csat.ask_comment")
COMMENT_THANKS = message("csat.comment_thanks")
SKIP_THANKS = message("csat.skip_thanks")
LATE = message("csat.late")

COMMENT_PAYLOAD = "/csat_comment"
SKIP_PAYLOAD = "/csat_skip"
_SCORE = re.compile(r'^/csat_score\{"score": ?([1-5])\}$')


def score_payload(score: int) -> str:
    return "/csat_score" + json.dumps({"score": score})


def question_buttons(lang: str = ARABIC) -> List[Dict[str, str]]:
    return [
        {"title": message(f"csat.score_{s}", lang), "payload": score_payload(s)}
        for s in (5, 4, 3, 2, 1)
    ]


def comment_buttons(lang: str = ARABIC) -> List[Dict[str, str]]:
    return [
        {"title": message("csat.comment_button", lang), "payload": COMMENT_PAYLOAD},
        {"title": message("csat.skip_button", lang), "payload": SKIP_PAYLOAD},
    ]


def is_csat_payload(text: Optional[str]) -> bool:
    return bool(text) and str(text).startswith("/csat_")


def maybe_ask(
    conversation_id: str,
    channel: str,
    finished: Optional[str],
    form_running: bool = False,
    agent: Optional[str] = None,
    intent: Optional[str] = None,
    now: Optional[datetime] = None,
    lang: Optional[str] = None,
    since: Optional[datetime] = None,
) -> Optional[Dict[str, Any]]:
    """The question to send ({"id", "text", "buttons"}), recorded as asked, or None when it
    is not the moment: nothing finished, a form running, the bot's question asked in the
    last 24 hours, or, for an agent's close or hand-back, the agent's question asked since
    the episode began (`since`)."""
    if finished not in BOT_FINISHES + AGENT_FINISHES or form_running:
        return None
    now = now or utcnow()
    agents = finished in AGENT_FINISHES
    kinds = AGENT_FINISHES if agents else BOT_FINISHES
    if store.asked_since(conversation_id, since or now - ONCE_PER, kinds):
        return None
    rating_id = store.record_ask(conversation_id, channel, finished, agent, intent, now)
    lang = lang or conversation_language(conversation_id)
    return {
        "id": rating_id,
        "text": message("csat.question_agent" if agents else "csat.question", lang),
        "buttons": question_buttons(lang),
    }


def not_delivered(rating_id: int) -> None:
    """The agent's question did not reach the citizen: ask it on the next bot turn."""
    store.defer(rating_id)


_UNREAD = object()


def due_question(
    conversation_id: str,
    form_running: bool = False,
    now: Optional[datetime] = None,
    lang: Optional[str] = None,
    open_ask: Any = _UNREAD,
) -> Optional[Dict[str, Any]]:
    """The agent's question that could not be delivered at the close or hand-back, on the
    conversation's next bot turn. `open_ask`: the conversation's open question as the
    turn's own transaction read it (`open_ask_in`), None if there was none."""
    if form_running:
        return None
    now = now or utcnow()
    ask = store.open_ask(conversation_id, ANSWER_WITHIN, now) if open_ask is _UNREAD else open_ask
    if not ask or ask["state"] != store.DUE or not store.ask_due(ask["id"], now):
        return None
    lang = lang or conversation_language(conversation_id)
    return {
        "id": ask["id"],
        "text": message("csat.question_agent", lang),
        "buttons": question_buttons(lang),
    }


def open_ask_in(connection, conversation_id: str, now: Optional[datetime] = None):
    """The open question `due_question` looks for, read in the caller's transaction."""
    return store.open_ask(conversation_id, ANSWER_WITHIN, now, connection)


def handle_reply(
    conversation_id: str,
    text: str,
    is_payload: bool,
    now: Optional[datetime] = None,
    lang: Optional[str] = None,
) -> Optional[Dict[str, Any]]:
    """What to answer ({"text", "buttons"}) if this message is an answer to the rating
    question (a score, the comment choice, or the comment itself); None to let the bot
    answer it as usual. `lang` defaults to the conversation's (a score button's title is in
    the transcript by now)."""
    now = now or utcnow()
    if is_payload and is_csat_payload(text):
        lang = lang or conversation_language(conversation_id, text)
        ask = store.open_ask(conversation_id, ANSWER_WITHIN, now)
        match = _SCORE.match(text.strip())
        if match and ask and store.set_score(ask["id"], int(match.group(1)), now):
            metrics.inc(metrics.CSAT, match.group(1))
            return {"text": message("csat.thanks", lang), "buttons": comment_buttons(lang)}
        if text.strip() == COMMENT_PAYLOAD and ask and store.want_comment(ask["id"]):
            return {"text": message("csat.ask_comment", lang), "buttons": []}
        if text.strip() == SKIP_PAYLOAD:
            return {"text": message("csat.skip_thanks", lang), "buttons": []}
        return {"text": message("csat.late", lang), "buttons": []}  # an old button, or a second tap
    if is_payload or not (text or "").strip():
        return None
    ask = store.open_ask(conversation_id, ANSWER_WITHIN, now)
    if (
        ask
        and ask["state"] == store.COMMENT
        and ask["answered_at"] is not None
        and ask["answered_at"] >= now - COMMENT_WITHIN
        and store.set_comment(ask["id"], text)
    ):
        lang = lang or conversation_language(conversation_id, text)
        return {"text": message("csat.comment_thanks", lang), "buttons": []}
    return None
