"""`make bench-hosts`: a host lost under load behind HAProxy, then brought back; or, with
--roll, a rolling release under load.

    python -m bench.hosts [--hosts 3] [--users 20] [--telegram 6] [--duration 60]
                          [--kill-at 15] [--down 5] [--roll] [--json results/hosts.json]

Three application hosts (bot/tools/hosts.py: 127.0.1.x, each a supervisord with a Rasa
worker, the action server and the sender), throwaway PostgreSQL and Redis on 127.0.2.1,
HAProxy on 127.0.0.1. REST users and Telegram citizens (bench/hosts_traffic.py) write
through HAProxy for --duration seconds (and at most 20,000 REST requests); at --kill-at
every process of h2 gets SIGKILL at once (supervisord included), --down seconds later the
host is started again. Everything stays on loopback.

The report: messages lost (want 0), answered twice (want 0), requests that failed during
the loss and the second the last one did, p95, and how long the host took to rejoin
(started again -> HAProxy sends it requests). --roll instead releases the same model
host by host (drain, stop, start, ready, back) under the load: failed requests want 0.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bench.hosts_traffic import run_mixed
from bench.load_check import check_transcripts
from bench.load_client import percentile
from bench.load_flows import FLOWS, model_intents, usable_flows
from bench.load_telegram import TelegramStandIn, wait_answered
from bot.tools.hosts import HostBed, roll_out
from bot.tools.services import free_port

CLOCK_MARKS = ("down", "restarted", "rejoined", "rolled")


def start_bed(model: Path, hosts: int, standin: Optional[TelegramStandIn], logs: Path) -> HostBed:
    env = standin.env(lease_seconds=5, scan_seconds=1) if standin else {}
    return HostBed(
        model=model,
        var_dir=Path(tempfile.mkdtemp(prefix="bench-hosts-")),
        hosts=hosts,
        rasa_port=free_port(),
        actions_port=free_port(),
        lb_port=free_port(),
        log_dir=logs,
        env_overrides=env,
        throwaway_services=True,
    ).start()


def telegram_outcome(standin: TelegramStandIn, sent: Dict, wait_seconds: float = 60.0) -> Dict:
    accepted = sent["accepted"]
    missing = wait_answered(standin, accepted, wait_seconds)
    return {
        "accepted": len(accepted),
        "refused_attempts": len(sent["refusals"]),
        "lost": len(missing),
        "answered_twice": sum(1 for m in accepted if standin.replies_to(m) > 1),
    }


def report(bed: HostBed, run: Dict, marks: Dict[str, float], standin, tag: str) -> Dict:
    """The numbers of one run. marks: monotonic clock readings ('down': killed or roll
    began, 'restarted', 'rejoined', 'rolled'), and counts."""
    from bot.store.tracker_store import tracker_store_url

    rec, fails = run["rec"], run["fails"]
    times = {k: round(v - rec.origin, 1) for k, v in marks.items() if k in CLOCK_MARKS}
    counts = {k: v for k, v in marks.items() if k not in CLOCK_MARKS}
    down = times.get("down", 0.0)
    failed = [f for f in fails.attempts if f[0] >= down - 1]
    last_fail = max((f[1] for f in failed), default=None)
    ok = [s.ms for s in rec.sent if s.ok]
    transcripts = check_transcripts(tracker_store_url(bed.env), f"load-{tag}-", rec.sent)
    row = {
        "rest_messages": len(rec.sent),
        "rest_lost": sum(1 for s in rec.sent if not s.ok),
        # A message sent again keeps its id: stored twice is the same id twice ("duplicated");
        # "resent_copies" counts the copies stored under an earlier try's id (older clients).
        "rest_stored_twice": transcripts.get("resent_copies", 0) + transcripts.get("duplicated", 0),
        "transcripts_complete": transcripts["complete"],
        "failed_requests": len(failed),
        "failed_requests_whole_run": len(fails.attempts),
        "failed_kinds": sorted({f[2] for f in failed}),
        "failing_for_s": None if last_fail is None else round(last_fail - down, 1),
        "retried_messages": sum(1 for s in rec.sent if s.retried),
        "p50_ms": round(percentile(ok, 0.5)),
        "p95_ms": round(percentile(ok, 0.95)),
        "p95_after_loss_ms": round(
            percentile([s.ms for s in rec.sent if s.ok and s.started >= down], 0.95)
        ),
        **{f"{k}_at_s": v for k, v in times.items()},
        **counts,
    }
    if run.get("telegram") is not None:
        row["telegram"] = telegram_outcome(standin, run["telegram"])
    return row


def lose_a_host(bed: HostBed, standin, args, flows, tag: str) -> Dict:
    marks: Dict[str, float] = {}

    def lose() -> None:
        marks["down"] = time.monotonic()
        killed = bed.kill_host("h2")
        marks["killed_processes"] = len(killed)
        time.sleep(args.down)
        marks["restarted"] = time.monotonic()
        bed.restart_host("h2")
        bed.wait_ready("h2", 300)
        bed.lb.wait_status("h2", "UP", 60)
        marks["rejoined"] = time.monotonic()
        marks["rejoin_s"] = round(marks["rejoined"] - marks["restarted"], 1)

    run = asyncio.run(
        run_mixed(
            bed.url,
            standin,
            args.users,
            args.telegram,
            args.duration,
            flows,
            tag,
            [(args.kill_at, lose)],
        )
    )
    return report(bed, run, marks, standin, tag)


def roll_under_load(bed: HostBed, standin, args, flows, tag: str) -> Dict:
    marks: Dict[str, float] = {}
    steps: List[Dict] = []

    def roll() -> None:
        marks["down"] = time.monotonic()
        steps.extend(roll_out(bed, bed.model, log=lambda line: print(f"  {line}", flush=True)))
        marks["rolled"] = time.monotonic()

    run = asyncio.run(
        run_mixed(
            bed.url,
            standin,
            args.users,
            args.telegram,
            args.duration,
            flows,
            tag,
            [(args.kill_at, roll)],
        )
    )
    row = report(bed, run, marks, standin, tag)
    row["steps"] = steps
    return row


def main(argv: List[str]) -> int:
    from bot.tools.model import ensure

    parser = argparse.ArgumentParser(
        prog="python -m bench.hosts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--users", type=int, default=20, help="REST users (20-50)")
    parser.add_argument("--telegram", type=int, default=6, help="Telegram citizens")
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--kill-at", type=float, default=15.0)
    parser.add_argument("--down", type=float, default=5.0)
    parser.add_argument(
        "--roll", action="store_true", help="a rolling release instead of a lost host"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    model = ensure()
    flows = usable_flows(model_intents(model)) or FLOWS[:1]
    standin = TelegramStandIn().start() if args.telegram else None
    logs = Path("results/server-logs/bench-hosts")
    print(f"Starting {args.hosts} hosts behind HAProxy ...", flush=True)
    bed = start_bed(model, args.hosts, standin, logs)
    try:
        tag = f"hosts-{'roll' if args.roll else 'loss'}-{int(time.time())}"
        scenario = roll_under_load if args.roll else lose_a_host
        row = scenario(bed, standin, args, flows, tag)
    finally:
        bed.stop()
        if standin is not None:
            standin.stop()
    row.update(
        users=args.users, telegram_users=args.telegram, duration_s=args.duration, hosts=args.hosts
    )
    print(json.dumps(row, indent=1, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(row, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
