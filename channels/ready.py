"""GET /ready: may this Rasa server be given citizens' messages now?

    200 {"ready": true,  "checks": {"model": "ok", "database": "ok", "redis": "ok"}}
    503 {"ready": false, "checks": {"model": "loading", "database": "unreachable", ...}}

The load balancer asks it every second or two (deploy/haproxy.cfg.in: `option httpchk
GET /ready`) and sends a server nothing while it answers anything but 200: while its
model is loading, or while the database or Redis cannot be reached from this host (a
message taken in then could be neither stored nor locked). `/webhooks/rest/` stays the
plain liveness answer ("the process is up").

Each check has CHECK_SECONDS; one that takes longer counts as unreachable, so a hung
database turns the server out of rotation instead of hanging the health check.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from sanic import response
from sanic.request import Request

from bot import settings
from channels.model_watch import served_release

logger = logging.getLogger(__name__)

CHECK_SECONDS = 2.0
_redis: Dict[str, Any] = {}


def _model_state(app: Any) -> str:
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return "loading"
    # Not before the worker caught up with the newest model release (channels/model_watch.py).
    return "ok" if served_release(app) is not None else "loading"


def _database_ok() -> None:
    from sqlalchemy import text

    from bot.store import engine

    with engine().connect() as conn:
        conn.execute(text("SELECT 1"))


def _redis_ok(url: str) -> None:
    import redis

    client = _redis.get(url)
    if client is None:
        client = _redis[url] = redis.Redis.from_url(
            url, socket_timeout=CHECK_SECONDS, socket_connect_timeout=CHECK_SECONDS
        )
    client.ping()


async def _check(fn, *args) -> str:
    try:
        await asyncio.wait_for(asyncio.to_thread(fn, *args), CHECK_SECONDS)
        return "ok"
    except Exception as e:  # any failure, timeout included, means "not now"
        logger.debug("readiness check %s failed: %s", fn.__name__, type(e).__name__)
        return "unreachable"


async def readiness(app: Any, redis_url: Optional[str] = None) -> Dict[str, str]:
    checks = {"model": _model_state(app), "database": await _check(_database_ok)}
    url = settings.get().redis_url if redis_url is None else redis_url
    if url:
        checks["redis"] = await _check(_redis_ok, url)
    return checks


async def ready(request: Request):
    checks = await readiness(request.app)
    ok = all(value == "ok" for value in checks.values())
    body = {"ready": ok, "checks": checks, "model_release": served_release(request.app)}
    return response.json(body, status=200 if ok else 503)


def add_route(app: Any) -> None:
    app.add_route(ready, "/ready", methods=["GET"], name="cza_ready")
