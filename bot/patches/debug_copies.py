"""Deep copies made only for a debug log line, made only when that line is written.

Rasa's processor, rule policy and memoization policy pass `copy.deepcopy(...)` of the
events, the slots and the conversation's states as arguments of `structlogger.debug(...)`
on every message: Python evaluates the arguments before structlog drops the line, so the
copies were made at every log level (18 per FAQ message, 3-4% of Rasa's CPU in
process). In those three modules `copy` serves nothing else (the hash of each module's
whole source guards that), so the module's `copy` is replaced by one whose `deepcopy`
copies when the module's logger would write a debug line and otherwise hands the value
through, which structlog then drops unread.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from bot.patches.registry import Patch


class DebugOnlyCopy:
    """The `copy` module as these Rasa modules use it."""

    def __init__(self, logger_name: str) -> None:
        self._logger = logging.getLogger(logger_name)

    def deepcopy(self, value: Any, memo: Any = None) -> Any:
        if self._logger.isEnabledFor(logging.DEBUG):
            return copy.deepcopy(value, memo)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


def _patch(module: str, sha256: str) -> Patch:
    return Patch(module, "copy", lambda _original: DebugOnlyCopy(module), sha256, upstream=module)


PATCHES = [
    _patch(
        "rasa.core.processor", "f42dfbf26e2ffcb66e08cf4180d1de1cce2a8f59389d5d3b4ea12a95b1f186dd"
    ),
    _patch(
        "rasa.core.policies.rule_policy",
        "952d1a13906511ac9b8d1c3dcd27148b24bbcd6610ebb13bff23f2fb1667b2b5",
    ),
    _patch(
        "rasa.core.policies.memoization",
        "e4519f1a04ecdcce2241f5bd01f33b0b886d8a2136329da104946acaff31b775",
    ),
]
