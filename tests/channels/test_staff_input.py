"""What a signed-in agent or supervisor can send the staff routes (desk and console) that no
route can serve: ids past what a database column holds, days out of any range, bodies that
are not one JSON object or nest 100,000 deep, characters no store can write. Each is a 400
or a 404, never a 500 with a traceback in the log. Also the same-origin check's scheme.

One Sanic app with the desk and the console, driven through ASGI as in
tests/channels/test_desk.py."""

from __future__ import annotations

import logging
import types

import pytest

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations, reset_engine
from bot.store import turns as turn_store
from tests.support.desk import PASSWORD, Client

HUGE = 2**63  # one past the largest id a SQLite or PostgreSQL column holds
DEEP = b'{"label": "ignore", "note": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture
def env(staff_app, tmp_path, migrated_sqlite, monkeypatch, caplog):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    for name in ("DESK_ORIGIN", "TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    reset_engine()
    desk_auth.create_agent("huda", PASSWORD, "هدى", role="supervisor")
    conversations.record_inbound("telegram:5", "telegram", "5", "ابي موظف")
    turn = turn_store.record_turn(
        "telegram:5",
        "telegram",
        100,
        facts={"intent": "nlu_fallback", "fallback": True, "confidence": 0.1, "text": "ابي موظف"},
    )
    episode = handoff.escalate("telegram:5", "requested")
    caplog.set_level(logging.INFO)
    client = Client(staff_app.loop, staff_app.app)
    client.sign_in("huda")
    yield types.SimpleNamespace(c=client, turn=turn, handoff=episode.id, caplog=caplog)
    reset_engine()


def no_errors_logged(caplog) -> None:
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert bad == [], [r.getMessage() for r in bad]


def test_an_id_no_row_can_have_is_404_on_every_route_that_takes_one(env):
    c = env.c
    for bad in (HUGE, 10**30, -HUGE):
        assert c.get(f"/desk/api/handoffs/{bad}").status_code == 404
        assert c.post(f"/desk/api/handoffs/{bad}/note", {"text": "x"}).status_code == 404
        assert c.post(f"/desk/api/handoffs/{bad}/claim").status_code == 404
        assert c.get(f"/desk/console/api/review/{bad}").status_code == 404
        assert c.post(f"/desk/console/api/review/{bad}", {"label": "ignore"}).status_code == 404
    assert c.get(f"/desk/api/handoffs/{env.handoff}?since={HUGE}").status_code == 200
    assert c.get(f"/desk/api/handoffs/{env.handoff}").status_code == 200  # the real one
    no_errors_logged(env.caplog)


@pytest.mark.parametrize(
    "day",
    [
        "9999-12-31",
        "0001-01-01",
        "1970-01-01",
        "2026-13-40",
        "٢٠٢٦-١١-١٠",
        "2026-11-10T00",
        "yesterday",
    ],
)
def test_a_day_out_of_range_or_not_a_day_is_400(env, day):
    c = env.c
    for path in (
        f"/desk/api/queue?filter=all&from={day}",
        f"/desk/api/queue?filter=all&to={day}",
        f"/desk/console/api/stats/volume?to={day}",
        f"/desk/console/api/stats/fallbacks?from={day}",
        f"/desk/console/api/csv/fallbacks?from=2026-01-01&to={day}",
        f"/desk/console/api/review?from={day}",
    ):
        r = c.get(path)
        assert r.status_code == 400 and r.json()["error"] == "bad_date", (path, r.status_code)
    no_errors_logged(env.caplog)


def test_days_at_the_ends_of_the_range_are_served(env):
    c = env.c
    spans = (
        "from=2000-01-01&to=2099-12-31",
        "from=2099-12-31&to=2099-12-31",
        "to=2000-01-01",
        "to=",
    )
    for span in spans + ("from=2099-12-31",):
        assert c.get(f"/desk/api/queue?filter=all&{span}").status_code == 200, span
    for span in spans:
        assert c.get(f"/desk/console/api/stats/volume?{span}").status_code == 200, span
        assert c.get(f"/desk/console/api/review?{span}").status_code == 200, span
    # The console's period would end (today) before it starts: said so, not swapped.
    assert c.get("/desk/console/api/stats/volume?from=2099-12-31").status_code == 400
    no_errors_logged(env.caplog)


@pytest.mark.parametrize(
    "body",
    [DEEP, b"[1, 2]", b'"label"', b"{not json", b"\xff\xfe", b"null"],
    ids=["nested_100000_deep", "array", "string", "broken", "not_utf8", "null"],
)
def test_a_body_that_is_not_one_json_object_is_400(env, body):
    c = env.c
    for path in (
        f"/desk/console/api/review/{env.turn}",
        f"/desk/api/handoffs/{env.handoff}/note",
        f"/desk/api/handoffs/{env.handoff}/label",
        "/desk/api/tickets/12345674/status",
    ):
        r = c.post(path, content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "bad_json", (path, r.text[:100])
    no_errors_logged(env.caplog)


def test_a_lone_surrogate_in_a_note_or_a_label_is_stored_as_a_replacement(env):
    c = env.c
    note = c.post(
        f"/desk/api/handoffs/{env.handoff}/note",
        content=b'{"text": "\\ud800 \xd8\xb4\xd9\x83\xd8\xb1\xd8\xa7"}',
        headers={"Content-Type": "application/json"},
    )
    assert note.status_code == 200 and note.json()["note"]["text"] == "\ufffd شكرا"
    label = c.post(
        f"/desk/console/api/review/{env.turn}",
        content=b'{"label": "new_topic", "note": "\\udfff"}',
        headers={"Content-Type": "application/json"},
    )
    assert label.status_code == 200 and label.json()["note"] == "\ufffd"
    no_errors_logged(env.caplog)


def test_characters_no_store_can_write_in_a_path_are_404(env):
    c = env.c
    assert c.post("/desk/api/agents/%ED%A0%80/unlock").status_code == 404
    assert c.get("/desk/api/tickets/%ED%A0%80").status_code in (400, 404)
    assert c.get("/desk/console/api/stats/%ED%A0%80").status_code == 404
    no_errors_logged(env.caplog)


def test_notes_and_labels_lose_bidi_overrides_and_invisible_marks(env):
    c = env.c
    base = f"/desk/api/handoffs/{env.handoff}"
    note = c.post(f"{base}/note", {"text": "\u202eتم التحقق\u061c\u200b"}).json()["note"]
    assert note["text"] == "تم التحقق"
    labels = c.post(f"{base}/label", {"label": "دفعات\u202e\u2066"}).json()["labels"]
    assert labels == ["دفعات"]
    topic = c.post(
        f"/desk/console/api/review/{env.turn}", {"label": "new_topic", "note": "\u202eمطلقات"}
    ).json()
    assert topic["note"] == "مطلقات"


def test_the_origin_must_match_the_scheme_too(env, monkeypatch):
    c = env.c
    path = f"/desk/api/handoffs/{env.handoff}/note"
    assert c.post(path, {"text": "a"}, headers={"Origin": "https://desk.test"}).status_code == 403
    assert c.post(path, {"text": "b"}, headers={"Origin": "http://desk.test"}).status_code == 200
    # Behind a proxy that ended TLS: its X-Forwarded-Proto counts, only from TRUSTED_PROXIES.
    proxied = {"Origin": "https://desk.test", "X-Forwarded-Proto": "https"}
    assert c.post(path, {"text": "c"}, headers=proxied).status_code == 403
    monkeypatch.setenv("TRUSTED_PROXIES", "127.0.0.1")
    assert c.post(path, {"text": "d"}, headers=proxied).status_code == 200
    assert (
        c.post(
            path,
            {"text": "e"},
            headers={"Origin": "http://desk.test", "X-Forwarded-Proto": "https"},
        ).status_code
        == 403
    )
