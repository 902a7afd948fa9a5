"""Web chat widget channel: one <script> tag on any page, a WebSocket to the Rasa server.

credentials.yml:   channels.web.channel.WebChatInput:

Routes (served by the Rasa server itself, no build step):
    GET  /chat             demo page (Arabic, right to left) with the widget open
    GET  /chat/widget.js   the widget; embed with
                           <script src="https://<rasa host>/chat/widget.js" defer></script>
    GET  /chat/widget.css  its style sheet (loaded by widget.js)
    GET  /chat/favicon.svg the demo page's icon
    WS   /chat/ws          the real-time connection

Environment:
    WEBCHAT_SECRET           HMAC key that signs session tokens. Unset = a random key per
                             process (fine for local development; sessions then end at a
                             restart and differ between workers). Set it in production.
    WEBCHAT_SESSION_DAYS     how long a session token stays valid (default 30).
    WEBCHAT_ALLOWED_ORIGINS  comma-separated origins allowed to open the socket and to
                             fetch widget.js/widget.css cross-origin (default "*": any page
                             may embed the widget). Never with credentials; the demo page
                             gets no CORS grant.
    WEBCHAT_SESSIONS_PER_ADDRESS / WEBCHAT_SESSIONS_WINDOW_SECONDS
                             new sessions one client address may open (default 20 per 600 s;
                             beyond: a "rate_limited" error and close code 4429, the widget
                             retries later). Reconnecting with a token is not a new session.

Sessions: the server issues the session id and signs it (channels/web/session.py): a
client cannot pick an id nor take over another conversation. A token that does not verify,
or whose conversation was erased, is refused with an "auth" error and close code 4401
before anything reaches Rasa (the widget then starts a new session); an open socket whose
conversation is erased is closed the same way at its next message. When the database
cannot say, the hello gets an "unavailable" error and close code 1013, and the widget
keeps its token and tries again. The conversation id is "web:<sid>".

Protocol (JSON text frames):
  client → server   {"type": "hello", "token": <token or null>}          (first frame)
                    {"type": "message", "id": <client uuid>, "text": "..."}
                    {"type": "message", "id": <client uuid>, "payload": "/x", "title": "..."}
                    {"type": "ping"}
  server → client   {"type": "session", "token": "...", "new": true|false}
                    {"type": "history", "messages": [<message>...], "lang": "ar"|"en"}
                                                                      (after every hello)
                    {"type": "message", "message": <message>, "lang": "ar"|"en"}
                                                                      (bot, agent or system)
                    {"type": "ack", "id": <client uuid>, "duplicate": bool}
                    {"type": "ack", "id": <client uuid>, "refused": "rate_limited",
                     "retry_after": <seconds>}   (not taken: the widget keeps it, marked
                                                  "not sent", and offers to send it again)
                    {"type": "typing", "on": true|false, "by": "bot"}   (only while Rasa works)
                    {"type": "typing", "on": true|false, "by": "agent", "name": "..."}
                    {"type": "handoff", "state": "bot"|"queued"|"agent", "name": <agent> | null}
                    {"type": "error", "code": "auth" | "bad_request" | "too_large" | "origin"
                                           | "rate_limited" | "unavailable"}
                    {"type": "pong"}
  <message> = {"id", "author": "citizen"|"bot"|"agent"|"system", "text", "buttons": [{title, payload}], "at"}
              agent messages also have "name" (the agent's display name) when it is known.
"lang" is the conversation's language for the widget's own labels (English left to right,
Arabic right to left): on the history, the citizen's latest message that says one; on a
bot or system message, the language it is written in. Absent when the text does not say
(a number, a new conversation): the widget keeps the language it has.
The handoff frame follows the history on a reconnect and precedes every message the desk
sends (channels/web/agent.py), so the widget shows the agent's name in its header while
they hold the conversation; the agent's typing state comes from
channels.outbound.notify_agent_typing.
A chip click sends the button payload; the shared pipeline accepts it only if the bot
offered exactly that payload in its last reply, else it is treated as typed text with the
leading "/" removed. Client message ids de-duplicate resends after a reconnect.
Messages sent while the citizen is offline are in the transcript and arrive with the
history when the widget reconnects.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from bot.nlu.language import detect_language
from bot.services.language import transcript_language
from bot.store import conversations
from channels.base import RecordingOutput, log_id, parse_json
from channels.edge import allowed_origins, client_address, cors_headers, origin_allowed
from channels.inbound import DUPLICATE, RATE_LIMITED, Inbound
from channels.pipeline import get_pipeline
from channels.web.agent import holder_frame, name_agent_messages
from channels.web.session import issue_session, revoked, verify_session

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
HISTORY_LIMIT = 200
MAX_FRAME = 16_000
HELLO_TIMEOUT = 15.0
AUTH_CLOSE_CODE = 4401
BUSY_CLOSE_CODE = 4429
TRY_AGAIN_CLOSE_CODE = 1013


# -- live sockets ----------------------------------------------------------------------------
class SocketRegistry:
    """The open sockets of each session (one per tab). In-process: with several Rasa
    workers a push reaches the sockets of this worker; the transcript covers the rest."""

    def __init__(self) -> None:
        self._sockets: Dict[str, Set[Any]] = {}

    def add(self, sid: str, ws: Any) -> None:
        self._sockets.setdefault(sid, set()).add(ws)

    def discard(self, sid: str, ws: Any) -> None:
        group = self._sockets.get(sid)
        if group is not None:
            group.discard(ws)
            if not group:
                del self._sockets[sid]

    def online(self, sid: str) -> bool:
        return bool(self._sockets.get(sid))

    async def push(self, sid: str, frame: Dict[str, Any]) -> int:
        """Send a frame to every socket of the session; returns how many got it."""
        data = json.dumps(frame, ensure_ascii=False)
        reached = 0
        for ws in list(self._sockets.get(sid, ())):
            try:
                await ws.send(data)
                reached += 1
            except Exception:
                self.discard(sid, ws)
        return reached


registry = SocketRegistry()


def _public(message: Dict[str, Any]) -> Dict[str, Any]:
    public = {k: message[k] for k in ("id", "author", "text", "buttons", "at")}
    if message.get("name"):
        public["name"] = message["name"]
    return public


def message_frame(message: Dict[str, Any]) -> Dict[str, Any]:
    """The frame that shows one message, with the language of a bot or system message (the
    assistant answers in the citizen's language; an agent may write in either)."""
    frame: Dict[str, Any] = {"type": "message", "message": _public(message)}
    lang = detect_language(message["text"]) if message["author"] in ("bot", "system") else None
    if lang:
        frame["lang"] = lang
    return frame


class WebOutput(RecordingOutput):
    channel = "web"
    # A refused message is marked in the widget by its ack (retry time included), so the
    # pipeline sends no rate-limit notice here.
    marks_refused = True

    def __init__(self, conversation_id: str, author: str = "bot") -> None:
        super().__init__(conversation_id, conversation_id.split(":", 1)[-1], author)
        self.reached = 0
        self.agent_name: Optional[str] = None  # shown on agent messages (outbound sets it)

    async def deliver(
        self, text: str, buttons: List[Dict[str, str]], transcript_id: Optional[int]
    ) -> Optional[str]:
        message = {
            "id": transcript_id,
            "author": self.current_author,
            "text": text,
            "buttons": buttons,
            "at": conversations.utcnow().isoformat(),
        }
        if self.current_author == "agent" and self.agent_name:
            message["name"] = self.agent_name
        self.reached = await registry.push(self.recipient_id, message_frame(message))
        return None

    async def typing(self, on: bool) -> None:
        # Only the pipeline calls this, around a Rasa turn: these are the bot's dots.
        await registry.push(self.recipient_id, {"type": "typing", "on": on, "by": "bot"})


# -- input -----------------------------------------------------------------------------------
class WebChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "web"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> "WebChatInput":
        return cls()

    def url_prefix(self) -> str:
        # Absolute on purpose: Rasa joins it to "/webhooks/" with urljoin, which keeps an
        # absolute path, so the widget lives at /chat (Rasa itself owns "/").
        return "/chat"

    @staticmethod
    def _origins():
        return allowed_origins("webchat_allowed_origins")

    def _origin_allowed(self, request: Request) -> bool:
        return origin_allowed(request.headers.get("Origin") or "", self._origins())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        bp = Blueprint("citizen_web_chat", url_prefix="/chat")

        def static(name: str, content_type: str, cross_origin: bool):
            async def handler(request: Request):
                body = (STATIC / name).read_bytes()
                headers = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
                if cross_origin:  # embedded in other sites' pages; the demo page is not
                    headers.update(cors_headers(request, self._origins()))
                return response.raw(body, content_type=content_type, headers=headers)

            handler.__name__ = "static_" + name.replace(".", "_")
            return handler

        bp.add_route(static("demo.html", "text/html; charset=utf-8", False), "/", methods=["GET"])
        bp.add_route(
            static("widget.js", "application/javascript; charset=utf-8", True),
            "/widget.js",
            methods=["GET"],
        )
        bp.add_route(
            static("widget.css", "text/css; charset=utf-8", True), "/widget.css", methods=["GET"]
        )
        # The demo page's icon: without one the browser asks for /favicon.ico and gets a 404.
        bp.add_route(static("favicon.svg", "image/svg+xml", False), "/favicon.svg", methods=["GET"])

        @bp.websocket("/ws")
        async def socket(request: Request, ws):
            if not self._origin_allowed(request):
                logger.warning("web: socket from a disallowed origin refused")
                await self._send(ws, {"type": "error", "code": "origin"})
                await ws.close(code=AUTH_CLOSE_CODE, reason="origin")
                return
            sid = await self._hello(ws, client_address(request))
            if sid is None:
                return
            registry.add(sid, ws)
            try:
                await self._serve(ws, sid, on_new_message)
            finally:
                registry.discard(sid, ws)

        return bp

    @staticmethod
    async def _send(ws, frame: Dict[str, Any]) -> None:
        await ws.send(json.dumps(frame, ensure_ascii=False))

    async def _hello(self, ws, address: str) -> Optional[str]:
        try:
            raw = await ws.recv(timeout=HELLO_TIMEOUT)
            hello = parse_json(raw) if raw else None
        except Exception:
            hello = None
        if not isinstance(hello, dict) or hello.get("type") != "hello":
            await self._send(ws, {"type": "error", "code": "bad_request"})
            await ws.close(code=1008, reason="hello expected")
            return None
        token = hello.get("token")
        if token:
            sid = verify_session(token)
            try:
                erased = sid is not None and await asyncio.to_thread(revoked, sid)
            except Exception as e:
                # Not a refusal: the widget would forget its conversation over a database blip.
                logger.error("web: session check unavailable: %s", type(e).__name__)
                await self._send(ws, {"type": "error", "code": "unavailable"})
                await ws.close(code=TRY_AGAIN_CLOSE_CODE, reason="try again later")
                return None
            if sid is None or erased:
                logger.warning("web: invalid, expired or erased session token refused")
                await self._refuse(ws)
                return None
            new = False
        else:
            # A session per hello would let one client become any number of senders.
            if not await get_pipeline().client_allowed("web-session", address):
                await self._send(ws, {"type": "error", "code": "rate_limited"})
                await ws.close(code=BUSY_CLOSE_CODE, reason="too many new sessions")
                return None
            issued = issue_session()
            sid, token, new = issued["session_id"], issued["token"], True
        await self._send(ws, {"type": "session", "token": token, "new": new})
        history: List[Dict[str, Any]] = []
        if not new:
            try:
                history = [_public(m) for m in await asyncio.to_thread(self._history, f"web:{sid}")]
            except Exception as e:
                logger.error("web: history unavailable: %s", type(e).__name__)
        frame: Dict[str, Any] = {"type": "history", "messages": history}
        lang = transcript_language(history)
        if lang:
            frame["lang"] = lang
        await self._send(ws, frame)
        if not new:
            await self._send(ws, await asyncio.to_thread(holder_frame, f"web:{sid}"))
        return sid

    async def _refuse(self, ws) -> None:
        await self._send(ws, {"type": "error", "code": "auth"})
        await ws.close(code=AUTH_CLOSE_CODE, reason="invalid session")

    @staticmethod
    async def _erased(sid: str) -> bool:
        """Was the conversation erased while this socket was open? A database error counts
        as no: the hello checked it, and the message then meets the same database."""
        try:
            return await asyncio.to_thread(revoked, sid)
        except Exception as e:
            logger.error("web: session check unavailable: %s", type(e).__name__)
            return False

    @staticmethod
    def _history(conversation_id: str) -> List[Dict[str, Any]]:
        messages = conversations.transcript(conversation_id, HISTORY_LIMIT)
        name_agent_messages(conversation_id, messages)
        return messages

    async def _serve(self, ws, sid: str, on_new_message) -> None:
        conversation_id = f"web:{sid}"
        while True:
            try:
                raw = await ws.recv()
            except Exception:
                return
            if raw is None:
                return
            if len(raw) > MAX_FRAME:
                await self._send(ws, {"type": "error", "code": "too_large"})
                continue
            try:
                frame = parse_json(raw)
                if not isinstance(frame, dict):
                    raise ValueError
            except ValueError:
                logger.info("web: malformed frame ignored")
                await self._send(ws, {"type": "error", "code": "bad_request"})
                continue
            kind = frame.get("type")
            if kind == "ping":
                await self._send(ws, {"type": "pong"})
                continue
            if kind != "message":
                await self._send(ws, {"type": "error", "code": "bad_request"})
                continue
            if await self._erased(sid):
                logger.info("web: message on an erased session refused")
                await self._refuse(ws)
                return
            client_id = str(frame.get("id") or "")[:64] or None
            text = (
                frame.get("payload") if isinstance(frame.get("payload"), str) else frame.get("text")
            )
            text = text if isinstance(text, str) else ""
            inbound = Inbound(
                channel="web",
                conversation_id=conversation_id,
                recipient_id=sid,
                text=text,
                dedup_key=f"web:{sid}:{client_id}" if client_id else None,
                channel_message_id=client_id,
                verified=True,
                payload_as_text=True,
            )
            outcome = await get_pipeline().handle(
                inbound, on_new_message, WebOutput(conversation_id), background=True
            )
            if client_id:
                ack = {"type": "ack", "id": client_id, "duplicate": outcome == DUPLICATE}
                if outcome == RATE_LIMITED:
                    ack.update(refused="rate_limited", retry_after=inbound.retry_after or 1)
                await self._send(ws, ack)
            logger.debug("web: message from %s %s", log_id(conversation_id), outcome)
