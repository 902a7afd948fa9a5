"""Objection status actions driven like RasaHQ/financial-demo: a CollectingDispatcher
and trackers built from dicts, against a real (SQLite) store."""

import re

import pytest
from sqlalchemy import select

from bot.actions.objections import ActionObjectionStatus, ValidateObjectionForm
from bot.services import objections
from bot.store import session_scope
from bot.store.sms import SmsMessage
from tests.support.actions import load_domain, make_tracker, responses, run_action

DOMAIN = load_domain("objections")
# form_failures and lookup_failures, shared with the ticket forms, are declared there.
SHARED = load_domain("tickets")
ID_A, MOBILE_A, ID_B = "1023456781", "0550000001", "1109876548"


def tracker(text="", intent="", **kwargs):
    return make_tracker([*SHARED["slots"], *DOMAIN["slots"]], text, intent, **kwargs)


def run(action, t):
    return run_action(action, t, DOMAIN)


def _sms_bodies():
    with session_scope() as s:
        return [m.body for m in s.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars()]


@pytest.fixture
def objection():
    return objections.create_objection(
        ID_A, MOBILE_A, "2025-01", amount="850", submitted_on="2025-02-01"
    )


def _give_number(number, national_id=ID_A, sender="conv-1", extra=None):
    return run(
        ValidateObjectionForm(),
        tracker(
            number,
            "inform_identifier",
            requested="objection_number",
            form="objection_form",
            sender=sender,
            slots={"objection_national_id": national_id, **(extra or {})},
        ),
    )


def test_objection_flow_reveals_status_only_after_the_code(objection):
    msgs, slots = _give_number(objection.number)
    assert slots["objection_number"] == objection.number and not slots.get("objection_stop")
    assert msgs == []  # the form then asks for the code
    code = re.search(r"\d{6}", _sms_bodies()[-1]).group()
    filled = {"objection_national_id": ID_A, "objection_number": objection.number}

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    msgs, slots = run(
        ValidateObjectionForm(),
        tracker(
            wrong,
            "inform_identifier",
            requested="objection_otp",
            form="objection_form",
            slots=filled,
        ),
    )
    assert responses(msgs) == ["utter_otp_wrong"] and msgs[0]["attempts_left"] == "محاولتين"
    assert slots["objection_otp"] is None

    _, slots = run(
        ValidateObjectionForm(),
        tracker(
            code,
            "inform_identifier",
            requested="objection_otp",
            form="objection_form",
            slots=filled,
        ),
    )
    assert slots["objection_otp"] == "verified"

    msgs, slots = run(
        ActionObjectionStatus(), tracker(slots={**filled, "objection_otp": "verified"})
    )
    text = msgs[0]["text"]
    assert objection.number in text and "قيد الدراسة" in text and "90 يوم" in text
    payloads = [b["payload"] for b in msgs[0]["buttons"]]
    assert "/human_handoff" in payloads and "/open_ticket" in payloads
    assert slots["objection_number"] is None and slots["objection_national_id"] is None
    assert slots["last_topic"] == "objection_under_review"  # what "وش اسوي الحين؟" leans on


def test_wrong_pair_gets_the_unknown_number_answer_and_no_sms(objection):
    other = "100000009" if objection.number != "100000009" else "100000017"
    wrong_msgs, wrong_slots = _give_number(objection.number, national_id=ID_B)
    unknown_msgs, _ = _give_number(other)
    assert wrong_msgs == unknown_msgs
    assert responses(wrong_msgs) == ["utter_objection_not_found"]
    assert wrong_slots["objection_number"] is None and wrong_slots["objection_national_id"] is None
    assert _sms_bodies() == []


def test_third_wrong_pair_stops_the_form(objection):
    import time

    now = time.time()
    _, slots = _give_number(
        objection.number, national_id=ID_B, extra={"lookup_failures": [now - 20, now - 10]}
    )
    assert slots["objection_stop"] == "blocked"
    msgs, _ = run(ActionObjectionStatus(), tracker(slots={"objection_stop": "blocked"}))
    assert responses(msgs) == ["utter_lookup_blocked"]


def test_forged_verified_slot_reveals_nothing(objection):
    msgs, _ = run(
        ActionObjectionStatus(),
        tracker(
            slots={
                "objection_national_id": ID_A,
                "objection_number": objection.number,
                "objection_otp": "verified",
            }
        ),
    )
    assert all(objection.number not in (m.get("text") or "") for m in msgs)
    assert responses(msgs) == ["utter_otp_expired"]


def test_three_wrong_codes_end_with_a_cool_down(objection):
    _give_number(objection.number)
    filled = {"objection_national_id": ID_A, "objection_number": objection.number}
    code = re.search(r"\d{6}", _sms_bodies()[-1]).group()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(2):
        run(
            ValidateObjectionForm(),
            tracker(
                wrong,
                "inform_identifier",
                requested="objection_otp",
                form="objection_form",
                slots=filled,
            ),
        )
    _, slots = run(
        ValidateObjectionForm(),
        tracker(
            wrong,
            "inform_identifier",
            requested="objection_otp",
            form="objection_form",
            slots=filled,
        ),
    )
    assert slots["objection_stop"].startswith("locked")
    msgs, _ = run(
        ActionObjectionStatus(),
        tracker(slots={**filled, "objection_stop": slots["objection_stop"]}),
    )
    assert responses(msgs) == ["utter_otp_locked"] and msgs[0]["minutes"] == "15 دقيقة"
    # a fresh attempt in another conversation is refused during the cool-down
    _, slots = _give_number(objection.number, sender="conv-2")
    assert slots["objection_stop"].startswith("cooldown")


def test_resend_sends_a_new_code(objection):
    _give_number(objection.number)
    filled = {"objection_national_id": ID_A, "objection_number": objection.number}
    msgs, slots = run(
        ValidateObjectionForm(),
        tracker(
            "ما وصلني الرمز",
            "resend_code",
            requested="objection_otp",
            form="objection_form",
            slots=filled,
        ),
    )
    assert responses(msgs) == ["utter_otp_resent"] and slots["objection_otp"] is None
    assert len(_sms_bodies()) == 2


def test_number_first_then_id_sends_the_code_once(objection):
    # the objection number arrives while the ID is asked
    _, slots = run(
        ValidateObjectionForm(),
        tracker(
            objection.number,
            "inform_identifier",
            requested="objection_national_id",
            form="objection_form",
        ),
    )
    assert slots == {"objection_number": objection.number}
    assert _sms_bodies() == []
    _, slots = run(
        ValidateObjectionForm(),
        tracker(
            ID_A,
            "inform_identifier",
            requested="objection_national_id",
            form="objection_form",
            slots={"objection_number": objection.number},
        ),
    )
    assert slots["objection_national_id"] == ID_A
    assert len(_sms_bodies()) == 1


def test_objection_with_the_database_down(objection, monkeypatch):
    from bot.store import reset_engine

    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-dir/x/app.db")
    reset_engine()
    _, slots = _give_number(objection.number)
    assert slots["objection_stop"] == "store_down"
    msgs, _ = run(ActionObjectionStatus(), tracker(slots={"objection_stop": "store_down"}))
    assert responses(msgs) == ["utter_store_down"]
