"""bot.settings: typed values, blank means unset, a bad value falls back without leaking it."""

import logging

from bot import settings


def test_defaults_and_typed_values(monkeypatch):
    monkeypatch.setenv("RASA_PORT", "7001")
    monkeypatch.setenv("DESK_COOKIE_SECURE", "1")
    monkeypatch.setenv("MAX_INBOUND_CHARS", "   ")
    current = settings.get()
    assert current.rasa_port == 7001
    assert current.desk_cookie_secure is True
    assert current.max_inbound_chars == 1000


def test_get_follows_the_environment(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "5")
    assert settings.get().rate_limit_messages == 5
    monkeypatch.setenv("RATE_LIMIT_MESSAGES", "7")
    assert settings.get().rate_limit_messages == 7


def test_a_bad_value_falls_back_and_the_value_is_not_logged(monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="bot.settings")
    current = settings.from_env({"RASA_PORT": "s3cr3t-not-a-port", "ACTIONS_PORT": "6000"})
    assert current.rasa_port == 5005 and current.actions_port == 6000
    assert "RASA_PORT" in caplog.text and "s3cr3t" not in caplog.text


def test_database_url_is_derived_in_one_place():
    assert settings.from_env({"DATABASE_URL": "postgres://u@h/db"}).app_database_url() == (
        "postgresql://u@h/db"
    )
    local = settings.from_env({"VAR_DIR": "/tmp/x"}).app_database_url()
    assert local == "sqlite:////tmp/x/app.db"


def test_readers_treat_blank_as_unset(monkeypatch):
    monkeypatch.setenv("SOME_LIST", " a, ,b ")
    monkeypatch.setenv("SOME_INT", "x")
    assert settings.env_list("SOME_LIST") == ["a", "b"]
    assert settings.env_int("SOME_INT", 3) == 3
    assert settings.env_number({"N": " "}, "N", 4) == 4
