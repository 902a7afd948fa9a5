"""Every action test runs on a fresh application database: a copy of the session's
migrated SQLite template (tests/support/postgres.py)."""

import shutil

import pytest


@pytest.fixture(autouse=True)
def db(tmp_path, monkeypatch, _sqlite_template):
    from bot.store import reset_engine

    path = tmp_path / "app.db"
    shutil.copyfile(_sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    monkeypatch.delenv("SMS_GATEWAY", raising=False)
    reset_engine()
    yield url
    reset_engine()
