"""What every test folder shares, loaded by tests/conftest.py through `pytest_plugins`:

    ci.py           the one rule for "are we in CI?", and what a missing tool does there
    environment.py  putting environment variables back after a test changed them
    postgres.py     one PostgreSQL cluster per session (bot/tools/services.py starts it),
                    a migrated template database copied per test, and `app_db`
    redis.py        one Redis server per session, flushed per test
    rasa.py         the trained model, one Rasa + action server for the session
    browser.py      headless Debian Chromium through Playwright
    markers.py      the markers every test gets from the fixtures it uses

Free ports come from bot.tools.services.free_port (the launchers' own), never written again.
"""
