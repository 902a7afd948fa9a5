"""Outages and the worker fault of `make bench-load` (bench/load.py): Redis and PostgreSQL
restarted under load, and a Rasa worker killed and replaced by the supervisor."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from dataclasses import asdict
from typing import Callable, Dict, List, Optional

from bench.load_check import check_transcripts
from bench.load_client import Recorder, run_users, summarise
from bench.load_flows import Flow
from bench.load_profiles import Profile
from bench.load_telegram import run_citizens, summary, wait_answered

# Every request of a scenario when `--samples` is given (bench/load.py sets it).
SAMPLES: Optional[Dict[str, List[Dict]]] = None


def _outage(
    profile: Profile,
    url: str,
    flows: List[Flow],
    tag: str,
    name: str,
    down: Callable[[], None],
    up: Callable[[], None],
    users: int = 10,
    at: float = 8.0,
    outage_seconds: float = 4.0,
    duration: float = 26.0,
    retries: int = 0,
) -> Dict:
    marks: Dict[str, float] = {}
    rec = Recorder()

    def act() -> None:
        marks["down"] = rec.now()
        down()
        time.sleep(outage_seconds)
        if up is not None:
            up()
        marks["up"] = rec.now()

    rec, wall = asyncio.run(
        run_users(
            url,
            users,
            duration,
            flows,
            f"{tag}-{name}",
            rec=rec,
            events=[(at, act)],
            retries=retries,
        )
    )
    if SAMPLES is not None:
        SAMPLES[f"{profile.name} {name}"] = [asdict(x) for x in rec.sent] + [{"marks": marks}]
    before = [s for s in rec.sent if s.started < marks["down"]]
    during = [s for s in rec.sent if marks["down"] <= s.started < marks["up"]]
    after = [s for s in rec.sent if s.started >= marks["up"]]
    first_ok = min((s.started + s.ms / 1000 for s in after if s.ok), default=None)
    settled = [s for s in after if s.started >= marks["up"] + 2.0]
    row = {
        "scenario": name,
        "users": users,
        "outage_s": round(marks["up"] - marks["down"], 1),
        "before": summarise(before, marks["down"]),
        "during": summarise(during, max(0.1, marks["up"] - marks["down"])),
        "after": summarise(after, max(0.1, wall - marks["up"])),
        "errors_after_2s": sum(1 for s in settled if not s.ok),
        "recovered_after_s": None if first_ok is None else round(first_ok - marks["up"], 1),
        "user_saw": dict(
            Counter((s.reply or s.error) for s in during + after if not s.ok).most_common(3)
        ),
        "transcripts": check_transcripts(profile.tracker_url, f"load-{tag}-{name}-", rec.sent),
        # messages never answered, after the client's retries of requests whose connection
        # died with the process holding it (0 means no turn was lost)
        "lost_turns": sum(1 for s in rec.sent if not s.ok),
        "retried": sum(s.retried for s in rec.sent),
        "retries_allowed": retries,
    }
    print(
        f"  {name}: {row['during']['errors']} errors while down ({row['outage_s']} s), "
        f"{row['errors_after_2s']} errors from 2 s after recovery, first answer {row['recovered_after_s']} s "
        f"after it was back, transcripts {'complete' if row['transcripts']['complete'] else 'BROKEN'}",
        flush=True,
    )
    return row


def run_outages(profile: Profile, url: str, flows: List[Flow], tag: str) -> List[Dict]:
    prod = profile.prod
    rows = [
        _outage(
            profile,
            url,
            flows,
            tag,
            "redis-restart",
            lambda: prod.redis.stop(remove=False),
            lambda: prod.redis.start(),
        ),
        _outage(
            profile,
            url,
            flows,
            tag,
            "postgres-restart",
            lambda: prod.postgres.stop(remove=False),
            lambda: prod.postgres.start(),
        ),
    ]
    rows.append(run_worker_fault(profile, url, flows, tag))
    return rows


def run_worker_fault(profile: Profile, url: str, flows: List[Flow], tag: str) -> Dict:
    """One Rasa worker killed with SIGKILL under load: the supervisor replaces it
    (supervisord) and every message is answered, the ones that were on the
    killed worker after the client sends them again (a new connection reaches a live
    worker)."""
    prod = profile.prod
    killed: List[int] = []
    ready_before = prod.ready_count()
    workers_before = set(prod.worker_pids())
    telegram = getattr(profile, "telegram", None)
    traffic = _telegram_traffic(profile.url, telegram, 24.0) if telegram is not None else None
    row = _outage(
        profile,
        url,
        flows,
        tag,
        "worker-killed",
        lambda: killed.append(prod.kill_worker()),
        None,
        outage_seconds=0.0,
        at=8.0,
        duration=24.0,
        retries=3,
    )
    row["killed_pid"] = killed[0] if killed else None
    try:
        prod.wait_workers(ready_before + 1, 120)
        row["replacement_ready"] = True
    except TimeoutError:
        row["replacement_ready"] = False
    new = sorted(set(prod.worker_pids()) - workers_before)
    row["replaced_by"] = new[0] if new else None
    row["workers_after"] = len(prod.worker_pids())
    row["lost_turns_by_channel"] = {"rest": row["lost_turns"]}
    if traffic is not None:
        row["telegram"] = _telegram_outcome(telegram, traffic)
        row["lost_turns_by_channel"]["telegram"] = row["telegram"]["lost_turns"]
        print(
            f"  worker-killed, Telegram: {row['telegram']['accepted']} accepted, "
            f"{row['telegram']['lost_turns']} never answered",
            flush=True,
        )
    print(
        f"  worker-killed: pid {row['killed_pid']} replaced by {row['replaced_by']}, "
        f"{row['workers_after']} workers serving, {row['lost_turns']} turns lost "
        f"({row['retried']} messages sent again after their connection died)",
        flush=True,
    )
    return row


def _telegram_traffic(base_url: str, standin, duration: float, users: int = 6) -> Dict:
    """Telegram citizens writing alongside the REST load, in a thread of their own."""
    out: Dict = {}

    def run() -> None:
        out["sent"] = asyncio.run(
            run_citizens(f"{base_url}/webhooks/telegram/webhook", standin, users, duration)
        )

    out["thread"] = threading.Thread(target=run, daemon=True)
    out["thread"].start()
    return out


def _telegram_outcome(standin, traffic: Dict, wait_seconds: float = 90.0) -> Dict:
    """Every accepted Telegram message answered? Waits for the replays (the lease, a scan,
    the turn) before counting a message as lost."""
    traffic["thread"].join(120)
    sent = traffic.get("sent") or {"accepted": [], "refused": []}
    missing = wait_answered(standin, sent["accepted"], wait_seconds)
    return summary(standin, sent, missing)
