"""One-time codes (bot.services.verification.otp), used through the objection status wrappers of
bot.services.objections, on SQLite and PostgreSQL."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.services import objections
from bot.services.sms.gateway import SmsResult
from bot.services.verification import otp
from bot.store import session_scope
from bot.store.base import utcnow
from bot.store.otp import OtpChallenge
from bot.store.sms import SmsMessage

ID_A, MOBILE_A, ID_B = "1023456781", "0550000001", "1109876548"


@pytest.fixture
def objection(app_db):
    return objections.create_objection(ID_A, MOBILE_A, "2025-01", amount="850")


def _sms():
    with session_scope() as s:
        return s.execute(select(SmsMessage).order_by(SmsMessage.id)).scalars().all()


def _last_code() -> str:
    return re.search(r"\d{6}", _sms()[-1].body).group()


def test_code_goes_to_the_registered_mobile_and_is_stored_hashed(objection):
    result = objections.issue_code("conv-1", objection.number, ID_A)
    assert result.status == otp.SENT
    messages = _sms()
    assert len(messages) == 1
    assert messages[0].to == "+966550000001" and messages[0].kind == "otp"
    code = _last_code()
    with session_scope() as s:
        row = s.execute(select(OtpChallenge)).scalar_one()
        stored = " ".join(str(getattr(row, c.name)) for c in OtpChallenge.__table__.columns)
    assert code not in stored
    assert row.code_hash == otp.hash_code(code, row.salt)


def test_wrong_pair_and_unknown_number_look_the_same_and_send_nothing(objection):
    wrong_pair = objections.issue_code("conv-1", objection.number, ID_B)
    unknown = objections.issue_code(
        "conv-1", "100000009" if objection.number != "100000009" else "100000017", ID_A
    )
    assert wrong_pair == unknown == otp.IssueResult(otp.NOT_FOUND)
    assert _sms() == []


def test_right_code_verifies_once(objection):
    objections.issue_code("conv-1", objection.number, ID_A)
    code = _last_code()
    assert not otp.is_verified(objections.OTP_PURPOSE, objection.number, "conv-1")
    assert objections.verify_code("conv-1", objection.number, code).status == otp.OK
    assert otp.is_verified(objections.OTP_PURPOSE, objection.number, "conv-1")
    # single use
    assert objections.verify_code("conv-1", objection.number, code).status == otp.NO_CODE
    # proof is per conversation
    assert not otp.is_verified(objections.OTP_PURPOSE, objection.number, "conv-2")


def test_code_from_one_conversation_does_not_work_in_another(objection):
    objections.issue_code("conv-1", objection.number, ID_A)
    code = _last_code()
    assert objections.verify_code("conv-2", objection.number, code).status == otp.NO_CODE


def test_codes_are_kept_apart_by_purpose(objection):
    # The same subject under another purpose is another code: it unlocks nothing here.
    assert otp.issue("another_purpose", objection.number, "conv-1", MOBILE_A).ok
    code = _last_code()
    assert objections.verify_code("conv-1", objection.number, code).status == otp.NO_CODE
    assert otp.verify("another_purpose", objection.number, "conv-1", code).ok
    assert not objections.is_verified(objection.number, "conv-1")
    assert otp.is_verified("another_purpose", objection.number, "conv-1")


def test_code_expires_after_five_minutes(objection):
    start = utcnow()
    objections.issue_code("conv-1", objection.number, ID_A, now=start)
    code = _last_code()
    later = start + timedelta(minutes=5, seconds=1)
    assert objections.verify_code("conv-1", objection.number, code, now=later).status == otp.EXPIRED
    # just inside the window it still works
    objections.issue_code("conv-1", objection.number, ID_A, now=later)
    code = _last_code()
    inside = later + timedelta(minutes=4, seconds=59)
    assert objections.verify_code("conv-1", objection.number, code, now=inside).ok


def test_three_wrong_codes_lock_then_cool_down(objection):
    start = utcnow()
    objections.issue_code("conv-1", objection.number, ID_A, now=start)
    code = _last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    r1 = objections.verify_code("conv-1", objection.number, wrong, now=start)
    r2 = objections.verify_code("conv-1", objection.number, wrong, now=start)
    r3 = objections.verify_code("conv-1", objection.number, wrong, now=start)
    assert (r1.status, r1.attempts_left) == (otp.WRONG, 2)
    assert (r2.status, r2.attempts_left) == (otp.WRONG, 1)
    assert r3.status == otp.LOCKED and r3.retry_after_minutes == 15
    # locked: even the right code, and in any conversation
    assert objections.verify_code("conv-1", objection.number, code, now=start).status == otp.LOCKED
    assert (
        objections.issue_code(
            "conv-9", objection.number, ID_A, now=start + timedelta(minutes=1)
        ).status
        == otp.COOLDOWN
    )
    # after the cool-down a new code can be sent and used
    after = start + timedelta(minutes=16)
    assert objections.issue_code("conv-1", objection.number, ID_A, now=after).ok
    assert objections.verify_code("conv-1", objection.number, _last_code(), now=after).ok


def test_a_new_code_replaces_the_old_one(objection):
    start = utcnow()
    objections.issue_code("conv-1", objection.number, ID_A, now=start)
    old = _last_code()
    objections.issue_code("conv-1", objection.number, ID_A, now=start + timedelta(seconds=30))
    new = _last_code()
    if old != new:
        assert (
            objections.verify_code(
                "conv-1", objection.number, old, now=start + timedelta(seconds=40)
            ).status
            == otp.WRONG
        )
    assert objections.verify_code(
        "conv-1", objection.number, new, now=start + timedelta(seconds=41)
    ).ok


def test_at_most_three_codes_per_window(objection, monkeypatch):
    # The per-record window is under test here, not the per-mobile SMS budget (3 an hour).
    monkeypatch.setenv("SMS_BUDGET_MOBILE_HOUR", "10")
    start = utcnow()
    for i in range(3):
        assert objections.issue_code(
            "conv-1", objection.number, ID_A, now=start + timedelta(seconds=i)
        ).ok
    blocked = objections.issue_code(
        "conv-2", objection.number, ID_A, now=start + timedelta(minutes=1)
    )
    assert blocked.status == otp.TOO_MANY and 1 <= blocked.retry_after_minutes <= 15
    assert len(_sms()) == 3
    assert objections.issue_code(
        "conv-1", objection.number, ID_A, now=start + timedelta(minutes=16)
    ).ok


def test_sms_failure_is_reported_and_the_code_is_void(objection, monkeypatch):
    monkeypatch.setattr(
        otp.sms, "send", lambda *a, **k: SmsResult(False, "x", "failed", error="down")
    )
    assert objections.issue_code("conv-1", objection.number, ID_A).status == otp.SMS_FAILED
    assert objections.verify_code("conv-1", objection.number, "000000").status == otp.NO_CODE


def test_database_down_raises_store_unavailable(objection, monkeypatch, app_db):
    from bot.store import reset_engine
    from bot.store.errors import StoreUnavailable

    monkeypatch.setenv(
        "DATABASE_URL",
        "sqlite:////nonexistent-dir/x/app.db"
        if app_db.startswith("sqlite")
        else "postgresql+psycopg2://tests@127.0.0.1:1/none?connect_timeout=2",
    )
    reset_engine()
    with pytest.raises(StoreUnavailable):
        objections.issue_code("conv-1", objection.number, ID_A)
    with pytest.raises(StoreUnavailable):
        objections.verify_code("conv-1", objection.number, "123456")
