"""Every change this project makes to Rasa's own code, in one place, applied on purpose.

One module per patch, each replacing one or two attributes of a Rasa class (or a function
of a Rasa module); nothing here runs on import. `apply()` puts them all in place: the Rasa server calls it before Rasa's
command line starts (channels/server.py, which `make run`, `make run-prod`, `make shell`
and the tests' servers all go through), tests that use Rasa in-process call it from a
fixture (tests/conftest.py, `rasa_patches`).

    strict_failsafe   a tracker store outage is an error, not a blank conversation
    action_result     custom action replies validated with a validator built once
    event_lookup      events deserialised through a table instead of a class-tree walk
    utf8_json         action server requests as UTF-8 JSON instead of \\u escapes
    slot_copy         slots copied directly instead of through copyreg
    graph_schema      the part of the prediction graph a run needs, worked out once
    graph_runner      the graph's nodes called in order, without dask's scheduler
    rule_lookup       the rules that fit the conversation, with the rules parsed once
    debug_copies      deep copies for debug log lines made only when the line is written
    cors_credentials  Rasa's CORS: no headers without an Origin, never credentials
    parse_context     the previous answer's topic handed to the NLU with the message

Guards: the patches are written against Rasa 3.6.21 (each records the sha256 of the
upstream source it replaces; tests/unit/test_rasa_patches.py fails when that source
changes), so on any other Rasa version none is applied and one warning says so.
RASA_PATCHES=off turns them all off (Rasa's own code then runs unchanged, including its
silent fallback to an empty conversation when the tracker store is down). `restore()`
puts Rasa's originals back.
"""

from __future__ import annotations

import importlib
import logging
from typing import List, Mapping, Optional

from bot import settings
from bot.patches import registry
from bot.patches.registry import Patch

logger = logging.getLogger(__name__)

PINNED_RASA = "3.6.21"
MODULES = (
    "strict_failsafe",
    "action_result",
    "event_lookup",
    "utf8_json",
    "slot_copy",
    "graph_schema",
    "graph_runner",
    "rule_lookup",
    "debug_copies",
    "cors_credentials",
    "parse_context",
)
OFF = ("off", "0", "false", "no")

_said: set = set()


def _say_once(key: str, level: int, message: str, *args) -> None:
    if key not in _said:
        _said.add(key)
        logger.log(level, message, *args)


def enabled(env: Optional[Mapping[str, str]] = None) -> bool:
    return settings.of(env).rasa_patches.lower() not in OFF


def all_patches() -> List[Patch]:
    """Every patch, in the order apply() installs them (imports the patch modules, and
    with them Rasa: call only on the pinned version)."""
    patches: List[Patch] = []
    for name in MODULES:
        patches.extend(importlib.import_module(f"{__name__}.{name}").PATCHES)
    return patches


def apply(env: Optional[Mapping[str, str]] = None) -> bool:
    """Install every patch (again: no effect). False, with one log line per process, when
    RASA_PATCHES switches them off or Rasa is not the pinned version."""
    if not enabled(env):
        _say_once(
            "off",
            logging.INFO,
            "RASA_PATCHES=%s: Rasa runs without bot/patches",
            settings.of(env).rasa_patches,
        )
        return False
    import rasa

    if rasa.__version__ != PINNED_RASA:
        _say_once(
            "version",
            logging.WARNING,
            "Rasa %s is not the pinned %s: none of bot/patches is applied (check each "
            "against the new Rasa sources, then update PINNED_RASA and the hashes)",
            rasa.__version__,
            PINNED_RASA,
        )
        return False
    for patch in all_patches():
        registry.install(patch)
    return True


def restore() -> None:
    """Rasa's own code again, as before apply()."""
    registry.restore_all()


def applied() -> List[str]:
    """ "module:Class.attribute" of each patch in place."""
    return registry.installed()
