"""/metrics in Prometheus text format, added up across worker processes
(prometheus_client's multiprocess mode), scraped and parsed."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import sys
    from bot import metrics
    channel, n = sys.argv[1], int(sys.argv[2])
    for _ in range(n):
        metrics.inc(metrics.MESSAGES, channel)
        metrics.observe_reply(channel, 0.3, failed=False)
    metrics.inc(metrics.DUPLICATES, channel)
    metrics.inc(metrics.WEBHOOKS_REJECTED, "telegram")
    metrics.observe_reply(channel, 12.0, failed=True)
    metrics.inc(metrics.SMS, "sent")
    """
)


def _worker(env, channel, n):
    subprocess.run(
        [sys.executable, "-c", WORKER, channel, str(n)], env=env, cwd=ROOT, check=True, timeout=60
    )


def _samples(text):
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def test_two_workers_add_up_in_one_scrape(tmp_path, monkeypatch):
    directory = tmp_path / "metrics"
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory), PYTHONPATH=str(ROOT))
    _worker(env, "web", 3)  # worker 1
    _worker(env, "web", 2)  # worker 2 (another process id, its own files)
    _worker(env, "telegram", 1)
    assert len(list(directory.glob("counter_*.db"))) == 3

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
    from bot import metrics

    samples = _samples(metrics.exposition().decode())
    assert samples[("cza_messages_total", (("channel", "web"),))] == 5
    assert samples[("cza_messages_total", (("channel", "telegram"),))] == 1
    assert samples[("cza_duplicates_dropped_total", (("channel", "web"),))] == 2
    assert samples[("cza_webhooks_rejected_total", (("channel", "telegram"),))] == 3
    assert samples[("cza_rasa_failures_total", (("channel", "web"),))] == 2
    assert samples[("cza_sms_total", (("outcome", "sent"),))] == 3
    # 5 quick replies and 2 slow ones on the web: the histogram's buckets say so.
    assert samples[("cza_reply_seconds_count", (("channel", "web"),))] == 7
    assert samples[("cza_reply_seconds_bucket", (("channel", "web"), ("le", "0.5")))] == 5
    assert samples[("cza_reply_seconds_bucket", (("channel", "web"), ("le", "+Inf")))] == 7
