"""The widget in real headless Chromium when the conversation is in English: its own
labels switch to English, left to right, as soon as the assistant answers in English, and
stay English after a reload. The stand-in assistant (tests/support/channels.py) answers
in Arabic; here it answers an English greeting in English, as the assistant does."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
ONLINE_EN = "document.querySelector('.cza-status').textContent === 'Online'"
GREETING_EN = "Hello! I'm the Citizen Account assistant. What would you like to know?"


@pytest.fixture
def answers_english(fresh, monkeypatch):
    """The stand-in assistant, answering "hello ..." in English."""
    scripted = fresh.agent.handle_message

    async def handle_message(message):
        if (message.text or "").lower().startswith("hello"):
            fresh.agent.received.append({"sender": message.sender_id, "text": message.text})
            await message.output_channel.send_response(message.sender_id, {"text": GREETING_EN})
        else:
            await scripted(message)

    monkeypatch.setattr(fresh.agent, "handle_message", handle_message)
    return fresh


def direction(page, selector):
    return page.evaluate(f"getComputedStyle(document.querySelector('{selector}')).direction")


def test_the_widget_speaks_english_to_an_english_conversation(answers_english, browser):
    page = browser.new_page(viewport={"width": 1000, "height": 760}, locale="en-GB")
    page.goto(f"{answers_english.url}/chat")
    page.wait_for_function("document.querySelector('.cza-status').textContent === 'متصل'")
    assert direction(page, ".cza-root") == "rtl"  # Arabic until the conversation says otherwise

    box = page.get_by_label("اكتب رسالتك")
    box.fill("hello, can you help me?")
    box.press("Enter")
    page.locator(".cza-msg.cza-bot", has_text=GREETING_EN).wait_for()
    page.wait_for_function(ONLINE_EN)

    root = page.locator(".cza-root")
    assert root.get_attribute("lang") == "en" and root.get_attribute("dir") == "ltr"
    assert direction(page, ".cza-root") == "ltr" and direction(page, ".cza-form") == "ltr"
    assert page.get_by_role("dialog", name="Citizen Account assistant").is_visible()
    assert page.get_by_label("Type your message").get_attribute("placeholder") == (
        "Type your question here…"
    )
    assert page.get_by_role("button", name="Send").is_visible()
    assert page.get_by_role("button", name="Close the chat").is_visible()
    # left to right: the citizen's bubble on the right, the assistant's on the left
    me = page.locator(".cza-msg.cza-citizen").last.bounding_box()
    bot = page.locator(".cza-msg.cza-bot").last.bounding_box()
    assert me["x"] > bot["x"]

    # a reload starts in English (remembered) and the history says English again
    page.reload()
    page.locator(".cza-msg.cza-bot", has_text=GREETING_EN).wait_for()
    page.wait_for_function(ONLINE_EN)
    assert page.locator(".cza-root").get_attribute("dir") == "ltr"
    page.close()
