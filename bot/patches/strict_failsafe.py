"""FailSafeTrackerStore: errors of EnvTrackerStore are raised, not swallowed.

Rasa wraps every tracker store in a FailSafeTrackerStore that, when the database is
unreachable, logs the error and silently answers from an empty in-memory conversation,
throwing the turn away. For our EnvTrackerStore (bot/store/tracker_store.py) both of its
error handlers re-raise instead: the channel pipeline then tells the citizen the service
is briefly unavailable, and nothing is written that the database does not hold. Any other
tracker store keeps Rasa's behaviour.
"""

from __future__ import annotations

import logging
from typing import Callable

from bot.patches.registry import Patch
from bot.store.errors import StoreUnavailable
from bot.store.tracker_store import EnvTrackerStore

logger = logging.getLogger(__name__)


def _strict(original: Callable) -> Callable:
    def handler(self, error: Exception) -> None:
        if isinstance(getattr(self, "_tracker_store", None), EnvTrackerStore):
            # The message of our errors names the store, never a user's data; others may
            # carry SQL parameters, so only their class is logged.
            logger.error(
                "%s",
                error
                if isinstance(error, StoreUnavailable)
                else f"tracker store error: {type(error).__name__}",
            )
            raise error
        original(self, error)

    return handler


PATCHES = [
    Patch(
        "rasa.core.tracker_store:FailSafeTrackerStore",
        "on_tracker_store_error",
        _strict,
        upstream_sha256="6faca7ba72b36da4594c789a1ee9d86ea185a8785a1e0543199b63bf02937e12",
    ),
    Patch(
        "rasa.core.tracker_store:FailSafeTrackerStore",
        "on_tracker_store_retrieve_error",
        _strict,
        upstream_sha256="162b49564c52ab49f2be6a40ed56d11564e6607fdcd6975d44e678f69ca6ce9d",
    ),
]
