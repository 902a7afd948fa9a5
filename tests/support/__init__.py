"""What every test folder shares. Fixtures are loaded by tests/conftest.py through
`pytest_plugins` (asked for by name, never imported); helpers and data are imported.

    ci.py                the one rule for "are we in CI?", and what a missing tool does there
    markers.py           the markers each test gets from the fixtures it uses; xdist groups
    environment.py       putting environment variables back after a test changed them
    postgres.py          one PostgreSQL cluster per session (bot/tools/services.py starts it),
                         a migrated template database copied per test, and `app_db`
    redis.py             one Redis server per session, flushed per test
    rasa.py              the trained model, one Rasa + action server for the session
    browser.py           headless Debian Chromium through Playwright
    channels.py          the channels' sanic app with stand-ins for Telegram and WhatsApp
    desk.py              the desk (and the console) in process, with two agents
    privacy_data.py      a citizen in every table that can hold personal data (`dbs`)
    logs.py              log masking as the servers install it (`log_masking`)
    actions.py           trackers as Rasa sends them to the action server
    console.py           turn rows for the console's numbers
    personal_formats.py  every way the bot accepts an ID, a mobile or an IBAN
    eligibility_answers.py  a household's answers to the pre-check

Free ports come from bot.tools.services.free_port (the launchers' own), never written again.
"""
