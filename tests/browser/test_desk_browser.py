"""The agent desk in headless Chromium, against the real assistant.

A citizen in the web widget (one browser context) asks for a person; an agent on the
desk (another context, its own cookies) sees the conversation appear without reloading,
claims it, replies, sees the citizen's answer arrive, and hands it back to the bot,
which then answers the citizen again. Saves a screenshot of the desk to
results/screenshots/desk-takeover.png (docs/desk.md shows the working-day test's desk.png).
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot.services import handoff

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser desk password"
TIMEOUT = 30_000


@pytest.fixture
def agent_name(rasa_server):
    from bot.services.desk import accounts as desk_auth

    username = "browser_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "سارة")
    return username


def web_session(page) -> str:
    """The widget's server-issued session id ("<sid>.<issued>.<signature>"; the servers
    sign with their own WEBCHAT_SECRET, so the id is read, not verified, here)."""
    return page.evaluate("localStorage.getItem('cza.session.v1')").split(".")[0]


def sign_in(page, server, username, password=PASSWORD):
    page.goto(f"{server}/desk/")
    assert page.url.endswith("/desk/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-submit")


def test_agent_takes_over_a_widget_conversation_and_hands_it_back(rasa_server, browser, agent_name):
    desk = browser.new_context(viewport={"width": 1366, "height": 800}, locale="ar-SA").new_page()
    desk.set_default_timeout(TIMEOUT)
    desk.on("dialog", lambda dialog: dialog.accept())  # "return to the bot?" confirm

    # Only signed-in agents see anything; a wrong password is refused.
    sign_in(desk, rasa_server, agent_name, "not the password")
    assert "غير صحيحة" in desk.locator("#login-error").inner_text()
    sign_in(desk, rasa_server, agent_name)
    desk.wait_for_url(f"{rasa_server}/desk/")
    desk.locator("#me", has_text="سارة").wait_for()
    assert desk.evaluate("getComputedStyle(document.body).direction") == "rtl"

    # Two conversations already wait (WhatsApp, Telegram), so the queue looks like a real one.
    others = waiting_conversations()

    # The citizen, in the widget on another page, asks for a person.
    citizen = browser.new_context(viewport={"width": 420, "height": 760}, locale="ar-SA").new_page()
    citizen.set_default_timeout(TIMEOUT)
    citizen.goto(f"{rasa_server}/chat")
    citizen.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    box = citizen.get_by_label("اكتب رسالتك")
    box.fill("ابي اكلم موظف")
    box.press("Enter")
    citizen.locator(".cza-msg.cza-bot", has_text="الانتظار").wait_for()  # in or out of hours
    conversation_id = f"web:{web_session(citizen)}"
    view = handoff.open_for(conversation_id)
    assert view is not None and view.state == "queued"

    # It appears in the queue without reloading the desk, with reason, channel and wait.
    item = desk.locator(f".queue-item[data-id='{view.id}']")
    item.wait_for()
    assert "الموقع" in item.inner_text() and handoff.REASONS["requested"] in item.inner_text()
    assert "ينتظر" in item.inner_text()  # in minutes ("ينتظر 2 د"), never like a clock time
    item.click()
    desk.locator("#transcript .msg.from-citizen", has_text="ابي اكلم موظف").wait_for()

    # Claim, then reply: the reply arrives in the widget over its live connection.
    desk.click("#btn-claim")
    desk.locator(f".queue-item[data-id='{view.id}'][data-state='agent']").wait_for()
    citizen.locator(".cza-msg", has_text="انضم لك سارة").wait_for()
    desk.locator("#canned .chip", has_text="ترحيب").click()
    assert "سارة" in desk.input_value("#reply")
    desk.fill("#reply", "هلا والله، معك سارة. وش المشكلة بالضبط؟")
    desk.click("#btn-send")
    citizen.locator(".cza-msg.cza-agent", has_text="معك سارة").wait_for()
    expect(desk.locator("#reply")).to_have_value("")

    # The citizen answers; the desk shows it live, and the bot stays silent.
    bot_bubbles = citizen.locator(".cza-msg.cza-bot").count()
    box.fill("الدعم وقف عني من شهرين")
    box.press("Enter")
    desk.locator("#transcript .msg.from-citizen", has_text="الدعم وقف عني").wait_for()
    # The window ends with a following message and a reply: the conversation's messages
    # are handled one at a time and in order, so once the desk shows the second one,
    # whatever the first made the server send has been sent; the agent's reply after it
    # reaches the widget over the same socket, in order.
    box.fill("وأبي أعرف السبب")
    box.press("Enter")
    desk.locator("#transcript .msg.from-citizen", has_text="أعرف السبب").wait_for()
    desk.fill("#reply", "لحظة أراجع ملفك")
    desk.click("#btn-send")
    citizen.locator(".cza-msg.cza-agent", has_text="لحظة أراجع").wait_for()
    assert citizen.locator(".cza-msg.cza-bot").count() == bot_bubbles
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(shots / "desk-takeover.png"))

    # Hand back to the bot: the citizen is told, and the bot answers again.
    desk.click("#btn-return")
    citizen.locator(".cza-msg.cza-bot", has_text="رجعت لك").wait_for()
    assert handoff.state_of(conversation_id) == "bot"
    desk.locator(f".queue-item[data-id='{view.id}']").wait_for(state="detached")
    assert desk.locator(".queue-item[data-state='queued']").count() >= len(others)
    box.fill("وش شروط حساب المواطن؟")
    box.press("Enter")
    citizen.locator(".cza-msg.cza-bot", has_text="الأهلية").wait_for()
    for other in others:
        handoff.close(other.id, agent_name)


def waiting_conversations():
    from bot.store import conversations

    wa, tg = (
        "whatsapp:9665" + uuid.uuid4().hex[:8].translate(str.maketrans("abcdef", "123456")),
        f"telegram:{uuid.uuid4().int % 10**9}",
    )
    conversations.record_inbound(wa, "whatsapp", wa.split(":")[1], "ما فهمت عليك، ابي احد يساعدني")
    conversations.record_inbound(tg, "telegram", tg.split(":")[1], "الدعم وقف عني من شهرين")
    return [
        handoff.escalate(wa, "fallback"),
        handoff.escalate(tg, "support_stopped", snapshot={"ticket_national_id": "1012345678"}),
    ]
