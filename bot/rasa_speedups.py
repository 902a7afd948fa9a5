"""Per-message costs inside Rasa 3.6 that buy nothing, removed at import time.

Installed by bot.store.rasa_stores (which every Rasa server of this project imports through
endpoints.yml), so `rasa run`, the workers of the production profile and the tests all
get them. Each patch keeps Rasa's behaviour and error messages; measured in
docs/benchmarks.md ("Load").

- RemoteAction._validate_action_result called jsonschema.validate() on every custom
  action reply, which first re-checks the (constant) schema against the JSON Schema
  meta-schema: about a tenth of the server's CPU per message. The validator is now built
  and checked once.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict


@lru_cache(maxsize=None)
def _action_response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self, result: Dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response "
            f"from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    if getattr(RemoteAction, "_cza_speedups", False):
        return
    RemoteAction._validate_action_result = _validate_action_result
    RemoteAction._cza_speedups = True
