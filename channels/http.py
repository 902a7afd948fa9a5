"""HTTP for the staff pages (the agent desk and the supervisors' console): security headers
on every response, JSON, pages and static files from a folder, cookies, the same-origin
and CSRF checks, who is signed in, and what input a staff route may be given.

Both are served under /desk and share one sign-in (bot.services.desk.accounts): the console
is the desk's pages for supervisors. Written once here so a fix to a check is a fix to both.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from sanic import response
from sanic.request import Request

from bot import settings
from bot.services.desk import accounts
from channels.base import parse_json
from channels.edge import forwarded_proto

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"
SUPERVISOR = "supervisor"
Denied = Optional[response.HTTPResponse]
# The largest id a database column holds: SQLite raises OverflowError past it.
MAX_ROW_ID = 2**63 - 1
# Days the pages can ask about: far enough either way for any search, near enough that a
# day boundary in Riyadh time never leaves the datetime range.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DAY_ARGS = ("from", "to", "from_b", "to_b")  # from_b, to_b: the console's second period
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

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
    """Browsers send Origin on POST; when present it must be this server, scheme included
    (DESK_ORIGIN, e.g. "https://desk.example.sa", when a proxy rewrites the Host header)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    allowed = [o.strip().rstrip("/") for o in settings.get().desk_origin.split(",") if o.strip()]
    if allowed:
        return origin.rstrip("/") in allowed
    here = f"{_scheme(request)}://{request.headers.get('Host', '')}"
    return origin.rstrip("/").lower() == here.lower()


def _scheme(request: Request) -> str:
    """http or https as the browser sees this server: what a proxy of TRUSTED_PROXIES says
    (X-Forwarded-Proto, after it ended TLS), else the connection's own."""
    return forwarded_proto(request) or ("https" if request.scheme in ("https", "wss") else "http")


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
    the wrong role or for a write without the session's CSRF token or from another origin,
    then 404 / 400 for input no staff route can serve (`bad_input`)."""
    user = await signed_in(request)
    if user is None:
        return None, json_response({"error": "signed_out"}, 401)
    if role == SUPERVISOR and user.get("role") != SUPERVISOR:
        return None, json_response({"error": "supervisors_only"}, 403)
    if write:
        sent = request.headers.get("X-CSRF-Token", "")
        if not same_origin(request) or not tokens_match(sent, user["csrf"]):
            return None, json_response({"error": "csrf"}, 403)
    refused = bad_input(request, write)
    if refused:
        return None, refused
    return user, None


def bad_input(request: Request, write: bool) -> Denied:
    """The one check of what every staff API route is given, before the route reads it:
    an id in the path that no row can have (404), a day outside FIRST_DAY..LAST_DAY or not
    YYYY-MM-DD (400), and for a write a body that is not one JSON object, nested too deep
    included (400). The body, parsed, is then `json_body(request)`."""
    for value in request.match_info.values():
        if isinstance(value, int) and abs(value) > MAX_ROW_ID:
            return json_response({"error": "not_found"}, 404)
        if isinstance(value, str) and not value.isprintable():
            return json_response({"error": "not_found"}, 404)
    for name in DAY_ARGS:
        raw = request.args.get(name)
        if raw not in (None, "") and staff_day(raw) is None:
            return json_response({"error": "bad_date", "field": name}, 400)
    if write:
        try:
            parsed = parse_json(request.body) if request.body else {}
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return json_response({"error": "bad_json"}, 400)
        request.ctx.staff_body = parsed
    return None


def json_body(request: Request) -> Dict[str, Any]:
    """The JSON object of a write that `staff` let through."""
    return getattr(request.ctx, "staff_body", None) or {}


def staff_day(value: Any) -> Optional[date]:
    """A day given as YYYY-MM-DD (ASCII digits) between FIRST_DAY and LAST_DAY, or None."""
    text = str(value or "").strip()
    if not _DAY.fullmatch(text):
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None
