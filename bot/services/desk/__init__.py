"""The agent desk's people: accounts, passwords and sign-in sessions (accounts.py) and the
sign-in throttle (throttle.py). What agents do with conversations is bot.services.handoff."""
