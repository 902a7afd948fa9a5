"""Arabic wording of the handoff: reasons, what the citizen is told at each step."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Dict, Optional

from bot.content import fact
from bot.services.handoff.waiting import estimated_wait_minutes, in_working_hours
from bot.store.base import utcnow
from bot.store.handoffs import AGENT, QUEUED

# Why a conversation was escalated; the desk shows the Arabic label.
REASONS: Dict[str, str] = {
    "requested": "طلب التحدث مع موظف",
    "fallback": "المساعد لم يفهم مرتين متتاليتين",
    "form_failed": "تعثّر في تعبئة البيانات",
    "support_stopped": "شكوى توقف الدعم",
    "case_for_person": "حالة تحتاج موظف",
}
DEFAULT_REASON = "requested"

RESUME_TEXT = (
    "رجعت لك 👋 الموظف حوّل المحادثة لي من جديد. "
    "إذا عندك سؤال ثاني عن حساب المواطن اكتبه وأنا أساعدك."
)
CLOSE_TEXT = (
    "شكرًا لتواصلك مع حساب المواطن 🌿 انتهت المحادثة مع الموظف. إذا احتجت شي ثاني اكتب لي في أي وقت."
)
CLAIM_TEXT = "انضم لك {agent} من خدمة العملاء 👤 تفضل، كيف أقدر أخدمك؟"
TRANSFER_TEXT = "حوّلت محادثتك إلى {agent} من خدمة العملاء 👤 بيكمل معك من هنا."

_REASON_PREFIX = {
    "fallback": "يبدو إني ما قدرت أفهم عليك، فبحوّلك لموظف يساعدك.",
    "form_failed": "واضح إن فيه صعوبة في تعبئة البيانات، فبحوّلك لموظف يساعدك.",
    "support_stopped": "آسف على توقف الدعم عنك 🙏 حالتك تحتاج موظف يراجع ملفك.",
    "case_for_person": "حالتك تحتاج موظف يراجعها.",
}


LEFT_QUEUE_TEXT = (
    "ألغيت طلب التحويل للموظف ✅ رجعت لك، وش أقدر أخدمك فيه؟ ومتى ما احتجت موظف اكتب: أكلم موظف."
)
LEAVE_HINT = "وإذا تبي ترجع للمساعد الآلي بدل الانتظار، اكتب: إلغاء"


def queued_ack_text(position: int, now: Optional[datetime] = None) -> str:
    if in_working_hours(now):
        first = (
            f"وصلت رسالتك ✅ أنت بانتظار موظف (دورك رقم {position})، وبيشوف كل رسائلك أول ما يدخل."
        )
    else:
        first = (
            f"وصلت رسالتك ✅ محفوظة للموظف، وبيرد عليك أول ما يبدأ الدوام "
            f"({fact('contact.working_hours')})."
        )
    return f"{first}\n{LEAVE_HINT}"


def wait_phrase(minutes: int) -> str:
    """Arabic for a rough duration, rounded up to 5 minutes."""
    if minutes <= 5:
        return "أقل من 5 دقائق"
    if minutes > 60:
        return "أكثر من ساعة"
    rounded = int(math.ceil(minutes / 5.0) * 5)
    if rounded == 60:
        return "حوالي ساعة"
    return f"حوالي {rounded} {'دقائق' if rounded <= 10 else 'دقيقة'}"


def escalation_message(view: Any, now: Optional[datetime] = None) -> Dict[str, Any]:
    """What the bot tells the citizen when it hands over: {"text": ..., "buttons": [...]}.
    `view` is a records.HandoffView (not imported: records imports this module's REASONS)."""
    now = now or utcnow()
    lines = []
    prefix = _REASON_PREFIX.get(view.reason)
    if prefix and view.created:
        lines.append(prefix)
    if view.state == AGENT:
        lines.append("أنت الحين مع موظف خدمة العملاء، اكتب له رسالتك هنا.")
    elif in_working_hours(now):
        minutes = estimated_wait_minutes(view.position or 1, now)
        lines.append("حوّلت محادثتك لموظف خدمة العملاء 👤 بينضم لك هنا في نفس المحادثة.")
        lines.append(f"وقت الانتظار المتوقع {wait_phrase(minutes)}.")
        lines.append("اكتب تفاصيل طلبك من الحين، وبيشوفها الموظف أول ما يدخل.")
        lines.append(f"وإذا مستعجل، الرقم الموحد {fact('contact.unified_number')} متاح لك.")
    else:
        lines.append(
            f"موظفينا متواجدين {fact('contact.working_hours')} بتوقيت الرياض، "
            "والحين خارج وقت الدوام 🌙"
        )
        lines.append("محادثتك محفوظة في قائمة الانتظار، وأول ما يبدأ الدوام بيرد عليك موظف هنا.")
        lines.append(
            'وإذا ما تبي تنتظر: تقدر ترفع طلبك في خدمة "صوتك مسموع" من بوابة حساب '
            "المواطن (تشتغل 24 ساعة)، أو تتصل على الرقم الموحد "
            f"{fact('contact.unified_number')}."
        )
    if view.state == QUEUED:
        lines.append(LEAVE_HINT)
    # No buttons: while the handoff is open nothing the citizen sends reaches the bot.
    return {"text": "\n".join(lines), "buttons": []}


def claim_message(agent_display_name: str) -> str:
    name = agent_display_name or "موظف"
    if "خدمة العملاء" in name:  # the default display name says it already
        return CLAIM_TEXT.replace(" من خدمة العملاء", "").format(agent=name)
    return CLAIM_TEXT.format(agent=name)


def transfer_message(agent_display_name: str) -> str:
    return TRANSFER_TEXT.format(agent=agent_display_name or "زميل")
