"""The console's content section over HTTP, in process: who may read, propose, approve,
publish and roll back (editor and approver rights, four eyes), the checks' answer to a
broken change, the preview, and the audit log."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import select

from bot.content import fact
from bot.services.content import live
from bot.services.desk import accounts as desk_auth
from bot.store import reset_engine, session_scope
from bot.store.audit import AuditEntry
from tests.console.test_console_http import PASSWORD, Client

API = "/desk/console/api/content"


@pytest.fixture
def env(staff_app, tmp_path, monkeypatch):
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'app.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    reset_engine()
    upgrade(url)
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    for name in ("huda", "nora", "omar"):
        desk_auth.create_agent(name, PASSWORD, name, role="supervisor")
    desk_auth.set_content_rights("huda", editor=True)
    desk_auth.set_content_rights("nora", editor=True, approver=True)
    desk_auth.set_content_rights("sara", editor=True, approver=True)  # not a supervisor
    live.apply(0, {})

    def signed_in(name):
        c = Client(staff_app.loop, staff_app.app)
        c.sign_in(name)
        return c

    yield types.SimpleNamespace(client=signed_in)
    live.apply(0, {})
    reset_engine()


def _actions(prefix="content."):
    with session_scope() as s:
        return [
            (e.actor, e.action)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if e.action.startswith(prefix) and e.action != "content.viewed"
        ]


def test_rights_decide_who_reads_proposes_and_approves(env):
    sara, omar, huda, nora = (env.client(n) for n in ("sara", "omar", "huda", "nora"))
    assert sara.get(f"{API}?q=19912").status_code == 403  # agents: not the console
    assert omar.get(f"{API}?q=19912").status_code == 200  # a supervisor reads
    me = omar.get("/desk/console/api/me").json()
    assert (me["editor"], me["approver"]) == (False, False)
    change = {"key": "program.contact.unified_number", "texts": {"ar": "19913"}}
    r = omar.post(f"{API}/changes", change)
    assert r.status_code == 403 and r.json()["error"] == "editors_only"
    assert huda.post(f"{API}/changes", change, csrf=False).status_code == 403  # CSRF
    r = huda.post(f"{API}/changes", change)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert huda.post(f"{API}/changes/{cid}/approve").json()["error"] == "approvers_only"
    assert nora.post(f"{API}/publish").status_code == 409  # nothing approved yet
    assert nora.post(f"{API}/changes/{cid}/approve").status_code == 200
    r = nora.post(f"{API}/publish", {"note": "الرقم الجديد"})
    assert r.status_code == 200 and r.json()["items"] == ["program.contact.unified_number"]
    assert fact("contact.unified_number") == "19913"  # the publishing worker at once
    live_now = omar.get(f"{API}/live").json()
    assert live_now["release"] == r.json()["release"]
    assert _actions() == [
        ("agent:huda", "content.proposed"),
        ("agent:nora", "content.approved"),
        ("agent:nora", "content.published"),
    ]


def test_an_approver_cannot_approve_their_own_change(env):
    nora, huda = env.client("nora"), env.client("huda")
    r = nora.post(
        f"{API}/changes", {"key": "faq_title.working_hours", "texts": {"ar": "أوقات الدوام"}}
    )
    cid = r.json()["id"]
    r = nora.post(f"{API}/changes/{cid}/approve")
    assert r.status_code == 403 and r.json()["error"] == "own_change"
    assert nora.post(f"{API}/publish").status_code == 409
    assert nora.get(f"{API}/changes").json()["changes"][0]["state"] == "pending"
    assert huda.post(f"{API}/changes/{cid}/approve").status_code == 403  # not an approver
    assert ("agent:nora", "content.own_approval_refused") in _actions()


def test_a_broken_change_is_refused_with_its_reasons_and_a_preview_is_given(env):
    huda = env.client("huda")
    item = huda.get(f"{API}/item?key=faq.contact_channels").json()
    assert "{contact.unified_number}" in item["texts"]["ar"]
    assert [v["release"] for v in item["history"]] == [0]
    web = item["preview"]["ar"][0]
    assert web["channel"] == "web" and "19912" in web["parts"][0]
    typed = item["texts"]["ar"].replace("{contact.unified_number}", "19912")
    r = huda.post(f"{API}/changes", {"key": "faq.contact_channels", "texts": {"ar": typed}})
    assert r.status_code == 400
    problem = r.json()["problems"][0]
    assert (
        problem["code"] == "typed_number" and problem["placeholder"] == "{contact.unified_number}"
    )
    r = huda.post(f"{API}/check", {"key": "faq.contact_channels", "texts": {"ar": ""}})
    assert [e["code"] for e in r.json()["errors"]] == ["empty"]
    assert huda.post(f"{API}/changes", {"key": "faq.nope", "texts": {"ar": "x"}}).status_code == 404
    assert (
        huda.post(f"{API}/changes", {"key": "faq.contact_channels", "texts": "x"}).status_code
        == 400
    )
    assert huda.get(f"{API}/changes").json()["changes"] == []


def test_rollback_needs_the_approver_and_restores_the_text(env):
    huda, nora = env.client("huda"), env.client("nora")
    cid = huda.post(
        f"{API}/changes", {"key": "program.contact.unified_number", "texts": {"ar": "19913"}}
    ).json()["id"]
    nora.post(f"{API}/changes/{cid}/approve")
    release = nora.post(f"{API}/publish").json()["release"]
    assert huda.post(f"{API}/rollback", {"release": 0}).status_code == 403
    assert nora.post(f"{API}/rollback", {"release": "x"}).status_code == 400
    assert nora.post(f"{API}/rollback", {"release": 99}).status_code == 404
    r = nora.post(f"{API}/rollback", {"release": 0, "key": "program.contact.unified_number"})
    assert r.status_code == 200 and fact("contact.unified_number") == "19912"
    releases = nora.get(f"{API}/releases").json()["releases"]
    assert [x["kind"] for x in releases] == ["rollback", "publish"] and releases[1]["id"] == release
    history = nora.get(f"{API}/item?key=program.contact.unified_number").json()["history"]
    assert [v["texts"]["ar"] for v in history] == ["19912", "19913", "19912"]


def test_an_editor_withdraws_their_own_pending_change_and_no_one_elses(env):
    nora, huda = env.client("nora"), env.client("huda")
    r = huda.post(
        f"{API}/changes", {"key": "faq_title.working_hours", "texts": {"ar": "أوقات الدوام"}}
    )
    cid = r.json()["id"]
    assert nora.post(f"{API}/changes/{cid}/withdraw").json()["error"] == "not_yours"
    assert huda.post(f"{API}/changes/{cid}/withdraw", csrf=False).status_code == 403
    r = huda.post(f"{API}/changes/{cid}/withdraw")
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    assert huda.post(f"{API}/changes/{cid}/withdraw").status_code == 409
    assert nora.post(f"{API}/changes/{cid}/approve").status_code == 409
    assert huda.post(f"{API}/changes/999999/withdraw").status_code == 404
    assert ("agent:huda", "content.withdrawn") in _actions()
