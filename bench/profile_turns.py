"""Where a `make run` server spends its CPU on FAQ messages: py-spy on the Rasa process
while one simulated user sends FAQ conversations over REST (docs/benchmarks.md).

    python -m bench.profile_turns                       # 20 s, the current model
    python -m bench.profile_turns --seconds 30 --model models/citizen-....tar.gz

Prints the CPU per message of each process (Rasa, action server, notification sender)
and the largest costs of the Rasa process by the innermost frame of ours (bot/,
channels/) or, under none, Rasa's own; the raw samples go to
results/profile_turns.txt (py-spy's collapsed stacks). Loopback only; bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

from bench.load_client import run_users, summarise
from bench.load_flows import FLOWS
from bench.load_profiles import SingleSQLite, _cpu_seconds, local_run

ROOT = Path(__file__).resolve().parents[1]
# Frames where a thread waits rather than works (the event loop, idle pool threads).
# The content watcher's sleep is a C call, so py-spy shows its own frame as the leaf.
IDLE = (
    "serve (sanic",
    "_worker (concurrent",
    "wait (threading",
    "select (selectors",
    "_loop (bot/services/content/live.py",
)


def buckets(raw: Path) -> List[tuple]:
    counts: Dict[str, int] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue
        total += int(n)
        ours = [
            f
            for f in frames
            if f.split("(")[-1].startswith(("bot/", "channels/"))
            and "channels/server.py" not in f  # the launcher: under it is Rasa's own work
        ]
        key = (
            ours[-1]
            if ours
            else "rasa: " + next((f for f in reversed(frames) if "rasa/" in f), frames[-1])
        )
        counts[re.sub(r":\d+\)", ")", key)] += int(n)
    return [(k, v / max(1, total)) for k, v in counts.most_common(25)]


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    model = local_run(args.model)
    flows = [f for f in FLOWS if f.name in ("faq_chat", "faq_single")]
    profile = SingleSQLite(model, Path(tempfile.mkdtemp(prefix="profile-")))
    raw = ROOT / "results" / "profile_turns.txt"
    raw.parent.mkdir(exist_ok=True)
    profile.start()
    try:
        url = profile.url + "/webhooks/rest/webhook"
        asyncio.run(run_users(url, 2, 8, flows, "warm"))
        rasa = next(pid for pid, name in profile.stack.names.items() if name == "rasa")
        spy = subprocess.Popen(
            ["py-spy", "record", "-p", str(rasa), "-d", str(int(args.seconds)), "-r", "200"]
            + ["-f", "raw", "-o", str(raw), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        before = {pid: _cpu_seconds([pid]) for pid in profile.pids}
        rec, wall = asyncio.run(run_users(url, 1, args.seconds, flows, f"prof-{time.time():.0f}"))
        spy.wait(args.seconds + 30)
        done = summarise(rec.sent, wall)
        per = {
            profile.stack.names[pid]: round(
                1000 * (_cpu_seconds([pid]) - before[pid]) / max(1, len(rec.sent)), 1
            )
            for pid in profile.pids
        }
    finally:
        profile.stop()
    print(
        f"1 user, {done['answered']} FAQ messages, p50 {done['p50_ms']:.0f} ms, "
        f"errors {done['errors']}; CPU ms per message: {per} (py-spy sampling included)"
    )
    for key, share in buckets(raw):
        print(f"{100 * share:5.1f}%  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
