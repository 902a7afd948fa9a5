"""`action_notifications_stop` / `action_notifications_resume`: the citizen stops or turns
back on the messages about their cases' new status (bot.services.notifications.optout),
for the conversation they write from. Thin: one service call, one reply."""

from __future__ import annotations

import logging
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


class ActionNotificationsStop(Action):
    def name(self) -> Text:
        return "action_notifications_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            new = optout.stop(conversation_id=tracker.sender_id, source="citizen")
        except Exception as e:
            logger.error("notifications: opt-out not saved: %s", type(e).__name__)
            dispatcher.utter_message(text=unavailable())
            return []
        dispatcher.utter_message(text=STOPPED if new else ALREADY_STOPPED)
        return []


class ActionNotificationsResume(Action):
    def name(self) -> Text:
        return "action_notifications_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            removed = optout.resume(conversation_id=tracker.sender_id, source="citizen")
        except Exception as e:
            logger.error("notifications: resume not saved: %s", type(e).__name__)
            dispatcher.utter_message(text=unavailable())
            return []
        dispatcher.utter_message(text=RESUMED if removed else ALREADY_ON)
        return []
