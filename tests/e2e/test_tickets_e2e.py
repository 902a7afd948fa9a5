"""End to end over the REST channel: a citizen opens a "صوتك مسموع" ticket, then
reads an objection's status with the one-time code taken from the SMS outbox.

Runs against the `rasa_server` fixture (tests/conftest.py): a Rasa server and an
action server sharing one database, whose DATABASE_URL is exported to this process.
"""

import re
import uuid

import pytest
import requests
from sqlalchemy import select

from bot.services import objections
from bot.services.tickets import records as tickets
from bot.store import reset_engine, session_scope
from bot.store.sms import SmsMessage

pytestmark = pytest.mark.server

NATIONAL_ID, MOBILE = "1023456781", "0550000001"  # fictional; the ID passes its check digit


def chat(server, sender, text):
    response = requests.post(
        f"{server}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=90
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def said(replies) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def payloads(replies):
    return [b["payload"] for r in replies for b in r.get("buttons", [])]


def outbox(to: str):
    with session_scope() as s:
        return [
            m.body
            for m in s.execute(
                select(SmsMessage).where(SmsMessage.to == to).order_by(SmsMessage.id)
            ).scalars()
        ]


@pytest.fixture
def store(rasa_server):
    reset_engine()  # use the DATABASE_URL the fixture exported
    yield
    reset_engine()


def test_open_a_ticket_then_read_an_objection_status(rasa_server, store):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"

    # ---- open a ticket
    replies = chat(rasa_server, sender, "ابي افتح بلاغ")
    assert "رقم الهوية" in said(replies)
    replies = chat(rasa_server, sender, "1023456782")  # wrong check digit
    assert "ما يطابق صيغة رقم هوية صحيح" in said(replies)
    replies = chat(rasa_server, sender, "١٠٢٣٤٥٦٧٨١")
    assert "جوالك" in said(replies)
    replies = chat(rasa_server, sender, "+966 55 000 0001")
    assert "نوع البلاغ" in said(replies)
    category = next(p for p in payloads(replies) if '"payment"' in p)
    replies = chat(rasa_server, sender, category)
    assert "وصف المشكلة" in said(replies)
    replies = chat(rasa_server, sender, "نعم")  # not a description
    assert "وصف للمشكلة بكلماتك" in said(replies)
    replies = chat(rasa_server, sender, "الدعم نقص هالشهر ليش؟ الدخل ما تغير أبد")
    summary = said(replies)
    assert "راجع بيانات البلاغ" in summary and NATIONAL_ID in summary and "شكوى على دفعة" in summary
    assert "/affirm" in payloads(replies)
    replies = chat(rasa_server, sender, "/affirm")
    number = re.search(r"رقم البلاغ: (\d{8})", said(replies)).group(1)
    sms = outbox("+966550000001")
    assert any(number in body for body in sms)
    # the same confirmation again does not open a second ticket
    chat(rasa_server, sender, "/affirm")
    assert [t.number for t in tickets.tickets_of(NATIONAL_ID)] == [number]

    # ---- ticket status, by the owner
    replies = chat(rasa_server, sender, "وش صار على بلاغي")
    # The ticket the bot just opened is offered, not asked for again.
    assert number in said(replies) and number in payloads(replies)
    chat(rasa_server, sender, number)
    replies = chat(rasa_server, sender, NATIONAL_ID)
    assert number in said(replies) and "مفتوح" in said(replies)

    # ---- objection status with a one-time code
    objection = objections.create_objection(
        NATIONAL_ID,
        MOBILE,
        "2025-01",
        amount="850",
        status="accepted",
        submitted_on="2025-01-20",
        decided_on="2025-03-01",
        actor="backoffice:e2e",
    )
    replies = chat(rasa_server, sender, "ابي اعرف حالة اعتراضي")
    assert "رقم الهوية" in said(replies)
    chat(rasa_server, sender, NATIONAL_ID)
    replies = chat(rasa_server, sender, objection.number)
    assert "رمز تحقق" in said(replies)
    assert objection.number not in said(replies) and "مقبول" not in said(replies)
    code = re.search(r"\b(\d{6})\b", outbox("+966550000001")[-1]).group(1)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    replies = chat(rasa_server, sender, wrong)
    # Asked again without claiming a new code was sent (none was).
    assert "غير صحيح" in said(replies) and "أرسلت" not in said(replies)
    assert "اكتب الرمز" in said(replies) and "/resend_code" in payloads(replies)
    replies = chat(rasa_server, sender, code)
    report = said(replies)
    assert objection.number in report and "مقبول" in report and "بأثر رجعي" in report
    assert {"/open_ticket", "/human_handoff"} <= set(payloads(replies))


def test_someone_else_learns_nothing_about_an_objection(rasa_server, store):
    objection = objections.create_objection(
        NATIONAL_ID, MOBILE, "2025-02", amount="300", actor="backoffice:e2e"
    )
    sent_before = len(outbox("+966550000001"))

    def ask(national_id, number):
        sender = f"e2e-{uuid.uuid4().hex[:8]}"
        chat(rasa_server, sender, "حالة اعتراضي")
        chat(rasa_server, sender, national_id)
        return said(chat(rasa_server, sender, number))

    wrong_pair = ask("1109876548", objection.number)  # real number, someone else's ID
    unknown = ask(NATIONAL_ID, "100000090" if objection.number != "100000090" else "100000108")
    assert wrong_pair == unknown
    assert "ما لقيت اعتراض" in wrong_pair
    assert len(outbox("+966550000001")) == sent_before  # no code was sent
