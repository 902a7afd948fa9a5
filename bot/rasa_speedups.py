"""Per-message costs inside Rasa 3.6 that buy nothing, removed at import time.

Installed by bot.store.rasa_stores (which every Rasa server of this project imports through
endpoints.yml), so `rasa run`, the workers of the production profile and the tests all
get them. Each patch keeps Rasa's behaviour and error messages; measured in
docs/benchmarks.md ("Load").

- RemoteAction._validate_action_result called jsonschema.validate() on every custom
  action reply, which first re-checks the (constant) schema against the JSON Schema
  meta-schema: about a tenth of the server's CPU per message. The validator is now built
  and checked once, and each returned event is checked against the one event schema its
  name selects instead of all 23 alternatives of the schema's oneOf (same verdicts).
- Event.resolve_by_type walked the whole tree of Event subclasses (with an
  inspect.isabstract check on each) for every event it deserialised: every event of the
  conversation on each tracker load, every event an action returns. Classes are now
  looked up in a table, rebuilt when a name is missing (a subclass imported later).
- Every request to the action server is JSON of the whole conversation (and, for the form
  validators, the domain), written with ensure_ascii: each Arabic letter became a
  six-byte \\uXXXX escape (the action server spent a third of its CPU parsing these
  bodies). Now UTF-8 JSON: same data, `Content-Type: application/json` as before; the
  longest pre-check conversation's last call shrinks from 145 KB to 94 KB (64 KB for
  actions that do not get the domain, endpoints.yml `enable_selective_domain`), written
  by ujson (a Rasa dependency; three times faster than json here).
- Every tracker Rasa builds copies each of the domain's 33 slots with copy.copy, which
  goes through __reduce_ex__ and copyreg: policies build a tracker for every prior state,
  so this was a few percent of a message. Slot.__copy__ now does the same shallow copy
  (new instance, same attribute dict) directly.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Dict, Optional

import ujson


@lru_cache(maxsize=None)
def _action_response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=None)
def _split_action_response_validators():
    """Rasa's schema checks each returned event against a oneOf of 23 event schemas, each
    pinned by a constant `event` name, so jsonschema tries all 23 for every event. Only
    the branch whose constant matches can succeed: validating the rest of the schema,
    then each event against that one branch, accepts and rejects exactly the same
    documents. None when the schema is not of that shape (then the full check runs)."""
    import copy

    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    cls = validator_for(schema)
    cls.check_schema(schema)
    items = schema.get("properties", {}).get("events", {}).get("items", {})
    branches = items.pop("oneOf", None)
    names = [b.get("properties", {}).get("event", {}).get("const") for b in branches or []]
    if not branches or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
        return None
    return cls(schema), {name: cls(branch) for name, branch in zip(names, branches)}


def _check_action_result(result: Dict[str, Any]) -> None:
    from jsonschema import ValidationError

    split = _split_action_response_validators()
    if split is None:
        _action_response_validator().validate(result)
        return
    rest, by_event = split
    rest.validate(result)  # structure, types, `event` required on every event
    events = result.get("events") if isinstance(result, dict) else None
    for event in events if isinstance(events, list) else []:
        branch = by_event.get(event["event"])
        if branch is None:
            raise ValidationError(f"{event!r} is not valid under any of the given schemas")
        branch.validate(event)


def _validate_action_result(self, result: Dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _check_action_result(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


_event_classes: Dict[str, type] = {}


def _event_class_table() -> Dict[str, type]:
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    table: Dict[str, type] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)  # first match wins, as in Rasa's loop
    return table


def _resolve_by_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
    global _event_classes
    cls = _event_classes.get(type_name)
    if cls is None:
        _event_classes = _event_class_table()
        cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def _utf8_json(value: Any) -> str:
    try:
        return ujson.dumps(value, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, OverflowError, ValueError):  # what ujson refuses, json may still write
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _copy_slot(self):
    new = self.__class__.__new__(self.__class__)
    new.__dict__.update(self.__dict__)
    return new


def _session(self):
    """EndpointConfig.session (Rasa 3.6) with UTF-8 JSON bodies."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth else None)
    return aiohttp.ClientSession(headers=self.headers, auth=auth, json_serialize=_utf8_json,
                                 timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))


def install() -> None:
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot
    from rasa.utils.endpoints import EndpointConfig

    if getattr(RemoteAction, "_cza_speedups", False):
        return
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    EndpointConfig.session = _session
    Slot.__copy__ = _copy_slot
    RemoteAction._cza_speedups = True
