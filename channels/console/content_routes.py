"""The console's content section (listed in channels/console/__init__.py): every
citizen-facing text and program fact, searched, edited with a preview, approved by a
second person, published, rolled back. Thin: rights and audit here, the rest in
bot.services.content.workflow.

Supervisors read; the `editor` right proposes; the `approver` right approves or rejects
others' changes, publishes and rolls back (`make agent …` then `python -m bot.backoffice
agents content USERNAME --editor on`).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any, Dict, Optional, Tuple

from sanic import Blueprint
from sanic.request import Request

from bot.services.content import decisions, live, workflow
from bot.store import audit, session_scope
from channels.http import SUPERVISOR, Denied, json_body, json_response, staff

EDITOR, APPROVER = "editor", "approver"
MAX_TEXT = 20_000  # far past every channel's limit: the checks say why, not this


async def staff_user(
    request: Request, write: bool = False, right: Optional[str] = None
) -> Tuple[Optional[Dict[str, Any]], Denied]:
    user, denied = await staff(request, write, role=SUPERVISOR)
    if denied:
        return None, denied
    if right and not user.get(right):
        return None, json_response({"error": f"{right}s_only"}, 403)
    return user, None


def _viewed(user: Dict[str, Any], subject: str, detail: Dict[str, Any]) -> None:
    with session_scope() as s:
        audit.record(s, f"agent:{user['username']}", "content.viewed", "content", subject, detail)


def _texts(body: Dict[str, Any]) -> Optional[Dict[str, str]]:
    texts = body.get("texts")
    if not isinstance(texts, dict) or not texts:
        return None
    if not all(isinstance(v, str) and len(v) <= MAX_TEXT for v in texts.values()):
        return None
    return {str(k)[:5]: v for k, v in texts.items()}


def add_routes(bp: Blueprint) -> None:
    @bp.route("/desk/console/api/content", methods=["GET"])
    async def content_items(request: Request):
        user, denied = await staff_user(request)
        if denied:
            return denied
        query = str(request.args.get("q") or "")[:200]
        found = await asyncio.to_thread(workflow.items, query)
        await asyncio.to_thread(_viewed, user, "items", {"q": query, "found": len(found)})
        return json_response({"items": found, "release": live.applied()})

    @bp.route("/desk/console/api/content/item", methods=["GET"])
    async def content_item(request: Request):
        user, denied = await staff_user(request)
        if denied:
            return denied
        key = str(request.args.get("key") or "")[:160]
        try:
            now = await asyncio.to_thread(workflow.current, key)
            history = await asyncio.to_thread(workflow.history, key)
            shown = await asyncio.to_thread(workflow.check, key, {})
        except KeyError:
            return json_response({"error": "not_found"}, 404)
        await asyncio.to_thread(_viewed, user, key, {})
        texts = {lang: str(v) for lang, v in now.items()}
        return json_response(
            {"key": key, "texts": texts, "history": history, "preview": shown["preview"]}
        )

    @bp.route("/desk/console/api/content/check", methods=["POST"])
    async def content_check(request: Request):
        user, denied = await staff_user(request, write=True)
        if denied:
            return denied
        body = json_body(request)
        key, texts = str(body.get("key") or "")[:160], _texts(body)
        if texts is None:
            return json_response({"error": "bad_texts"}, 400)
        try:
            result = await asyncio.to_thread(workflow.check, key, texts)
        except KeyError:
            return json_response({"error": "not_found"}, 404)
        return json_response(result)

    @bp.route("/desk/console/api/content/changes", methods=["GET"])
    async def content_changes(request: Request):
        user, denied = await staff_user(request)
        if denied:
            return denied
        found = await asyncio.to_thread(workflow.changes)
        await asyncio.to_thread(_viewed, user, "changes", {})
        return json_response({"changes": found})

    @bp.route("/desk/console/api/content/changes", methods=["POST"])
    async def content_propose(request: Request):
        user, denied = await staff_user(request, write=True, right=EDITOR)
        if denied:
            return denied
        body = json_body(request)
        key, texts = str(body.get("key") or "")[:160], _texts(body)
        if texts is None:
            return json_response({"error": "bad_texts"}, 400)
        try:
            change = await asyncio.to_thread(
                workflow.propose, key, texts, user["username"], str(body.get("note") or "")
            )
        except KeyError:
            return json_response({"error": "not_found"}, 404)
        except workflow.Refused as e:
            return json_response({"error": "refused", "problems": e.problems}, 400)
        return json_response(change, 201)

    async def _decide(request: Request, change_id: int, decide, right: str = APPROVER):
        """A step on one pending change: approve or reject (approvers), withdraw (its
        author, an editor)."""
        user, denied = await staff_user(request, write=True, right=right)
        if denied:
            return denied
        try:
            change = await asyncio.to_thread(decide, change_id, user["username"])
        except LookupError:
            return json_response({"error": "not_found"}, 404)
        except decisions.FourEyes:
            return json_response({"error": "own_change"}, 403)
        except decisions.NotTheAuthor:
            return json_response({"error": "not_yours"}, 403)
        except ValueError:
            return json_response({"error": "not_pending"}, 409)
        return json_response(change)

    @bp.route("/desk/console/api/content/changes/<change_id:int>/approve", methods=["POST"])
    async def content_approve(request: Request, change_id: int):
        return await _decide(request, change_id, workflow.approve)

    @bp.route("/desk/console/api/content/changes/<change_id:int>/reject", methods=["POST"])
    async def content_reject(request: Request, change_id: int):
        return await _decide(request, change_id, workflow.reject)

    @bp.route("/desk/console/api/content/changes/<change_id:int>/withdraw", methods=["POST"])
    async def content_withdraw(request: Request, change_id: int):
        return await _decide(request, change_id, workflow.withdraw, right=EDITOR)

    @bp.route("/desk/console/api/content/publish", methods=["POST"])
    async def content_publish(request: Request):
        user, denied = await staff_user(request, write=True, right=APPROVER)
        if denied:
            return denied
        note = str(json_body(request).get("note") or "")
        try:
            result = await asyncio.to_thread(workflow.publish, user["username"], note)
        except LookupError:
            return json_response({"error": "nothing_approved"}, 409)
        await asyncio.to_thread(live.refresh)  # this worker at once; the others poll
        return json_response(dict(result, published_at=time.time()))

    @bp.route("/desk/console/api/content/releases", methods=["GET"])
    async def content_releases(request: Request):
        user, denied = await staff_user(request)
        if denied:
            return denied
        found = await asyncio.to_thread(workflow.releases)
        return json_response({"releases": found, "live": live.applied()})

    @bp.route("/desk/console/api/content/rollback", methods=["POST"])
    async def content_rollback(request: Request):
        user, denied = await staff_user(request, write=True, right=APPROVER)
        if denied:
            return denied
        body = json_body(request)
        to_release, key = body.get("release"), body.get("key")
        if not isinstance(to_release, int) or isinstance(to_release, bool) or to_release < 0:
            return json_response({"error": "bad_release"}, 400)
        try:
            if key:
                result = await asyncio.to_thread(
                    workflow.rollback_item, str(key)[:160], to_release, user["username"]
                )
            else:
                result = await asyncio.to_thread(
                    workflow.rollback_release, to_release, user["username"]
                )
        except (LookupError, KeyError):
            return json_response({"error": "not_found"}, 404)
        await asyncio.to_thread(live.refresh)
        return json_response(result)

    @bp.route("/desk/console/api/content/live", methods=["GET"])
    async def content_live(request: Request):
        """Which release this worker serves (the worker's process id tells workers apart)."""
        user, denied = await staff_user(request)
        if denied:
            return denied
        return json_response({"release": live.applied(), "worker": os.getpid()})
