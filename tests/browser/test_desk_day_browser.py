"""The desk for a full working day, in headless Chromium at 1366x768, with a citizen in
the widget on a phone in another browser context (tests/browser/conftest.py's stack:
real desk, real handoff state, a scripted stand-in for Rasa).

An agent signs in with the keyboard alone, hears of a new conversation at once (title
count, browser notification, sound), sees the citizen's messages live (pushed: they show
while the page's timers, its polling among them, stand still),
types (the citizen sees it), writes an internal note (the citizen never sees it), labels
the conversation, transfers it to a colleague (the citizen sees the new name), finds it
again in the history after it was handed back, by number, label and masked ID. Every
page passes axe-core (WCAG 2.1 A/AA) with no serious or critical violation. Saves
results/screenshots/desk.png and widget-with-agent.png (docs/ has copies for the README and docs/desk.md).
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bot.services import handoff
from bot.services.desk import accounts as desk_auth
from bot.store import conversations
from channels.web.session import verify_session
from tests.browser.axe import describe, serious_violations
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ONLINE = "document.querySelector('.cza-status').textContent === 'متصل'"
# Browser notifications recorded instead of shown (headless Chromium has no tray).
FAKE_NOTIFICATIONS = """
window.__notes = [];
class FakeNotification {
  constructor(title, options) { window.__notes.push({title, body: (options || {}).body}); }
  close() {}
  static requestPermission() { return Promise.resolve('granted'); }
}
FakeNotification.permission = 'granted';
window.Notification = FakeNotification;
"""


def stop_timers(page) -> None:
    """Stand the page's clock still (Playwright's fake timers, installed before the page
    loaded): no setTimeout or setInterval of the page fires, so its polling cannot bring
    anything until `page.clock.resume()`. What shows meanwhile was pushed.

    The page's clock runs between reading it and pausing it, and Playwright refuses to
    pause in the past: on a busy machine, read it again and retry."""
    from playwright.sync_api import Error

    for _ in range(20):
        try:
            page.clock.pause_at(page.evaluate("Date.now()") / 1000)  # seconds, in Python
            return
        except Error as error:
            if "to the past" not in str(error):
                raise
    raise AssertionError("the page's clock could not be paused")


def audit(page, where: str) -> None:
    found = serious_violations(page)
    assert not found, f"{where}: {describe(found)}"


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until `selector` has the focus: it is reachable with the keyboard."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} not reachable with Tab")


def say(page, text: str) -> None:
    box = page.get_by_label("اكتب رسالتك")
    box.fill(text)
    box.press("Enter")


@pytest.fixture(scope="module")
def colleague(desk_stack):
    username = "khalid_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "خالد")
    return username


def signed_in_desk(browser, url, username):
    """A desk page in a fresh browser, signed in (bypass_csp: only so a test can inject
    axe-core)."""
    desk = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="ar-SA", bypass_csp=True
    ).new_page()
    desk.set_default_timeout(15_000)
    desk.goto(f"{url}/desk/login")
    desk.fill("#username", username)
    desk.fill("#password", PASSWORD)
    desk.click("#login-submit")
    desk.wait_for_url(f"{url}/desk/")
    return desk


def test_a_working_day_on_the_desk(desk_stack, browser, colleague):
    st = desk_stack
    # bypass_csp: only so the test can inject axe-core; the desk itself allows no inline script
    desk_ctx = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="ar-SA",
        timezone_id="Asia/Riyadh",
        bypass_csp=True,
    )
    desk_ctx.add_init_script(FAKE_NOTIFICATIONS)
    desk = desk_ctx.new_page()
    desk.set_default_timeout(15_000)
    desk.on("dialog", lambda d: d.accept())
    desk.clock.install()  # runs as usual until stop_timers

    # Sign in with the keyboard alone; the sign-in page passes the audit.
    desk.goto(f"{st.url}/desk/")
    assert desk.url.endswith("/desk/login")
    audit(desk, "sign-in")
    tab_to(desk, "#username")
    desk.keyboard.type(st.agent_username)
    desk.keyboard.press("Tab")
    desk.keyboard.type(PASSWORD)
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"{st.url}/desk/")
    desk.locator("#me", has_text="نورة").wait_for()
    desk.locator("#live.ok").wait_for()  # the live stream is connected
    assert desk.locator("link[rel=icon]").get_attribute("href") == "/desk/static/favicon.svg"
    assert desk.request.get(f"{st.url}/desk/static/favicon.svg").ok
    audit(desk, "empty queue")
    desk.check("#opt-sound")
    beeps = int(desk.evaluate("document.body.dataset.beeps || 0"))

    # A citizen in the widget is escalated (as the bot does) while in the pre-check.
    citizen = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="ar-SA",
        timezone_id="Asia/Riyadh",
        is_mobile=True,
        has_touch=True,
    ).new_page()
    citizen.set_default_timeout(15_000)
    citizen.goto(f"{st.url}/chat")
    citizen.wait_for_function(ONLINE)
    say(citizen, "ابي اكلم موظف")
    citizen.locator(".cza-msg.cza-bot").first.wait_for()
    cid = "web:" + verify_session(citizen.evaluate("localStorage.getItem('cza.session.v1')"))
    stop_timers(desk)
    h = handoff.escalate(cid, "requested", detail="form:eligibility_form")
    item = desk.locator(f".queue-item[data-id='{h.id}']")
    item.wait_for()  # pushed: the page's polling stands still
    desk.clock.resume()

    # The alerts: a count in the title, a browser notification, the sound.
    desk.wait_for_function("document.title.startsWith('(1) ')")
    desk.wait_for_function("window.__notes.length === 1")
    assert desk.evaluate("window.__notes[0].title") == "محادثة جديدة بانتظار موظف"
    assert int(desk.evaluate("document.body.dataset.beeps || 0")) == beeps + 1
    # The queue shows a preview of the last message, right to left or not as it reads.
    assert "ابي اكلم موظف" in item.locator(".preview").inner_text()
    assert item.locator(".preview bdi").get_attribute("dir") == "auto"

    # Open it and claim it with the keyboard.
    tab_to(desk, f".queue-item[data-id='{h.id}'] .queue-open")
    desk.keyboard.press("Enter")
    desk.locator("#transcript .msg.from-citizen", has_text="ابي اكلم موظف").wait_for()
    meta = desk.locator("#conv-meta").inner_text()
    assert "أثناء التحقق المبدئي من الأهلية" in meta and "form:" not in meta
    tab_to(desk, "#btn-claim")
    desk.keyboard.press("Enter")
    citizen.wait_for_function("document.querySelector('.cza-title').textContent === 'نورة'")
    desk.locator(f".queue-item[data-id='{h.id}'][data-state='agent']").wait_for()
    expect(desk.locator("#conv-meta")).to_contain_text("معك")
    assert "معك" in item.inner_text() and "مع أنت" not in item.inner_text()
    desk.wait_for_function("document.title === 'مكتب خدمة العملاء · حساب المواطن'")

    # At 1366x768 the actions stay on one row and the transcript keeps two thirds.
    tops = desk.evaluate(
        "[...document.querySelectorAll('.actions button')].filter(b => b.offsetParent)"
        ".map(b => Math.round(b.getBoundingClientRect().top))"
    )
    assert len(tops) >= 5 and len(set(tops)) == 1, tops
    height = desk.evaluate("document.querySelector('#transcript').getBoundingClientRect().height")
    assert height >= 768 * 2 / 3, height

    # The citizen's message appears live (pushed, while the desk's polling stands still),
    # with no "new" badge on the conversation the agent has open.
    stop_timers(desk)
    say(citizen, "رقم الآيبان حقي SA0380000000608010167519 وايميلي a.b@example.com")
    desk.locator("#transcript .msg.from-citizen", has_text="example.com").wait_for()
    desk.clock.resume()
    text = desk.locator("#transcript .msg.from-citizen .text").last
    assert text.get_attribute("dir") == "auto"
    assert "SA0380000000608010167519" not in text.inner_text()  # masked for staff
    desk.wait_for_timeout(300)
    assert item.locator(".dot").count() == 0

    # The agent types: the citizen sees her name typing, then her message.
    tab_to(desk, "#reply")
    desk.keyboard.type("هلا والله")
    typing = citizen.locator(".cza-typing")
    typing.wait_for(state="visible")
    assert "نورة" in typing.inner_text()
    desk.keyboard.type("، أبشر")
    desk.keyboard.press("Control+Enter")
    citizen.locator(".cza-msg.cza-agent", has_text="أبشر").wait_for()
    typing.wait_for(state="hidden")
    desk.keyboard.type("راجعت ملفك")
    typing.wait_for(state="visible")
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    citizen.screenshot(path=str(shots / "widget-with-agent.png"))  # docs/ has a copy
    desk.fill("#reply", "")

    # An internal note: on the desk only, never in the widget or the transcript.
    desk.check("input[name=mode][value=note]")
    desk.fill("#reply", "راجعت الملف: الدفعة موقوفة لتحديث البيانات")
    desk.keyboard.press("Control+Enter")
    desk.locator("#transcript .msg.note", has_text="راجعت الملف").wait_for()
    desk.check("input[name=mode][value=reply]")
    citizen.wait_for_timeout(800)
    assert citizen.locator(".cza-msg", has_text="راجعت الملف").count() == 0
    assert all("راجعت الملف" not in m["text"] for m in conversations.transcript(cid))
    citizen.reload()
    citizen.wait_for_function(ONLINE)
    citizen.locator(".cza-msg.cza-agent", has_text="أبشر").wait_for()
    assert citizen.locator(".cza-msg", has_text="راجعت الملف").count() == 0

    # A label, then the picture and the audit of the conversation view.
    desk.fill("#label-input", "الدفعات")
    desk.keyboard.press("Enter")
    desk.locator("#labels .tag", has_text="الدفعات").wait_for()
    item.locator(".tag", has_text="الدفعات").wait_for()
    audit(desk, "conversation")
    waiting = waiting_conversations()
    for w in waiting:
        desk.locator(f".queue-item[data-id='{w.id}']").wait_for()
    desk.wait_for_function("document.title.startsWith('(2) ')")
    desk.locator("#toast.hidden").wait_for(state="attached", timeout=8000)
    desk.screenshot(path=str(shots / "desk.png"))

    # Transfer to a colleague: the citizen's header names him, the desk says so.
    desk.click("#btn-transfer")
    desk.locator("#transfer-dialog").wait_for()
    audit(desk, "transfer dialog")
    desk.select_option("#transfer-to", colleague)
    desk.click("#transfer-submit")
    citizen.locator(".cza-msg.cza-system", has_text="حوّلت محادثتك إلى خالد").wait_for()
    citizen.wait_for_function("document.querySelector('.cza-title').textContent === 'خالد'")
    desk.locator(f".queue-item[data-id='{h.id}'] .state", has_text="مع خالد").wait_for()
    assert handoff.get(h.id).claimed_by == colleague
    assert desk.locator("#btn-send").is_disabled()

    # The colleague hands it back to the bot: it leaves the open list, stays in history.
    assert handoff.return_to_bot(h.id, colleague)
    item.wait_for(state="detached")
    desk.click(".filter[data-filter='closed']")
    item.wait_for()
    assert item.get_attribute("data-state") == "bot"
    # ...and is found by its number, its label, or the masked ID the desk shows.
    other = handoff.escalate(
        f"telegram:{uuid.uuid4().int % 10**9}",
        "support_stopped",
        snapshot={"ticket_national_id": "1012345678"},
    )
    handoff.close(other.id, colleague)
    desk.click(".filter[data-filter='all']")
    for query, expected in ((f"#{h.id}", h.id), ("الدفعات", h.id), ("1•••••••78", other.id)):
        desk.fill("#search-q", query)
        desk.keyboard.press("Enter")
        desk.wait_for_function(
            f"[...document.querySelectorAll('.queue-item')].map(e => +e.dataset.id)"
            f".join() === '{expected}'"
        )
    desk.fill("#search-q", "")
    desk.click("summary")
    desk.select_option("#search-agent", colleague)
    desk.keyboard.press("Enter")
    desk.click("#search button[type=submit]")
    desk.wait_for_function("document.querySelectorAll('.queue-item').length === 2")
    audit(desk, "history")
    for w in waiting:
        handoff.close(w.id, colleague)
    citizen.close()
    desk.close()


def waiting_conversations():
    """Two more citizens waiting (WhatsApp, Telegram), so the queue looks like a real one."""
    wa = "whatsapp:9665" + str(uuid.uuid4().int % 10**8).zfill(8)
    tg = f"telegram:{uuid.uuid4().int % 10**9}"
    conversations.record_inbound(wa, "whatsapp", wa.split(":")[1], "ما فهمت عليك، ابي احد يساعدني")
    conversations.record_inbound(tg, "telegram", tg.split(":")[1], "الدعم وقف عني من شهرين")
    return [handoff.escalate(wa, "fallback"), handoff.escalate(tg, "support_stopped")]


def test_an_agent_changes_the_status_of_the_conversations_ticket(desk_stack, browser, colleague):
    from sqlalchemy import select

    from bot.services.notifications import texts
    from bot.services.tickets import records as tickets
    from bot.store import session_scope
    from bot.store.notifications import Notification
    from tests.support.desk import valid_id

    st = desk_stack
    desk_auth.set_supervisor(st.agent_username, False)
    cid, other_cid = (f"telegram:{uuid.uuid4().int % 10**9}" for _ in range(2))
    made = []
    for c in (cid, other_cid):
        conversations.record_inbound(c, "telegram", c.split(":")[1], "عندي بلاغ مفتوح")
        view, _ = tickets.create_ticket(
            valid_id(), "0551234567", "payment", "الدفعة ما نزلت", uuid.uuid4().hex, c
        )
        made.append(view.number)
    number, other_number = made
    h = handoff.escalate(cid, "support_stopped")

    desk = signed_in_desk(browser, st.url, st.agent_username)
    desk.locator(f".queue-item[data-id='{h.id}'] .queue-open").click()
    desk.click("#btn-claim")
    # The claim's own toast first: the queue can show the claim (pushed) before the claim's
    # answer arrives, and that toast would then replace the one this test waits for below.
    desk.locator("#toast", has_text="استلمت المحادثة").wait_for()
    desk.locator(f".queue-item[data-id='{h.id}'][data-state='agent']").wait_for()
    ticket = desk.locator(f"#tickets .ticket[data-number='{number}']")
    expect(ticket.locator(".status")).to_have_text("مفتوح")

    # A ticket of someone else's conversation cannot be opened by its number.
    desk.fill("#ticket-lookup-number", other_number)
    desk.keyboard.press("Enter")
    desk.locator("#toast", has_text="ما لقينا").wait_for()
    expect(desk.locator("#status-dialog")).to_be_hidden()

    # The dialog: current status, the back office's statuses, a note for staff only.
    ticket.locator(".change-status").click()
    desk.locator("#status-dialog").wait_for()
    expect(desk.locator("#status-current")).to_contain_text("مفتوح")
    assert desk.locator("#status-select option").all_inner_texts() == [
        "مفتوح",
        "قيد المعالجة",
        "تم الحل",
        "مغلق",
    ]
    audit(desk, "ticket status dialog")
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    desk.screenshot(path=str(shots / "desk-ticket-status.png"))
    desk.select_option("#status-select", "in_progress")
    desk.fill("#status-note", "راجعت الدفعة مع المالية")
    desk.click("#status-submit")
    desk.locator("#toast", has_text="بيوصل المواطن إشعار").wait_for()
    expect(ticket.locator(".status")).to_have_text("قيد المعالجة")
    ticket.locator("summary").click()
    expect(ticket.locator(".history .staff-note")).to_contain_text("راجعت الدفعة")
    audit(desk, "conversation with its ticket")

    assert tickets.get_ticket(number).status == "in_progress"
    assert tickets.get_ticket(other_number).status == "open"
    with session_scope() as s:
        bodies = list(
            s.execute(
                select(Notification.body).where(Notification.subject_number == number)
            ).scalars()
        )
    assert bodies == [texts.ticket_text(number, "in_progress")]
    handoff.close(h.id, st.agent_username)
    desk.close()


def test_a_supervisor_unlocks_a_colleague_from_the_desk(desk_stack, browser, colleague):
    import httpx

    st = desk_stack
    desk_auth.set_supervisor(st.agent_username, True)
    # Someone guesses the colleague's password from this address until it must wait.
    guesser = httpx.Client(base_url=st.url, headers={"Origin": st.url}, timeout=20)

    def guess() -> int:
        page = guesser.get("/desk/login").text
        start = page.index('name="csrf" value="') + len('name="csrf" value="')
        token = page[start : page.index('"', start)]
        form = {"csrf": token, "username": colleague, "password": "wrong password!!"}
        return guesser.post("/desk/login", data=form).status_code

    assert [guess() for _ in range(5)] == [401] * 5
    for wait in (1.1, 2.1):  # wait as told, fail again: the delays grow
        time.sleep(wait)
        assert guess() == 401

    him = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ar-SA")
    page = him.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{st.url}/desk/login")
    page.fill("#username", colleague)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    assert "انتظر" in page.locator("#login-error").inner_text()

    # The supervisor unlocks him from her desk, with the keyboard.
    sup = signed_in_desk(browser, st.url, st.agent_username)
    tab_to(sup, "#btn-unlock")
    sup.keyboard.press("Enter")
    sup.locator("#unlock-dialog").wait_for()
    audit(sup, "unlock dialog")
    sup.select_option("#unlock-who", colleague)
    sup.click("#unlock-submit")
    sup.locator("#toast", has_text="فُك قفل").wait_for()

    page.fill("#username", colleague)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{st.url}/desk/")
    page.locator("#me", has_text="خالد").wait_for()
    assert page.locator("#btn-unlock").is_hidden()  # he is no supervisor
    him.close()
    sup.close()
