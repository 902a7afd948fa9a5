"""The widget's session tokens: "<sid>.<issued>.<hmac>", issued and signed by the server.

A client cannot pick an id nor take over another conversation: only a token this server
signed verifies, in one canonical spelling (24 URL-safe characters, the issue time in
ASCII digits without a leading zero, the 43-character signature): "0<issued>" or
Arabic-Indic digits would be other strings carrying the same signature. A token stops
working when it is older than WEBCHAT_SESSION_DAYS, and when its conversation was erased
(bot/store/web_sessions.py, shared by every worker through the database).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import time
from typing import Any, Dict, Optional

from bot import settings
from bot.store import web_sessions

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"([A-Za-z0-9_-]{24})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{43})")
_process_secret: Optional[bytes] = None


def _secret() -> bytes:
    global _process_secret
    configured = settings.get().webchat_secret
    if configured:
        return configured.encode()
    if _process_secret is None:
        _process_secret = secrets.token_bytes(32)
        logger.warning(
            "WEBCHAT_SECRET is not set: web chat sessions are signed with a random "
            "key for this process only (local development). Set it in production."
        )
    return _process_secret


def _sign(sid: str, issued: int) -> str:
    mac = hmac.new(_secret(), f"web-session.v1.{sid}.{issued}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue_session(now: Optional[float] = None) -> Dict[str, str]:
    """A new server-chosen session id and its signed token, issued at `now` (default: the
    current time)."""
    sid = secrets.token_urlsafe(18)
    issued = int(time.time() if now is None else now)
    return {"session_id": sid, "token": f"{sid}.{issued}.{_sign(sid, issued)}"}


def verify_session(token: Any, now: Optional[float] = None) -> Optional[str]:
    """The session id if the token is genuine, canonical and not expired at `now` (default:
    the current time), else None (constant time). Whether its conversation was erased is
    `revoked`'s question."""
    match = _TOKEN.fullmatch(token) if isinstance(token, str) else None
    if match is None:
        return None
    sid, issued, sig = match.group(1), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(_sign(sid, issued).encode(), sig.encode()):
        return None
    if (time.time() if now is None else now) - issued > settings.get().webchat_session_days * 86400:
        return None
    return sid


def revoked(sid: str) -> bool:
    """Was this session's conversation erased? (A database look-up: call it in a thread.)"""
    return web_sessions.revoked(f"web:{sid}")
