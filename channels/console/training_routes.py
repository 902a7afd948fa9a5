"""The console's new questions (listed in channels/console/__init__.py): an editor adds a
new FAQ or the review queue's examples, another person approves them, a retrain scores
the candidate, an approver (not who started it) rolls it out to every worker, or back.
Thin: rights here, the rest in bot.services.training.

Rights as for texts (channels/console/content_routes.py): `editor` proposes and starts a
retrain; `approver` approves or rejects others' changes, rolls out and rolls back.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Dict

from sanic import Blueprint
from sanic.request import Request

from bot.services.content.decisions import FourEyes, NotTheAuthor
from bot.services.content.workflow import Refused
from bot.services.training import changes, jobs, rollout
from channels.console.content_routes import APPROVER, EDITOR, MAX_TEXT, staff_user
from channels.http import json_body, json_response
from channels.model_watch import served_release

API = "/desk/console/api/training"


def _faq(body: Dict[str, Any]) -> Dict[str, Any]:
    def texts(name: str) -> Dict[str, str]:
        given = body.get(name) if isinstance(body.get(name), dict) else {}
        return {lang: str(given.get(lang) or "")[:MAX_TEXT] for lang in ("ar", "en")}

    examples = body.get("examples")
    if isinstance(examples, str):
        examples = examples.splitlines()
    return {
        "key": str(body.get("key") or "")[:80],
        "title": texts("title"),
        "answer": texts("answer"),
        "examples": [str(t)[:1000] for t in (examples or [])][:500],
    }


async def _step(call, *args, status: int = 200):
    """A service call's answer, its refusals as the console reads them."""
    try:
        return json_response(await asyncio.to_thread(call, *args), status)
    except Refused as e:
        return json_response({"error": "refused", "problems": e.problems}, 400)
    except FourEyes:
        return json_response({"error": "own_change"}, 403)
    except NotTheAuthor:
        return json_response({"error": "not_yours"}, 403)
    except jobs.Busy:
        return json_response({"error": "retrain_running"}, 409)
    except jobs.NothingToTrain:
        return json_response({"error": "nothing_approved"}, 409)
    except rollout.NotReady as e:
        return json_response({"error": "not_ready", "state": str(e)}, 409)
    except LookupError:
        return json_response({"error": "not_found"}, 404)
    except ValueError:
        return json_response({"error": "not_pending"}, 409)


def add_routes(bp: Blueprint) -> None:
    @bp.route(API, methods=["GET"])
    async def training_overview(request: Request):
        user, denied = await staff_user(request)
        if denied:
            return denied
        return json_response(
            {
                "changes": await asyncio.to_thread(changes.listed),
                "jobs": await asyncio.to_thread(jobs.listed),
                "releases": await asyncio.to_thread(rollout.releases),
                # This worker's; GET /ready of each worker says the same for it.
                "served": {"release": served_release(request.app), "worker": os.getpid()},
            }
        )

    @bp.route(f"{API}/jobs/<job_id:int>", methods=["GET"])
    async def training_job(request: Request, job_id: int):
        user, denied = await staff_user(request)
        if denied:
            return denied
        return await _step(jobs.get, job_id)

    @bp.route(f"{API}/faq/check", methods=["POST"])
    async def training_check(request: Request):
        user, denied = await staff_user(request, write=True, right=EDITOR)
        if denied:
            return denied
        problems = await asyncio.to_thread(changes.check_new_faq, _faq(json_body(request)))
        return json_response({"problems": problems})

    @bp.route(f"{API}/faq", methods=["POST"])
    async def training_new_faq(request: Request):
        user, denied = await staff_user(request, write=True, right=EDITOR)
        if denied:
            return denied
        body = json_body(request)
        note = str(body.get("note") or "")
        return await _step(changes.propose_new_faq, _faq(body), user["username"], note, status=201)

    @bp.route(f"{API}/reviewed", methods=["POST"])
    async def training_reviewed(request: Request):
        user, denied = await staff_user(request, write=True, right=EDITOR)
        if denied:
            return denied
        note = str(json_body(request).get("note") or "")
        return await _step(changes.propose_reviewed_examples, user["username"], note, status=201)

    steps = {
        "approve": (changes.approve, APPROVER),
        "reject": (changes.reject, APPROVER),
        "withdraw": (changes.withdraw, EDITOR),
    }

    @bp.route(f"{API}/changes/<change_id:int>/<step:str>", methods=["POST"])
    async def training_change_step(request: Request, change_id: int, step: str):
        if step not in steps:
            return json_response({"error": "not_found"}, 404)
        call, right = steps[step]
        user, denied = await staff_user(request, write=True, right=right)
        if denied:
            return denied
        return await _step(call, change_id, user["username"])

    @bp.route(f"{API}/jobs", methods=["POST"])
    async def training_start(request: Request):
        user, denied = await staff_user(request, write=True, right=EDITOR)
        if denied:
            return denied
        return await _step(jobs.start, user["username"], status=202)

    @bp.route(f"{API}/jobs/<job_id:int>/<step:str>", methods=["POST"])
    async def training_job_step(request: Request, job_id: int, step: str):
        calls = {"approve": rollout.approve, "discard": rollout.discard}
        if step not in calls:
            return json_response({"error": "not_found"}, 404)
        user, denied = await staff_user(request, write=True, right=APPROVER)
        if denied:
            return denied
        return await _step(calls[step], job_id, user["username"])

    @bp.route(f"{API}/rollback", methods=["POST"])
    async def training_rollback(request: Request):
        user, denied = await staff_user(request, write=True, right=APPROVER)
        if denied:
            return denied
        return await _step(rollout.rollback, user["username"])
