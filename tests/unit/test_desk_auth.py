"""Desk agents' accounts, passwords, sessions and the sign-in throttle, without HTTP
(bot/services/desk/accounts.py; tests/channels/test_desk.py drives the same through the desk)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.services.desk import accounts as desk_auth
from bot.services.desk.throttle import (
    ADDRESS_FREE,
    MAX_DELAY,
    PAIR_FREE,
    WINDOW,
    MemoryCounters,
    SignInThrottle,
    delay_after,
    wait_text,
)
from bot.store import reset_engine, session_scope
from bot.store.audit import AuditEntry
from bot.store.base import utcnow
from bot.store.handoffs import Agent, AgentSession

PASSWORD = "a long enough password"


@pytest.fixture
def db(tmp_path, migrated_sqlite, monkeypatch):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("DESK_SESSION_HOURS", raising=False)
    monkeypatch.delenv("DESK_IDLE_MINUTES", raising=False)
    reset_engine()
    yield url
    reset_engine()


def audit_actions():
    with session_scope() as s:
        return [
            (e.actor, e.action, e.subject_id)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
        ]


# ---------------------------------------------------------------- passwords


def test_hash_round_trip_and_format():
    stored = desk_auth.hash_password(PASSWORD)
    scheme, n, r, p, salt, digest = stored.split("$")
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert desk_auth.verify_password(PASSWORD, stored)
    assert not desk_auth.verify_password(PASSWORD + "!", stored)
    assert desk_auth.hash_password(PASSWORD) != stored  # a fresh salt every time


def test_an_existing_hash_in_todays_format_still_verifies():
    # Made once with hashlib.scrypt(n=2**14, r=8, p=1, dklen=32), salt = bytes(range(16)).
    import base64
    import hashlib

    salt = bytes(range(16))
    digest = hashlib.scrypt(PASSWORD.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    stored = "scrypt$16384$8$1${}${}".format(
        base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )
    assert desk_auth.verify_password(PASSWORD, stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain-text",
        "bcrypt$1$2$3$4$5",
        "scrypt$x$8$1$AA==$AA==",
        "scrypt$16384$8$1$not base64$AA==",
    ],
)
def test_malformed_hashes_never_verify(stored):
    assert not desk_auth.verify_password(PASSWORD, stored)


# ---------------------------------------------------------------- accounts


def test_authenticate_right_and_wrong_password_and_unknown_user(db):
    agent_id = desk_auth.create_agent("sara", PASSWORD, "سارة")
    agent = desk_auth.authenticate(" sara ", PASSWORD)
    assert agent == {"id": agent_id, "username": "sara", "display_name": "سارة"}
    assert desk_auth.authenticate("sara", "wrong password!!") is None
    assert desk_auth.authenticate("nobody", PASSWORD) is None
    with session_scope() as s:
        assert s.execute(select(Agent.last_login_at)).scalar_one() is not None
    assert ("admin:cli", "agent.created", "sara") in audit_actions()


def test_new_passwords_are_checked(db):
    with pytest.raises(ValueError, match="at least"):
        desk_auth.create_agent("hind", "short")
    with pytest.raises(ValueError, match="differ"):
        desk_auth.create_agent("longusername", "LongUsername")
    with pytest.raises(ValueError, match="username"):
        desk_auth.create_agent("a b", PASSWORD)
    desk_auth.create_agent("sara", PASSWORD)
    with pytest.raises(ValueError, match="exists"):
        desk_auth.create_agent("sara", PASSWORD)
    with pytest.raises(ValueError, match="no agent"):
        desk_auth.set_password("nobody", PASSWORD)


def test_deactivated_agent_cannot_sign_in_and_loses_sessions(db):
    agent_id = desk_auth.create_agent("sara", PASSWORD)
    token, _ = desk_auth.start_session(agent_id, "sara")
    desk_auth.set_active("sara", False, actor="backoffice:test")
    assert desk_auth.authenticate("sara", PASSWORD) is None
    assert desk_auth.session_agent(token) is None
    with session_scope() as s:
        assert s.execute(select(AgentSession)).first() is None
    desk_auth.set_active("sara", True)
    assert desk_auth.authenticate("sara", PASSWORD) is not None
    actions = audit_actions()
    assert ("backoffice:test", "agent.disabled", "sara") in actions
    assert ("admin:cli", "agent.enabled", "sara") in actions


def test_a_new_password_ends_sessions_and_replaces_the_old_one(db):
    agent_id = desk_auth.create_agent("sara", PASSWORD)
    token, _ = desk_auth.start_session(agent_id, "sara")
    desk_auth.set_password("sara", "another long password")
    assert desk_auth.session_agent(token) is None
    assert desk_auth.authenticate("sara", PASSWORD) is None
    assert desk_auth.authenticate("sara", "another long password") is not None


def test_listing_and_names_never_show_the_hash(db):
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    desk_auth.create_agent("omar", PASSWORD)
    listed = desk_auth.list_agents()
    assert [a["username"] for a in listed] == ["omar", "sara"]
    assert all("password_hash" not in a and "scrypt" not in str(a) for a in listed)
    # Without a display name citizens see an Arabic title, never the Latin username.
    assert desk_auth.agent_names() == {"sara": "سارة", "omar": desk_auth.DEFAULT_DISPLAY_NAME}


# ---------------------------------------------------------------- sessions


def test_session_lookup_gives_the_agent_and_csrf_and_stores_only_a_hash(db):
    agent_id = desk_auth.create_agent("sara", PASSWORD, "سارة")
    token, csrf = desk_auth.start_session(agent_id, "sara")
    agent = desk_auth.session_agent(token)
    assert agent["username"] == "sara" and agent["display_name"] == "سارة"
    assert agent["csrf"] == csrf
    with session_scope() as s:
        assert token not in s.execute(select(AgentSession.token_hash)).scalar_one()
    assert desk_auth.session_agent("not a token") is None
    assert desk_auth.session_agent(None) is None
    assert desk_auth.session_agent("x" * 201) is None
    desk_auth.end_session(token, "sara")
    assert desk_auth.session_agent(token) is None
    actions = audit_actions()
    assert ("agent:sara", "agent.signed_in", "sara") in actions
    assert ("agent:sara", "agent.signed_out", "sara") in actions


def test_sessions_expire_after_the_absolute_lifetime(db, monkeypatch):
    monkeypatch.setenv("DESK_SESSION_HOURS", "2")
    agent_id = desk_auth.create_agent("sara", PASSWORD)
    token, _ = desk_auth.start_session(agent_id, "sara")
    now = utcnow()
    # Active all along (seen a minute ago), yet past the absolute limit.
    with session_scope() as s:
        s.execute(
            update(AgentSession).values(
                last_seen_at=now + timedelta(hours=2) - timedelta(minutes=1)
            )
        )
    assert desk_auth.session_agent(token, now=now + timedelta(hours=2, seconds=1)) is None
    with session_scope() as s:
        assert s.execute(select(AgentSession)).first() is None  # and it is gone


def test_idle_sessions_expire(db, monkeypatch):
    monkeypatch.setenv("DESK_IDLE_MINUTES", "10")
    agent_id = desk_auth.create_agent("sara", PASSWORD)
    token, _ = desk_auth.start_session(agent_id, "sara")
    now = utcnow()
    assert desk_auth.session_agent(token, now=now + timedelta(minutes=9)) is not None
    # That request counted as activity: ten minutes after it, not after the sign-in.
    assert desk_auth.session_agent(token, now=now + timedelta(minutes=18)) is not None
    assert desk_auth.session_agent(token, now=now + timedelta(minutes=29)) is None


def test_expired_sessions_are_swept_at_the_next_sign_in(db):
    agent_id = desk_auth.create_agent("sara", PASSWORD)
    desk_auth.start_session(agent_id, "sara")
    with session_scope() as s:
        s.execute(update(AgentSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    desk_auth.start_session(agent_id, "sara")
    with session_scope() as s:
        assert len(s.execute(select(AgentSession)).all()) == 1


def test_session_settings_fall_back_on_bad_values(monkeypatch):
    monkeypatch.setenv("DESK_SESSION_HOURS", " ")
    monkeypatch.setenv("DESK_IDLE_MINUTES", "soon")
    assert (desk_auth.session_hours(), desk_auth.idle_minutes()) == (8, 30)
    monkeypatch.setenv("DESK_SESSION_HOURS", " 12 ")
    assert desk_auth.session_hours() == 12


def test_failed_sign_in_is_audited_without_the_password(db):
    desk_auth.record_failed_sign_in("sara")
    desk_auth.record_failed_sign_in("")
    assert audit_actions() == [
        ("anonymous", "agent.sign_in_failed", "sara"),
        ("anonymous", "agent.sign_in_failed", "-"),
    ]


# ---------------------------------------------------------------- throttle


def throttle(now):
    return SignInThrottle(clock=lambda: now[0], salt="test")


def test_delays_grow_after_five_failures_and_never_lock_out_for_good():
    now = [1000.0]
    t = throttle(now)
    for _ in range(PAIR_FREE):
        assert t.check("sara", "10.0.0.9").allowed
        t.failed("sara", "10.0.0.9")
    waits = []
    for _ in range(6):
        verdict = t.check("sara", "10.0.0.9")
        assert not verdict.allowed
        waits.append(round(verdict.wait_seconds))
        now[0] += verdict.wait_seconds + 0.01  # wait as told, then fail once more
        assert t.check("sara", "10.0.0.9").allowed
        t.failed("sara", "10.0.0.9")
    assert waits == [1, 2, 4, 8, 16, 32]
    assert delay_after(100, PAIR_FREE) == MAX_DELAY  # 15 minutes at most
    now[0] += WINDOW + 1  # an hour later everything is forgotten
    assert t.check("sara", "10.0.0.9").allowed


def test_the_right_password_from_the_usual_address_keeps_working_during_an_attack():
    now = [1000.0]
    t = throttle(now)
    t.succeeded("sara", "10.0.0.9")  # her usual address
    for i in range(200):  # someone guesses from many other addresses
        address = f"203.0.113.{i % 50}"
        if t.check("sara", address).allowed:
            t.failed("sara", address)
        now[0] += 1
    assert t.check("sara", "10.0.0.9").allowed
    # ...while a new address for sara must wait (the username is under attack)
    assert not t.check("sara", "198.51.100.7").allowed


def test_one_address_spraying_usernames_waits_but_colleagues_there_still_sign_in():
    now = [1000.0]
    t = throttle(now)
    t.succeeded("omar", "10.0.0.1")  # the office proxy is omar's usual address
    for i in range(ADDRESS_FREE):
        t.failed(f"user{i}", "10.0.0.1")
    assert not t.check("newcomer", "10.0.0.1").allowed
    assert t.check("omar", "10.0.0.1").allowed


def test_success_and_unlock_clear_the_counters():
    now = [1000.0]
    t = throttle(now)
    for _ in range(PAIR_FREE + 2):
        t.failed("sara", "10.0.0.9")
    assert not t.check("sara", "10.0.0.9").allowed
    # an unlock stamped in the database counts in every process: failures before it
    # are ignored even by counters that were not cleared
    assert t.check("sara", "10.0.0.9", reset_at=now[0]).allowed
    t.unlock("sara")
    assert t.check("sara", "10.0.0.9").allowed
    for _ in range(PAIR_FREE + 2):
        t.failed("sara", "10.0.0.9")
    t.succeeded("sara", "10.0.0.9")
    assert t.check("sara", "10.0.0.9").allowed


def test_unlock_stamps_the_account_and_is_audited(db):
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    assert desk_auth.throttle_reset_at("sara") is None
    desk_auth.unlock("sara", actor="agent:noura")
    assert desk_auth.throttle_reset_at("sara") is not None
    with session_scope() as s:
        actions = [e.action for e in s.execute(select(AuditEntry)).scalars()]
    assert "agent.unlocked" in actions
    with pytest.raises(ValueError):
        desk_auth.unlock("nobody")


def test_throttle_memory_is_bounded():
    counters = MemoryCounters()
    for i in range(MemoryCounters.MAX_KEYS + 1):
        counters.add(f"p:user{i}", 1.0)
    assert len(counters._fails) <= MemoryCounters.MAX_KEYS // 2 + 1


def test_wait_is_said_in_arabic():
    assert wait_text(0.4) == "ثانية"
    assert wait_text(4) == "4 ثوانٍ"
    assert wait_text(32) == "32 ثانية"
    assert wait_text(900) == "15 دقيقة"


def test_display_names_are_arabic_by_default_and_can_be_changed(db):
    desk_auth.create_agent("omar", PASSWORD)
    assert desk_auth.agent_names()["omar"] == "موظف خدمة العملاء"
    desk_auth.set_display_name("omar", "  عمر  ")
    assert desk_auth.agent_names()["omar"] == "عمر"
    with pytest.raises(ValueError):
        desk_auth.set_display_name("nobody", "x")


def test_supervisors(db):
    agent_id = desk_auth.create_agent("noura", PASSWORD, "نورة")
    token, _ = desk_auth.start_session(agent_id, "noura")
    assert desk_auth.session_agent(token)["supervisor"] is False
    desk_auth.set_supervisor("noura", True)
    assert desk_auth.session_agent(token)["supervisor"] is True
    desk_auth.set_supervisor("noura", False)
    assert desk_auth.session_agent(token)["supervisor"] is False
    with pytest.raises(ValueError):
        desk_auth.set_supervisor("nobody", True)


def test_the_back_office_sets_how_citizens_are_told_about_an_agent(db, monkeypatch, capsys):
    """ "انضم لك سارة" was masculine for a female agent: the account carries the form."""
    import io
    import sys

    from bot.backoffice.__main__ import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["agents", "create", "sara", "--name", "سارة", "--gender", "female"]) == 0
    desk_auth.create_agent("omar", "another long password", "عمر")
    assert {a["username"]: a["gender"] for a in desk_auth.active_agents()} == {
        "omar": "male",
        "sara": "female",
    }
    assert main(["agents", "gender", "omar", "female"]) == 0
    assert main(["agents", "gender", "omar", "other"]) == 2
    capsys.readouterr()
    assert main(["agents", "list"]) == 0
    assert capsys.readouterr().out.count("female") == 2
    token, _ = desk_auth.start_session(
        desk_auth.authenticate("sara", "a long enough password")["id"], "sara"
    )
    assert desk_auth.session_agent(token)["gender"] == "female"
