"""The desk's own pages: the sign-in form (with its CSRF cookie) and the desk's static
folder. Everything else of HTTP the desk shares with the console: channels/http.py."""

from __future__ import annotations

import secrets
from typing import Dict, Optional

from sanic import response

from channels.desk.views import STATIC
from channels.http import LOGIN_COOKIE, page, set_cookie


def desk_page(
    name: str, replacements: Optional[Dict[str, str]] = None, status: int = 200
) -> response.HTTPResponse:
    return page(STATIC, name, replacements, status)


def login_page(error: str = "", status: int = 200) -> response.HTTPResponse:
    """The sign-in form with a fresh CSRF token, also set in its own short-lived cookie."""
    token = secrets.token_urlsafe(24)
    resp = desk_page(
        "login.html",
        {"csrf": token, "error": error, "error_class": "error" if error else "error hidden"},
        status,
    )
    set_cookie(resp, LOGIN_COOKIE, token, 3600)
    return resp
