"""Ticket actions driven like RasaHQ/financial-demo: a CollectingDispatcher and
trackers built from dicts, against a real (SQLite) store. The objection actions are
in test_objection_actions.py."""

import re

import pytest
from sqlalchemy import func, select

from bot.actions.ticket_status import ActionTicketStatus, ValidateTicketStatusForm
from bot.actions.tickets import (
    ActionAskTicketConfirm,
    ActionCancelTicketFlow,
    ActionSubmitTicket,
    ValidateTicketForm,
)
from bot.services.tickets import records as tickets
from bot.store import session_scope
from bot.store.sms import SmsMessage
from bot.store.tickets import Ticket
from tests.support.actions import load_domain, make_tracker, responses, run_action

DOMAIN = load_domain("tickets")
ID_A, MOBILE_A, ID_B = "1023456781", "0550000001", "1109876548"


def tracker(text="", intent="", **kwargs):
    return make_tracker(DOMAIN["slots"], text, intent, **kwargs)


def run(action, t):
    return run_action(action, t, DOMAIN)


# ------------------------------------------------------------------ ticket form


def test_invalid_id_check_digit_is_explained_and_not_kept():
    msgs, slots = run(
        ValidateTicketForm(),
        tracker(
            "1023456782", "inform_identifier", requested="ticket_national_id", form="ticket_form"
        ),
    )
    assert responses(msgs) == ["utter_national_id_checksum"]
    assert slots["ticket_national_id"] is None


def test_short_id_reports_how_many_digits_arrived():
    msgs, _ = run(
        ValidateTicketForm(),
        tracker(
            "10234567", "inform_identifier", requested="ticket_national_id", form="ticket_form"
        ),
    )
    assert msgs[0]["response"] == "utter_national_id_length" and msgs[0]["digits"] == "8 أرقام"


def test_valid_id_in_arabic_digits_is_normalised_whatever_the_intent():
    _, slots = run(
        ValidateTicketForm(),
        tracker("هويتي ١٠٢٣٤٥٦٧٨١", "faq", requested="ticket_national_id", form="ticket_form"),
    )
    assert slots["ticket_national_id"] == ID_A


def test_an_faq_question_mid_form_is_left_to_the_rules():
    _, slots = run(
        ValidateTicketForm(),
        tracker("وش شروط حساب المواطن", "faq", requested="ticket_national_id", form="ticket_form"),
    )
    assert "ticket_national_id" not in slots  # nothing extracted: the form rejects


def test_asking_for_the_pre_check_mid_form_is_left_to_the_rules():
    msgs, slots = run(
        ValidateTicketForm(),
        tracker(
            "ابي اتحقق من اهليتي",
            "check_eligibility",
            requested="ticket_national_id",
            form="ticket_form",
        ),
    )
    assert "ticket_national_id" not in slots and not msgs  # no "wrong ID" complaint either


def test_third_failure_offers_a_way_out():
    t = tracker(
        "123",
        "inform_identifier",
        requested="ticket_mobile",
        form="ticket_form",
        slots={"ticket_national_id": ID_A, "form_failures": {"ticket_mobile": 2}},
    )
    msgs, slots = run(ValidateTicketForm(), t)
    assert responses(msgs) == ["utter_mobile_length", "utter_form_struggling"]
    payloads = [b["payload"] for b in msgs[1]["buttons"]]
    assert "/cancel" in payloads and any(p.startswith("/human_handoff") for p in payloads)


@pytest.mark.parametrize("text", ["+966 55 000 0001", "٠٥٥٠٠٠٠٠٠١", "550000001"])
def test_mobile_forms(text):
    _, slots = run(
        ValidateTicketForm(),
        tracker(
            text,
            "inform_identifier",
            requested="ticket_mobile",
            form="ticket_form",
            slots={"ticket_national_id": ID_A},
        ),
    )
    assert slots["ticket_mobile"] == MOBILE_A


def test_impossible_mobile():
    msgs, slots = run(
        ValidateTicketForm(),
        tracker("0112345678", "inform_identifier", requested="ticket_mobile", form="ticket_form"),
    )
    assert responses(msgs) == ["utter_mobile_prefix"] and slots["ticket_mobile"] is None


def test_category_from_typed_text_or_button():
    _, slots = run(
        ValidateTicketForm(),
        tracker(
            "عندي مشكلة في البوابة",
            "inform_ticket_category",
            requested="ticket_category",
            form="ticket_form",
        ),
    )
    assert slots["ticket_category"] == "portal"
    msgs, slots = run(
        ValidateTicketForm(),
        tracker("مدري", "deny", requested="ticket_category", form="ticket_form"),
    )
    assert responses(msgs) == ["utter_ticket_category_unknown"] and slots["ticket_category"] is None
    assert len(msgs[0]["buttons"]) == 5


@pytest.mark.parametrize(
    "text,category",
    [
        ("الموقع يعلق", "portal"),
        ("مشكلة تقنية", "portal"),
        ("التطبيق ما يفتح معي", "portal"),
        ("الصفحة تطلع error", "portal"),
        ("دفعتي ناقصة", "payment"),
        ("ابي اقدم اقتراح", "suggestion"),
    ],
)
def test_a_category_in_the_citizens_words(text, category):
    from bot.services.tickets.categories import parse_category

    assert parse_category(text) == category


@pytest.mark.parametrize(
    "text,intent",
    [("help", "nlu_fallback"), ("نعم", "affirm"), ("ساعدني", "human_handoff"), ("ok", "affirm")],
)
def test_help_or_yes_is_not_a_description(text, intent):
    msgs, slots = run(
        ValidateTicketForm(),
        tracker(text, intent, requested="ticket_description", form="ticket_form", confidence=0.6),
    )
    assert slots.get("ticket_description") is None
    assert responses(msgs) == ["utter_ticket_description_too_short"]


def test_description_that_reads_like_an_faq_is_still_the_description():
    text = "الدعم نقص هالشهر وما أعرف ليش، الدخل ما تغير"
    _, slots = run(
        ValidateTicketForm(),
        tracker(text, "faq", requested="ticket_description", form="ticket_form", confidence=0.99),
    )
    assert slots["ticket_description"] == text


def test_summary_fixes_one_submission_id():
    filled = {
        "ticket_national_id": ID_A,
        "ticket_mobile": MOBILE_A,
        "ticket_category": "payment",
        "ticket_description": "الدفعة نزلت ناقصة هالشهر",
    }
    msgs, slots = run(ActionAskTicketConfirm(), tracker(slots=filled))
    assert msgs[0]["response"] == "utter_ticket_summary"
    assert msgs[0]["national_id"] == ID_A and msgs[0]["category"] == "شكوى على دفعة"
    assert [b["payload"] for b in msgs[0]["buttons"]] == ["/affirm", "/deny", "/cancel"]
    submission = slots["ticket_submission_id"]
    _, again = run(
        ActionAskTicketConfirm(), tracker(slots={**filled, "ticket_submission_id": submission})
    )
    assert again == {}


def test_deny_at_the_summary_starts_over():
    msgs, slots = run(
        ValidateTicketForm(),
        tracker(
            "/deny",
            "deny",
            requested="ticket_confirm",
            form="ticket_form",
            slots={"ticket_national_id": ID_A},
        ),
    )
    assert responses(msgs) == ["utter_ticket_restart"]
    assert slots["ticket_national_id"] is None and slots["ticket_submission_id"] is None


def _confirmed(sender="conv-1", submission="sub-1"):
    return tracker(
        "/affirm",
        "affirm",
        sender=sender,
        slots={
            "ticket_national_id": ID_A,
            "ticket_mobile": MOBILE_A,
            "ticket_category": "payment",
            "ticket_description": "الدفعة نزلت ناقصة هالشهر بدون سبب",
            "ticket_confirm": True,
            "ticket_submission_id": submission,
        },
    )


def test_submit_creates_one_ticket_even_when_retried():
    msgs1, slots1 = run(ActionSubmitTicket(), _confirmed())
    msgs2, _ = run(ActionSubmitTicket(), _confirmed())  # the same confirmation again
    n1, n2 = msgs1[0]["ticket_number"], msgs2[0]["ticket_number"]
    assert n1 == n2 and re.fullmatch(r"\d{8}", n1)
    assert msgs1[0]["response"] == "utter_ticket_created"
    assert slots1["last_ticket_number"] == n1 and slots1["ticket_national_id"] is None
    assert slots1["last_topic"] == "ticket"  # what "متى يردون؟" leans on
    with session_scope() as s:
        assert s.execute(select(func.count()).select_from(Ticket)).scalar_one() == 1
        sms = s.execute(select(SmsMessage)).scalars().all()
    assert len(sms) == 1 and n1 in sms[0].body and sms[0].to == "+966550000001"
    # a new summary (new submission id) is a new ticket
    msgs3, _ = run(ActionSubmitTicket(), _confirmed(submission="sub-2"))
    assert msgs3[0]["ticket_number"] != n1


def test_submit_with_the_database_down_keeps_the_ticket(monkeypatch, db):
    from bot.store import reset_engine

    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/x/app.db")
    reset_engine()
    msgs, slots = run(ActionSubmitTicket(), _confirmed())
    assert responses(msgs) == ["utter_ticket_queued"]
    assert tickets.pending_count() == 1
    monkeypatch.setenv("DATABASE_URL", db)
    reset_engine()
    [written] = tickets.flush_pending()
    assert tickets.find_for_owner(written.number, ID_A) is not None


def test_cancel_forgets_what_was_typed():
    msgs, slots = run(ActionCancelTicketFlow(), tracker(slots={"ticket_national_id": ID_A}))
    assert responses(msgs) == ["utter_ticket_flow_cancelled"]
    assert slots["ticket_national_id"] is None and slots["objection_otp"] is None


# ------------------------------------------------------------------ ticket status


def test_ticket_status_for_the_owner():
    ticket, _ = tickets.create_ticket(ID_A, MOBILE_A, "portal", "البوابة ما تفتح معي", "k1")
    tickets.set_status(ticket.number, "in_progress")
    msgs, _ = run(
        ActionTicketStatus(),
        tracker(slots={"status_ticket_number": ticket.number, "status_national_id": ID_A}),
    )
    assert ticket.number in msgs[0]["text"] and "قيد المعالجة" in msgs[0]["text"]


def test_ticket_status_wrong_pair_reads_like_an_unknown_number():
    ticket, _ = tickets.create_ticket(ID_A, MOBILE_A, "portal", "البوابة ما تفتح معي", "k1")
    wrong, _ = run(
        ActionTicketStatus(),
        tracker(slots={"status_ticket_number": ticket.number, "status_national_id": ID_B}),
    )
    unknown, _ = run(
        ActionTicketStatus(),
        tracker(slots={"status_ticket_number": "12345674", "status_national_id": ID_A}),
    )
    assert wrong == unknown
    assert responses(wrong) == ["utter_ticket_not_found"]


def test_ticket_status_blocks_after_three_wrong_pairs():
    import time

    now = time.time()
    msgs, _ = run(
        ActionTicketStatus(),
        tracker(
            slots={
                "status_ticket_number": "12345674",
                "status_national_id": ID_A,
                "lookup_failures": [now - 30, now - 20, now - 10],
            }
        ),
    )
    assert responses(msgs) == ["utter_lookup_blocked"]


def test_ticket_number_and_id_in_one_message():
    _, slots = run(
        ValidateTicketStatusForm(),
        tracker(
            "البلاغ 78488251 والهوية ١٠٢٣٤٥٦٧٨١",
            "ticket_status",
            requested="status_ticket_number",
            form="ticket_status_form",
        ),
    )
    assert slots["status_ticket_number"] == "78488251" and slots["status_national_id"] == ID_A


def test_ticket_status_offers_the_ticket_the_bot_just_opened():
    """ "حالة بلاغي" a minute after the bot gave the number asked for it again."""
    from bot.actions.ticket_status import ActionAskStatusTicketNumber

    messages, _ = run_action(
        ActionAskStatusTicketNumber(),
        tracker(slots={"last_ticket_number": "78488251"}, requested="status_ticket_number"),
        DOMAIN,
    )
    assert responses(messages) == ["utter_ask_status_ticket_number_offer"]
    assert messages[0]["last_ticket_number"] == "78488251"
    assert messages[0]["buttons"][0] == {"title": "78488251", "payload": "78488251"}
    # The button's payload, typed back, is taken as the number.
    _, slots = run_action(
        ValidateTicketStatusForm(),
        tracker("78488251", "inform_identifier", requested="status_ticket_number",
                form="ticket_status_form"),
        DOMAIN,
    )  # fmt: skip
    assert slots["status_ticket_number"] == "78488251"
    # Without a ticket of this conversation: the plain question.
    messages, _ = run_action(ActionAskStatusTicketNumber(), tracker(), DOMAIN)
    assert responses(messages) == ["utter_ask_status_ticket_number"]
