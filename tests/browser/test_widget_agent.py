"""The widget in headless Chromium while a person (an agent on the desk) has the conversation.

A real sanic server runs the citizen channels of credentials.yml plus the agent desk, with
the real handoff state on a database migrated to heads and the scripted stand-in for Rasa
(tests/support/channels.py), all in this process, so the agent's typing can be sent
through channels.outbound.notify_agent_typing just as the desk does. The citizen must be
able to tell the person from the bot: the agent's name in the header and on their
messages, the agent's real typing state, and never the bot's dots while a person answers.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.services import handoff
from bot.store import conversations
from channels.outbound import notify_agent_typing, notify_handoff_changed
from channels.web.session import verify_session
from tests.browser.axe import describe, serious_violations
from tests.browser.conftest import Desk

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ASSISTANT = "مساعد حساب المواطن"
ONLINE = "document.querySelector('.cza-status').textContent === 'متصل'"
# Counts every time the bot's dots (not the agent's indicator) become visible.
WATCH_DOTS = """() => {
  window.__botDots = 0;
  const t = document.querySelector('.cza-typing');
  new MutationObserver(() => {
    if (!t.hidden && !t.classList.contains('cza-typing-agent')) { window.__botDots += 1; }
  }).observe(t, {attributes: true, attributeFilter: ['hidden', 'class']});
}"""


def say(page, text: str) -> None:
    box = page.get_by_label("اكتب رسالتك")
    box.fill(text)
    box.press("Enter")


def handled_up_to_here(st, page, cid: str, text: str) -> None:
    """End a "no bot dots" window. The citizen writes `text`, and the test waits until the
    server has recorded it: a conversation's messages are handled one at a time and in
    order (channels.pipeline), so everything the earlier ones made the server send has
    been sent. Then a frame sent after all that (the agent's typing, on and off) reaches
    the widget, whose socket delivers in order: the widget has seen the earlier frames."""
    say(page, text)
    deadline = time.monotonic() + 15
    while text not in [m["text"] for m in conversations.transcript(cid)]:
        assert time.monotonic() < deadline, f"{text!r} never recorded"
        time.sleep(0.05)
    typing = page.locator(".cza-typing.cza-typing-agent")
    assert st.run(notify_agent_typing(cid, "نورة")) is True
    typing.wait_for(state="visible")
    assert st.run(notify_agent_typing(cid, on=False)) is True
    typing.wait_for(state="hidden")


def header(page) -> dict:
    return page.evaluate("""() => ({
      title: document.querySelector('.cza-title').textContent,
      role: document.querySelector('.cza-role').hidden ? null
            : document.querySelector('.cza-role').textContent,
      status: document.querySelector('.cza-status').textContent})""")


def test_the_citizen_can_tell_the_agent_from_the_bot(desk_stack, browser):
    st = desk_stack
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="ar-SA", is_mobile=True, has_touch=True
    )
    page.set_default_timeout(15_000)
    page.goto(f"{st.url}/chat")
    page.wait_for_function(ONLINE)
    page.evaluate(WATCH_DOTS)
    say(page, "slow")  # the bot answers: its dots show
    page.locator(".cza-typing").wait_for(state="visible")
    page.locator(".cza-msg.cza-bot", has_text="انتهيت").wait_for()
    page.locator(".cza-typing").wait_for(state="hidden")
    assert page.evaluate("window.__botDots") >= 1
    cid = "web:" + verify_session(page.evaluate("localStorage.getItem('cza.session.v1')"))

    # Escalated and waiting: what the citizen writes goes to the desk, no dots at all.
    h = handoff.escalate(cid, "requested")
    page.evaluate("window.__botDots = 0")
    say(page, "وينكم؟")
    page.locator(".cza-msg.cza-system", has_text="وصلت رسالتك").wait_for()
    handled_up_to_here(st, page, cid, "ألو")
    assert page.evaluate("window.__botDots") == 0
    assert header(page)["title"] == ASSISTANT

    # The agent claims: the header names her, in Arabic, as customer service.
    desk = Desk(st.url, st.agent_username)
    desk.act(h.id, "claim")
    page.locator(".cza-msg.cza-system", has_text="انضم لك نورة").wait_for()
    page.wait_for_function("document.querySelector('.cza-title').textContent === 'نورة'")
    assert header(page) == {"title": "نورة", "role": "خدمة العملاء", "status": "متصل"}
    assert page.get_by_role("dialog", name="نورة خدمة العملاء").is_visible()

    # Her messages carry her name, visibly.
    desk.act(h.id, "reply", {"text": "هلا والله، وش المشكلة بالضبط؟"})
    reply = page.locator(".cza-msg.cza-agent", has_text="وش المشكلة بالضبط")
    reply.wait_for()
    assert reply.locator(".cza-from").inner_text() == "نورة · خدمة العملاء"

    # The citizen writes while she holds it: no bot dots, Rasa never sees it.
    page.evaluate("window.__botDots = 0")
    say(page, "الدعم وقف عني من شهرين")
    page.locator(".cza-msg.cza-citizen:not(.cza-pending)", has_text="الدعم وقف عني").wait_for()
    handled_up_to_here(st, page, cid, "تكفين ردي")
    assert page.evaluate("window.__botDots") == 0
    assert page.locator(".cza-typing").is_hidden()
    assert "الدعم وقف عني من شهرين" not in st.agent.texts_from(cid)
    assert "تكفين ردي" not in st.agent.texts_from(cid)

    # She types: the widget says so, with her name; it goes when she stops or sends.
    assert st.run(notify_agent_typing(cid, "نورة")) is True
    typing = page.locator(".cza-typing")
    typing.wait_for(state="visible")
    assert typing.inner_text().strip() == "نورة · جارٍ الكتابة…"
    assert st.run(notify_agent_typing(cid, on=False)) is True
    typing.wait_for(state="hidden")
    assert st.run(notify_agent_typing(cid)) is True  # the name comes from the handoff record
    typing.wait_for(state="visible")
    assert "نورة" in typing.inner_text()
    found = serious_violations(page)
    assert not found, describe(found)
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "widget-agent.png"))
    desk.act(h.id, "reply", {"text": "راجعت ملفك، الدعم بينزل الدفعة الجاية."})
    page.locator(".cza-msg.cza-agent", has_text="راجعت ملفك").wait_for()
    typing.wait_for(state="hidden")

    # A reload finds the same header and the names on her messages.
    page.reload()
    page.wait_for_function(ONLINE)
    page.wait_for_function("document.querySelector('.cza-title').textContent === 'نورة'")
    names = page.locator(".cza-msg.cza-agent .cza-from").all_inner_texts()
    assert names == ["نورة · خدمة العملاء"] * 2

    # Back in the queue (released): the header is the assistant's again.
    assert handoff.release(h.id, st.agent_username)
    assert st.run(notify_handoff_changed(cid)) is True
    page.wait_for_function(f"document.querySelector('.cza-title').textContent === '{ASSISTANT}'")
    assert header(page)["role"] is None

    # Claimed again, then handed back to the bot: the assistant is back and answers.
    desk.act(h.id, "claim")
    page.wait_for_function("document.querySelector('.cza-title').textContent === 'نورة'")
    desk.act(h.id, "return")
    page.locator(".cza-msg.cza-bot", has_text="رجعت لك").wait_for()
    assert header(page) == {"title": ASSISTANT, "role": None, "status": "متصل"}
    page.evaluate(WATCH_DOTS)
    say(page, "slow")
    page.locator(".cza-typing").wait_for(state="visible")
    page.locator(".cza-msg.cza-bot", has_text="انتهيت").wait_for()
    assert page.evaluate("window.__botDots") >= 1
    page.close()


def test_typing_and_handoff_notices_are_harmless_elsewhere(desk_stack):
    st = desk_stack
    assert st.run(notify_agent_typing("telegram:12345", "نورة")) is False
    assert st.run(notify_agent_typing("web:nobody-is-here", "نورة")) is False
    assert st.run(notify_handoff_changed("web:nobody-is-here")) is False
