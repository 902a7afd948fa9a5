"""The per-message shortcuts in bot.rasa_speedups keep Rasa's behaviour."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

import bot.store.rasa_stores  # noqa: F401  (installs the speedups, as the server does)
from bot.store import sqlite_engine_kwargs


def _action():
    return RemoteAction("action_x", None)


def test_action_results_are_still_validated():
    assert RemoteAction._cza_speedups
    good = {"events": [{"event": "slot", "name": "age", "value": 30}],
            "responses": [{"text": "تمام"}]}
    assert _action()._validate_action_result(good)
    with pytest.raises(ValidationError) as raised:
        _action()._validate_action_result({"events": [{"event": "not-an-event"}], "responses": []})
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(ValidationError):
        _action()._validate_action_result({"events": [], "responses": "نص"})


def test_sqlite_files_keep_their_connections(tmp_path):
    pooled = create_engine(f"sqlite:///{tmp_path / 'x.db'}", **sqlite_engine_kwargs(f"sqlite:///{tmp_path / 'x.db'}"))
    assert isinstance(pooled.pool, QueuePool)
    with pooled.connect() as first:
        raw = first.connection.dbapi_connection
    with pooled.connect() as second:
        assert second.connection.dbapi_connection is raw  # same connection, not a new one
    memory = create_engine("sqlite://", **sqlite_engine_kwargs("sqlite://"))
    assert not isinstance(memory.pool, QueuePool)  # one shared in-memory database, not five


def test_events_resolve_as_before():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered
    from rasa.shared.utils.common import all_subclasses

    for cls in all_subclasses(Event):
        first = next(c for c in all_subclasses(Event) if c.type_name == cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is first
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("nope", default=SlotSet) is SlotSet
    with pytest.raises(ValueError):
        Event.resolve_by_type("nope")

    class LateEvent(ActionExecuted):  # defined after the table was built
        type_name = "cza_late_event"

    assert Event.resolve_by_type("cza_late_event") is LateEvent
    events = Event.from_parameters({"event": "action", "name": "action_listen"})
    assert isinstance(events, ActionExecuted) and events.action_name == "action_listen"


def _post_to_stand_in(action_name: str):
    """Run `action_name` as Rasa does (RemoteAction, the project's endpoints.yml and domain)
    against a stand-in action server; return the raw body it received."""
    import asyncio
    import os

    from aiohttp import web
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.utils.endpoints import read_endpoint_config

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    domain = Domain.load(os.path.join(root, "domain"))
    received = []

    async def webhook(request):
        received.append(await request.read())
        return web.json_response({"events": [], "responses": []})

    async def scenario():
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        os.environ["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{port}/webhook"
        try:
            endpoint = read_endpoint_config(os.path.join(root, "endpoints.yml"), "action_endpoint")
            tracker = DialogueStateTracker.from_events("c", [UserUttered("ابي اتحقق من اهليتي")], domain.slots)
            await RemoteAction(action_name, endpoint).run(
                CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses), tracker, domain)
        finally:
            await runner.cleanup()

    previous = {k: os.environ.get(k) for k in ("ACTION_ENDPOINT_URL", "ACTION_SERVER_TOKEN")}
    os.environ.setdefault("ACTION_SERVER_TOKEN", "not-a-real-secret-0123456789")
    try:
        asyncio.run(scenario())
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return received[0]


def test_action_calls_are_utf8_json_with_the_domain_only_for_form_validators():
    import json

    ask = _post_to_stand_in("action_ask_elig_age")
    assert "ابي اتحقق من اهليتي".encode() in ask   # UTF-8, not \\u escapes
    body = json.loads(ask)
    assert body["tracker"]["latest_message"]["text"] == "ابي اتحقق من اهليتي"
    assert "domain" not in body                   # selective domain: not needed by an ask
    validate = json.loads(_post_to_stand_in("validate_eligibility_form"))
    assert "elig_age" in validate["domain"]["forms"]["eligibility_form"]["required_slots"]


def test_every_form_validator_is_sent_the_domain():
    """The SDK's FormValidationAction reads the form's slots from the domain: a validator
    missing `send_domain: true` would silently validate nothing."""
    import os

    from rasa.shared.core.domain import Domain
    from rasa_sdk.forms import FormValidationAction
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("bot.actions")
    validators = {name for name, action in executor.actions.items()
                  if isinstance(getattr(action, "__self__", None), FormValidationAction)}
    assert {"validate_eligibility_form", "validate_ticket_form"} <= validators
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    domain = Domain.load(os.path.join(root, "domain"))
    assert validators == {n for n in validators if domain.does_custom_action_explicitly_need_domain(n)}


def test_slot_copies_are_the_same_shallow_copies():
    import copy
    import os

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    assert Slot.__copy__ is not None
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for slot in Domain.load(os.path.join(root, "domain")).slots:
        slot.value = ["قيمة"] if slot.type_name == "list" else slot.value
        duplicate = copy.copy(slot)
        assert duplicate is not slot and type(duplicate) is type(slot)
        assert duplicate.__dict__ == slot.__dict__
        duplicate.value = "غيرها"
        assert slot.value != "غيرها"          # the copy is its own object
        assert duplicate.mappings is slot.mappings  # shallow, as copy.copy always was


def test_action_payload_json_falls_back_for_what_ujson_refuses():
    import json

    from bot.rasa_speedups import _utf8_json

    assert json.loads(_utf8_json({"نص": "عربي", "n": 0.1})) == {"نص": "عربي", "n": 0.1}
    assert "عربي" in _utf8_json({"t": "عربي"})
    assert _utf8_json({"big": 2 ** 70}) == '{"big":1180591620717411303424}'  # ujson overflows


def test_event_by_event_check_gives_the_full_schemas_verdicts():
    from rasa_sdk import events as sdk

    from bot.rasa_speedups import _action_response_validator, _check_action_result

    good_events = [sdk.SlotSet("elig_age", "35"), sdk.SlotSet("requested_slot", None), sdk.FollowupAction("action_x"),
                   sdk.ActiveLoop("eligibility_form"), sdk.ActiveLoop(None), sdk.Restarted(), sdk.AllSlotsReset(),
                   sdk.UserUttered("نعم", {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []}),
                   sdk.BotUttered("تمام", {"buttons": []}), sdk.ActionExecuted("action_listen"),
                   sdk.SessionStarted(), sdk.ConversationPaused(), sdk.ConversationResumed(),
                   sdk.ReminderScheduled("EXTERNAL_x", __import__("datetime").datetime(2030, 1, 1)),
                   sdk.ActionReverted(), sdk.UserUtteranceReverted(), sdk.LoopInterrupted(True)]
    payloads = [{"events": [event], "responses": []} for event in good_events]
    payloads += [
        {"events": good_events, "responses": [{"text": "نص"}]},
        {"events": [{"event": "not-an-event"}], "responses": []},
        {"events": [{"name": "x"}], "responses": []},                      # no event name
        {"events": [{"event": "slot", "name": "x", "timestamp": "now"}], "responses": []},
        {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "x"}]}}], "responses": []},
        {"events": [{"event": "slot", "value": 1}], "responses": []},
        {"events": ["slot"], "responses": []},
        {"events": {"event": "slot"}, "responses": []},
        {"events": [], "responses": "نص"},
        {"events": [{"event": 5}], "responses": []},
        [],
    ]
    full = _action_response_validator()
    for payload in payloads:
        expected = full.is_valid(payload)
        try:
            _check_action_result(payload)
            got = True
        except Exception as e:
            assert type(e).__name__ == "ValidationError", (payload, e)
            got = False
        assert got == expected, payload
    assert sum(full.is_valid(p) for p in payloads) == len(good_events) + 1  # the battery has both kinds
