"""Shared set-up for every test folder: the fixtures live in tests/support/ and are
loaded here, so a test asks for them by name and never imports them."""

from __future__ import annotations

import os

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

try:
    # Several channel apps are built in one process; Sanic refuses duplicate app
    # names unless it is in test mode.
    from sanic import Sanic

    Sanic.test_mode = True
except ImportError:  # pragma: no cover - only before the venv exists
    pass

pytest_plugins = [
    "tests.support.markers",
    "tests.support.postgres",
    "tests.support.redis",
    "tests.support.rasa",
    "tests.support.browser",
    "tests.support.channels",
    "tests.support.desk",
    "tests.support.privacy_data",
    "tests.support.logs",
]
