"""`action_notifications_stop` / `action_notifications_resume`: the citizen stops or turns
back on the messages about their cases' new status (bot.services.notifications.optout),
for the conversation they write from. Thin: one service call, one reply, in the
conversation's language (bot/content/cases.yml, `notifications`)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.forms import reply_language
from bot.content import case_text
from bot.services.notifications import optout

logger = logging.getLogger(__name__)


class _OptOutAction(Action, ABC):
    """Stop or resume status notifications for this conversation, as the citizen asked."""

    action_name = ""
    what = ""  # for the log line
    done = already = ""  # the replies' keys in cases.yml (notifications.<key>)

    @abstractmethod  # abstract, so the action server does not register the base itself
    def change(self, conversation_id: str) -> bool:
        """True when this changed something (else it was already so)."""

    def name(self) -> Text:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        lang = reply_language(tracker)
        try:
            changed = self.change(tracker.sender_id)
        except Exception as e:
            logger.error("notifications: %s not saved: %s", self.what, type(e).__name__)
            dispatcher.utter_message(text=case_text("notifications.unavailable", lang))
            return []
        reply = self.done if changed else self.already
        dispatcher.utter_message(text=case_text(f"notifications.{reply}", lang))
        return []


class ActionNotificationsStop(_OptOutAction):
    action_name, what, done, already = (
        "action_notifications_stop",
        "opt-out",
        "stopped",
        "already_stopped",
    )

    def change(self, conversation_id: str) -> bool:
        return optout.stop(conversation_id=conversation_id, source="citizen")


class ActionNotificationsResume(_OptOutAction):
    action_name, what, done, already = (
        "action_notifications_resume",
        "resume",
        "resumed",
        "already_on",
    )

    def change(self, conversation_id: str) -> bool:
        return optout.resume(conversation_id=conversation_id, source="citizen")
