"""A model release of the console's retrain reaches every host under load, and a rollback
too, with no message lost or failed (channels/model_watch.py). Two hosts behind HAProxy,
one PostgreSQL and Redis; the candidate is the session's model (a real swap: every worker
loads it anew), not a retrained one: `make bench-rollout` trains one and counts the same
under 20 users (docs/benchmarks.md)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from bench.hosts import report
from bench.hosts_traffic import run_mixed
from bench.load_flows import FLOWS, model_intents, usable_flows
from bench.model_rollout import candidate_job, served, wait_served
from tests.prod.conftest import ROOT, STACK_ENV
from tests.support.environment import restore_environment

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def bed(service_binaries, trained_model, tmp_path_factory):
    from bot.tools.hosts import HostBed
    from bot.tools.services import free_port

    saved = {k: os.environ.pop(k, None) for k in STACK_ENV}
    bed = HostBed(
        model=trained_model,
        var_dir=tmp_path_factory.mktemp("rollout-var"),
        hosts=2,
        rasa_port=free_port(),
        actions_port=free_port(),
        lb_port=free_port(),
        log_dir=ROOT / "results" / "server-logs" / "rollout",
        throwaway_services=True,
    )
    try:
        yield bed.start()
    finally:
        bed.stop()
        restore_environment(saved)


def test_a_model_rollout_and_its_rollback_under_load_lose_and_fail_nothing(
    bed, trained_model, monkeypatch, tmp_path
):
    from bot.services.training import rollout
    from bot.store import reset_engine

    monkeypatch.setenv("DATABASE_URL", bed.env["DATABASE_URL"])
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    reset_engine()
    assert set(served(bed).values()) == {0}  # the start model, before any release
    job = candidate_job("huda", trained_model)
    marks = {}

    def roll_out() -> None:
        marks["down"] = time.monotonic()
        marks["release"] = rollout.approve(job, "nora")["release"]
        marks["rollout_s"] = wait_served(bed, marks["release"], 120)

    def roll_back() -> None:
        marks["back"] = rollout.rollback("nora")["release"]
        marks["rollback_s"] = wait_served(bed, marks["back"], 120)

    try:
        flows = usable_flows(model_intents(bed.model)) or FLOWS[:1]
        run = asyncio.run(
            run_mixed(
                bed.url, None, 8, 0, 20.0, flows, "t-rollout", [(4.0, roll_out), (12.0, roll_back)]
            )
        )
        row = report(bed, run, marks, None, "t-rollout")
    finally:
        reset_engine()
    assert set(served(bed).values()) == {marks["back"]}
    assert row["rest_messages"] > 50
    assert (row["rest_lost"], row["failed_requests_whole_run"]) == (0, 0), row
    assert row["transcripts_complete"] and row["rest_stored_twice"] == 0
