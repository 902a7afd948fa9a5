"""The console's new-question form in headless Chromium against the real server: an
editor's new question with too few phrasings is refused with the reason, sent again
whole it waits for approval and she cannot approve it herself; an approver approves it.
(The retrain and the rollout behind the next buttons: tests/unit/test_training.py,
tests/prod/test_model_rollout.py, `make bench-rollout`.)"""

from __future__ import annotations

import pytest

from tests.browser.test_content_browser import ROOT, TIMEOUT, staff
from tests.unit.test_training import NEW_FAQ

pytestmark = pytest.mark.browser


def open_panel(page, server, username):
    page.goto(f"{server}/desk/login")
    page.fill("#username", username)
    page.fill("#password", "browser content password")
    page.click("#login-submit")
    page.wait_for_url(f"{server}/desk/")
    page.goto(f"{server}/desk/console/")
    page.get_by_text("أسئلة جديدة وتدريب النموذج").click()


def fill_form(page, examples):
    page.click("#training-new")
    page.locator("#training-dialog[open]").wait_for(timeout=TIMEOUT)
    page.fill("#training-key", NEW_FAQ["key"])
    for lang in ("ar", "en"):
        page.fill(f"#training-title-{lang}", NEW_FAQ["title"][lang])
        page.fill(f"#training-answer-{lang}", NEW_FAQ["answer"][lang])
    page.fill("#training-examples", "\n".join(examples))


def test_an_editor_proposes_a_new_question_and_an_approver_approves_it(rasa_server, browser):
    editor, approver = staff("editor"), staff("approver")
    ed = browser.new_context(locale="ar-SA").new_page()
    open_panel(ed, rasa_server, editor)
    ed.locator("#training-new").wait_for(timeout=TIMEOUT)

    fill_form(ed, NEW_FAQ["examples"][:4])
    ed.click("#training-check")
    ed.locator("#training-problems .error", has_text="المطلوب 10").wait_for(timeout=TIMEOUT)
    ed.click("#training-save")  # refused the same way: the dialog stays open
    assert ed.locator("#training-dialog[open]").count() == 1

    ed.fill("#training-examples", "\n".join(NEW_FAQ["examples"]))
    ed.click("#training-save")
    ed.locator("#training-dialog[open]").wait_for(state="detached", timeout=TIMEOUT)
    mine = ed.locator("#training-changes li", has_text=NEW_FAQ["title"]["ar"])
    mine.wait_for(timeout=TIMEOUT)
    assert "ينتظر الاعتماد" in mine.inner_text()
    assert mine.get_by_role("button", name="اعتمد").count() == 0  # not her own

    ap = browser.new_context(locale="ar-SA").new_page()
    open_panel(ap, rasa_server, approver)
    theirs = ap.locator("#training-changes li", has_text=NEW_FAQ["title"]["ar"])
    theirs.get_by_role("button", name="اعتمد").click()
    ap.locator("#training-changes li", has_text="معتمد").wait_for(timeout=TIMEOUT)
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    ap.screenshot(path=str(shots / "console-training.png"), full_page=True)
