"""`make bench-load`: the assistant under load, single SQLite process vs the production profile.

    python -m bench.load                      # both profiles, 1/20/100 users, outages
    python -m bench.load --duration 10 --levels 1,20 --no-outages   # quicker
    python -m bench.load --model models/citizen-....tar.gz          # a given model

Profiles, one after the other in one run, on the same model and machine:
  A  "single process, SQLite": what `make run` starts - one Rasa process, SQLite tracker
     store and application database, in-memory lock store.
  B  "production, N workers": throwaway PostgreSQL and Redis from Debian's packages on
     loopback (PostgreSQL with its durable defaults, fsync on), SANIC_WORKERS=N (default 2),
     Redis lock store, tracker store and our tables in PostgreSQL (bot/tools/prod.py).

Load: closed-loop simulated users over the REST channel (POST /webhooks/rest/webhook).
Each user runs conversations one after the other, each a new sender, picked from a mix of
the flows the model knows (FAQ chats always; eligibility pre-check and ticket when the
model's domain has them), sending the next message as soon as the reply arrives, or
after a random pause for levels written "users:MIN-MAX" (people reading and typing;
they also start at random moments). A level runs for --duration seconds; no message is
sent after that (the conversation is left there). Errors: connection failures, non-200, an empty reply, or the
channel's "temporary problem" reply. A reply that hands the conversation to a person is an answer;
the simulated user then stops that conversation (it would wait for the agent).

Afterwards every conversation is read back from Rasa's tracker store (the `events`
table): user events per sender must be exactly the messages that were answered, once
each, in the order sent (messages that failed may be missing, never duplicated); every
answered message must be followed by a bot reply.

Outages (profile B, --no-outages skips): under steady load, Redis is stopped and started
again, then PostgreSQL, then one Rasa worker is killed with SIGKILL. Reported: errors during
and after, what the user was told, seconds from the service's return to the first
answered message, transcript check. In the worker fault the supervisor replaces the
worker and clients send again a request whose connection died with it (as Telegram and
WhatsApp redeliver a webhook): reported are the turns lost (never answered; 0 expected)
and whether the replacement served. `--fault` runs only that test.

Plain Rasa (bench/load_rasa.py): the moodbot of `rasa init`, trained once and cached,
runs beside them in the same run on its own port, under the same levels and the same
messages, so the assistant's latency, throughput and CPU per message are also given as
ratios to Rasa's own (`--only single,plain --flows faq_chat,faq_single` compares FAQ
messages only; `--no-plain` leaves it out).

Results: results/bench_load.json and results/bench_load.md (the table for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from bench import load_faults
from bench.load_check import check_transcripts
from bench.load_client import (
    run_users,
    summarise,
)
from bench.load_faults import run_outages, run_worker_fault
from bench.load_flows import Flow, model_intents, usable_flows
from bench.load_profiles import (
    CpuSampler,
    Production,
    Profile,
    SingleSQLite,
    _cpu_seconds,
    _loadavg,
    _rss_mb,
    local_run,
)
from bench.load_rasa import PlainRasa
from bench.load_report import markdown

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


@dataclass
class Level:
    users: int
    think: Tuple[float, float] = (0.0, 0.0)

    @property
    def label(self) -> str:
        return (
            f"{self.users}"
            if not self.think[1]
            else f"{self.users}, think {self.think[0]:g}-{self.think[1]:g} s"
        )

    @property
    def tag(self) -> str:
        return f"u{self.users}" + (
            f"t{self.think[0]:g}-{self.think[1]:g}".replace(".", "_") if self.think[1] else ""
        )


def parse_levels(text: str) -> List[Level]:
    """ "1,20,100,20:2-5" -> 1, 20 and 100 users without pause, 20 users pausing 2-5 s."""
    levels = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        users, _, think = part.partition(":")
        lo, _, hi = think.partition("-")
        levels.append(Level(int(users), (float(lo or 0), float(hi or lo or 0))))
    return levels


SAMPLES: Optional[Dict[str, List[Dict]]] = None


def run_profiles(
    profiles: List[Profile],
    levels: List[Level],
    duration: float,
    flows: List[Flow],
    think: Tuple[float, float],
    outages: bool,
    run_id: str,
    save: Callable[[List[Dict]], None],
) -> List[Dict]:
    """Start every profile, then run each level on one profile after the other, so both
    see the same machine (other work on a shared machine drifts over minutes)."""
    results: List[Dict] = []
    try:
        for profile in profiles:
            print(f"\n== {profile.name}: starting", flush=True)
            began = time.monotonic()
            profile.start()
            results.append(
                {
                    "profile": profile.name,
                    "workers": profile.workers,
                    "start_seconds": round(time.monotonic() - began, 1),
                    "levels": [],
                }
            )
        for profile in profiles:
            kind = "r" if getattr(profile, "plain", False) else "s"
            profile.tag = f"{run_id}-{'p' if getattr(profile, 'prod', None) else kind}"
            profile.rest = f"{profile.url}/webhooks/rest/webhook"
            # warm-up: the first messages of each worker load lazy parts of TensorFlow
            asyncio.run(
                run_users(
                    profile.rest,
                    2 * profile.workers + 2,
                    8,
                    flows,
                    f"{profile.tag}-warm",
                    empty_ok=getattr(profile, "plain", False),
                )
            )
        for level in levels:
            for profile, result in zip(profiles, results):
                result["levels"].append(run_level(profile, level, duration, flows, think))
                save(results)
        for profile, result in zip(profiles, results):
            result["rss_mb"] = _rss_mb(sorted(set(profile.pids)))
            if outages and getattr(profile, "prod", None) is not None:
                print(f"\n== {profile.name}: outages", flush=True)
                result["outages"] = run_outages(profile, profile.rest, flows, profile.tag)
                save(results)
    finally:
        for profile in profiles:
            profile.stop()
    return results


def run_level(
    profile: Profile, level: Level, duration: float, flows: List[Flow], think: Tuple[float, float]
) -> Dict:
    pids = sorted(set(profile.pids))
    load0, cpu0, svc0 = _loadavg(), _cpu_seconds(pids), _cpu_seconds(profile.service_pids(), True)
    with CpuSampler(lambda: pids + profile.service_pids() + [os.getpid()]) as sampler:
        rec, wall = asyncio.run(
            run_users(
                profile.rest,
                level.users,
                duration,
                flows,
                f"{profile.tag}-{level.tag}",
                think=level.think if level.think[1] else think,
                seed_key=level.tag,
                empty_ok=getattr(profile, "plain", False),
            )
        )
    row = {
        "users": level.users,
        "label": level.label,
        "think": list(level.think),
        **summarise(rec.sent, wall),
        "server_cpu_ms_per_msg": round(
            1000 * (_cpu_seconds(pids) - cpu0) / max(1, len(rec.sent)), 1
        ),
        "services_cpu_ms_per_msg": round(
            1000 * (_cpu_seconds(profile.service_pids(), True) - svc0) / max(1, len(rec.sent)), 1
        ),
        "loadavg_before": load0,
        "cpu": sampler.summary(),
    }
    if SAMPLES is not None:
        SAMPLES[f"{profile.name} {level.label}"] = [asdict(x) for x in rec.sent]
    row["transcripts"] = (
        {"complete": None, "conversations": row["conversations"]}
        if getattr(profile, "plain", False)  # in-memory tracker store: nothing to read back
        else check_transcripts(profile.tracker_url, f"load-{profile.tag}-{level.tag}-", rec.sent)
    )
    print(
        f"  {profile.name[:26]:26} {level.label:>16} users: {row['answered']:>5} answered, "
        f"{row['msgs_per_s']:>6} msg/s, p50 {row['p50_ms']:.0f} p95 {row['p95_ms']:.0f} p99 {row['p99_ms']:.0f} ms, "
        f"errors {row['errors']}, CPU {row['server_cpu_ms_per_msg'] + row['services_cpu_ms_per_msg']:.1f} ms/msg, "
        f"transcripts {_verdict(row['transcripts']['complete'])}",
        flush=True,
    )
    return row


def _verdict(complete: Optional[bool]) -> str:
    return "n/a" if complete is None else "complete" if complete else "BROKEN"


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument(
        "--levels",
        default="1,20,100,20:3-8,100:3-8",
        help="users[:think MIN-MAX s], comma separated",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=45.0,
        help="seconds per level (shorter levels are noisier on a shared machine)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think", default="0,0", help="pause between a reply and the next message, MIN,MAX s"
    )
    parser.add_argument("--no-outages", action="store_true")
    parser.add_argument(
        "--fault",
        action="store_true",
        help="only the fault test: a worker of the production profile killed under load",
    )
    parser.add_argument(
        "--only", help="these profiles only, comma separated: single, prod, plain (plain Rasa)"
    )
    parser.add_argument("--no-plain", action="store_true", help="leave plain Rasa out")
    parser.add_argument(
        "--flows", help="only these flows, e.g. faq_chat,faq_single (default: all the model knows)"
    )
    parser.add_argument(
        "--samples",
        action="store_true",
        help="also write every request to results/bench_load_samples.json",
    )
    args = parser.parse_args(argv)

    global SAMPLES
    if args.samples:
        SAMPLES = load_faults.SAMPLES = {}
    # Profile A must not inherit a production environment from the caller's shell.
    model = local_run(args.model)
    from bench.run import machine

    flows = usable_flows(model_intents(model))
    if args.flows:
        flows = [f for f in flows if f.name in args.flows.split(",")]
    levels = parse_levels(args.levels)  # may be empty: outages only
    think = tuple(float(x) for x in args.think.split(","))
    RESULTS.mkdir(exist_ok=True)
    logs = RESULTS / "bench-load-logs"
    run_id = time.strftime("%H%M%S")
    report = {
        "machine": machine(),
        "model": model.name,
        "flows": [f.name for f in flows],
        "levels": [lv.label for lv in levels],
        "duration": args.duration,
        "think": list(think),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "profiles": [],
    }
    if args.fault:
        print(f"Machine: {report['machine']}; model {report['model']}", flush=True)
        return run_fault_only(model, flows, logs, args.workers, run_id, report)
    only = set((args.only or "single,prod,plain").split(","))
    if args.no_plain:
        only.discard("plain")
    profiles: List[Profile] = []
    if "single" in only:
        profiles.append(SingleSQLite(model, logs))
    if "prod" in only:
        profiles.append(Production(model, logs, args.workers))
    if "plain" in only:
        profiles.append(PlainRasa(logs))

    def save(results: List[Dict]) -> None:
        report["profiles"] = results
        (RESULTS / "bench_load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))

    run_profiles(profiles, levels, args.duration, flows, think, not args.no_outages, run_id, save)
    if SAMPLES:
        (RESULTS / "bench_load_samples.json").write_text(json.dumps(SAMPLES, ensure_ascii=False))
    text = markdown(report)
    (RESULTS / "bench_load.md").write_text(text)
    print("\n" + text)
    return 0


def run_fault_only(
    model: Path, flows: List[Flow], logs: Path, workers: int, run_id: str, report: Dict
) -> int:
    from bench.load_telegram import TelegramStandIn

    telegram = TelegramStandIn().start()
    profile = Production(model, logs, workers, env=telegram.env())
    profile.telegram = telegram
    try:
        profile.start()
        profile.tag, profile.rest = f"{run_id}-f", f"{profile.url}/webhooks/rest/webhook"
        asyncio.run(run_users(profile.rest, 2 * workers + 2, 8, flows, f"{profile.tag}-warm"))
        row = run_worker_fault(profile, profile.rest, flows, profile.tag)
    finally:
        profile.stop()
        telegram.stop()
    report["fault"] = row
    (RESULTS / "bench_load_fault.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    lost = sum(row["lost_turns_by_channel"].values())
    ok = lost == 0 and row["replacement_ready"] and row["transcripts"]["complete"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
