"""HTTP for the staff pages (the agent desk and the supervisors' console): security headers
on every response, JSON, pages and static files from a folder, cookies, the same-origin
and CSRF checks, and who is signed in.

Both are served under /desk and share one sign-in (bot.services.desk.accounts): the console
is the desk's pages for supervisors. Written once here so a fix to a check is a fix to both.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import urlparse

from sanic import response
from sanic.request import Request

from bot import settings
from bot.services.desk import accounts

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"
SUPERVISOR = "supervisor"
Denied = Optional[response.HTTPResponse]

STATIC_TYPES = {
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
    folder: Path, name: str, replacements: Optional[Dict[str, str]] = None, status: int = 200
) -> response.HTTPResponse:
    html = (folder / name).read_text(encoding="utf-8")
    for key, value in (replacements or {}).items():
        html = html.replace("{{" + key + "}}", value)
    return response.html(html, status=status, headers=headers())


def static_file(folder: Path, name: str) -> response.HTTPResponse:
    """A file of `folder` by its bare name (no sub-folders, no hidden files, known types)."""
    path = folder / name
    content_type = STATIC_TYPES.get(path.suffix)
    if content_type is None or "/" in name or name.startswith(".") or not path.is_file():
        return response.text("not found", status=404)
    return response.raw(
        path.read_bytes(), content_type=content_type, headers=headers({"Cache-Control": "no-cache"})
    )


def redirect(to: str, status: int = 302) -> response.HTTPResponse:
    return response.redirect(to, status=status, headers=headers())


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


async def signed_in(request: Request) -> Optional[Dict[str, Any]]:
    """The signed-in desk account of this request's session cookie, or None."""
    return await asyncio.to_thread(accounts.session_agent, request.cookies.get(SESSION_COOKIE))


async def staff(
    request: Request, write: bool, role: Optional[str] = None
) -> Tuple[Optional[Dict[str, Any]], Denied]:
    """The signed-in account, or the answer to give instead: 401 when signed out, 403 for
    the wrong role or for a write without the session's CSRF token or from another origin."""
    user = await signed_in(request)
    if user is None:
        return None, json_response({"error": "signed_out"}, 401)
    if role == SUPERVISOR and user.get("role") != SUPERVISOR:
        return None, json_response({"error": "supervisors_only"}, 403)
    if write:
        sent = request.headers.get("X-CSRF-Token", "")
        if not same_origin(request) or not tokens_match(sent, user["csrf"]):
            return None, json_response({"error": "csrf"}, 403)
    return user, None
