"""bot.patches: applied on purpose, undoable, guarded by Rasa's version and by the
sources they replace; and the per-message shortcuts among them keep Rasa's behaviour."""

import asyncio
import inspect
import logging
import subprocess
import sys
import types
from pathlib import Path

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import patches
from bot.patches import action_result, registry
from bot.patches.registry import MISSING, Patch

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.usefixtures("rasa_patches")


@pytest.fixture
def unpatched():
    """Rasa's own code for one test; the patches are back afterwards."""
    patches.restore()
    try:
        yield
    finally:
        patches.restore()
        assert patches.apply(env={})


# --- the guards -------------------------------------------------------------------------


def test_the_upstream_sources_are_the_ones_the_patches_were_written_against():
    """Canary: Rasa changed (or site-packages was edited) under a patch. Read the new
    upstream code, adapt the patch, then record the new hash printed here."""
    current = {p.target: registry.upstream_sha256(p) for p in patches.all_patches()}
    assert registry.stale(patches.all_patches()) == [], current
    assert len(current) == 14 and len({p.upstream_sha256 for p in patches.all_patches()}) == 14


class Upstream:
    def greet(self):
        return "hello"

    def other(self):
        return "hello, in other words"


def _greet_patched(self):
    return "patched"


def test_a_changed_upstream_source_fails_the_canary(monkeypatch):
    """The comparison really fails: a patch recorded against one source, then the
    upstream function is replaced by code whose source differs."""
    module = types.ModuleType("fake_upstream")
    module.Upstream = type("Upstream", (), {"greet": Upstream.greet})
    monkeypatch.setitem(sys.modules, "fake_upstream", module)
    patch = Patch(
        "fake_upstream:Upstream",
        "greet",
        lambda _original: _greet_patched,
        upstream_sha256=registry.source_sha256(Upstream.greet),
    )
    assert registry.stale([patch]) == []
    monkeypatch.setattr(module.Upstream, "greet", Upstream.other, raising=False)
    assert registry.stale([patch]) == ["fake_upstream:Upstream.greet"]
    assert registry.source_sha256(Upstream.other) != patch.upstream_sha256


def test_patches_replace_and_restore_exactly_what_was_there(unpatched, monkeypatch):
    module = types.ModuleType("fake_upstream")
    module.Upstream = type("Upstream", (), {"greet": Upstream.greet})
    monkeypatch.setitem(sys.modules, "fake_upstream", module)
    original = module.Upstream.greet
    replace = Patch("fake_upstream:Upstream", "greet", lambda before: _greet_patched, "-")
    add = Patch("fake_upstream:Upstream", "__copy__", lambda before: _greet_patched, "-")
    for patch in (replace, add, replace):  # a second install changes nothing
        registry.install(patch)
    assert module.Upstream().greet() == "patched" and "__copy__" in vars(module.Upstream)
    assert registry.original(replace) is original and registry.original(add) is MISSING
    patches.restore()
    assert module.Upstream.greet is original and "__copy__" not in vars(module.Upstream)
    assert patches.applied() == []


def test_restore_gives_back_rasas_own_code(unpatched):
    from rasa.core.tracker_store import FailSafeTrackerStore
    from rasa.shared.core.slots import Slot

    assert patches.applied() == []
    assert "__copy__" not in vars(Slot)
    assert "_tracker_store" in inspect.getsource(FailSafeTrackerStore.on_tracker_store_error)
    assert "validate(result, self.action_response_format_spec())" in inspect.getsource(
        RemoteAction._validate_action_result
    )
    assert patches.apply()
    assert RemoteAction._validate_action_result is action_result._validate_action_result
    assert len(patches.applied()) == 14
    assert patches.apply() and len(patches.applied()) == 14  # idempotent


def test_another_rasa_version_gets_no_patch_and_one_warning(unpatched, monkeypatch, caplog):
    import rasa

    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    monkeypatch.setattr(patches, "_said", set())
    with caplog.at_level(logging.INFO, logger="bot.patches"):
        assert patches.apply(env={}) is False
        assert patches.apply(env={}) is False
    assert patches.applied() == []
    warnings = [r for r in caplog.records if r.name == "bot.patches"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "3.6.22" in warnings[0].getMessage() and "3.6.21" in warnings[0].getMessage()


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false", "no"])
def test_rasa_patches_off_switches_them_all_off(value, unpatched):
    assert patches.apply(env={"RASA_PATCHES": value}) is False
    assert patches.applied() == []
    assert patches.apply(env={"RASA_PATCHES": "on"}) is True


def test_the_launcher_patches_and_masks_logs_then_runs_rasas_own_cli(unpatched, monkeypatch):
    import rasa.__main__

    from channels import server as rasa_server

    seen = {}
    monkeypatch.setattr(
        rasa_server, "install_log_masking", lambda: seen.setdefault("masking", True)
    )
    monkeypatch.setattr(
        rasa.__main__,
        "main",
        lambda: seen.update(
            argv=sys.argv[1:], applied=len(patches.applied()), masked_first=seen.get("masking")
        ),
    )
    monkeypatch.setattr(sys, "argv", ["channels/server.py"])
    rasa_server.main(["run", "--port", "5006", "--endpoints", "endpoints.yml"])
    assert seen == {
        "masking": True,
        "argv": ["run", "--port", "5006", "--endpoints", "endpoints.yml"],
        "applied": 14,
        "masked_first": True,
    }


@pytest.mark.model
def test_importing_the_stores_patches_nothing():
    """Rasa loads the store classes from endpoints.yml by module path: that import must
    leave Rasa as it is (only bot.patches.apply() changes it)."""
    code = (
        "import bot.store.tracker_store, bot.store.lock_store\n"
        "from bot import patches\n"
        "from bot.patches import registry\n"
        "from rasa.shared.core.slots import Slot\n"
        "assert registry.stale(patches.all_patches()) == [], registry.stale(patches.all_patches())\n"
        "assert '__copy__' not in vars(Slot) and patches.applied() == []\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_strict_failsafe_raises_for_our_store_and_leaves_others_to_rasa(tmp_path):
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.store.errors import StoreUnavailable
    from bot.store.tracker_store import EnvTrackerStore, TrackerStoreUnavailable

    def down(*_args):
        raise TrackerStoreUnavailable(
            "tracker store unavailable during retrieve (OperationalError)"
        )

    ours = EnvTrackerStore(Domain.empty(), url=f"sqlite:///{tmp_path / 'tracker.db'}")
    ours._load = down
    with pytest.raises(StoreUnavailable):
        asyncio.run(FailSafeTrackerStore(ours).retrieve("c"))

    class Other(InMemoryTrackerStore):
        async def retrieve(self, sender_id):
            down()

    assert (
        asyncio.run(FailSafeTrackerStore(Other(Domain.empty())).retrieve("c")) is None
    )  # Rasa's way


# --- what the shortcuts keep ------------------------------------------------------------


def _action():
    return RemoteAction("action_x", None)


def test_action_results_are_still_validated():
    assert RemoteAction._validate_action_result is action_result._validate_action_result
    good = {
        "events": [{"event": "slot", "name": "age", "value": 30}],
        "responses": [{"text": "تمام"}],
    }
    assert _action()._validate_action_result(good)
    with pytest.raises(ValidationError) as raised:
        _action()._validate_action_result({"events": [{"event": "not-an-event"}], "responses": []})
    assert "Failed to validate Action server response" in raised.value.message
    with pytest.raises(ValidationError):
        _action()._validate_action_result({"events": [], "responses": "نص"})


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
            tracker = DialogueStateTracker.from_events(
                "c", [UserUttered("ابي اتحقق من اهليتي")], domain.slots
            )
            await RemoteAction(action_name, endpoint).run(
                CollectingOutputChannel(),
                TemplatedNaturalLanguageGenerator(domain.responses),
                tracker,
                domain,
            )
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
    assert "ابي اتحقق من اهليتي".encode() in ask  # UTF-8, not \\u escapes
    body = json.loads(ask)
    assert body["tracker"]["latest_message"]["text"] == "ابي اتحقق من اهليتي"
    assert "domain" not in body  # selective domain: not needed by an ask
    validate = json.loads(_post_to_stand_in("validate_eligibility_form"))
    assert "elig_age" in validate["domain"]["forms"]["eligibility_form"]["required_slots"]


def test_every_form_validator_is_sent_the_domain():
    """The SDK's FormValidationAction reads the form's slots from the domain: a validator
    missing `send_domain: true` would silently validate nothing."""
    import os

    from rasa.shared.core.domain import Domain
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.forms import FormValidationAction

    executor = ActionExecutor()
    executor.register_package("bot.actions")
    validators = {
        name
        for name, action in executor.actions.items()
        if isinstance(getattr(action, "__self__", None), FormValidationAction)
    }
    assert {"validate_eligibility_form", "validate_ticket_form"} <= validators
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    domain = Domain.load(os.path.join(root, "domain"))
    assert validators == {
        n for n in validators if domain.does_custom_action_explicitly_need_domain(n)
    }


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
        assert slot.value != "غيرها"  # the copy is its own object
        assert duplicate.mappings is slot.mappings  # shallow, as copy.copy always was


def test_action_payload_json_falls_back_for_what_ujson_refuses():
    import json

    from bot.patches.utf8_json import _utf8_json

    assert json.loads(_utf8_json({"نص": "عربي", "n": 0.1})) == {"نص": "عربي", "n": 0.1}
    assert "عربي" in _utf8_json({"t": "عربي"})
    assert _utf8_json({"big": 2**70}) == '{"big":1180591620717411303424}'  # ujson overflows


def test_event_by_event_check_gives_the_full_schemas_verdicts():
    from rasa_sdk import events as sdk

    from bot.patches.action_result import _action_response_validator, _check_action_result

    good_events = [
        sdk.SlotSet("elig_age", "35"),
        sdk.SlotSet("requested_slot", None),
        sdk.FollowupAction("action_x"),
        sdk.ActiveLoop("eligibility_form"),
        sdk.ActiveLoop(None),
        sdk.Restarted(),
        sdk.AllSlotsReset(),
        sdk.UserUttered("نعم", {"intent": {"name": "affirm", "confidence": 1.0}, "entities": []}),
        sdk.BotUttered("تمام", {"buttons": []}),
        sdk.ActionExecuted("action_listen"),
        sdk.SessionStarted(),
        sdk.ConversationPaused(),
        sdk.ConversationResumed(),
        sdk.ReminderScheduled("EXTERNAL_x", __import__("datetime").datetime(2030, 1, 1)),
        sdk.ActionReverted(),
        sdk.UserUtteranceReverted(),
        sdk.LoopInterrupted(True),
    ]
    payloads = [{"events": [event], "responses": []} for event in good_events]
    payloads += [
        {"events": good_events, "responses": [{"text": "نص"}]},
        {"events": [{"event": "not-an-event"}], "responses": []},
        {"events": [{"name": "x"}], "responses": []},  # no event name
        {"events": [{"event": "slot", "name": "x", "timestamp": "now"}], "responses": []},
        {
            "events": [{"event": "user", "parse_data": {"entities": [{"entity": "x"}]}}],
            "responses": [],
        },
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
    assert (
        sum(full.is_valid(p) for p in payloads) == len(good_events) + 1
    )  # the battery has both kinds


def test_the_minimal_graph_is_rasas_and_worked_out_once():
    from rasa.engine.graph import GraphSchema, SchemaNode

    def node(**needs):
        return SchemaNode(needs=needs, uses=object, constructor_name="create", fn="f", config={})

    schema = GraphSchema({"a": node(), "b": node(x="a"), "c": node(x="b", y="a"), "d": node()})
    rasas = registry.original(
        next(p for p in patches.all_patches() if p.name == "minimal_graph_schema")
    )
    first = schema.minimal_graph_schema(["c"])
    assert set(first.nodes) == set(rasas(schema, ["c"]).nodes) == {"a", "b", "c"}
    assert schema.minimal_graph_schema(["c"]) is first  # remembered
    assert set(schema.minimal_graph_schema(["b"]).nodes) == {"a", "b"}
    assert set(schema.minimal_graph_schema().nodes) == set(rasas(schema).nodes)


def _runner_pair(schema):
    """(Rasa's dask runner, the patched one) over the same nodes, each node a call
    recorder that returns its name with what it received."""
    from rasa.engine.runner.dask import DaskGraphRunner

    calls = []

    class Node:
        def __init__(self, name, needs):
            self.name, self.needs = name, needs

        def __call__(self, *received):
            got = {}
            for item in received:
                if not isinstance(item, tuple):
                    raise RuntimeError(f"{self.name}: {item} not resolved")
                got[item[0]] = item[1]
            calls.append(self.name)
            return self.name, (self.name, tuple(sorted(got.items())))

    def make():
        runner = object.__new__(DaskGraphRunner)
        runner._graph_schema = schema
        runner._execution_context = None
        runner._instantiated_nodes = {n: Node(n, s.needs) for n, s in schema.nodes.items()}
        return runner

    rasas = registry.original(next(p for p in patches.all_patches() if p.name == "run"))
    return (lambda **kw: rasas(make(), **kw)), (lambda **kw: make().run(**kw)), calls


def test_the_graph_runs_in_order_with_dasks_results():
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.graph import GraphSchema, SchemaNode

    def node(**needs):
        return SchemaNode(needs=needs, uses=object, constructor_name="create", fn="f", config={})

    schema = GraphSchema(
        {
            "__tracker__": node(),  # a placeholder the caller's input replaces
            "a": node(t="__tracker__"),
            "b": node(x="a", t="__tracker__"),
            "c": node(x="b", y="a"),
            "d": node(x="missing"),
        }
    )
    dask_run, ours, calls = _runner_pair(schema)
    for targets in (["c"], ["b", "a"], ["__tracker__", "c"]):
        expected = dask_run(inputs={"__tracker__": "T"}, targets=targets)
        calls.clear()
        got = ours(inputs={"__tracker__": "T"}, targets=targets)
        assert got == expected
        assert "__tracker__" not in calls  # the input stands in for the node
        assert len(calls) == len(set(calls))  # each node once
        assert calls.index("a") < calls.index("b") if "b" in calls else True
    assert ours(inputs={"__tracker__": "T"}, targets=["c"])["c"][1] == (
        ("a", ("a", (("__tracker__", "T"),))),
        ("b", ("b", (("__tracker__", "T"), ("a", ("a", (("__tracker__", "T"),)))))),
    )
    for run in (dask_run, ours):  # a need nobody provides fails the same way
        with pytest.raises(GraphRunError):
            run(inputs={}, targets=["d"])
        with pytest.raises(GraphRunError):  # an input value named like a node
            run(inputs={"x": "a"}, targets=["a"])


def test_the_model_answers_the_same_without_dask(trained_model, tmp_path, monkeypatch):
    """The trained model, a conversation run twice: Rasa's dask runner, then the patched
    runner. Same replies, same NLU reading, same events on the tracker."""
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
    from rasa.engine.runner.dask import DaskGraphRunner

    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    # Answered by the model alone (no action server here): FAQ questions and a greeting.
    messages = ["السلام عليكم", "وش شروط حساب المواطن؟", "نسيت كلمة المرور", "كيف اغير الايبان"]
    messages += ["ليش نزل الدعم", "what are the conditions of citizen account", "رقم الدعم الفني"]

    async def conversation(sender):
        agent = Agent.load(str(trained_model))
        seen = []
        for i, text in enumerate(messages):
            output = CollectingOutputChannel()
            await agent.handle_message(UserMessage(text, output, sender, message_id=str(i)))
            parsed = await agent.parse_message(text)
            seen.append((parsed["intent"], [m.get("text") for m in output.messages]))
        tracker = await agent.tracker_store.retrieve(sender)
        events = [(e.type_name, getattr(e, "action_name", None)) for e in tracker.events]
        return seen, events

    ours = DaskGraphRunner.run
    rasas = registry.original(next(p for p in patches.all_patches() if p.name == "run"))
    monkeypatch.setattr(DaskGraphRunner, "run", rasas)
    expected = asyncio.run(conversation("dask"))
    monkeypatch.setattr(DaskGraphRunner, "run", ours)
    assert asyncio.run(conversation("sequential")) == expected
    assert len(expected[0]) == len(messages) and all(replies for _, replies in expected[0])
