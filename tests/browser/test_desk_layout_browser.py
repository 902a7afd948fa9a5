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
from bot.services.handoff import events
from bot.store import conversations
from tests.browser.axe import describe, serious_violations
from tests.browser.conftest import PASSWORD
from tests.support.browser import LEFT_OF

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


def settled_scroll(page) -> float:
    """The transcript's scroll position once a (smooth) scroll has come to rest."""
    last = None
    while True:
        page.wait_for_timeout(150)
        now = page.evaluate("document.getElementById('transcript').scrollTop")
        if now == last:
            return now
        last = now


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
    page.locator(f".queue-item[data-id='{h.id}'][data-state='agent']").wait_for(state="attached")
    page.wait_for_function(NEWEST_IN_VIEW)
    page.fill("#reply", "هلا، معك ريم. أبشر، أراجع طلبك الآن.")
    page.click("#btn-send")
    page.locator("#transcript .msg.from-agent", has_text="أراجع طلبك").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    # The bot's next message with a dozen buttons arrives live: in full view too.
    conversations.record_outbound(
        h.conversation_id,
        "اختر الخدمة اللي تبيها من القائمة:",
        buttons=[{"title": f"خدمة رقم {i}", "payload": f"/s{i}"} for i in range(1, 13)],
    )
    events.emit("message", h.id)
    page.locator("#transcript .chip", has_text="خدمة رقم 12").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    # The window gets shorter (a download bar, the on-screen keyboard): still in view.
    page.set_viewport_size({"width": width, "height": height - 160})
    page.wait_for_function(NEWEST_IN_VIEW)
    # Scrolled up to read, the agent stays where she is when a message arrives.
    page.locator("#transcript").hover()
    page.mouse.wheel(0, -600)
    top = settled_scroll(page)
    conversations.record_inbound(h.conversation_id, "telegram", "0", "تمام شكرًا")
    events.emit("message", h.id)
    page.locator("#transcript .msg.from-citizen", has_text="تمام شكرًا").wait_for(state="attached")
    assert page.evaluate("document.getElementById('transcript').scrollTop") == top
    # The toast never covers the list of conversations (nor takes its clicks).
    if width < 760:
        page.click("#btn-back")
    page.evaluate("window.Desk.toast('تجربة إشعار قصير')")
    toast = page.locator("#toast").bounding_box()
    queue = page.locator("#queue-panel").bounding_box()
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


# Every visible button of the conversation's header lies inside the window and is the
# element at its own centre (not clipped away, not covered).
HEADER_FITS = """() => [...document.querySelectorAll('.conv-head button')]
  .filter(b => b.offsetParent)
  .filter(b => {
    const r = b.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return r.left < 0 || r.right > innerWidth || !(hit && b.contains(hit));
  }).map(b => b.textContent)"""


@pytest.mark.parametrize("width,height", [(390, 844), (600, 900), (768, 1024), (1366, 768)])
def test_an_agent_can_work_on_a_phone_a_tablet_or_a_narrow_window(
    desk_stack, browser, agent, width, height
):
    h = long_conversation("whatsapp")
    handoff.claim(h.id, agent)
    page = desk_page(browser, desk_stack.url, agent, width, height)
    item = page.locator(f".queue-item[data-id='{h.id}'] .queue-open")
    item.wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    narrow = width < 760
    # Narrow: the list alone, then the conversation alone with a way back.
    assert page.locator("#conversation").is_hidden() or not narrow
    item.click()
    page.locator("#transcript .msg.from-citizen", has_text="ضروري").wait_for()
    page.wait_for_function(NEWEST_IN_VIEW)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert page.locator("#queue-panel").is_visible() != narrow
    assert page.evaluate(HEADER_FITS) == []
    # The messages read as lines of words, not a letter per line.
    bubble = page.locator("#transcript .msg.from-bot").first.bounding_box()
    assert bubble["width"] >= min(250, width * 0.6), bubble
    page.screenshot(path=str(SHOTS / f"desk-{width}.png"))
    # What the bot collected, the tickets and the labels are a tap away on small screens.
    page.locator("#btn-details").click() if width <= 1000 else None
    page.locator("#label-input").wait_for()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    found = serious_violations(page)
    assert not found, describe(found)
    if width <= 1000:
        page.locator("#btn-details").click()
        page.wait_for_function(NEWEST_IN_VIEW)
    if narrow:
        page.locator("#btn-back").click()
        item.wait_for()
        assert page.locator("#conversation").is_hidden()
        assert page.evaluate("document.activeElement.closest('.queue-item') !== null")
    handoff.close(h.id, agent)
    page.context.close()


# The placeholder's width in the input's own font, and the room the input has for it.
PLACEHOLDER_FITS = """(id) => {
  const input = document.getElementById(id), style = getComputedStyle(input);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontSize} ${style.fontFamily}`;
  const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return ctx.measureText(input.placeholder).width <= room;
}"""


def test_the_desk_reads_naturally(desk_stack, browser, agent):
    from datetime import timedelta

    from sqlalchemy import update

    from bot.store import session_scope
    from bot.store.base import utcnow
    from bot.store.handoffs import Handoff
    from tests.browser.conftest import Desk

    # Two colleagues called خالد, one at his desk now.
    twins = ["khalid_" + uuid.uuid4().hex[:4] for _ in range(2)]
    for username in twins:
        desk_auth.create_agent(username, PASSWORD, "خالد")
    Desk(desk_stack.url, twins[0])
    # A citizen asked at night: the bot's out-of-hours notice came after her words.
    number = str(uuid.uuid4().int % 10**9)
    cid = f"telegram:{number}"
    conversations.record_inbound(cid, "telegram", number, "الدعم ما نزل هالشهر ليش؟")
    h = handoff.escalate(cid, "requested")
    conversations.record_outbound(cid, "وصلنا طلبك. ساعات عمل الموظفين من الأحد إلى الخميس.")
    with session_scope() as s:
        s.execute(
            update(Handoff)
            .where(Handoff.id == h.id)
            .values(queued_at=utcnow() - timedelta(minutes=23, seconds=23))
        )
    desk_auth.set_supervisor(agent, False)
    page = desk_page(browser, desk_stack.url, agent, 1366, 768)
    row = page.locator(f".queue-item[data-id='{h.id}']")
    row.wait_for()
    assert "الدعم ما نزل" in row.locator(".preview").inner_text()
    assert re.search(r"ينتظر 2[34] د", row.locator(".wait").inner_text()), row.inner_text()
    assert page.evaluate(PLACEHOLDER_FITS, "search-q")
    assert page.locator("#console-link").is_hidden()  # agents: no console

    # The reply box: its Arabic hint right to left; what is typed takes its own direction.
    row.locator(".queue-open").click()
    page.click("#btn-claim")
    page.locator("#btn-send:not([disabled])").wait_for()
    assert page.evaluate("getComputedStyle(document.getElementById('reply')).direction") == "rtl"
    page.fill("#reply", "Hello, how can I help?")
    # dir="auto" is worked out by the browser after the input, not always by the next read.
    page.wait_for_function(
        "getComputedStyle(document.getElementById('reply')).direction === 'ltr'", timeout=5000
    )
    page.fill("#reply", "")

    # A masked ID in a note reads as written: 10••••••78, not 78••••••10.
    page.check("input[name=mode][value=note]")
    page.fill("#reply", "هويته 1012345678 وراجعت ملفه")
    page.keyboard.press("Control+Enter")
    page.locator("#transcript .msg.note", has_text="راجعت ملفه").wait_for()
    note = "#transcript .msg.note .text"
    assert page.evaluate(LEFT_OF, [note, "10", "78"]) < 0
    page.check("input[name=mode][value=reply]")

    # The transfer list tells the two Khalids apart and who is at the desk.
    page.click("#btn-transfer")
    page.locator("#transfer-dialog[open]").wait_for()  # opened once the list is filled
    options = page.locator("#transfer-to option").all_inner_texts()
    mine = [o for o in options if "خالد" in o]
    assert len(mine) == 2 and len(set(mine)) == 2, options
    assert any(twins[0] in o and "متصل الآن" in o for o in mine), mine
    assert any(twins[1] in o and "متصل الآن" not in o for o in mine), mine
    assert page.locator("#transfer-to option").first.get_attribute("data-online") == "1"
    found = serious_violations(page, include="#transfer-dialog")
    assert not found, describe(found)
    page.click("#transfer-cancel")

    # Supervisors find the console from the desk.
    desk_auth.set_supervisor(agent, True)
    page.reload()
    page.locator("#console-link").wait_for()
    assert page.get_attribute("#console-link", "href") == "/desk/console/"
    handoff.close(h.id, agent)
    page.context.close()


def test_the_chat_page_asks_for_nothing_that_is_missing(desk_stack, browser):
    page = browser.new_context(locale="ar-SA").new_page()
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(f"{desk_stack.url}/chat")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{desk_stack.url}{icon}").ok
    page.wait_for_timeout(500)
    assert failed == []
    page.context.close()
