"""The widget on a phone with the real assistant (headless Chromium, 390x844).

A citizen asks a question whose long answer fills the list, then starts the eligibility
pre-check: its first question comes with yes/no buttons under it, and must be fully
visible above them, not cut off. The open widget, with messages and buttons, must pass
an axe-core audit (WCAG 2.1 A/AA) with no serious or critical violation.
"""

from __future__ import annotations

import pytest

from tests.browser.axe import describe, serious_violations

pytestmark = pytest.mark.browser
ONLINE = "document.querySelector('.cza-status').textContent === 'متصل'"
FIRST_QUESTION = "أول سؤال: أنت سعودي الجنسية؟"
LAST_IN_LOG = """() => {
  const log = document.querySelector('.cza-log').getBoundingClientRect();
  const msgs = document.querySelectorAll('.cza-log .cza-msg');
  const last = msgs[msgs.length - 1].getBoundingClientRect();
  return {logTop: log.top, logBottom: log.bottom, top: last.top, bottom: last.bottom,
          text: msgs[msgs.length - 1].textContent};
}"""


def say(page, text: str) -> None:
    box = page.get_by_label("اكتب رسالتك")
    box.fill(text)
    box.press("Enter")


def test_the_form_question_is_not_hidden_under_its_buttons(rasa_server, browser):
    page = browser.new_page(
        viewport={"width": 390, "height": 844}, locale="ar-SA", is_mobile=True, has_touch=True
    )
    page.set_default_timeout(60_000)
    page.goto(f"{rasa_server}/chat")
    page.wait_for_function(ONLINE, timeout=30_000)

    say(page, "وش شروط حساب المواطن؟")
    page.locator(".cza-msg.cza-bot", has_text="الأهلية").last.wait_for()
    page.locator(".cza-chip").first.wait_for()
    say(page, "ابي اعرف اذا انا مستحق")
    page.locator(".cza-msg.cza-bot", has_text=FIRST_QUESTION).wait_for()
    page.locator(".cza-chip").first.wait_for()
    page.wait_for_function(
        f"({LAST_IN_LOG})().bottom <= ({LAST_IN_LOG})().logBottom + 0.5", timeout=3000
    )

    box = page.evaluate(LAST_IN_LOG)
    assert FIRST_QUESTION in box["text"]
    assert box["top"] >= box["logTop"] - 0.5 and box["bottom"] <= box["logBottom"] + 0.5, box
    chips = page.locator(".cza-chip")
    assert chips.count() >= 2 and all(c.is_visible() for c in chips.all())
    assert page.evaluate(
        "(() => { const l = document.querySelector('.cza-log');"
        " return l.scrollHeight > l.clientHeight; })()"
    )

    found = serious_violations(page)
    assert not found, describe(found)

    # answering with a button goes on to the next question, again in view
    chips.first.click()
    page.locator(".cza-msg.cza-bot", has_text="كم عمرك").wait_for()
    page.wait_for_function(
        f"({LAST_IN_LOG})().bottom <= ({LAST_IN_LOG})().logBottom + 0.5", timeout=3000
    )
    page.close()
