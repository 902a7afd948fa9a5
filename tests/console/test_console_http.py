"""The console over HTTP, in process: who may open it (supervisor yes, agent 403,
anonymous 401 or the sign-in page), CSRF on labels, CSV export (formulas escaped), the
audit log, the review queue with labels that can be changed, and /metrics' access rules."""

from __future__ import annotations

import csv
import io
import types

import httpx
import pytest
from sqlalchemy import select

from bot.services.desk import accounts as desk_auth
from bot.store import reset_engine, session_scope
from bot.store.audit import AuditEntry
from tests.support import console as fixtures

PASSWORD = "correct horse battery"
PERIOD = "from=2026-11-10&to=2026-11-11"


class Client:
    def __init__(self, loop, app, origin="http://desk.test"):
        self.loop, self.origin = loop, origin
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://desk.test"
        )
        self.csrf = ""

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def get(self, path, **kw):
        return self.run(self.http.get(path, **kw))

    def post(self, path, json_body=None, csrf=True, origin=None):
        h = {"Origin": origin or self.origin}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        return self.run(self.http.post(path, json=json_body or {}, headers=h))

    def sign_in(self, username):
        page = self.get("/desk/login").text
        start = page.index('name="csrf" value="') + len('name="csrf" value="')
        token = page[start : page.index('"', start)]
        r = self.run(
            self.http.post(
                "/desk/login",
                data={"csrf": token, "username": username, "password": PASSWORD},
                headers={"Origin": self.origin},
            )
        )
        assert r.status_code == 303, r.text[:200]
        self.csrf = self.get("/desk/api/me").json()["csrf"]


@pytest.fixture
def env(staff_app, tmp_path, migrated_sqlite, monkeypatch):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name in ("METRICS_TOKEN", "METRICS_INTERNAL", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    reset_engine()
    desk_auth.create_agent("sara", PASSWORD, "سارة")
    desk_auth.create_agent("huda", PASSWORD, "هدى", role="supervisor")
    fixtures.load()
    yield types.SimpleNamespace(client=lambda **kw: Client(staff_app.loop, staff_app.app, **kw))
    reset_engine()


def audit(prefix):
    with session_scope() as s:
        return [
            (e.actor, e.action, e.subject_id)
            for e in s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if e.action.startswith(prefix)
        ]


def test_anonymous_gets_the_sign_in_page_or_401(env):
    c = env.client()
    r = c.get("/desk/console/")
    assert r.status_code == 302 and r.headers["location"] == "/desk/login"
    assert c.get("/console").headers["location"] == "/desk/console/"
    for path in (
        "/desk/console/api/me",
        f"/desk/console/api/stats/volume?{PERIOD}",
        "/desk/console/api/csv/volume",
        "/desk/console/api/review",
        "/desk/console/api/new-topics",
    ):
        assert c.get(path).status_code == 401, path
    assert c.post("/desk/console/api/review/1", {"label": "ignore"}, csrf=False).status_code == 401


def test_an_agent_is_refused_with_403(env):
    c = env.client()
    c.sign_in("sara")
    page = c.get("/desk/console/")
    assert page.status_code == 403 and "للمشرفين فقط" in page.text
    assert c.get(f"/desk/console/api/stats/volume?{PERIOD}").status_code == 403
    assert c.get("/desk/console/api/review").status_code == 403
    assert c.post("/desk/console/api/review/1", {"label": "ignore"}).status_code == 403
    assert c.get("/desk/api/me").status_code == 200  # the desk still works for them


def test_a_supervisor_sees_the_numbers_and_every_view_is_audited(env):
    c = env.client()
    c.sign_in("huda")
    page = c.get("/desk/console/")
    assert page.status_code == 200 and 'dir="rtl"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert c.get("/desk/console/static/chart.umd.min.js").text.startswith("/*!\n * Chart.js v4")
    assert c.get("/desk/console/static/..%2Fviews.py").status_code == 404
    r = c.get(f"/desk/console/api/stats/containment?{PERIOD}")
    assert r.status_code == 200 and r.json()["contained_share"] == 50.0
    vol = c.get(f"/desk/console/api/stats/volume?{PERIOD}&channel=web").json()
    assert vol["rows"] == [["2026-11-10", "web", 3, 6]]
    assert c.get("/desk/console/api/stats/nope").status_code == 404
    actions = [a[1] for a in audit("console.")]
    assert actions == ["console.opened", "console.viewed", "console.viewed"]
    assert all(a[0] == "agent:huda" for a in audit("console."))


def test_every_table_exports_as_csv_with_masked_text(env):
    c = env.client()
    c.sign_in("huda")
    r = c.get(f"/desk/console/api/csv/fallbacks?{PERIOD}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert rows[0] == ["مراجعة", "اليوم", "القناة", "الرسالة", "الموضوع", "رمز الموضوع", "الثقة ٪"]
    assert "1012345678" not in r.text and "10••••••78" in r.text
    for section, table in [
        ("handoffs", "reasons"),
        ("forms", "drop_off"),
        ("satisfaction", "comments"),
        ("satisfaction", "distribution"),
        ("volume", ""),
        ("intents", ""),
        ("latency", ""),
        ("containment", ""),
    ]:
        got = c.get(f"/desk/console/api/csv/{section}?{PERIOD}&table={table}")
        assert got.status_code == 200, (section, table)
    assert (
        "0551234567"
        not in c.get(f"/desk/console/api/csv/satisfaction?{PERIOD}&table=comments").text
    )
    assert c.get("/desk/console/api/csv/volume?table=bogus").status_code == 404
    assert ("agent:huda", "console.exported", "fallbacks") in audit("console.exported")


def test_review_queue_lists_candidates_with_reasons(env):
    c = env.client()
    c.sign_in("huda")
    items = c.get(f"/desk/console/api/review?{PERIOD}").json()["items"]
    by_text = {i["text"]: i for i in items}
    assert by_text["ابي فلوسي 10••••••78"]["reasons"] == ["before_handoff", "fallback"]
    assert "low_confidence" in by_text["ابي اتحقق"]["reasons"] or any(
        "low_confidence" in i["reasons"] for i in items
    )
    assert any("repeated" in i["reasons"] for i in items)
    assert any("low_rating" in i["reasons"] for i in items)
    only = c.get(f"/desk/console/api/review?{PERIOD}&reason=fallback").json()["items"]
    assert {i["text"] for i in only} == {"ابي فلوسي 10••••••78", "؟؟"}
    item = by_text["ابي فلوسي 10••••••78"]
    ctx = c.get(f"/desk/console/api/review/{item['turn_id']}").json()
    assert any(m["author"] == "citizen" and "10••••••78" in m["text"] for m in ctx["messages"])
    assert ctx["answer"]


def test_labels_need_csrf_are_checked_audited_and_can_change(env):
    c = env.client()
    c.sign_in("huda")
    items = c.get(f"/desk/console/api/review?{PERIOD}&reason=fallback").json()["items"]
    turn = items[-1]["turn_id"]
    url = f"/desk/console/api/review/{turn}"
    assert c.post(url, {"label": "intent", "intent": "greet"}, csrf=False).status_code == 403
    assert (
        c.post(url, {"label": "intent", "intent": "greet"}, origin="http://evil.test").status_code
        == 403
    )
    assert c.post(url, {"label": "intent", "intent": "made_up"}).json()["error"] == "bad_intent"
    assert c.post(url, {"label": "new_topic"}).json()["error"] == "bad_note"
    assert c.post(url, {"label": "wat"}).status_code == 400
    assert c.post("/desk/console/api/review/99999", {"label": "ignore"}).status_code == 404
    assert c.post(url, {"label": "intent", "intent": "faq/eligibility_conditions"}).json()["ok"]
    assert (
        c.get(f"/desk/console/api/review?{PERIOD}&reason=fallback").json()["items"][-1]["turn_id"]
        != turn
    )
    assert c.post(url, {"label": "new_topic", "note": "صرف الدعم للمطلقات"}).json()["ok"]
    labelled = c.get(f"/desk/console/api/review?{PERIOD}&reason=fallback&labelled=1").json()
    mine = [i for i in labelled["items"] if i["turn_id"] == turn][0]
    assert mine["label"]["label"] == "new_topic"
    topics = c.get("/desk/console/api/new-topics").json()["topics"]
    assert topics[0]["note"] == "صرف الدعم للمطلقات"
    assert [a[1] for a in audit("review.")] == ["review.labelled", "review.relabelled"]


def test_metrics_is_off_by_default_and_needs_its_token(env, monkeypatch):
    c = env.client()
    assert c.get("/metrics").status_code == 404
    monkeypatch.setenv("METRICS_TOKEN", "s3cret-token")
    assert c.get("/metrics").status_code == 404
    assert c.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 404
    r = c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert r.status_code == 200 and "cza_messages_total" in r.text
    assert "cza_handoff_queue_length 1.0" in r.text  # the fixture's one waiting citizen
    monkeypatch.delenv("METRICS_TOKEN")
    monkeypatch.setenv("METRICS_INTERNAL", "1")
    # httpx's ASGI transport reports 127.0.0.1 as the client: loopback is internal.
    assert c.get("/metrics").status_code == 200


def test_make_agent_with_the_supervisor_role_and_list_shows_roles(tmp_path, monkeypatch, capsys):
    import io
    import sys

    from bot.backoffice.__main__ import main
    from bot.store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_engine()
    upgrade(url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["agents", "create", "noura", "--role", "supervisor"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long enough password\n"))
    assert main(["agents", "create", "fahad"]) == 0
    assert main(["agents", "create", "x", "--role", "admin"]) == 2  # no such role
    capsys.readouterr()
    assert main(["agents", "list"]) == 0
    listing = capsys.readouterr().out
    assert "supervisor" in listing and "agent" in listing
    roles = {a["username"]: a["role"] for a in desk_auth.list_agents()}
    assert roles == {"noura": "supervisor", "fahad": "agent"}
    token, _ = desk_auth.start_session(
        desk_auth.authenticate("noura", "a long enough password")["id"], "noura"
    )
    assert desk_auth.session_agent(token)["role"] == "supervisor"
    with pytest.raises(ValueError):
        desk_auth.create_agent("hind", "a long enough password", role="admin")
    reset_engine()


FORMULAS = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u061c=1+1",  # Arabic Letter Mark
    "\u200f@SUM(1)",
    "\u202e=1",
    "＝1+1",  # full-width
    "\u00a0＋1",
]


def test_csv_cells_that_a_spreadsheet_would_run_are_escaped(env):
    from bot.store import turns as turn_store
    from channels.console.views import safe_cell

    for text in FORMULAS:
        assert safe_cell(text) == "'" + text, repr(text)
    for text in ("وش الشروط", "5 - 3", "a=b", "٥٠٠٠"):
        assert safe_cell(text) == text
    for i, text in enumerate(FORMULAS):
        turn_store.record_turn(
            f"web:formula{i}",
            "web",
            100,
            at=fixtures.T0 + 600 + i,
            facts={"intent": "nlu_fallback", "confidence": 0.1, "fallback": True, "text": text},
        )
    c = env.client()
    c.sign_in("huda")
    got = c.get(f"/desk/console/api/csv/fallbacks?{PERIOD}").text
    cells = {row[3] for row in csv.reader(io.StringIO(got.lstrip("\ufeff")), strict=True)}
    for text in FORMULAS:
        assert "'" + text in cells, repr(text)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def csv_of(c, path):
    r = c.get(path)
    assert r.status_code == 200, (path, r.text[:200])
    return list(csv.reader(io.StringIO(r.text.lstrip("\ufeff"))))


def test_the_console_shows_names_a_supervisor_reads_not_internal_ones(env):
    from bot.store import turns as turn_store

    turn_store.record_turn(
        "web:faq",
        "web",
        100,
        at=fixtures.T0 + 900,
        facts={
            "intent": "faq/eligibility_conditions",
            "confidence": 0.8123456789,
            "text": "وش الشروط",
        },
    )
    c = env.client()
    c.sign_in("huda")
    # Where citizens stop: the question's name from bot/content/eligibility.yml.
    forms = c.get(f"/desk/console/api/stats/forms?{PERIOD}").json()
    assert forms["drop_off"]["labels"]["last_question"] == {"elig_age": "العمر"}
    assert forms["labels"]["form"]["eligibility_form"] == "التحقق من الأهلية"
    assert forms["headers"] == ["النموذج", "بدأ", "اكتمل", "أُلغي", "تُرك"]
    # Topics by their FAQ titles and Arabic names; confidences as whole percentages.
    intents = c.get(f"/desk/console/api/stats/intents?{PERIOD}").json()
    assert intents["labels"]["intent"]["faq/eligibility_conditions"] == "شروط الأهلية"
    assert intents["labels"]["intent"]["nlu_fallback"] == "ما فهم المساعد"
    assert all(not v.isascii() for v in intents["labels"]["intent"].values())
    confidence = {r[0]: r[2] for r in intents["rows"]}
    assert confidence["faq/eligibility_conditions"] == 81
    # Agents by display name (omar has no account: his username stays).
    handoffs = c.get(f"/desk/console/api/stats/handoffs?{PERIOD}").json()
    assert handoffs["labels"]["agent"] == {"omar": "omar", "sara": "سارة"}
    # The CSV: Arabic headers and values, the codes in columns of their own.
    rows = csv_of(c, f"/desk/console/api/csv/forms?{PERIOD}&table=drop_off")
    assert rows == [
        ["النموذج", "رمز النموذج", "آخر سؤال", "رمز السؤال", "مرات"],
        ["التحقق من الأهلية", "eligibility_form", "العمر", "elig_age", "1"],
    ]
    rows = csv_of(c, f"/desk/console/api/csv/satisfaction?{PERIOD}")
    assert rows[0] == ["ما انتهى", "سُئل", "قيّم", "متوسط التقييم"]
    assert [r[0] for r in rows[1:]] == ["أغلقها موظف", "بلاغ فُتح"]
    rows = csv_of(c, f"/desk/console/api/csv/handoffs?{PERIOD}")
    assert rows[0][:2] == ["الموظف", "اسم المستخدم"] and ["سارة", "sara"] in [r[:2] for r in rows]
    rows = csv_of(c, f"/desk/console/api/csv/fallbacks?{PERIOD}")
    assert {r[6] for r in rows[1:]} == {"30", "20"}
    # The review queue and the label picker: names, not keys.
    items = c.get(f"/desk/console/api/review?{PERIOD}").json()["items"]
    fell = next(i for i in items if i["text"] == "ابي فلوسي 10••••••78")
    assert (fell["intent_label"], fell["confidence"]) == ("ما فهم المساعد", 30)
    me = c.get("/desk/console/api/me").json()
    picked = {t["code"]: t["label"] for t in me["topics"]}
    assert picked["faq/eligibility_conditions"] == "شروط الأهلية"
    assert picked["check_eligibility"] == "التحقق من الأهلية"
    assert len(set(picked.values())) == len(picked)  # a name picks one intent


def test_an_invalid_period_is_said_so_never_swapped(env):
    c = env.client()
    c.sign_in("huda")
    backwards = "from=2026-11-11&to=2026-11-10"
    for path in (
        f"/desk/console/api/stats/volume?{backwards}",
        f"/desk/console/api/csv/volume?{backwards}",
        f"/desk/console/api/review?{backwards}",
        f"/desk/console/api/stats/compare?{PERIOD}&from_b=2026-11-09&to_b=2026-11-01",
    ):
        r = c.get(path)
        assert r.status_code == 400 and r.json()["error"] == "bad_period", path
    same_day = c.get("/desk/console/api/stats/volume?from=2026-11-10&to=2026-11-10").json()
    assert same_day["period"] == {"from": "2026-11-10", "to": "2026-11-10", "channel": None}


def test_outcome_per_topic_and_two_periods_have_tables_and_csv(env):
    c = env.client()
    c.sign_in("huda")
    topics = c.get(f"/desk/console/api/stats/topics?{PERIOD}").json()
    assert topics["rows"][0][0] == "eligibility_form"
    assert topics["labels"]["topic"]["eligibility_form"] == "التحقق من الأهلية"
    rows = csv_of(c, f"/desk/console/api/csv/topics?{PERIOD}")
    assert rows[0][:3] == ["الإجابة أو النموذج", "رمز الموضوع", "المحادثات"]
    # Period B defaults to the same number of days just before period A.
    compared = c.get(f"/desk/console/api/stats/compare?{PERIOD}").json()
    assert compared["period_b"] == {"from": "2026-11-08", "to": "2026-11-09", "channel": None}
    rows = {r[0]: r[1:] for r in compared["rows"]}
    assert rows["conversations"][:2] == [6, 0]
    assert compared["labels"]["measure"]["contained_share"] == "انحلّت مع المساعد ٪"
    chosen = f"{PERIOD}&from_b=2026-11-10&to_b=2026-11-10"
    rows = csv_of(c, f"/desk/console/api/csv/compare?{chosen}")
    assert rows[0] == ["المقياس", "الفترة أ", "الفترة ب", "الفرق (أ − ب)", "التغيّر ٪"]
    assert rows[1] == ["المحادثات", "6", "5", "1.0", "20.0"]
    viewed = [a for a in audit("console.viewed") if a[2] == "compare"]
    assert len(viewed) == 1
