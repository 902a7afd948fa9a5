"""rasa.server.configure_cors: no CORS headers for a request that sent no Origin, and
never Access-Control-Allow-Credentials.

`rasa run` always installs Sanic-CORS through this function, even without `--cors`, with
credentials allowed and "always send" on: every response, to any client that sent no
Origin, carried `Access-Control-Allow-Credentials: true` (the desk's pages included). This
project gives no global grant (channels/edge.py: the widget and REST add their own, for
configured origins, without credentials); Rasa's HTTP API authenticates with a token, not
a cookie, so `--cors` keeps working for it without credentials.
"""

from __future__ import annotations

from bot.patches.registry import Patch


def _configure_cors(app, cors_origins=""):
    """rasa.server.configure_cors (Rasa 3.6) without credentials and without headers for
    requests that did not ask."""
    from sanic_cors import CORS

    app.config.CORS_AUTOMATIC_OPTIONS = True
    app.config.CORS_SUPPORTS_CREDENTIALS = False
    app.config.CORS_ALWAYS_SEND = False
    app.config.CORS_EXPOSE_HEADERS = "filename"
    CORS(app, resources={r"/*": {"origins": cors_origins or ""}}, automatic_options=True)


PATCHES = [
    Patch(
        "rasa.server",
        "configure_cors",
        lambda _original: _configure_cors,
        upstream_sha256="4eb39526bd4aa4a9e4009c3e2ccab3e37d7ffcef24841fc765bf909f2b4eba72",
    ),
]
