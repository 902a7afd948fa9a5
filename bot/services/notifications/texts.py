"""What a notification says: the case number, the new status in Arabic and what to do
next. Nothing else personal: no name, no ID, no mobile, no staff note, and no objection
amount (the citizen sees that only after proving who they are, in the conversation)."""

from __future__ import annotations

from bot.content import fact
from bot.services.tickets.labels import TICKET_STATUSES
from bot.store.objections import OBJECTION_STATUSES

STOP_HINT = "لإيقاف هذه التنبيهات اكتب: إيقاف التنبيهات"

_TICKET_NEXT = {
    "open": "بلاغك مفتوح من جديد وبيتابعه فريق الدعم.",
    "in_progress": "فريق الدعم يشتغل عليه وبيتواصل معك إذا احتاج شيء.",
    "resolved": "إذا ما انحلت مشكلتك رد علينا هنا أو افتح بلاغ جديد.",
    "closed": "للاستفسار اتصل على {phone}.",
}


def ticket_text(number: str, status: str) -> str:
    label = TICKET_STATUSES.get(status, status)
    follow = _TICKET_NEXT.get(status, "").format(phone=fact("contact.unified_number"))
    lines = [
        f"حساب المواطن - صوتك مسموع: تحدّثت حالة بلاغك رقم {number}.",
        f"الحالة الجديدة: {label}",
    ]
    if follow:
        lines.append(follow)
    lines.append("للتفاصيل اسألني عن حالة بلاغك.")
    return "\n".join(lines)


def objection_text(number: str, status: str) -> str:
    label = OBJECTION_STATUSES.get(status, status)
    if status == "under_review":
        head = f"حساب المواطن: اعتراضك رقم {number} رجع قيد الدراسة."
        follow = f"الرد يكون خلال {int(fact('objections.reply_days'))} يوم من تاريخ التقديم."
    else:
        head = f"حساب المواطن: صدر قرار في اعتراضك رقم {number}."
        follow = (
            "ينصرف لك المبلغ المستحق بأثر رجعي مع الدفعة الجاية."
            if status == "accepted"
            else "إذا عندك ملاحظة على القرار تقدر تفتح بلاغ أو تكلم موظف."
        )
    return "\n".join(
        [
            head,
            f"الحالة: {label}",
            follow,
            "للتفاصيل اكتب «حالة اعتراضي» وأرسل لك رمز تحقق على جوالك.",
        ]
    )


def with_stop_hint(body: str) -> str:
    """Chat channels can take the reply; an SMS cannot, so it goes without the hint."""
    return f"{body}\n\n{STOP_HINT}"


def status_label(subject_type: str, status: str) -> str:
    labels = TICKET_STATUSES if subject_type == "ticket" else OBJECTION_STATUSES
    return labels.get(status, status)


def kind_label(subject_type: str) -> str:
    return "بلاغ" if subject_type == "ticket" else "اعتراض"
