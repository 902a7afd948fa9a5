"""Shared fixtures. Expensive things happen once per test session:

- `trained_model`: trains only if no model matches the data (bot.tools.model).
- `rasa_stack` / `rasa_server`: one action server + Rasa server for every
  end-to-end and browser test, on free ports, with a throwaway SQLite tracker
  store and application database. DATABASE_URL is exported to this process too,
  so tests can read what the servers wrote (e.g. the SMS outbox).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.environment import restore_environment

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

try:
    # Several channel apps are built in one process; Sanic refuses duplicate app
    # names unless it is in test mode.
    from sanic import Sanic

    Sanic.test_mode = True
except ImportError:  # pragma: no cover - only before the venv exists
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def rasa_patches() -> None:
    """Rasa as the project's server runs it (channels/server.py applies bot.patches before
    Rasa starts): for tests that use Rasa's classes in this process. Importing the stores
    no longer patches anything. Applied whatever RASA_PATCHES says: these tests are about
    the patched behaviour."""
    from bot import patches

    assert patches.apply(env={}), "bot.patches did not apply: is Rasa the pinned version?"


@pytest.fixture(scope="session")
def trained_model() -> Path:
    from bot.tools.model import ensure

    return ensure()


@pytest.fixture(scope="session")
def rasa_stack(trained_model, tmp_path_factory):
    from bot.store import reset_engine
    from bot.tools.serve import Stack

    var_dir = tmp_path_factory.mktemp("var")
    stack = Stack(
        model=trained_model,
        rasa_port=free_port(),
        actions_port=free_port(),
        var_dir=var_dir,
        log_dir=ROOT / "results" / "server-logs",
    )
    env = stack.env()
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "VAR_DIR")}
    os.environ["DATABASE_URL"] = env["DATABASE_URL"]
    os.environ["VAR_DIR"] = env["VAR_DIR"]
    reset_engine()
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        restore_environment(saved)
        reset_engine()


@pytest.fixture(scope="session")
def rasa_server(rasa_stack) -> str:
    """Base URL of the running Rasa server, e.g. http://127.0.0.1:43121."""
    return rasa_stack.url


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by Playwright (never `playwright install`).

    Module scope, not session: Playwright's sync API keeps an asyncio loop running in
    this thread while it is open, which would break later tests that call asyncio.run.

    Missing Chromium skips locally but fails in CI, where `make test` installs it."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (make system-deps installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
