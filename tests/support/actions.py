"""What the action tests share: trackers built the way Rasa sends them to the action
server, and running an action (their database: tests/actions/conftest.py)."""

import asyncio
from pathlib import Path

import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


def load_domain(name):
    return yaml.safe_load((ROOT / "domain" / f"{name}.yml").read_text(encoding="utf-8"))


def make_tracker(
    slot_names,
    text="",
    intent="",
    slots=None,
    requested=None,
    form=None,
    sender="conv-1",
    confidence=0.95,
    entities=None,
):
    all_slots = {name: None for name in slot_names}
    all_slots.update(slots or {})
    all_slots["requested_slot"] = requested
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
    }
    events = [{"event": "user", "text": text, "parse_data": latest}]
    return Tracker(
        sender,
        all_slots,
        latest,
        events,
        False,
        None,
        {"name": form} if form else {},
        "action_listen",
    )


def run_action(action, t, domain):
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, domain)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return dispatcher.messages, {e["name"]: e["value"] for e in result if e.get("event") == "slot"}


def responses(messages):
    return [m.get("response") for m in messages]
