"""The widget in real headless Chromium against the channel server with a stand-in agent.

Covers what does not need the trained assistant: RTL layout, keyboard and screen-reader
markup, chips, typing indicator, reload with history, reconnection after the server drops
the socket, an agent message sent while the citizen was offline, the newest message kept
in view above the buttons on a phone, the input's direction and the digits of the times,
an axe-core audit, and keyboard-only use from opening to closing.
(tests/browser/test_widget_assistant.py and test_widget_citizen.py run the same widget
against the real assistant; test_widget_agent.py with an agent on the desk.)
"""

from __future__ import annotations

import re

import pytest

from bot.content import faq_answers, faq_buttons, fill
from channels.web.channel import registry
from channels.web.session import verify_session
from tests.browser.axe import describe, serious_violations
from tests.support.channels import ROOT, wait_for

pytestmark = pytest.mark.browser
ONLINE = "document.querySelector('.cza-status').textContent === 'متصل'"
# Bounding boxes of the message list and of its last message, in page coordinates.
LAST_IN_LOG = """() => {
  const log = document.querySelector('.cza-log').getBoundingClientRect();
  const msgs = document.querySelectorAll('.cza-log .cza-msg');
  const last = msgs[msgs.length - 1].getBoundingClientRect();
  return {logTop: log.top, logBottom: log.bottom, top: last.top, bottom: last.bottom};
}"""


def last_message_fully_visible(page) -> bool:
    box = page.evaluate(LAST_IN_LOG)
    return box["top"] >= box["logTop"] - 0.5 and box["bottom"] <= box["logBottom"] + 0.5


def focus_ring(page) -> dict:
    """The focused element's class and how its focus shows (outline and halo)."""
    return page.evaluate("""() => {
      const el = document.activeElement, cs = getComputedStyle(el);
      return {cls: el.className, id: el.id, text: el.textContent, outline: cs.outlineStyle,
              width: parseFloat(cs.outlineWidth), shadow: cs.boxShadow};
    }""")


def assert_visible_focus(page) -> dict:
    ring = focus_ring(page)
    assert (ring["outline"] != "none" and ring["width"] >= 2) or ring["shadow"] != "none", ring
    return ring


def session_id(page) -> str:
    return verify_session(page.evaluate("localStorage.getItem('cza.session.v1')"))


def test_widget_conversation_chips_reload_and_rtl(fresh, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    page.goto(f"{fresh.url}/chat")
    panel = page.get_by_role("dialog", name="مساعد حساب المواطن")
    panel.wait_for()
    assert page.locator(".cza-status").inner_text() in ("متصل", "جارٍ الاتصال…")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")

    # right to left, Arabic
    assert page.evaluate("getComputedStyle(document.querySelector('.cza-root')).direction") == "rtl"
    assert page.locator(".cza-root").get_attribute("lang") == "ar"

    # ask an FAQ in Arabic (typed, Enter sends)
    box = page.get_by_label("اكتب رسالتك")
    box.fill("وش شروط حساب المواطن؟")
    box.press("Enter")
    answer = fill(faq_answers()["eligibility_conditions"]["text"]).splitlines()[0]
    page.locator(".cza-msg.cza-bot", has_text=answer).wait_for()

    # bubbles are mirrored: the citizen on the left, the bot on the right
    me = page.locator(".cza-msg.cza-citizen").last.bounding_box()
    bot = page.locator(".cza-msg.cza-bot").last.bounding_box()
    assert bot["x"] + bot["width"] > me["x"] + me["width"]

    # chips are real buttons; click one
    titles = [b["title"] for b in faq_buttons("eligibility_conditions")]
    chips = page.locator(".cza-chip")
    assert chips.all_inner_texts() == titles
    page.get_by_role("button", name=titles[0]).click()
    page.locator(".cza-msg.cza-bot", has_text="intent /check_eligibility").wait_for()
    sid = session_id(page)
    assert fresh.agent.texts_from(f"web:{sid}") == ["وش شروط حساب المواطن؟", "/check_eligibility"]
    assert chips.count() == 0

    # reload: same session, the history is back
    page.reload()
    page.locator(".cza-msg.cza-bot", has_text="intent /check_eligibility").wait_for()
    texts = page.locator(".cza-msg .cza-text").all_inner_texts()
    assert texts[0] == "وش شروط حساب المواطن؟" and texts[2] == titles[0]
    assert session_id(page) == sid
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    page.screenshot(path=str(out / "widget-standin.png"))
    page.close()


def test_widget_accessibility_keyboard_and_typing_indicator(fresh, browser):
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="ar-SA", is_mobile=True, has_touch=True
    )
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    log = page.get_by_role("log")
    assert log.get_attribute("aria-live") == "polite"
    assert page.get_by_role("status").count() == 1
    assert page.get_by_role("button", name="إرسال").is_visible()

    # mobile: the open panel fills the screen
    box = page.locator(".cza-panel").bounding_box()
    assert box["width"] >= 389 and box["height"] >= 800

    # the typing indicator shows while the assistant works, then goes away
    box_input = page.get_by_label("اكتب رسالتك")
    box_input.fill("slow")
    box_input.press("Enter")
    page.locator(".cza-typing").wait_for(state="visible")
    assert "المساعد يكتب" in page.locator(".cza-typing").inner_text()
    page.locator(".cza-msg.cza-bot", has_text="انتهيت").wait_for()
    page.locator(".cza-typing").wait_for(state="hidden")

    # Escape closes and gives focus back to the launcher; Enter on it reopens
    page.keyboard.press("Escape")
    launcher = page.get_by_role("button", name="افتح محادثة مساعد حساب المواطن")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('cza-launcher')")
    page.keyboard.press("Enter")
    assert page.locator(".cza-launcher").get_attribute("aria-expanded") == "true"
    assert page.get_by_role("dialog").is_visible()
    assert page.evaluate("document.activeElement.id") == "cza-input"
    page.close()


def test_widget_reconnects_and_shows_what_arrived_while_offline(fresh, browser):
    from channels.outbound import send_to_citizen

    page = browser.new_page(viewport={"width": 1000, "height": 760})
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    box = page.get_by_label("اكتب رسالتك")
    box.fill("مرحبا")
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="وصلني: مرحبا").wait_for()
    sid = session_id(page)

    async def drop_and_send():
        for ws in list(registry._sockets.get(sid, ())):
            await ws.close(code=1012, reason="restart")
        return await send_to_citizen(f"web:{sid}", "معك نورة من خدمة العملاء، كيف أخدمك؟")

    result = fresh.run(drop_and_send())
    assert not result.delivered and result.recorded
    # the widget notices, reconnects by itself and shows the agent's message from history
    page.locator(".cza-msg.cza-agent", has_text="معك نورة").wait_for(timeout=15000)
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    box.fill("شكراً")
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="وصلني: شكراً").wait_for()
    assert wait_for(lambda: fresh.agent.texts_from(f"web:{sid}") == ["مرحبا", "شكراً"])
    page.close()


def test_a_tampered_stored_session_starts_a_fresh_one(fresh, browser):
    page = browser.new_page()
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    good = page.evaluate("localStorage.getItem('cza.session.v1')")
    sid, issued, sig = good.split(".")
    page.evaluate(f"localStorage.setItem('cza.session.v1', 'someoneelse.{issued}.{sig}')")
    page.reload()
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    fresh_token = page.evaluate("localStorage.getItem('cza.session.v1')")
    assert verify_session(fresh_token) not in (None, sid, "someoneelse")
    page.close()


def test_the_newest_message_stays_in_view_above_the_buttons_on_a_phone(fresh, browser):
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="ar-SA", is_mobile=True, has_touch=True
    )
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function(ONLINE)
    box = page.get_by_label("اكتب رسالتك")
    box.fill("وش شروط حساب المواطن؟")  # a long answer fills the list
    box.press("Enter")
    page.locator(".cza-chip").first.wait_for()
    box.fill("menu")  # a question with twelve buttons under it
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="اختر الخدمة").wait_for()
    assert page.locator(".cza-chip").count() == 12
    page.wait_for_function(
        f"({LAST_IN_LOG})().bottom <= ({LAST_IN_LOG})().logBottom + 0.5", timeout=3000
    )
    assert last_message_fully_visible(page), page.evaluate(LAST_IN_LOG)
    assert page.evaluate(
        "(() => { const l = document.querySelector('.cza-log');"
        " return l.scrollHeight > l.clientHeight; })()"
    )  # it did have to scroll

    # the on-screen keyboard (a shorter viewport) and late layout keep it in view
    page.set_viewport_size({"width": 390, "height": 560})
    page.wait_for_function(
        f"({LAST_IN_LOG})().bottom <= ({LAST_IN_LOG})().logBottom + 0.5", timeout=3000
    )
    page.evaluate(
        "document.querySelector('.cza-log .cza-msg:last-child .cza-text')"
        ".style.paddingBottom = '120px'"
    )
    page.wait_for_function(
        f"({LAST_IN_LOG})().bottom <= ({LAST_IN_LOG})().logBottom + 0.5", timeout=3000
    )
    assert last_message_fully_visible(page)

    # a citizen who scrolled up to read is left where they are until the next message
    page.mouse.move(195, 300)
    page.mouse.wheel(0, -5000)
    page.wait_for_function("document.querySelector('.cza-log').scrollTop === 0", timeout=3000)
    page.evaluate(
        "document.querySelector('.cza-log .cza-msg:last-child .cza-text')"
        ".style.paddingBottom = '0px'"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("document.querySelector('.cza-log').scrollTop") == 0
    page.close()


def test_the_input_is_right_to_left_and_times_use_western_digits(fresh, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ar-SA")
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function(ONLINE)
    box = page.get_by_label("اكتب رسالتك")
    direction = "getComputedStyle(document.querySelector('.cza-input')).direction"
    assert page.evaluate(direction) == "rtl"  # empty: right to left
    assert page.evaluate("getComputedStyle(document.querySelector('.cza-input')).textAlign") in (
        "right",
        "start",
    )
    assert box.get_attribute("placeholder") == "اكتب سؤالك هنا…"
    box.fill("IBAN SA03 8000")  # Latin text reads left to right
    assert page.evaluate(direction) == "ltr"
    box.fill("")
    assert page.evaluate(direction) == "rtl"

    box.fill("مرحبا")
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="وصلني: مرحبا").wait_for()
    times = page.locator(".cza-msg .cza-time").all_inner_texts()
    assert len(times) == 2
    for shown in times:
        assert re.search(r"\b\d{2}:\d{2}\b", shown), shown
        assert not re.search("[\u0660-\u0669\u06f0-\u06f9]", shown), shown
    page.close()


def test_axe_finds_no_serious_problem_in_the_open_widget(fresh, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function(ONLINE)
    box = page.get_by_label("اكتب رسالتك")
    box.fill("وش شروط حساب المواطن؟")
    box.press("Enter")
    page.locator(".cza-chip").first.wait_for()
    box.fill("list")
    box.press("Enter")
    page.locator(".cza-chip", has_text="سؤال طويل قليلاً رقم 5").wait_for()
    assert page.locator(".cza-msg.cza-citizen .cza-time").count() == 2
    found = serious_violations(page)
    assert not found, describe(found)
    # a message still waiting for its acknowledgement keeps its contrast too
    page.evaluate("document.querySelector('.cza-msg.cza-citizen').classList.add('cza-pending')")
    found = serious_violations(page, include=".cza-panel")
    assert not found, describe(found)
    page.close()


def test_keyboard_only_open_type_send_pick_a_button_and_close(fresh, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function(ONLINE)
    launcher = page.locator(".cza-launcher")

    # start from a closed widget, reached with Tab alone
    page.keyboard.press("Tab")
    assert assert_visible_focus(page)["cls"] == "cza-close"
    page.keyboard.press("Enter")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert "cza-launcher" in assert_visible_focus(page)["cls"]

    # open: the focus lands in the input
    page.keyboard.press("Enter")
    assert page.get_by_role("dialog").is_visible()
    assert assert_visible_focus(page)["id"] == "cza-input"

    # type and send with Enter
    page.keyboard.type("وش شروط حساب المواطن؟")
    page.keyboard.press("Enter")
    page.locator(".cza-chip").first.wait_for()
    titles = [b["title"] for b in faq_buttons("eligibility_conditions")]

    # Shift+Tab from the input reaches the buttons; pick the first one with Enter
    for _ in titles:
        page.keyboard.press("Shift+Tab")
    ring = assert_visible_focus(page)
    assert ring["cls"] == "cza-chip" and ring["text"] == titles[0]
    page.keyboard.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="intent /check_eligibility").wait_for()
    sid = session_id(page)
    assert fresh.agent.texts_from(f"web:{sid}")[-1] == "/check_eligibility"
    # the picked button is gone with its row: the focus went on to the input, not the page
    assert assert_visible_focus(page)["id"] == "cza-input"

    # the send button works from the keyboard too
    page.keyboard.type("شكراً")
    page.keyboard.press("Tab")
    assert assert_visible_focus(page)["cls"] == "cza-send"
    page.keyboard.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="وصلني: شكراً").wait_for()

    # close with Escape; the focus returns to the launcher
    page.keyboard.press("Escape")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert not page.locator(".cza-panel").is_visible()
    assert "cza-launcher" in assert_visible_focus(page)["cls"]
    page.close()


def test_a_message_the_server_refused_stays_marked_with_a_retry(fresh, browser, monkeypatch):
    """Over the per-citizen limit a message used to look sent, get no answer and vanish
    at the next reload. Now it stays, marked "not sent" with when to send it again,
    across a reload, and its button sends it once the wait is over."""
    from channels.pipeline import set_pipeline

    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "1")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "3")
    set_pipeline(None)
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    page.goto(f"{fresh.url}/chat")
    page.wait_for_function(ONLINE)
    box = page.get_by_label("اكتب رسالتك")
    box.fill("أول رسالة")
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text="وصلني: أول رسالة").wait_for()
    box.fill("تعليقي على التقييم")
    box.press("Enter")

    unsent = page.locator(".cza-msg.cza-unsent", has_text="تعليقي على التقييم")
    unsent.wait_for()
    assert re.search(r"ما انرسلت · أرسلها بعد [1-3] ث", unsent.inner_text())
    assert unsent.get_by_role("button", name="أعد الإرسال").is_disabled()

    page.reload()
    page.wait_for_function(ONLINE)
    unsent = page.locator(".cza-msg.cza-unsent", has_text="تعليقي على التقييم")
    unsent.wait_for()  # still there after a reload, still marked

    retry = unsent.get_by_role("button", name="أعد الإرسال")
    page.wait_for_function(
        "!document.querySelector('.cza-unsent .cza-retry').disabled", timeout=6000
    )
    retry.click()
    page.locator(".cza-msg.cza-bot", has_text="وصلني: تعليقي على التقييم").wait_for()
    assert page.locator(".cza-unsent").count() == 0
    assert page.evaluate("localStorage.getItem('cza.unsent.v1')") is None
    page.close()
