"""HTTP for the desk: security headers on every response, JSON, pages, static files,
cookies, and the same-origin and CSRF checks."""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any, Dict, Optional
from urllib.parse import urlparse

from sanic import response
from sanic.request import Request

from bot import settings
from channels.desk.views import STATIC

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"

_STATIC_TYPES = {
    ".js": "application/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # "same-origin", not "no-referrer": with no-referrer Chrome sends "Origin: null" on form posts.
    "Referrer-Policy": "same-origin",
}


def headers(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    result = dict(_SECURITY_HEADERS)
    result["Cache-Control"] = "no-store"
    if extra:
        result.update(extra)
    return result


def json_response(body: Any, status: int = 200) -> response.HTTPResponse:
    return response.json(
        body, status=status, headers=headers(), dumps=lambda o: json.dumps(o, ensure_ascii=False)
    )


def page(
    name: str, replacements: Optional[Dict[str, str]] = None, status: int = 200
) -> response.HTTPResponse:
    html = (STATIC / name).read_text(encoding="utf-8")
    for key, value in (replacements or {}).items():
        html = html.replace("{{" + key + "}}", value)
    return response.html(html, status=status, headers=headers())


def login_page(error: str = "", status: int = 200) -> response.HTTPResponse:
    """The sign-in form with a fresh CSRF token, also set in its own short-lived cookie."""
    token = secrets.token_urlsafe(24)
    resp = page(
        "login.html",
        {"csrf": token, "error": error, "error_class": "error" if error else "error hidden"},
        status,
    )
    set_cookie(resp, LOGIN_COOKIE, token, 3600)
    return resp


def redirect(to: str, status: int = 302) -> response.HTTPResponse:
    return response.redirect(to, status=status, headers=headers())


def static_file(name: str) -> response.HTTPResponse:
    path = STATIC / name
    content_type = _STATIC_TYPES.get(path.suffix)
    if content_type is None or "/" in name or name.startswith(".") or not path.is_file():
        return response.text("not found", status=404)
    return response.raw(
        path.read_bytes(), content_type=content_type, headers=headers({"Cache-Control": "no-cache"})
    )


def same_origin(request: Request) -> bool:
    """Browsers send Origin on POST; when present it must be this server (DESK_ORIGIN,
    e.g. "https://desk.example.sa", when a proxy rewrites the Host header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = [o.strip().rstrip("/") for o in settings.get().desk_origin.split(",") if o.strip()]
    if allowed:
        return origin.rstrip("/") in allowed
    return urlparse(origin).netloc == request.headers.get("Host", "")


def tokens_match(sent: str, expected: str) -> bool:
    return hmac.compare_digest(sent.encode(), expected.encode())


def set_cookie(resp: response.HTTPResponse, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    cookie = resp.cookies[name]
    cookie["path"] = "/desk"
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["max-age"] = max_age
    if settings.get().desk_cookie_secure:
        cookie["secure"] = True
