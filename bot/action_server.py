"""The action server: rasa_sdk's app behind a shared secret, on loopback unless told otherwise.

    python -m bot.action_server          # what `make run` and `make run-prod` start

Rasa's action server has no authentication of its own: whoever reaches its port can run
any action with any slots (open a ticket under any ID, send an SMS to any mobile). This
launcher builds rasa_sdk's Sanic app and adds:

- ACTION_SERVER_TOKEN (required, at least 16 characters): every request except
  GET /health must carry "Authorization: Bearer <token>"; Rasa sends it (endpoints.yml).
  Checked in constant time before any action runs; 401 otherwise. Without a token the
  server does not start. ACTION_SERVER_TOKEN_PREVIOUS (optional) is accepted too, so the
  secret can be rotated without refusing the calls of a Rasa not yet restarted.
- ACTIONS_HOST (default 127.0.0.1): the interface it listens on. Set a private
  interface only when Rasa runs on another machine (docs/security.md).
- ACTIONS_PORT (default 5055); ACTION_SERVER_SANIC_WORKERS (rasa_sdk's, default 1).
- no CORS (no browser has any business here) and personal numbers masked in its logs.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import sys
from typing import List, Optional

from bot import settings
from bot.services.content import live

logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
MIN_TOKEN_LENGTH = 16
OPEN_PATHS = frozenset({"/health"})


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach ("localhost", 127.x, ::1)."""
    host = (host or "").strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bearer_matches(header: Optional[str], token: str) -> bool:
    """Is `header` "Bearer <token>"? Constant time; an empty token never matches."""
    if not token or not header or not header[:7].lower() == "bearer ":
        return False
    return hmac.compare_digest(header[7:].strip().encode("utf-8"), token.encode("utf-8"))


def protect(app, token: str, previous: str = "") -> None:
    """Refuse (401) every request without the token, before any route (and so any action) runs."""
    from sanic import response

    accepted = [t for t in (token, previous) if t]

    @app.middleware("request")
    async def require_token(request):
        if request.method == "GET" and request.path in OPEN_PATHS:
            return None
        header = request.headers.get("Authorization")
        # Every accepted token is compared, so the time taken says nothing about which matched.
        if sum(bearer_matches(header, t) for t in accepted):
            return None
        logger.warning(
            "action server: %s %s without the shared secret refused",
            request.method,
            request.path[:64],
        )
        return response.json({"error": "unauthorised"}, status=401)


def create_app(token: str, actions: str = "bot.actions", previous: str = ""):
    """rasa_sdk's Sanic app for `actions`, protected by `token` (and `previous`), without CORS."""
    from rasa_sdk.endpoint import create_app as sdk_app

    for value in (token, previous or "x" * MIN_TOKEN_LENGTH):
        if len(value or "") < MIN_TOKEN_LENGTH:
            raise ValueError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_LENGTH} characters")
    app = sdk_app(actions, cors_origins=None)
    protect(app, token, previous)

    @app.listener("before_server_start")
    async def _published_content(_app, _loop) -> None:
        # In each worker process (Sanic starts them after this module ran): the texts
        # staff publish in the console reach the actions within a second.
        live.watch()

    return app


def _configure_logging() -> None:
    """As `python -m rasa_sdk` does (INFO, colours), plus the masking filter."""
    from rasa_sdk import utils

    from bot.masking import install_log_masking

    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    install_log_masking()


def main(argv: Optional[List[str]] = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="the assistant's action server (docs/security.md)")
    parser.add_argument("--actions", default="bot.actions", help="package of the actions")
    actions = parser.parse_args(argv).actions
    current = settings.get()
    token, host, port = current.action_server_token, current.actions_host, current.actions_port
    if len(token) < MIN_TOKEN_LENGTH:
        print(
            f"{TOKEN_ENV} is not set (or shorter than {MIN_TOKEN_LENGTH} characters): the action "
            "server runs any action for anyone who can reach it, so it does not start without "
            "one. `make run` and `make run-prod` set it; see docs/security.md.",
            file=sys.stderr,
        )
        return 2
    _configure_logging()
    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    app = create_app(token, actions, current.action_server_token_previous)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    if not is_loopback(host):
        logger.info("action server listening on %s (not loopback): only Rasa should reach it", host)
    logger.info("Action endpoint is up and running on http://%s:%d", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers())
    return 0


if __name__ == "__main__":
    sys.exit(main())
