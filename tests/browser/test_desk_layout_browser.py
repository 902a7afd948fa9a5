"""The desk on the screens agents really use, in headless Chromium (tests/browser/conftest.py's
stack: the real desk and handoff state, no model): a laptop at 1366 px, a tablet and a
narrow window, a phone at 390 px. The newest message is always fully in view, nothing
covers the list, the page never scrolls sideways, and the queue, the notes, the reply
box and the transfer list read naturally in Arabic.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations
from tests.browser.axe import describe, serious_violations
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "results" / "screenshots"

# The transcript's last message lies within the transcript's visible box (1 px of rounding).
NEWEST_IN_VIEW = """() => {
  const list = document.getElementById('transcript');
  const last = list.lastElementChild;
  if (!last) return false;
  const box = list.getBoundingClientRect(), msg = last.getBoundingClientRect();
  return msg.bottom <= box.bottom + 1 && msg.top >= box.top - 1 && box.height > 0;
}"""
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= innerWidth"


def desk_page(browser, url, username, width, height):
    context = browser.new_context(
        viewport={"width": width, "height": height},
        locale="ar-SA",
        timezone_id="Asia/Riyadh",
        bypass_csp=True,  # only so the test can inject axe-core
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda d: d.accept())
    page.goto(f"{url}/desk/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{url}/desk/")
    page.locator("#me").wait_for()
    return page


def long_conversation(channel="telegram", out_of_hours=True):
    """A citizen's conversation long enough to scroll, whose last bot message has buttons
    (the out-of-hours notice the bot sends when it escalates at night)."""
    number = str(uuid.uuid4().int % 10**9)
    cid = f"{channel}:{number}"
    for i in range(14):
        conversations.record_inbound(cid, channel, number, f"سؤالي رقم {i}: متى ينزل الدعم؟")
        conversations.record_outbound(cid, f"هذا رد المساعد على السؤال {i}، وفيه تفاصيل كثيرة.")
    conversations.record_inbound(cid, channel, number, "ابي اكلم موظف ضروري")
    if out_of_hours:
        conversations.record_outbound(
            cid,
            "وصلنا طلبك وأنت الآن بالانتظار. ساعات عمل الموظفين من الأحد إلى الخميس.",
            buttons=[
                {"title": "أكمل مع المساعد", "payload": "/leave_queue"},
                {"title": "أبقى بالانتظار", "payload": "/stay"},
                {"title": "شروط الأهلية", "payload": "/faq"},
            ],
        )
    return handoff.escalate(cid, "requested")


@pytest.fixture(scope="module")
def agent(desk_stack):
    username = "layout_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "ريم")
    return username


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_newest_message_is_always_in_full_view(desk_stack, browser, agent, width, height):
    h = long_conversation()
    page = desk_page(browser, desk_stack.url, agent, width, height)
    page.locator(f".queue-item[data-id='{h.id}'] .queue-open").click()
    page.locator("#transcript .msg .chip", has_text="أبقى بالانتظار").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    page.click("#btn-claim")
    page.locator(f".queue-item[data-id='{h.id}'][data-state='agent']").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    page.fill("#reply", "هلا، معك ريم. أبشر، أراجع طلبك الآن.")
    page.click("#btn-send")
    page.locator("#transcript .msg.from-agent", has_text="أراجع طلبك").wait_for()
    page.wait_for_timeout(300)  # the toast, the composer settling
    assert page.evaluate(NEWEST_IN_VIEW)
    # The toast never covers the list of conversations (nor takes its clicks).
    page.evaluate("window.Desk.toast('تجربة إشعار قصير')")
    toast = page.locator("#toast").bounding_box()
    queue = page.locator("#queue-panel").bounding_box()
    if queue and queue["width"] > 0:
        apart = (
            toast["x"] >= queue["x"] + queue["width"]
            or toast["x"] + toast["width"] <= queue["x"]
            or toast["y"] >= queue["y"] + queue["height"]
            or toast["y"] + toast["height"] <= queue["y"]
        )
        assert apart, (toast, queue)
    assert page.evaluate("getComputedStyle(document.getElementById('toast')).pointerEvents") == (
        "none"
    )
    handoff.close(h.id, agent)
    page.context.close()
