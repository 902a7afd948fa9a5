"""A Rasa worker's model watcher (channels/model_watch.py): it serves the newest model
release, swaps the processor, the domain and the responses together, loads a release
once, and goes back to the model it was started with on a rollback to it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

from channels import model_watch


def _app(start: Path):
    old = SimpleNamespace(model_path=start, domain=SimpleNamespace(responses={}))
    nlg = TemplatedNaturalLanguageGenerator({"utter_greet": [{"text": "هلا"}]})
    agent = SimpleNamespace(
        processor=old, domain=old.domain, tracker_store=SimpleNamespace(domain=old.domain),
        nlg=nlg, fingerprint="start",
    )  # fmt: skip
    return SimpleNamespace(ctx=SimpleNamespace(agent=agent))


def test_the_newest_release_is_swapped_in_once_and_a_rollback_goes_back(monkeypatch, tmp_path):
    start, released = tmp_path / "start.tar.gz", tmp_path / "release.tar.gz"
    newest = [(0, None)]
    loaded = []

    async def processor(agent, path):
        loaded.append(path)
        responses = {"utter_faq/temporary_password": [{"text": "كلمة المرور المؤقتة"}]}
        return SimpleNamespace(model_path=path, domain=SimpleNamespace(responses=responses))

    monkeypatch.setattr(model_watch.rollout, "newest_release", lambda: newest[0])
    monkeypatch.setattr(
        model_watch.rollout, "release_file", lambda rid: released if rid == 1 else None
    )
    monkeypatch.setattr(model_watch, "_processor", processor)
    app = _app(start)
    agent = app.ctx.agent
    assert model_watch.served_release(app) is None  # GET /ready: "loading"

    assert asyncio.run(model_watch.catch_up(app, start)) is False  # no release: keep it
    assert model_watch.served_release(app) == 0 and loaded == []

    newest[0] = (1, "abc123")
    assert asyncio.run(model_watch.catch_up(app, start)) is True
    assert agent.processor.model_path == released and agent.fingerprint == "abc123"
    assert agent.tracker_store.domain is agent.processor.domain is agent.domain
    # the new question's answer is there, and the old responses stay for messages under way
    assert set(agent.nlg.responses) == {"utter_greet", "utter_faq/temporary_password"}
    assert asyncio.run(model_watch.catch_up(app, start)) is False  # loaded once
    assert loaded == [released]

    newest[0] = (2, None)  # rolled back to the model the worker was started with
    assert asyncio.run(model_watch.catch_up(app, start)) is True
    assert agent.processor.model_path == start and model_watch.served_release(app) == 2
