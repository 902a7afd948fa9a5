"""CPU per message over REST, by the script the citizen writes in: Arabic FAQs, English,
Arabizi. One user, one message at a time, against a stack of our own (SQLite, loopback).

    PYTHONPATH=. python -m bench.script_cost                        # the current model
    PYTHONPATH=. python -m bench.script_cost --model models/citizen-….tar.gz --rounds 2

Each round sends `--messages` messages of each script, different texts in turn (a new
conversation every four messages, so no rate limit is met) and prints, per script, the p50 round trip and
the CPU per message of each process (Rasa, action server, notification sender) from
/proc. English and Arabizi messages always reach the sentence encoder (config.yml), the
Arabic FAQs of bench.run never do: the difference is what the encoder costs over REST.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bench.load_profiles import _cpu_seconds, local_run
from bench.run import FAQ_MESSAGES, LATIN_MESSAGES, machine

DEV = Path(__file__).resolve().parent / "arabizi_dev.yml"


def scripts() -> Dict[str, List[str]]:
    """Messages per script, each different: the encoder keeps the last few texts it
    embedded (bot.nlu.encoder), so a short list sent round and round would measure its
    cache, not its cost."""
    dev = yaml.safe_load(DEV.read_text(encoding="utf-8"))
    return {
        "arabic": FAQ_MESSAGES,
        "english": LATIN_MESSAGES[:4] + list(dev["english"]),
        "arabizi": LATIN_MESSAGES[4:] + [text for text, _ in dev["arabizi"]],
    }


def _post(url: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def measure(url: str, names: Dict[int, str], messages: List[str], count: int) -> Dict:
    before = {pid: _cpu_seconds([pid]) for pid in names}
    latencies, sender = [], ""
    for n in range(count):
        if n % 4 == 0:
            sender = f"cost-{uuid.uuid4().hex[:10]}"
        latencies.append(_post(url, sender, messages[n % len(messages)]))
    cpu = {
        names[pid]: round(1000 * (_cpu_seconds([pid]) - before[pid]) / count, 1) for pid in names
    }
    latencies.sort()
    return {
        "p50_ms": round(1000 * latencies[len(latencies) // 2], 1),
        "cpu_ms": cpu,
        "cpu_total_ms": round(sum(cpu.values()), 1),
    }


def main(argv: Optional[List[str]] = None) -> int:
    from bot.tools.serve import Stack

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument("--messages", type=int, default=40, help="per script and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=15731, help="Rasa; the action server +1")
    args = parser.parse_args(argv)
    args.model = local_run(args.model)
    var = Path(tempfile.mkdtemp(prefix="script-cost-"))
    stack = Stack(
        model=args.model,
        rasa_port=args.port,
        actions_port=args.port + 1,
        var_dir=var,
        log_dir=var / "logs",
    )
    print(f"Machine: {machine()}; model {args.model.name}")
    stack.start()
    try:
        url = stack.url + "/webhooks/rest/webhook"
        messages_by_script = scripts()
        for messages in messages_by_script.values():  # warm every path once
            _post(url, "cost-warm", messages[0])
        names = {proc.pid: stack.names[proc.pid] for proc in stack.processes}
        for round_ in range(1, args.rounds + 1):
            for script, messages in messages_by_script.items():
                result = measure(url, names, messages, args.messages)
                print(
                    f"round {round_} {script:8} p50 {result['p50_ms']:6.1f} ms  "
                    f"CPU {result['cpu_total_ms']:5.1f} ms/msg {result['cpu_ms']}",
                    flush=True,
                )
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
