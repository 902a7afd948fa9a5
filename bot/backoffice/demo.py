"""Demo data: a few objections and tickets with fixed numbers, so a developer (or a
demo) can try "حالة اعتراضي" end to end. Loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Dict, List

from sqlalchemy import select

from bot.services import objections
from bot.services.tickets import records as tickets
from bot.services.verification.validators import luhn_check_digit
from bot.store import session_scope
from bot.store.base import utcnow
from bot.store.objections import Objection


def _with_check(body: str) -> str:
    return body + luhn_check_digit(body)


# Citizens (fictional; IDs pass the check digit, mobiles are Saudi-format).
CITIZEN_A = {"national_id": _with_check("102345678"), "mobile": "0550000001"}
CITIZEN_B = {"national_id": _with_check("110987654"), "mobile": "0560000002"}
RESIDENT_C = {"national_id": _with_check("210000001"), "mobile": "0540000003"}


def demo_objections() -> List[Dict]:
    today = utcnow().date()
    return [
        dict(
            number=_with_check("10000000"),
            **CITIZEN_A,
            payment_cycle="2025-01",
            amount="850",
            submitted_on=today - timedelta(days=20),
            status="under_review",
        ),
        dict(
            number=_with_check("10000001"),
            **CITIZEN_A,
            payment_cycle="2024-11",
            amount="1200",
            submitted_on=today - timedelta(days=75),
            status="accepted",
            decided_on=today - timedelta(days=10),
            decision_note="تبيّن أن الدخل المسجل غير محدّث، وتم تصحيحه.",
        ),
        dict(
            number=_with_check("10000002"),
            **CITIZEN_B,
            payment_cycle="2024-12",
            amount="400",
            submitted_on=today - timedelta(days=60),
            status="rejected",
            decided_on=today - timedelta(days=5),
            decision_note="مبلغ الدفعة مطابق لبيانات الدخل وعدد التابعين المسجلة.",
        ),
        dict(
            number=_with_check("10000003"),
            **RESIDENT_C,
            payment_cycle="2025-02",
            amount="300",
            submitted_on=today - timedelta(days=3),
            status="under_review",
        ),
    ]


DEMO_TICKETS = [
    dict(
        **CITIZEN_A,
        category="payment",
        key="demo-ticket-1",
        description="نزلت الدفعة أقل من الشهر اللي قبله بدون سبب واضح.",
    ),
    dict(
        **CITIZEN_B,
        category="portal",
        key="demo-ticket-2",
        description="البوابة تطلع لي خطأ لما أحاول أحدث بيانات الدخل.",
    ),
]


def load(actor: str = "backoffice:demo") -> Dict[str, List[str]]:
    created: Dict[str, List[str]] = {"objections": [], "tickets": []}
    for spec in demo_objections():
        with session_scope() as session:
            exists = session.execute(
                select(Objection.id).where(Objection.number == spec["number"])
            ).first()
        if not exists:
            objections.create_objection(actor=actor, **spec)
            created["objections"].append(spec["number"])
    for spec in DEMO_TICKETS:
        ticket, was_created = tickets.create_ticket(
            spec["national_id"],
            spec["mobile"],
            spec["category"],
            spec["description"],
            key=tickets.idempotency_key("demo", spec["key"]),
            channel="demo",
            actor=actor,
        )
        if was_created:
            created["tickets"].append(ticket.number)
    return created
