"""Every form of a personal number the bot accepts (tests/support/personal_formats.py) typed into
every place staff can read: the desk's transcript, queue, notes and labels, the console's
review queue, its conversation view, new-topic notes and CSV exports (fallbacks, rating
comments), and the log of all those requests. None of them shows a number readable.

The desk and the console run in one Sanic app driven through ASGI, as in
tests/console/test_console_http.py; the data is written through the stores the pipeline
and the tracker store use."""

from __future__ import annotations

import logging
import types
from urllib.parse import quote

import pytest

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations, csat, reset_engine
from bot.store import turns as turn_store
from tests.console.test_console_http import PASSWORD, Client
from tests.support.personal_formats import FORMATS, leaked


@pytest.fixture
def env(staff_app, tmp_path, migrated_sqlite, monkeypatch, log_masking):

    url = migrated_sqlite
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    reset_engine()
    desk_auth.create_agent("huda", PASSWORD, "هدى", role="supervisor")
    yield types.SimpleNamespace(client=lambda: Client(staff_app.loop, staff_app.app))
    reset_engine()


def citizen_types_every_format() -> list:
    """One conversation per format, written as the pipeline and the tracker store write
    it: the message, the bot echoing it back, the console's turn row, a rating comment,
    and the conversation handed to an agent."""
    episodes = []
    for i, typed in enumerate(FORMATS):
        conv, text = f"telegram:{700 + i}", f"رقمي {typed} ساعدوني"
        conversations.record_inbound(conv, "telegram", str(700 + i), text)
        conversations.record_outbound(conv, f"راجع بياناتك:\n• {typed}")
        turn_store.record_turn(
            conv,
            "telegram",
            100,
            facts={"intent": "nlu_fallback", "confidence": 0.2, "fallback": True, "text": text},
        )
        rating = csat.record_ask(conv, "telegram", "ticket")
        assert csat.set_score(rating, 1) and csat.want_comment(rating)
        assert csat.set_comment(rating, f"ما فادني {typed}")
        episodes.append((typed, handoff.escalate(conv, "requested").id))
    return episodes


def test_no_form_of_a_number_is_readable_anywhere_staff_look(env, caplog):
    caplog.set_level(logging.DEBUG)
    episodes = citizen_types_every_format()
    c = env.client()
    c.sign_in("huda")
    seen = []

    def read(path):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code, r.text[:200])
        seen.append((path, r.text))
        return r

    for typed, handoff_id in episodes:
        note = c.post(f"/desk/api/handoffs/{handoff_id}/note", {"text": f"اتصل على {typed}"})
        label = c.post(f"/desk/api/handoffs/{handoff_id}/label", {"label": typed})
        assert note.status_code == 200 and label.status_code == 200, (note.text, label.text)
        read(f"/desk/api/handoffs/{handoff_id}")
        read(f"/desk/api/queue?filter=all&q={quote(typed)}")
    read("/desk/api/queue?filter=all")
    items = read("/desk/console/api/review").json()["items"]
    assert len(items) == len(FORMATS)
    for item in items:
        turn = item["turn_id"]
        typed = FORMATS[len(FORMATS) - 1 - items.index(item)]
        labelled = c.post(
            f"/desk/console/api/review/{turn}", {"label": "new_topic", "note": f"شبيه {typed}"}
        )
        assert labelled.status_code == 200, labelled.text
        read(f"/desk/console/api/review/{turn}")
    read("/desk/console/api/review?labelled=1")
    assert len(read("/desk/console/api/new-topics").json()["topics"]) == len(FORMATS)
    read("/desk/console/api/stats/fallbacks")
    read("/desk/console/api/stats/satisfaction")
    fallbacks = read("/desk/console/api/csv/fallbacks").text
    comments = read("/desk/console/api/csv/satisfaction?table=comments").text
    assert fallbacks.count("رقمي") == len(FORMATS) and comments.count("ما فادني") == len(FORMATS)

    for path, text in seen:
        assert leaked(text) == [], (path, [line for line in text.splitlines() if leaked(line)])
    assert leaked(caplog.text) == []
