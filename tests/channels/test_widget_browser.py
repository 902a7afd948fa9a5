"""The widget in real headless Chromium against the channel server with a stand-in agent.

Covers what does not need the trained assistant: RTL layout, keyboard and screen-reader
markup, chips, typing indicator, reload with history, reconnection after the server drops
the socket, and an agent message sent while the citizen was offline.
(tests/browser/test_widget_assistant.py runs the same widget against the real assistant.)
"""
from __future__ import annotations


import pytest

from bot.content import faq_answers, faq_buttons, fill
from channels.web import registry, verify_session
from tests.channels.conftest import ROOT, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]




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
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="ar-SA", is_mobile=True,
                            has_touch=True)
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
