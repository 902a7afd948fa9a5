"""RemoteAction._validate_action_result: the same verdicts and errors, a tenth of the
server's CPU per message cheaper (docs/benchmarks.md, "Load").

Rasa called jsonschema.validate() on every custom action reply, which first re-checks the
(constant) schema against the JSON Schema meta-schema. The validator is now built and
checked once, and each returned event is checked against the one event schema its name
selects instead of all 23 alternatives of the schema's oneOf (same verdicts).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from bot.patches.registry import Patch


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


PATCHES = [
    Patch(
        "rasa.core.actions.action:RemoteAction",
        "_validate_action_result",
        lambda _original: _validate_action_result,
        upstream_sha256="f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    ),
]
