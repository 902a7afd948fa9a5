"""The supervisors' console in headless Chromium: a supervisor signs in, sees the numbers,
charts and tables for a period, labels a message from the review queue, and the page
passes axe (no serious or critical violations). An agent gets the "supervisors only"
page. Saves results/screenshots/console.png (docs/console.png is a copy of it).

The console needs only the database, so the server here is a Sanic app with the desk's
and the console's blueprints (as Rasa registers them), without a model.
"""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.services.desk import accounts as desk_auth
from bot.store import turns
from bot.tools.services import free_port
from tests.browser.axe import describe, serious_violations
from tests.support import console as fixtures
from tests.support.browser import LEFT_OF

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "browser console password"
TIMEOUT = 30_000


def recent_traffic(today: int, days: int = 14, seed: int = 3) -> None:
    """A fortnight of plausible turns ending today, so the default period has a chart."""
    rng = random.Random(seed)
    intents = ["faq/eligibility_conditions", "faq/registration_steps", "greet",
               "faq/password_recovery", "check_eligibility", "open_ticket", "nlu_fallback"]  # fmt: skip
    from bot.store import session_scope
    from bot.store.csat import CsatRating

    for d in range(days):
        day = today - days + 1 + d
        for c in range(rng.randrange(8, 20)):
            channel = rng.choice(["whatsapp", "whatsapp", "web", "telegram"])
            cid = f"{channel}:demo{day}-{c}"
            ts = turns.day_start_ts(day) + rng.randrange(8 * 3600, 20 * 3600)
            for i in range(rng.randrange(1, 4)):
                intent = rng.choice(intents)
                turns.record_turn(cid, channel, rng.randrange(150, 900), at=ts + 40 * i, facts={
                    "intent": intent, "confidence": rng.uniform(0.3, 0.95),
                    "fallback": intent == "nlu_fallback", "text": "وش شروط الاستحقاق؟",
                })  # fmt: skip
            if rng.random() < 0.3:
                with session_scope() as s:
                    s.add(CsatRating(conversation_id=cid, channel=channel, day=day,
                                     asked_at=datetime.fromtimestamp(ts + 100, timezone.utc),
                                     finished="ticket", score=rng.choice([3, 4, 5, 5, 2]),
                                     state="rated"))  # fmt: skip


@pytest.fixture(scope="module")
def console_server(tmp_path_factory):
    import os

    from rasa.core.channels.channel import register
    from sanic import Sanic

    from bot.services.console import rollup as console_rollup
    from bot.store import reset_engine
    from bot.store.migrate import upgrade
    from channels.console import SupervisorConsole, views
    from channels.desk import AgentDesk

    # One moment for the whole module: the traffic's "today", the console's default period
    # and its rollup agree even when Riyadh's midnight (21:00 UTC) falls during the run.
    now = datetime.now(timezone.utc)
    clock = pytest.MonkeyPatch()
    clock.setattr(console_rollup, "utcnow", lambda: now)
    clock.setattr(views, "today", lambda at=None: turns.riyadh_day(at or now))

    tmp = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{tmp / 'app.db'}"
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    reset_engine()
    upgrade(url)
    fixtures.load()
    recent_traffic(turns.day_of(now.timestamp()))
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    port = free_port()

    async def boot():
        Sanic.test_mode = True
        app = Sanic(f"console_browser_{uuid.uuid4().hex[:6]}")
        register([AgentDesk(), SupervisorConsole()], app, "/webhooks/")
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        await server.startup()
        await server.start_serving()
        return server

    server = asyncio.run_coroutine_threadsafe(boot(), loop).result(30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        clock.undo()
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
        reset_engine()


def wait_js(page, expression, timeout=TIMEOUT / 1000):
    """Poll an expression (the console's CSP forbids the string eval wait_for_function uses)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, expression
        page.wait_for_timeout(100)


def sign_in(page, server, username):
    page.goto(f"{server}/console")
    assert page.url.endswith("/desk/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{server}/desk/")
    page.goto(f"{server}/desk/console/")


def test_an_agent_sees_only_the_supervisors_only_page(console_server, browser):
    username = "agent_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "سارة")
    page = browser.new_context(locale="ar-SA").new_page()
    page.set_default_timeout(TIMEOUT)
    sign_in(page, console_server, username)
    assert "للمشرفين فقط" in page.locator("h1").inner_text()


def test_a_supervisor_reads_the_console_and_labels_a_message(console_server, browser):
    username = "super_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "هدى", role="supervisor")
    # bypass_csp: axe is injected as an inline script, which the console's CSP (checked in
    # tests/console/test_console_http.py) rightly refuses.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="ar-SA", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, console_server, username)
    page.locator("#me", has_text="هدى").wait_for()
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    wait_js(page, "document.getElementById('k-conversations').textContent !== '–'")
    wait_js(page, "Chart.getChart('chart-volume') !== undefined")
    assert page.evaluate("Chart.getChart('chart-volume').data.labels.length") >= 10
    page.locator("[data-table='latency'] table").wait_for()
    page.wait_for_timeout(300)
    shots = ROOT / "results" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "console.png"))
    problems = serious_violations(page)
    assert not problems, describe(problems)

    # The fixture period: exactly the hand-worked numbers.
    page.fill("#from", "2026-11-10")
    page.fill("#to", "2026-11-11")
    page.click("#filters button[type=submit]")
    page.locator("#k-contained", has_text="50").wait_for()
    assert page.locator("#k-conversations").inner_text() == "6"
    assert "10••••••78" in page.locator("[data-table='fallbacks']").inner_text()
    assert "1012345678" not in page.content()

    # Label the fallback from the review queue: right FAQ answer.
    item = page.locator("#review-list li", has_text="ابي فلوسي").first
    item.get_by_role("button").click()
    page.locator("#review-context .msg.citizen").first.wait_for()
    problems = serious_violations(page, include="#review-dialog")
    assert not problems, describe(problems)
    page.fill("#review-intent", "faq/eligibility_status")
    page.click("#review-save")
    page.locator("#review-dialog").wait_for(state="hidden")
    wait_js(
        page,
        "![...document.querySelectorAll('#review-list li')].some(li => li.textContent.includes('ابي فلوسي'))",
    )
    assert not errors, errors


def test_the_review_queue_speaks_arabic_and_prefills_only_what_the_server_takes(
    console_server, browser
):
    """A single fallback was badged "misunderstood twice" (the handoff reasons' word), the
    dialog pre-filled nlu_fallback (refused with 400) and a saved label read `ignore`."""
    username = "super_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "نورة", role="supervisor")
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ar-SA").new_page()
    page.set_default_timeout(TIMEOUT)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, console_server, username)
    # The first load (today's period) must land before the filtered one, or its list can
    # replace the filtered list when the machine is busy.
    wait_js(page, "document.getElementById('k-conversations').textContent !== '–'")
    page.fill("#from", "2026-11-10")
    page.fill("#to", "2026-11-11")
    page.click("#filters button[type=submit]")
    item = page.locator("#review-list li", has_text="؟؟").first
    item.wait_for()
    assert item.locator(".tag").all_inner_texts() == ["ما فهم"]
    assert item.locator(".text").get_attribute("dir") == "auto"

    item.get_by_role("button").click()
    page.locator("#review-context .msg").first.wait_for()
    assert page.input_value("#review-intent") == ""  # the prediction was nlu_fallback
    page.check('input[name="label"][value="ignore"]')
    page.click("#review-save")
    page.locator("#review-dialog").wait_for(state="hidden")
    page.check("#review-labelled")
    done = page.locator("#review-list li", has_text="؟؟").first
    done.locator(".tag", has_text="مصنّفة").wait_for()
    assert "مصنّفة: تجاهل" in done.inner_text() and "ignore" not in done.inner_text()
    assert not errors, errors


# What must never reach a supervisor's eyes: internal codes (elig_saudi, faq/…,
# agent_closed) and long fractions (0.8123456789).
CODES = r"/\b[a-z]+_[a-z_]+\b|\bfaq\/|\d\.\d{3,}/"


def supervisor_page(browser, server, width, height=900):
    username = "super_" + uuid.uuid4().hex[:6]
    desk_auth.create_agent(username, PASSWORD, "هدى", role="supervisor")
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="ar-SA", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    sign_in(page, server, username)
    page.locator("#me", has_text="هدى").wait_for()
    return page


@pytest.mark.parametrize("width", [1366, 390])
def test_the_console_reads_in_arabic_on_a_laptop_and_a_phone(console_server, browser, width):
    page = supervisor_page(browser, console_server, width)
    page.goto(f"{console_server}/desk/console/?from=2026-11-10&to=2026-11-11")
    page.locator("#k-contained", has_text="50").wait_for()
    page.locator("[data-table='compare'] table").wait_for()
    wait_js(page, "document.querySelectorAll('#review-list li button').length > 0")
    # Everything fits the width: the page never scrolls sideways (wide tables scroll
    # inside their panel).
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    drop = page.locator("[data-table='forms'][data-sub='drop_off']").inner_text()
    assert "العمر" in drop and "التحقق من الأهلية" in drop
    found = page.evaluate(
        f"[...document.querySelector('main').innerText.matchAll({CODES}g)].map(m => m[0])"
    )
    assert not found, found
    topics = page.locator("[data-table='topics'] tbody tr").all_inner_texts()
    assert topics[0].startswith("التحقق من الأهلية"), topics
    compare = page.locator("[data-table='compare']")
    assert "المحادثات" in compare.inner_text() and compare.locator("a.csv").count() == 1
    # The ratings chart: whole counts on the axis, Latin digits like the rest of the page.
    wait_js(page, "Chart.getChart('chart-csat') !== undefined")
    ticks = page.evaluate("Chart.getChart('chart-csat').scales.y.ticks.map(t => t.label)")
    assert ticks and all(t.isdigit() and t.isascii() for t in ticks), ticks
    labels = page.evaluate("Chart.getChart('chart-csat').data.labels")
    assert labels[0] == "1 سيئة" and labels[-1] == "5 ممتازة", labels
    # The latency card's numbers in the order of its label (p50 / p95), left to right.
    assert page.evaluate(LEFT_OF, ["#k-latency", "500", "1000"]) < 0
    # A masked number in a citizen's comment reads as written too (05••••••67).
    comment = "[data-table='satisfaction'][data-sub='comments'] tbody td:last-child"
    assert page.evaluate(LEFT_OF, [comment, "05", "67"]) < 0
    page.screenshot(
        path=str(ROOT / "results" / "screenshots" / f"console-{width}.png"), full_page=True
    )
    problems = serious_violations(page)
    assert not problems, describe(problems)
    page.context.close()


def test_the_period_is_checked_and_kept_in_the_address(console_server, browser):
    page = supervisor_page(browser, console_server, 1366)
    wait_js(page, "document.getElementById('k-conversations').textContent !== '–'")
    first = page.url
    # A period that ends before it starts: said so, nothing swapped, nothing loaded.
    page.fill("#from", "2026-11-11")
    page.fill("#to", "2026-11-10")
    page.click("#filters button[type=submit]")
    page.locator("#period-error", has_text="بعد تاريخ النهاية").wait_for()
    assert page.get_attribute("#from", "aria-invalid") == "true"
    assert page.input_value("#from") == "2026-11-11" and page.url == first
    # A good period and a channel go into the address; a reload and a shared link keep them.
    page.fill("#from", "2026-11-10")
    page.fill("#to", "2026-11-11")
    page.select_option("#channel", "web")
    page.click("#filters button[type=submit]")
    page.locator("#k-conversations", has_text="3").wait_for()
    assert page.locator("#period-error").inner_text() == ""
    assert page.url.endswith("?from=2026-11-10&to=2026-11-11&channel=web")
    for opened in (page, page.context.new_page()):
        opened.goto(page.url) if opened is not page else opened.reload()
        wait_js(opened, "document.getElementById('k-conversations').textContent === '3'")
        assert opened.input_value("#from") == "2026-11-10"
        assert opened.input_value("#channel") == "web"
        csv = opened.locator("[data-table='volume'] a.csv").get_attribute("href")
        assert "from=2026-11-10" in csv and "channel=web" in csv
    # Period B of the comparison too; back goes to the earlier period.
    page.fill("#from_b", "2026-11-01")
    page.fill("#to_b", "2026-11-02")
    page.click("#compare-form button[type=submit]")
    page.locator("#compare-periods", has_text="2026-11-01").wait_for()
    assert "from_b=2026-11-01&to_b=2026-11-02" in page.url
    page.go_back()
    wait_js(page, "document.getElementById('from_b').value === ''")
    assert page.url.endswith("?from=2026-11-10&to=2026-11-11&channel=web")
    page.go_back()  # the first period shown, not a loop of the same entry
    wait_js(page, "document.getElementById('channel').value === ''")
    assert page.url == first
    page.context.close()
