"""Change notices for the desk's live updates: "episode N changed", nothing personal.

`emit(kind, handoff_id)` runs after a committed change. With REDIS_URL set the notice is
published on Redis, so every Rasa worker's desk hears of it, including changes made by
the action server (escalations); without it, listeners in this process get it directly.
Listeners (channels/desk/live.py) must be quick and thread-safe: transitions run in
worker threads. Losing a notice is harmless: the desk also refreshes now and then.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from bot import metrics, settings

logger = logging.getLogger(__name__)

CHANNEL = "desk:events"
Listener = Callable[[Dict[str, Any]], None]
_listeners: List[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


@lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    timeout = settings.get().redis_socket_timeout
    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def emit(kind: str, handoff_id: Optional[int] = None) -> None:
    """Never raises: a notice that cannot be sent only delays the desk's refresh."""
    event = {"kind": kind, "handoff": handoff_id}
    url = settings.get().redis_url
    if url:
        try:
            _redis(url).publish(CHANNEL, json.dumps(event))
            return
        except Exception as e:
            metrics.redis_error("desk_notice")
            logger.warning("desk notice not published: %s", type(e).__name__)
    deliver(event)


def deliver(event: Dict[str, Any]) -> None:
    """Hand a notice to this process's listeners (also used for notices read from Redis)."""
    for listener in list(_listeners):
        try:
            listener(event)
        except Exception as e:  # one broken listener must not stop the others
            logger.warning("desk notice listener failed: %s", type(e).__name__)
