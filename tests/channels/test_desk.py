"""The agent desk (channels/desk/) over HTTP, in process: sign-in, sessions, CSRF,
the queue, claiming, replying, handing back, closing and tickets.

The desk runs in a real Sanic app (the blueprint Rasa registers from credentials.yml)
driven through ASGI; delivery to the citizen is a stand-in for channels.outbound that
records what the citizen would receive. tests/channels/test_desk_delivery.py covers
real delivery to Telegram and the web widget.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from bot.masking import mask
from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations, reset_engine, session_scope
from bot.store.base import utcnow
from bot.store.handoffs import Agent, AgentSession
from tests.support.desk import (
    PASSWORD,
    audit_log,
    citizen_writes,
    valid_id,
)

# ---------------------------------------------------------------- passwords, agents, CLI


def test_passwords_are_salted_scrypt_hashes():
    a, b = desk_auth.hash_password("same password!"), desk_auth.hash_password("same password!")
    assert a.startswith("scrypt$") and b.startswith("scrypt$") and a != b
    assert "same password" not in a
    assert desk_auth.verify_password("same password!", a) and desk_auth.verify_password(
        "same password!", b
    )
    assert not desk_auth.verify_password("same password?", a)
    assert not desk_auth.verify_password("x", "plain-text")


def test_weak_or_duplicate_agents_are_refused(env):
    with pytest.raises(ValueError):
        desk_auth.create_agent("hind", "short")
    with pytest.raises(ValueError):
        desk_auth.create_agent("sara", "another long password")
    with pytest.raises(ValueError):
        desk_auth.create_agent("a b", "another long password")
    with session_scope() as s:
        stored = s.execute(select(Agent.password_hash).where(Agent.username == "sara")).scalar_one()
    assert PASSWORD not in stored


def test_create_agent_command_reads_the_password_from_stdin(tmp_path, monkeypatch, capsys):
    import io

    from bot.backoffice.__main__ import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    made = subprocess.run(
        [sys.executable, "-m", "bot.backoffice", "agents", "create", "noura", "--name", "نورة"],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        timeout=180,
        env={"DATABASE_URL": url, "PYTHONPATH": ".", "PATH": "/usr/bin:/bin"},
    )
    assert made.returncode == 0, made.stderr
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    assert desk_auth.authenticate("noura", "a long enough password")["display_name"] == "نورة"
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["agents", "create", "fahad"]) == 1  # too short: refused
    assert main(["agents", "create"]) == 2  # no username, no default account
    capsys.readouterr()
    assert main(["agents", "list"]) == 0
    listed = capsys.readouterr().out
    assert "noura" in listed and "fahad" not in listed and "password" not in listed
    # rename (citizens see it), supervisor, unlock: all from the back office
    assert main(["agents", "rename", "noura", "نورة العتيبي"]) == 0
    assert desk_auth.agent_names()["noura"] == "نورة العتيبي"
    assert main(["agents", "supervisor", "noura", "on"]) == 0
    assert main(["agents", "unlock", "noura"]) == 0
    assert desk_auth.throttle_reset_at("noura") is not None
    assert main(["agents", "unlock", "nobody"]) == 1
    reset_engine()


# ---------------------------------------------------------------- sign-in and sessions


def test_nothing_is_visible_before_signing_in(env):
    c = env.client()
    handoff.escalate("telegram:5", "requested")
    r = c.get("/desk/")
    assert r.status_code == 302 and r.headers["location"] == "/desk/login"
    assert c.get("/desk/api/queue").status_code == 401
    assert c.get("/desk/api/me").status_code == 401
    assert c.get("/desk/api/handoffs/1").status_code == 401
    assert c.post("/desk/api/handoffs/1/claim").status_code == 401
    assert handoff.state_of("telegram:5") == "queued"


def test_sign_in_sets_a_strict_http_only_cookie_and_opens_the_desk(env):
    c = env.client()
    r = c.sign_in("sara")
    cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and "desk_session=" in v][
        0
    ]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/desk" in cookie
    page = c.get("/desk/")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    me = c.get("/desk/api/me").json()
    assert me["username"] == "sara" and me["display_name"] == "سارة" and me["csrf"]
    assert any("سارة" in canned["text"] for canned in me["canned"])
    assert ("agent:sara", "agent.signed_in", "sara") in audit_log("agent.")


def test_wrong_password_unknown_user_and_missing_login_token_are_refused(env):
    c = env.client()
    r = c.sign_in("sara", "wrong password!!", expect=401)
    assert "غير صحيحة" in r.text
    c.sign_in("nobody", PASSWORD, expect=401)
    r = c.run(c.http.post("/desk/login", data={"username": "sara", "password": PASSWORD}))
    assert r.status_code == 403
    assert c.get("/desk/api/me").status_code == 401
    assert ("anonymous", "agent.sign_in_failed", "sara") in audit_log("agent.")


def test_repeated_failures_are_throttled_even_with_the_right_password(env):
    c = env.client()
    for _ in range(5):
        c.sign_in("sara", "guess number x", expect=401)
    c.sign_in("sara", PASSWORD, expect=429)
    c.sign_in("omar", PASSWORD)  # a colleague on the same address still can


def test_the_wait_ends_and_the_right_password_then_works(env, monkeypatch):
    c = env.client()
    for _ in range(5):
        c.sign_in("sara", "guess number x", expect=401)
    r = c.sign_in("sara", PASSWORD, expect=429)
    assert "انتظر" in r.text and "ثانية" in r.text
    # a second later (the first delay) the right password signs in
    clock = env.desk.throttle.clock
    monkeypatch.setattr(env.desk.throttle, "clock", lambda: clock() + 1.5)
    c.sign_in("sara", PASSWORD)


def test_a_supervisor_unlocks_a_colleague(env):
    desk_auth.set_supervisor("omar", True)
    attacker = env.client()
    for _ in range(8):
        attacker.sign_in("sara", "guess number x", expect=None)
    attacker.sign_in("sara", PASSWORD, expect=429)
    omar, plain = env.client(), env.client()
    omar.sign_in("omar")
    assert omar.post("/desk/api/agents/sara/unlock").status_code == 200
    attacker.sign_in("sara", PASSWORD)
    plain.sign_in("sara")
    assert plain.post("/desk/api/agents/omar/unlock").status_code == 403
    assert omar.post("/desk/api/agents/nobody/unlock").status_code == 404
    assert ("agent:omar", "agent.unlocked", "sara") in audit_log("agent.")


def test_sessions_expire(env):
    c = env.client()
    c.sign_in("sara")
    assert c.get("/desk/api/me").status_code == 200
    with session_scope() as s:
        s.execute(update(AgentSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert c.get("/desk/api/me").status_code == 401
    assert c.get("/desk/").status_code == 302


def test_idle_sessions_expire(env, monkeypatch):
    c = env.client()
    c.sign_in("sara")
    with session_scope() as s:
        s.execute(update(AgentSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert c.get("/desk/api/me").status_code == 401


def test_disabled_agent_loses_access(env):
    c = env.client()
    c.sign_in("sara")
    desk_auth.set_active("sara", False)
    assert c.get("/desk/api/me").status_code == 401
    c.sign_in("sara", expect=401)


def test_logout_ends_the_session(env):
    c = env.client()
    c.sign_in("sara")
    r = c.run(c.http.post("/desk/logout", data={"csrf": c.csrf}, headers={"Origin": c.origin}))
    assert r.status_code == 303
    assert c.get("/desk/api/me").status_code == 401
    assert ("agent:sara", "agent.signed_out", "sara") in audit_log("agent.")


def test_actions_need_the_csrf_token_and_the_same_origin(env):
    h = handoff.escalate("telegram:9", "requested")
    c = env.client()
    c.sign_in("sara")
    assert c.post(f"/desk/api/handoffs/{h.id}/claim", csrf=False).status_code == 403
    assert (
        c.post(f"/desk/api/handoffs/{h.id}/claim", headers={"X-CSRF-Token": "forged"}).status_code
        == 403
    )
    evil = env.client(origin="http://evil.example")
    evil.sign_in("omar", expect=403)  # the sign-in form checks the origin too
    c.origin = "http://evil.example"
    assert c.post(f"/desk/api/handoffs/{h.id}/claim").status_code == 403
    assert handoff.state_of("telegram:9") == "queued"


def test_static_files_are_served_and_nothing_else(env):
    c = env.client()
    assert c.get("/desk/static/desk.js").status_code == 200
    assert c.get("/desk/static/desk.css").status_code == 200
    assert c.get("/desk/static/canned.yml").status_code == 404
    assert c.get("/desk/static/..%2Fdesk.py").status_code == 404


# ---------------------------------------------------------------- the queue and a conversation


def test_queue_shows_reason_channel_and_waiting_time(env):
    t0 = utcnow() - timedelta(minutes=7)
    handoff.escalate("whatsapp:966512345678", "fallback", now=t0)
    citizen_writes("whatsapp:966512345678", "ابي موظف")
    handoff.escalate("telegram:77", "support_stopped")
    c = env.client()
    c.sign_in("sara")
    body = c.get("/desk/api/queue").json()
    first, second = body["items"]
    assert (
        first["channel_label"] == "واتساب" and first["reason_label"] == handoff.REASONS["fallback"]
    )
    assert 7 * 60 - 5 <= first["waiting_seconds"] <= 7 * 60 + 60
    assert first["whatsapp_window_open"] is True and first["position"] == 1
    assert "966512345678" not in json.dumps(body, ensure_ascii=False)
    assert first["label"].startswith("#") and first["label"].endswith("••••5678")
    assert second["channel"] == "telegram" and second["reason"] == "support_stopped"


def test_claim_reply_and_return_to_bot(env):
    cid = "telegram:4242"
    citizen_writes(cid, "ابي اكلم موظف")
    conversations.record_outbound(cid, "حوّلت محادثتك لموظف", author="bot")
    h = handoff.escalate(
        cid, "requested", snapshot={"national_id": valid_id(), "ticket_number": "12345674"}
    )
    citizen_writes(cid, "رقم هويتي " + valid_id())

    sara, omar = env.client(), env.client()
    sara.sign_in("sara")
    omar.sign_in("omar")

    assert sara.post(f"/desk/api/handoffs/{h.id}/claim").status_code == 200
    r = omar.post(f"/desk/api/handoffs/{h.id}/claim")
    assert r.status_code == 409 and "سبقك" in r.json()["message"]
    assert omar.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "مرحبا"}).status_code == 409
    assert handoff.state_of(cid) == "agent"
    assert env.outbound.sent[-1][:2] == (cid, "system") and "سارة" in env.outbound.sent[-1][2]

    r = sara.post(
        f"/desk/api/handoffs/{h.id}/reply", {"text": "هلا، أبشر بسعدك", "canned": "greet"}
    )
    assert r.status_code == 200
    assert env.outbound.sent[-1] == (cid, "agent", "هلا، أبشر بسعدك")

    d = sara.get(f"/desk/api/handoffs/{h.id}").json()
    authors = [m["author"] for m in d["messages"]]
    assert authors == ["citizen", "bot", "citizen", "system", "agent"]
    dumped = json.dumps(d, ensure_ascii=False)
    assert valid_id() not in dumped  # masked in transcript and slots
    shown = {c["name"]: c["value"] for c in d["collected"]}
    assert shown["ticket_number"] == "12345674"
    assert d["can_reply"] is True and d["handoff"]["mine"] is True
    assert d["handoff"]["claimed_by_name"] == "سارة"
    later = sara.get(f"/desk/api/handoffs/{h.id}?since={d['messages'][-1]['id']}").json()
    assert later["messages"] == [] and "collected" not in later
    assert sara.get(f"/desk/api/handoffs/{h.id}?since=0").json()["messages"] == d["messages"]

    assert omar.get(f"/desk/api/handoffs/{h.id}").json()["can_reply"] is False
    assert omar.post(f"/desk/api/handoffs/{h.id}/return").status_code == 409
    assert sara.post(f"/desk/api/handoffs/{h.id}/return").status_code == 200
    assert handoff.state_of(cid) == "bot"
    assert env.outbound.sent[-1][:2] == (cid, "bot")
    assert env.outbound.sent[-1][2].startswith(handoff.RESUME_TEXT)  # then the rating question
    assert sara.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "x"}).status_code == 409
    assert sara.get("/desk/api/queue").json()["items"] == []

    actions = [(a, act) for a, act, subject in audit_log("handoff.") if subject == str(h.id)]
    assert actions == [
        ("bot", "handoff.escalated"),
        ("agent:sara", "handoff.claimed"),
        ("agent:sara", "handoff.replied"),
        ("agent:sara", "handoff.viewed"),
        ("agent:omar", "handoff.viewed"),
        ("agent:sara", "handoff.returned_to_bot"),
    ]


def test_close_and_release(env):
    a = handoff.escalate("web:s1", "requested")
    b = handoff.escalate("web:s2", "requested")
    c = env.client()
    c.sign_in("sara")
    assert c.post(f"/desk/api/handoffs/{a.id}/claim").status_code == 200
    assert c.post(f"/desk/api/handoffs/{a.id}/release").status_code == 200
    assert handoff.state_of("web:s1") == "queued"
    assert c.post(f"/desk/api/handoffs/{a.id}/claim").status_code == 200
    assert c.post(f"/desk/api/handoffs/{a.id}/close").status_code == 200
    assert handoff.get(a.id).state == "closed"
    assert env.outbound.sent[-1][:2] == ("web:s1", "bot")
    assert env.outbound.sent[-1][2].startswith(handoff.CLOSE_TEXT)  # then the rating question
    assert c.post(f"/desk/api/handoffs/{b.id}/close").status_code == 200  # straight from the queue
    assert [i["id"] for i in c.get("/desk/api/queue").json()["items"]] == []


def test_reply_validation_and_delivery_failure(env):
    h = handoff.escalate("telegram:1", "requested")
    c = env.client()
    c.sign_in("sara")
    c.post(f"/desk/api/handoffs/{h.id}/claim")
    assert c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "   "}).status_code == 400
    assert c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "x" * 2001}).status_code == 400
    env.outbound.reason = "delivery_failed"
    r = c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "مرحبا"})
    assert r.status_code == 502 and "تعذّر" in r.json()["message"]
    assert ("agent:sara", "handoff.reply_failed", str(h.id)) in audit_log("handoff.reply_failed")
    env.outbound.reason = "offline_stored"  # a web citizen who closed the tab
    r = c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "مرحبا"})
    assert r.status_code == 200 and "غير متصل" in r.json()["note"]


def test_whatsapp_window_is_shown_and_enforced(env):
    cid = "whatsapp:966500000002"
    conversations.record_inbound(
        cid, "whatsapp", "966500000002", "السلام", at=utcnow() - timedelta(hours=25)
    )
    h = handoff.escalate(cid, "requested")
    c = env.client()
    c.sign_in("sara")
    c.post(f"/desk/api/handoffs/{h.id}/claim")
    d = c.get(f"/desk/api/handoffs/{h.id}").json()
    assert d["whatsapp_window"]["open"] is False
    r = c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "مرحبا"})
    assert r.status_code == 409 and r.json()["error"] == "whatsapp_window_closed"
    assert not [s for s in env.outbound.sent if s[1] == "agent"]
    citizen_writes(cid, "موجود؟")
    d = c.get(f"/desk/api/handoffs/{h.id}").json()
    assert d["whatsapp_window"]["open"] is True
    assert 23 * 3600 < d["whatsapp_window"]["remaining_seconds"] <= 24 * 3600
    assert c.post(f"/desk/api/handoffs/{h.id}/reply", {"text": "مرحبا"}).status_code == 200


def test_live_tracker_slots_are_shown_masked(env):
    cid = "telegram:55"
    h = handoff.escalate(cid, "requested", snapshot={"income": 3000})
    env.slots[cid] = {
        "income": 3500,
        "ticket_mobile": "0551234567",
        "ticket_national_id": valid_id(),
        "objection_otp": "123456",
        "ticket_confirm": True,
    }
    c = env.client()
    c.sign_in("sara")
    d = c.get(f"/desk/api/handoffs/{h.id}").json()
    assert [c["label"] for c in d["collected"]] == ["رقم الهوية", "رقم الجوال", "income"]
    shown = {c["name"]: c["value"] for c in d["collected"]}
    assert shown["income"] == "3500"  # the live value beats the snapshot
    assert shown["ticket_mobile"] == "0•••••••67"
    assert "objection_otp" not in shown and "123456" not in json.dumps(d)
    assert "ticket_confirm" not in shown
    assert d["known_ids"] == {"national_id": mask(valid_id(), 1, 2), "mobile": "05••••••67"}
    assert "0551234567" not in json.dumps(d)


def test_agent_opens_a_ticket_for_the_citizen_with_what_the_bot_collected(env):
    from bot.services.tickets import records as tickets

    cid = "telegram:66"
    h = handoff.escalate(cid, "support_stopped")
    env.slots[cid] = {"ticket_national_id": valid_id(), "ticket_mobile": "0551234567"}
    c = env.client()
    c.sign_in("sara")
    body = {"category": "payment", "description": "الدعم متوقف من شهرين", "nonce": "n1"}
    assert c.post(f"/desk/api/handoffs/{h.id}/ticket", body).status_code == 409  # not claimed
    c.post(f"/desk/api/handoffs/{h.id}/claim")
    r = c.post(f"/desk/api/handoffs/{h.id}/ticket", body)
    assert r.status_code == 200, r.text
    number = r.json()["ticket"]
    assert number in r.json()["suggested_reply"]
    again = c.post(f"/desk/api/handoffs/{h.id}/ticket", body).json()  # double click
    assert again["ticket"] == number
    assert tickets.count_tickets() == 1
    assert handoff.get(h.id).ticket_ref == number
    assert ("agent:sara", "handoff.ticket_opened", str(h.id)) in audit_log("handoff.ticket")
    env.slots[cid] = {}
    r = c.post(f"/desk/api/handoffs/{h.id}/ticket", dict(body, nonce="n2"))
    assert r.status_code == 400 and "رقم الهوية" in r.json()["message"]
    # typed by the agent, as the citizen dictated it: Arabic digits, international mobile
    arabic = valid_id().translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    r = c.post(
        f"/desk/api/handoffs/{h.id}/ticket",
        dict(body, nonce="n3", national_id=arabic, mobile="+966 55 123 4567"),
    )
    assert r.status_code == 200 and r.json()["ticket"] != number
    assert tickets.count_tickets() == 2


def test_unknown_handoff_is_404(env):
    c = env.client()
    c.sign_in("sara")
    assert c.get("/desk/api/handoffs/999").status_code == 404
    assert c.post("/desk/api/handoffs/999/claim").status_code == 404
