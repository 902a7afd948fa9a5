"""Rasa for the tests, paid for once per session: the model is trained only if none
matches the data (bot.tools.model), and one action server + Rasa server serve every
end-to-end and browser test, on free ports, with a throwaway SQLite tracker store and
application database. DATABASE_URL is exported to this process too, so tests can read
what the servers wrote (e.g. the SMS outbox)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from bot.tools.services import free_port
from tests.support.environment import restore_environment

ROOT = Path(__file__).resolve().parents[2]


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
    """The model for the current data, trained by the first test process that needs it;
    another one (pytest-xdist's second worker) waits for it instead of training too."""
    from bot.tools.model import MODELS_DIR, ensure

    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    with open(MODELS_DIR / ".training.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
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
