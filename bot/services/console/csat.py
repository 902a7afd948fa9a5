"""Citizens' rating (CSAT): when to ask, what the buttons are, and what a reply means.

Asked once after the bot finishes something for the citizen (a ticket opened, a
pre-check outcome, an objection or ticket status shown) and after an agent closes or
hands back a conversation; never while a form is still running, and never twice in 24
hours to the same conversation (one citizen on one channel). The buttons are the same
on every channel; each channel draws them its own way (Telegram inline buttons, a
WhatsApp list, chips in the widget). Their payloads never reach Rasa: the pipeline
hands them to `handle_reply` first (channels/turn_hooks.py). A citizen who ignores
the question, or writes something else, is answered by the bot as usual.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

from bot import metrics
from bot.store import csat as store
from bot.store.base import utcnow

ONCE_PER = timedelta(hours=24)
ANSWER_WITHIN = timedelta(hours=24)
COMMENT_WITHIN = timedelta(minutes=30)

BOT_FINISHES = ("ticket", "precheck", "objection", "ticket_status")
AGENT_FINISHES = ("agent_closed", "agent_returned")

QUESTION = "كيف كانت تجربتك معنا اليوم؟ قيّمها من ٥ (ممتازة) إلى ١ (سيئة)."
QUESTION_AGENT = "كيف كانت خدمة الموظف لك؟ قيّمها من ٥ (ممتازة) إلى ١ (سيئة)."
THANKS = "شكرًا لتقييمك! تحب تكتب لنا ملاحظة؟"
ASK_COMMENT = "تفضّل، اكتب ملاحظتك في رسالة وحدة."
COMMENT_THANKS = "وصلت ملاحظتك، شكرًا لك. نقدر نخدمك بشي ثاني؟"
SKIP_THANKS = "شكرًا لك. نقدر نخدمك بشي ثاني؟"
LATE = "شكرًا لك. نقدر نخدمك بشي ثاني؟"

_SCORE_TITLES = {5: "٥ ممتازة", 4: "٤ جيدة", 3: "٣ مقبولة", 2: "٢ ضعيفة", 1: "١ سيئة"}
COMMENT_PAYLOAD = "/csat_comment"
SKIP_PAYLOAD = "/csat_skip"
_SCORE = re.compile(r'^/csat_score\{"score": ?([1-5])\}$')


def score_payload(score: int) -> str:
    return "/csat_score" + json.dumps({"score": score})


def question_buttons() -> List[Dict[str, str]]:
    return [{"title": _SCORE_TITLES[s], "payload": score_payload(s)} for s in (5, 4, 3, 2, 1)]


def comment_buttons() -> List[Dict[str, str]]:
    return [
        {"title": "أكتب ملاحظة", "payload": COMMENT_PAYLOAD},
        {"title": "لا، شكرًا", "payload": SKIP_PAYLOAD},
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
) -> Optional[Dict[str, Any]]:
    """The question to send ({"text", "buttons"}) and its record, or None when it is not
    the moment (nothing finished, a form running, asked already in the last 24 hours) or
    when it is owed for later (an agent's close or hand-back: see `due_question`)."""
    if finished not in BOT_FINISHES + AGENT_FINISHES or form_running:
        return None
    now = now or utcnow()
    if store.asked_since(conversation_id, now - ONCE_PER):
        return None
    if finished in AGENT_FINISHES:
        # The desk's own closing words go out now; the question waits for the
        # conversation's next bot turn (`due_question`), so it never cuts in on them.
        store.record_ask(conversation_id, channel, finished, agent, intent, now, store.DUE)
        return None
    rating_id = store.record_ask(conversation_id, channel, finished, agent, intent, now)
    return {"id": rating_id, "text": QUESTION, "buttons": question_buttons()}


def due_question(
    conversation_id: str, form_running: bool = False, now: Optional[datetime] = None
) -> Optional[Dict[str, Any]]:
    """The question owed after an agent's close or hand-back, on the next bot turn."""
    if form_running:
        return None
    now = now or utcnow()
    ask = store.open_ask(conversation_id, ANSWER_WITHIN, now)
    if not ask or ask["state"] != store.DUE or not store.ask_due(ask["id"], now):
        return None
    return {"id": ask["id"], "text": QUESTION_AGENT, "buttons": question_buttons()}


def handle_reply(
    conversation_id: str, text: str, is_payload: bool, now: Optional[datetime] = None
) -> Optional[Dict[str, Any]]:
    """What to answer ({"text", "buttons"}) if this message is an answer to the rating
    question (a score, the comment choice, or the comment itself); None to let the bot
    answer it as usual."""
    now = now or utcnow()
    if is_payload and is_csat_payload(text):
        ask = store.open_ask(conversation_id, ANSWER_WITHIN, now)
        match = _SCORE.match(text.strip())
        if match and ask and store.set_score(ask["id"], int(match.group(1)), now):
            metrics.inc(metrics.CSAT, match.group(1))
            return {"text": THANKS, "buttons": comment_buttons()}
        if text.strip() == COMMENT_PAYLOAD and ask and store.want_comment(ask["id"]):
            return {"text": ASK_COMMENT, "buttons": []}
        if text.strip() == SKIP_PAYLOAD:
            return {"text": SKIP_THANKS, "buttons": []}
        return {"text": LATE, "buttons": []}  # an old button, or a second tap
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
        return {"text": COMMENT_THANKS, "buttons": []}
    return None
