"""Content owned by the program's staff, end to end in headless Chromium against the real
assistant (trained model, Rasa server, action server): an editor changes the 19912 line
and an answer's wording in the console, a broken edit is refused with its reason, the
editor cannot approve; an approver approves and publishes; a citizen's widget that was
already open gets the new text on its next question, within 5 seconds of the publish,
with no restart. Then a rollback puts the old number back. Saves
results/screenshots/console-content.png."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from bot.content import fill, seed
from bot.services.desk import accounts as desk_auth
from tests.browser.axe import describe, serious_violations

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser content password"
NEW_NUMBER = "19913"
NEW_FIRST_LINE = "تقدر تتواصل مع حساب المواطن عن طريق:"
NEW_FIRST_LINE_EN = "You can reach Citizen Account through:"
QUESTION = "عطني رقم خدمة العملاء الموحد"
TIMEOUT = 30_000


def staff(role_rights):
    name = f"{role_rights}_{uuid.uuid4().hex[:6]}"
    desk_auth.create_agent(name, PASSWORD, name, role="supervisor")
    desk_auth.set_content_rights(
        name, editor=role_rights == "editor", approver=role_rights == "approver"
    )
    return name


def sign_in(page, server, username):
    page.goto(f"{server}/desk/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{server}/desk/")
    page.goto(f"{server}/desk/console/")
    page.get_by_text("المحتوى: الإجابات والحقائق والرسائل").click()
    page.locator("#content-list tr").first.wait_for(timeout=TIMEOUT)


def open_item(page, query, key):
    page.fill("#content-q", query)
    row = page.locator(f'#content-list tr[data-key="{key}"]')
    row.wait_for(timeout=TIMEOUT)
    row.get_by_role("button").click()
    page.locator("#content-dialog[open]").wait_for(timeout=TIMEOUT)
    assert page.locator("#content-key").inner_text() == key


# The reply to the citizen's latest message: the bot's message after the last one of
# theirs (the widget's welcome bubble goes once the conversation starts).
LAST_REPLY = """() => {
  const all = [...document.querySelectorAll('.cza-msg')];
  const mine = all.filter((m) => m.classList.contains('cza-citizen')).length;
  const last = all[all.length - 1];
  return mine >= %d && last && last.classList.contains('cza-bot')
    ? last.querySelector('.cza-text').innerText : null;
}"""


def ask(page, text):
    asked = page.locator(".cza-msg.cza-citizen").count() + 1
    box = page.get_by_label("اكتب رسالتك")
    box.fill(text)
    box.press("Enter")
    return page.wait_for_function(LAST_REPLY % asked, timeout=60_000).json_value()


def test_an_editor_changes_a_fact_and_an_answer_an_approver_publishes_citizens_see_it(
    rasa_server, browser
):
    editor, approver = staff("editor"), staff("approver")
    old_first_line = fill(seed("faq.yml")["contact_channels"]["text"]).splitlines()[0]

    citizen = browser.new_page(viewport={"width": 1000, "height": 760}, locale="ar-SA")
    citizen.goto(f"{rasa_server}/chat")
    citizen.wait_for_function(
        "document.querySelector('.cza-status').textContent === 'متصل'", timeout=TIMEOUT
    )
    first = ask(citizen, QUESTION)
    assert "19912" in first and first.startswith(old_first_line)

    # The editor: the 19912 fact, then the answer's wording (Arabic and English).
    ed = browser.new_context(locale="ar-SA").new_page()
    sign_in(ed, rasa_server, editor)
    assert ed.evaluate("document.documentElement.dir") == "rtl"
    open_item(ed, "19912", "program.contact.unified_number")
    assert ed.locator("#content-en").is_hidden()  # a number is the same in both languages
    ed.fill("#content-ar", NEW_NUMBER)
    ed.click("#content-save")
    ed.locator("#content-dialog[open]").wait_for(state="detached", timeout=TIMEOUT)

    open_item(ed, "قنوات التواصل", "faq.contact_channels")
    # A bad attempt: the number typed where its fact placeholder belongs is refused.
    typed = ed.input_value("#content-ar").replace("{contact.unified_number}", "19912")
    ed.fill("#content-ar", typed)
    ed.click("#content-save")
    ed.locator("#content-problems .error", has_text="{contact.unified_number}").wait_for(
        timeout=TIMEOUT
    )
    arabic = ed.input_value("#content-ar").replace("19912", "{contact.unified_number}")
    arabic = arabic.replace(old_first_line, NEW_FIRST_LINE)
    english = ed.input_value("#content-en").replace(
        "Ways to contact Citizen Account:", NEW_FIRST_LINE_EN
    )
    ed.fill("#content-ar", arabic)
    ed.fill("#content-en", english)
    ed.click("#content-check")  # the preview per channel shows the new first line
    ed.locator("#content-preview .phone", has_text=NEW_FIRST_LINE).first.wait_for(timeout=TIMEOUT)
    assert ed.locator("#content-preview .phone").count() == 6  # 3 channels x 2 languages
    ed.click("#content-save")
    ed.locator("#content-dialog[open]").wait_for(state="detached", timeout=TIMEOUT)
    ed.locator("#content-changes li[data-change]").nth(1).wait_for(timeout=TIMEOUT)
    assert ed.locator("#content-changes button", has_text="اعتمد").count() == 0  # not hers
    assert ed.locator("#content-publish").is_hidden()

    # Nothing reaches citizens before approval.
    assert "19912" in ask(citizen, QUESTION)

    # The approver approves both and publishes.
    # bypass_csp: axe is injected as an inline script (tests/browser/axe.py).
    ap = browser.new_context(locale="ar-SA", bypass_csp=True).new_page()
    sign_in(ap, rasa_server, approver)
    approve = ap.locator("#content-changes button", has_text="اعتمد")
    approve.nth(1).wait_for(timeout=TIMEOUT)
    for left in (1, 0):
        approve.first.click()
        ap.wait_for_function(
            "n => [...document.querySelectorAll('#content-changes button')]"
            ".filter(b => b.textContent === 'اعتمد').length === n",
            arg=left,
            timeout=TIMEOUT,
        )
    ap.locator("#content-publish").wait_for(state="visible", timeout=TIMEOUT)
    ap.click("#content-publish")
    published = time.monotonic()
    ap.locator("#content-publish-status", has_text="نُشر الإصدار").wait_for(timeout=TIMEOUT)

    # The citizen's open widget: the next answer has the new number and wording.
    deadline = published + 5
    while True:
        answer = ask(citizen, QUESTION)
        if NEW_NUMBER in answer:
            break
        assert time.monotonic() < deadline, answer
        citizen.wait_for_timeout(500)
    seen_after = time.monotonic() - published
    assert seen_after <= 5, seen_after
    assert answer.startswith(NEW_FIRST_LINE) and "19912" not in answer
    print(
        f"\napproval to the citizen's widget: {seen_after:.2f} s (includes the assistant's reply)"
    )

    # History with a diff, and a rollback of the number by the approver.
    (ROOT / "results" / "screenshots").mkdir(parents=True, exist_ok=True)
    open_item(ap, NEW_NUMBER, "program.contact.unified_number")
    ap.locator("#content-history .diff ins", has_text=NEW_NUMBER).wait_for(timeout=TIMEOUT)
    ap.screenshot(path=str(ROOT / "results" / "screenshots" / "console-content.png"))
    problems = serious_violations(ap, include="#content-dialog")
    assert not problems, describe(problems)
    ap.click("#content-close")
    problems = serious_violations(ap, include="#content")
    assert not problems, describe(problems)
    open_item(ap, NEW_NUMBER, "program.contact.unified_number")
    ap.once("dialog", lambda d: d.accept())
    ap.get_by_role("button", name="رجّع هذا العنصر لهذي النسخة").click()
    ap.locator("#content-publish-status", has_text="استرجاع").wait_for(timeout=TIMEOUT)
    back = ask(citizen, QUESTION)
    assert "19912" in back and back.startswith(NEW_FIRST_LINE)  # the wording stays
    for p in (citizen, ed, ap):
        p.close()
