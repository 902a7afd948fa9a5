"""`action_notifications_stop` / `action_notifications_resume`: the citizen stops or turns
back on the messages about their cases' new status (bot.services.notifications.optout),
for the conversation they write from. Thin: one service call, one reply."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.content import fact
from bot.services.notifications import optout

logger = logging.getLogger(__name__)

STOPPED = (
    "تمام، أوقفت تنبيهات حالة البلاغات والاعتراضات في هذي المحادثة. "
    "تقدر تسأل عن الحالة هنا متى ما بغيت، ولإعادتها اكتب: تشغيل التنبيهات"
)
ALREADY_STOPPED = "التنبيهات موقفة من قبل. لإعادتها اكتب: تشغيل التنبيهات"
RESUMED = (
    "تمام، رجّعت التنبيهات: إذا تغيرت حالة بلاغك أو اعتراضك بأرسل لك هنا. "
    "لإيقافها اكتب: إيقاف التنبيهات"
)
ALREADY_ON = "التنبيهات شغالة. إذا تغيرت حالة بلاغك أو اعتراضك بأرسل لك هنا."


def unavailable() -> str:
    return (
        "اعذرني، ما قدرت أحفظ طلبك الحين بسبب خلل عندنا 🙏 "
        f"جرب بعد شوي أو اتصل على {fact('contact.unified_number')}."
    )


class _OptOutAction(Action, ABC):
    """Stop or resume status notifications for this conversation, as the citizen asked."""

    action_name = ""
    what = ""  # for the log line

    @abstractmethod  # abstract, so the action server does not register the base itself
    def change(self, conversation_id: str) -> bool:
        """True when this changed something (else it was already so)."""

    def name(self) -> Text:
        return self.action_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            changed = self.change(tracker.sender_id)
        except Exception as e:
            logger.error("notifications: %s not saved: %s", self.what, type(e).__name__)
            dispatcher.utter_message(text=unavailable())
            return []
        dispatcher.utter_message(text=self.done if changed else self.already)
        return []


class ActionNotificationsStop(_OptOutAction):
    action_name, what, done, already = (
        "action_notifications_stop",
        "opt-out",
        STOPPED,
        ALREADY_STOPPED,
    )

    def change(self, conversation_id: str) -> bool:
        return optout.stop(conversation_id=conversation_id, source="citizen")


class ActionNotificationsResume(_OptOutAction):
    action_name, what, done, already = "action_notifications_resume", "resume", RESUMED, ALREADY_ON

    def change(self, conversation_id: str) -> bool:
        return optout.resume(conversation_id=conversation_id, source="citizen")
