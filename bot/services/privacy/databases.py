"""Where the retention purge and the erasure find the data: our database and Rasa's
tracker store, for this process or for another process's environment (the launcher's,
which its servers inherit)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Tuple

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine

from bot import settings
from bot.store import sqlite_engine_kwargs, tune_engine


def _settings(env: Optional[Mapping[str, str]]) -> settings.Settings:
    return settings.from_env(env) if env is not None else settings.get()


def app_url(env: Optional[Mapping[str, str]] = None) -> str:
    """Our database's URL for this environment (bot/settings.py's one rule)."""
    return _settings(env).app_database_url()


def tracker_url(env: Optional[Mapping[str, str]] = None) -> str:
    """The rule of bot.store.tracker_store.tracker_store_url, without importing Rasa (seconds
    and half a gigabyte: too much for the back office and the launcher). A test keeps the
    two equal."""
    cfg = _settings(env)
    explicit = cfg.tracker_store_url
    database = cfg.database_url
    if not explicit and database.startswith(("postgres://", "postgresql://", "postgresql+")):
        explicit = database
    if explicit:
        return (
            explicit.replace("postgres://", "postgresql://", 1)
            if explicit.startswith("postgres://")
            else explicit
        )
    path = cfg.tracker_db or str(Path(cfg.var_dir) / "tracker.db")
    return path if path.startswith("sqlite:") else f"sqlite:///{path}"


def _engine(url: str) -> Engine:
    kwargs = {"future": True}
    if url.startswith("sqlite"):
        kwargs.update(sqlite_engine_kwargs(url))
    else:
        # The purge runs one statement at a time: one connection and a spare is all it
        # takes from the server's connection budget (docs/privacy.md).
        kwargs.update(pool_size=1, max_overflow=1)
    return tune_engine(create_engine(url, **kwargs))


def open_engines(env: Optional[Mapping[str, str]] = None) -> Tuple[Engine, Optional[Engine]]:
    """(our database, Rasa's tracker database or None if it does not exist yet). Without
    `env`, our database is bot.store's engine; the tracker engine is the caller's to dispose
    unless it is the same object."""
    if env is None:
        from bot.store import engine as app_engine

        app, url = app_engine(), app_url()
    else:
        url = app_url(env)
        app = _engine(url)
    turl = tracker_url(env)
    if turl == url:
        return app, app
    if turl.startswith("sqlite:///") and not Path(turl[len("sqlite:///") :]).exists():
        return app, None  # no conversation yet: do not create an empty file
    return app, _engine(turl)


def has_events(tracker: Optional[Engine]) -> bool:
    return tracker is not None and inspect(tracker).has_table("events")
