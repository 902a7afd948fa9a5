"""The web chat widget with the real assistant, in real headless Chromium (Playwright).

Opens the demo page served by the Rasa server (/chat), asks an FAQ in Arabic, clicks a
suggested button (a chip), reloads the page and finds the conversation again, checks the
right-to-left layout, and saves results/screenshots/widget.png (docs/widget.png is a copy
of one, refreshed by hand, so a test run leaves the work tree clean).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import button, faq_answers, fill

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


def first_line(faq_key: str) -> str:
    return fill(faq_answers()[faq_key]["text"]).splitlines()[0].strip()


def bot_reply(page, text: str, timeout: float = 60_000):
    page.locator(".cza-msg.cza-bot", has_text=text).last.wait_for(timeout=timeout)


def test_widget_with_the_real_assistant(rasa_server, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    page.goto(f"{rasa_server}/chat")
    page.get_by_role("dialog", name="مساعد حساب المواطن").wait_for()
    page.wait_for_function(
        "document.querySelector('.cza-status').textContent === 'متصل'", timeout=30_000
    )

    # right to left
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.cza-panel')).direction") == "rtl"
    )

    # an FAQ in Arabic, typed the way citizens write it
    box = page.get_by_label("اكتب رسالتك")
    box.fill("وش شروط حساب المواطن؟")
    box.press("Enter")
    bot_reply(page, first_line("eligibility_conditions"))

    # the bot's answer sits on the right, the citizen's question on the left
    me = page.locator(".cza-msg.cza-citizen").last.bounding_box()
    bot = page.locator(".cza-msg.cza-bot").last.bounding_box()
    assert bot["x"] + bot["width"] > me["x"] + me["width"]

    # click a suggested button: the FAQ answer it points to comes back
    chip = button("faq_nationality")["title"]
    page.get_by_role("button", name=chip).click()
    bot_reply(page, first_line("nationality_exceptions"))

    # reload: the same conversation is shown again
    page.reload()
    page.wait_for_function(
        "document.querySelector('.cza-status').textContent === 'متصل'", timeout=30_000
    )
    bot_reply(page, first_line("nationality_exceptions"), timeout=15_000)
    texts = page.locator(".cza-msg .cza-text").all_inner_texts()
    assert texts[0] == "وش شروط حساب المواطن؟"
    assert chip in texts
    assert any(first_line("eligibility_conditions") in t for t in texts)

    # scroll the first answer into view for the picture
    page.locator(".cza-msg.cza-citizen").first.scroll_into_view_if_needed()
    (ROOT / "results" / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ROOT / "results" / "screenshots" / "widget.png"))
    page.close()
