"""Every Rasa worker serves the newest model release (bot/services/training/rollout.py).

Every MODEL_POLL_SECONDS (bot/settings.py) the worker reads the newest release's id (one indexed row); when it
changed, it writes the release's model to this host's disk once, builds Rasa's
MessageProcessor for it in a thread, and swaps it into the Agent between two messages.

Why not Rasa's own model-server pull (endpoints.yml `models:`): it loads the new model on
the event loop, so every conversation of the worker waits seconds, and a worker that
starts while the model server is unreachable serves no model at all. Here the old
processor answers until the new one is whole: a message being handled keeps the processor
it started with (Agent.handle_message reads `agent.processor` once, under the
conversation's lock), the next one gets the new model. GET /ready (channels/ready.py) says
"loading" until the worker has caught up with the newest release once, so a worker
started after a rollout is given no message while it would answer with the old model.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from bot import settings
from bot.services.training import rollout

logger = logging.getLogger(__name__)


def served_release(app: Any) -> Optional[int]:
    """The model release this worker serves (0: the start model), None before its first
    look at the database."""
    return getattr(app.ctx, "cza_model_release", None)


async def _processor(agent: Any, path: Path) -> Any:
    from rasa.core.processor import MessageProcessor

    return await asyncio.to_thread(
        MessageProcessor,
        model_path=path,
        tracker_store=agent.tracker_store,
        lock_store=agent.lock_store,
        action_endpoint=agent.action_endpoint,
        generator=agent.nlg,
        http_interpreter=agent.http_interpreter,
    )


def _swap(agent: Any, processor: Any, fingerprint: str) -> None:
    # One assignment each, on the event loop: no await between them, so no message sees
    # the new processor with the old domain.
    agent.processor = processor
    agent.domain = processor.domain
    agent.tracker_store.domain = processor.domain
    agent.fingerprint = fingerprint
    # Every processor shares the Agent's one response generator, whose responses Rasa
    # sets from the domain in Agent.load_model: without this a new question would be
    # understood and not answered. The old ones stay: a message under way on the old
    # processor may still utter a response the new domain dropped.
    if isinstance(agent.nlg, TemplatedNaturalLanguageGenerator):
        agent.nlg.responses = {**agent.nlg.responses, **processor.domain.responses}


async def catch_up(app: Any, start_model: Path) -> bool:
    """Serve the newest release if this worker does not yet; True if it swapped."""
    agent = getattr(app.ctx, "agent", None)
    if agent is None or agent.processor is None:
        return False
    newest, sha = await asyncio.to_thread(rollout.newest_release)
    if newest == served_release(app):
        return False
    swapped = False
    if sha != getattr(app.ctx, "cza_model_sha", None):
        path = await asyncio.to_thread(rollout.release_file, newest) or start_model
        processor = await _processor(agent, path)
        if app.ctx.agent is agent:  # Rasa's PUT /model may have replaced the agent meanwhile
            _swap(agent, processor, sha or "start")
            swapped = True
            logger.info("model release %s served (%s)", newest, (sha or "start model")[:16])
    app.ctx.cza_model_release, app.ctx.cza_model_sha = newest, sha
    return swapped


async def _watch(app: Any) -> None:
    start_model: Optional[Path] = None
    while True:
        try:
            agent = getattr(app.ctx, "agent", None)
            if start_model is None and agent is not None and agent.processor is not None:
                start_model = Path(agent.processor.model_path)
            if start_model is not None:
                await catch_up(app, start_model)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the database is down or not migrated: keep serving
            logger.warning("model release check failed: %s", type(e).__name__)
        await asyncio.sleep(settings.get().model_poll_seconds)


async def start(app: Any, _loop: Any = None) -> None:
    app.ctx.cza_model_watch = asyncio.get_running_loop().create_task(_watch(app))


async def stop(app: Any, _loop: Any = None) -> None:
    task = getattr(app.ctx, "cza_model_watch", None)
    if task is not None:
        task.cancel()
