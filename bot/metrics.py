"""Operational metrics for Prometheus (`GET /metrics`, channels/console/metrics.py).

prometheus_client in multiprocess mode when PROMETHEUS_MULTIPROC_DIR is set (the
production profile sets it for its workers): each worker writes its counters to files
in that directory and a scrape of any worker adds them all up. Without it, each
process counts for itself (one worker: the same numbers).

Names (all prefixed `cza_`):
    messages_total{channel}                 citizen messages that reached the pipeline
    reply_seconds{channel}                  bot reply latency as the channel saw it
    fallbacks_total{channel}                turns that ended on a fallback
    handoffs_total{channel}                 turns that queued the conversation for an agent
    handoff_queue_length                    conversations waiting for an agent (set at each scrape)
    webhooks_rejected_total{channel}        forged or unsigned webhooks refused
    duplicates_dropped_total{channel}       platform retries dropped
    rate_limited_total{channel}             messages over the per-user rate limit
    rasa_failures_total{channel}            turns where Rasa failed, timed out or said nothing
    store_errors_total{store}               database / redis errors seen by the pipeline
    redis_errors_total{where}               failed Redis calls, by where the product made them
                                            (dedup, rate_limit, lock_store, desk_live,
                                            desk_notice, desk_signin, notify_push)
    sms_total{outcome}                      SMS sent / failed / skipped by a budget
    csat_ratings_total{score}               ratings given by citizens

Every helper swallows its own errors: counting must never break a citizen's turn. This
module imports no layer of the assistant, so any layer may count.
"""

from __future__ import annotations

import logging
import os

from bot import settings

logger = logging.getLogger(__name__)

# prometheus_client chooses its storage when first imported: the directory must be in the
# environment by then.
_dir = settings.get().prometheus_multiproc_dir
if _dir:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", _dir)
    os.makedirs(_dir, exist_ok=True)

from prometheus_client import (  # noqa: E402
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)

MESSAGES = Counter("cza_messages", "Citizen messages that reached the pipeline", ["channel"])
REPLY_SECONDS = Histogram(
    "cza_reply_seconds",
    "Bot reply latency seen by the channel",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
FALLBACKS = Counter("cza_fallbacks", "Turns that ended on a fallback", ["channel"])
HANDOFFS = Counter("cza_handoffs", "Turns that queued the conversation for an agent", ["channel"])
QUEUE_LENGTH = Gauge(
    "cza_handoff_queue_length", "Conversations waiting for an agent", multiprocess_mode="mostrecent"
)
WEBHOOKS_REJECTED = Counter("cza_webhooks_rejected", "Forged or unsigned webhooks", ["channel"])
DUPLICATES = Counter("cza_duplicates_dropped", "Webhook retries dropped", ["channel"])
RATE_LIMITED = Counter("cza_rate_limited", "Messages over the rate limit", ["channel"])
RASA_FAILURES = Counter("cza_rasa_failures", "Rasa failed, timed out or was silent", ["channel"])
STORE_ERRORS = Counter("cza_store_errors", "Database or Redis errors", ["store"])
REDIS_ERRORS = Counter("cza_redis_errors", "Failed Redis calls", ["where"])
SMS = Counter("cza_sms", "SMS by outcome", ["outcome"])
CSAT = Counter("cza_csat_ratings", "Citizens' ratings", ["score"])


def inc(counter, *labels: str, amount: float = 1.0) -> None:
    try:
        (counter.labels(*labels) if labels else counter).inc(amount)
    except Exception as e:  # pragma: no cover - a full disk, a bad label
        logger.debug("metric not counted: %s", type(e).__name__)


def redis_error(where: str) -> None:
    """One failed Redis call (the caller has fallen back or raised its own error)."""
    inc(REDIS_ERRORS, where)


def observe_reply(channel: str, seconds: float, failed: bool) -> None:
    try:
        REPLY_SECONDS.labels(channel).observe(seconds)
        if failed:
            RASA_FAILURES.labels(channel).inc()
    except Exception as e:  # pragma: no cover
        logger.debug("metric not counted: %s", type(e).__name__)


def multiprocess() -> bool:
    return bool(settings.get().prometheus_multiproc_dir)


def exposition() -> bytes:
    """The text format of every worker's metrics (or this process's)."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)


def set_queue_length(value: int) -> None:
    try:
        QUEUE_LENGTH.set(value)
    except Exception:  # pragma: no cover
        pass


__all__ = [
    "CONTENT_TYPE_LATEST",
    "exposition",
    "inc",
    "observe_reply",
    "redis_error",
    "set_queue_length",
]
