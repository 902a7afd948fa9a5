"""/metrics in the production profile: two Rasa workers, each counting in its own files
under PROMETHEUS_MULTIPROC_DIR; every scrape, whichever worker answers it, adds both up."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.prod.conftest import METRICS_TOKEN as TOKEN

pytestmark = pytest.mark.server
ROOT = Path(__file__).resolve().parents[2]


def messages_counted(url):
    r = requests.get(f"{url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    assert r.status_code == 200
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            if s.name == "cza_messages_total" and s.labels.get("channel") == "rest":
                return s.value
    return 0


def test_every_scrape_adds_up_both_workers(prod_stack):
    assert len(prod_stack.worker_pids()) == 2
    url = prod_stack.url
    assert requests.get(f"{url}/metrics", timeout=10).status_code == 404  # token needed
    sent = messages_counted(url)  # the session's stack has served other tests' messages
    for i in range(12):
        r = requests.post(
            f"{url}/webhooks/rest/webhook",
            json={"sender": f"metrics-{uuid.uuid4().hex[:6]}", "message": "وش شروط حساب المواطن"},
            timeout=90,
        )
        assert r.status_code == 200
        sent += 1
    # Connections land on either worker; each answer must be the total of both.
    assert {messages_counted(url) for _ in range(8)} == {sent}
    # The workers' own files (one per process that counted), in the profile's directory.
    metrics_dir = Path(prod_stack.environment()["PROMETHEUS_MULTIPROC_DIR"])
    assert list(metrics_dir.glob("counter_*.db"))
