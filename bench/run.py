"""`make bench`: the assistant's own numbers, side by side, in one run.

    python -m bench.run all        # NLU (ours vs Rasa default) + server
    python -m bench.run nlu        # held-out intent accuracy / macro-F1
    python -m bench.run config config.yml bench/nlu/linear_svm.yml   # the NLU part, given configs
    python -m bench.run server     # start time, REST latency, CPU per message, throughput, memory
    python -m bench.run server --model models/citizen-….tar.gz   # the same, that model
    python -m bench.run threshold  # fallback and answer threshold sweeps on the held-out file
    python -m bench.run replies    # reply checks only (bench/replies.py)
    python -m bench.run dialogues  # conversations, English, Arabizi, form answers (bench/dialogues.py)
    python -m bench.run dialogues bench/dev_blind  # the same on a blind development set
                                                   # (also bench/dev_blind2, bench/dev_blind3)

NLU: each pipeline is trained from scratch on bot/data and scored on the
held-out file tests/data/nlu_heldout.yml (never used for training). FAQ labels
are scored at full retrieval-intent level (faq/<key>): an FAQ counts as right only
if the ResponseSelector also picked the right answer.
Results are printed and written to results/bench.json; copy the table into
docs/benchmarks.md with the machine line it prints.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from bench import dialogues, replies
from bench.thresholds import _heldout_parses, answer_threshold_sweep, threshold_sweep
from bot.services.training.scoring import FRESH, heldout_examples, predicted_label, score

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
DEFAULT_CONFIG = ROOT / "bench" / "config_rasa_default.yml"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    return f"{os.cpu_count()} cores, {cpu}, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def eval_nlu(config: Path, label: str) -> Dict:
    import shutil

    out = Path(tempfile.mkdtemp(prefix="bench-nlu-"))
    started = time.monotonic()
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--nlu",
            "bot/data",
            "--domain",
            "domain",
            "--config",
            str(config),
            "--out",
            str(out),
            "--fixed-model-name",
            "m",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        # Rasa's component cache off, as in bench.nlu_compare: a component restored from
        # an earlier training (another config sharing the tokenizer, an earlier run)
        # would make the training time meaningless.
        env={**os.environ, "RASA_MAX_CACHE_SIZE": "0"},
    )
    train_seconds = time.monotonic() - started
    try:
        return score_model(out / "m.tar.gz", label, train_seconds)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def score_model(model: Path, label: str, train_seconds: float) -> Dict:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    latencies: List[float] = []

    async def labelled(examples: List[Tuple[str, str]], timed: bool) -> List[Tuple[str, str, str]]:
        """(text, gold, predicted) for each example, one parse at a time."""
        found = []
        for text, gold in examples:
            t0 = time.perf_counter()
            parse = await agent.parse_message(text)
            if timed:
                latencies.append((time.perf_counter() - t0) * 1000)
            found.append((text, gold, predicted_label(parse)))
        return found

    async def run():
        fresh = heldout_examples(FRESH) if FRESH.exists() else []
        return await labelled(heldout_examples(), True), await labelled(fresh, False)

    held, fresh_pairs = asyncio.run(run())
    pairs = [(gold, predicted) for _, gold, predicted in held]
    result = {
        "pipeline": label,
        "train_seconds": round(train_seconds, 1),
        "parse_p50_ms": round(statistics.median(latencies), 2),
        "n": len(pairs),
    }
    result.update({k: round(v, 4) for k, v in score(pairs).items()})
    errors = [(g, p) for g, p in pairs if g != p]
    result["top_confusions"] = _top_confusions(errors)
    if fresh_pairs:
        from bot.services.console.review_export import example_key, existing_examples

        seen = existing_examples()
        unseen = [(g, p) for t, g, p in fresh_pairs if example_key(t) not in seen]
        result["fresh"] = {
            "n": len(fresh_pairs),
            "accuracy": round(sum(g == p for _, g, p in fresh_pairs) / len(fresh_pairs), 4),
            "unseen_n": len(unseen),
            "unseen_accuracy": round(sum(g == p for g, p in unseen) / max(1, len(unseen)), 4),
            "errors": [(t, g, p) for t, g, p in fresh_pairs if g != p],
        }
    return result


def _top_confusions(errors: List[Tuple[str, str]], n: int = 5) -> List[str]:
    counts: Dict[Tuple[str, str], int] = {}
    for pair in errors:
        counts[pair] = counts.get(pair, 0) + 1
    return [f"{g} → {p} ×{c}" for (g, p), c in sorted(counts.items(), key=lambda kv: -kv[1])[:n]]


# --- server -----------------------------------------------------------------

FAQ_MESSAGES = [
    "وش شروط حساب المواطن",
    "كيف اغير الايبان",
    "نسيت الباسورد وش اسوي",
    "رقم خدمة العملاء",
    "ليش نقص الدعم حقي",
    "كم ياخذ الرد على الاعتراض",
    "كيف اسجل في حساب المواطن",
    "متى الدوام",
]


# The same kind of questions in English and Arabizi, for what the optional sentence encoder
# (consulted for every such message when on) costs them.
LATIN_MESSAGES = [
    "what are the conditions for citizen account",
    "how can I update my bank account number",
    "I forgot my password what should I do",
    "when do you open",
    "wesh shroot 7sab almowaten",
    "kaif aghayer al iban",
    "nseet kalimat almroor",
    "leh ngas el da3m",
]


CONVERSATION_LENGTH = 8


def _post(url: str, sender: str, text: str) -> float:
    import urllib.request

    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        payload = json.loads(response.read())
    elapsed = (time.perf_counter() - t0) * 1000
    if not payload:
        raise RuntimeError("empty reply")
    return elapsed


def _percentile(values: List[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _load(
    url: str, users: int, per_user: int, messages: List[str] = FAQ_MESSAGES, pids: List[int] = ()
) -> Dict:
    """Latency under `users` concurrent citizens; with `pids`, their CPU per message."""
    from bench.load_profiles import _cpu_seconds

    cpu0 = _cpu_seconds(list(pids))
    latencies: List[float] = []
    errors = 0
    lock = threading.Lock()

    def user(i: int) -> None:
        nonlocal errors
        sender = ""
        for j in range(per_user):
            # A conversation of CONVERSATION_LENGTH messages, then a new citizen: one
            # sender firing 50 messages in a few seconds is what the rate limit stops.
            if j % CONVERSATION_LENGTH == 0:
                sender = f"bench-{uuid.uuid4().hex[:8]}"
            try:
                ms = _post(url, sender, messages[(i + j) % len(messages)])
                with lock:
                    latencies.append(ms)
            except Exception:
                with lock:
                    errors += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user, range(users)))
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(list(pids)) - cpu0
    return {
        "users": users,
        "messages": len(latencies),
        "errors": errors,
        "p50_ms": round(_percentile(latencies, 0.5), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "msgs_per_s": round(len(latencies) / wall, 1),
        # Rasa and the action server, per message answered.
        "cpu_ms_per_msg": round(1000 * cpu / max(1, len(latencies)), 1) if pids else None,
    }


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def bench_server(
    replies_only: bool = False, dialogues_only: bool = False, model: Optional[Path] = None
) -> Dict:
    from bot.tools.model import ensure
    from bot.tools.serve import Stack
    from bot.tools.services import free_port

    stack = Stack(
        model=model or ensure(),
        rasa_port=free_port(),
        actions_port=free_port(),
        var_dir=Path(tempfile.mkdtemp(prefix="bench-var-")),
        log_dir=RESULTS / "bench-logs",
    )
    stack.start()
    try:
        url = f"{stack.url}/webhooks/rest/webhook"
        if replies_only:
            return {"replies": replies.run(url)}
        if dialogues_only:
            return {"dialogues": dialogues.run(url)}
        _load(url, 2, 5)  # warm-up: first messages load lazy parts of TensorFlow
        _load(url, 1, 4, LATIN_MESSAGES)
        pids = [p.pid for p in stack.processes]
        single = _load(url, 1, 50, pids=pids)
        latin = _load(url, 1, 40, LATIN_MESSAGES, pids=pids)
        crowd = _load(url, 20, 10)
        rasa_pid = stack.processes[1].pid
        return {
            "start_seconds": round(stack.started_seconds, 1),
            "single_user": single,
            "single_user_english_arabizi": latin,
            "concurrent_20": crowd,
            "rasa_peak_rss_mb": round(_peak_rss_mb(rasa_pid), 0),
            # After the timings, so its conversations do not weigh on them.
            "replies": replies.run(url),
            "dialogues": dialogues.run(url),
        }
    finally:
        stack.stop()


def main(argv: List[str]) -> int:
    what = argv[0] if argv else "all"
    if what == "threshold":
        rows = _heldout_parses()
        for r in threshold_sweep(rows=rows):
            print(
                f"threshold {r['threshold']:.2f}: accuracy {r['accuracy']:.3f}, "
                f"out of scope caught {r['out_of_scope_caught']} / {r['out_of_scope']}"
            )
        for r in answer_threshold_sweep(rows=rows):
            print(
                f"answer threshold {r['threshold']:.2f}: {r['answered']} answered, "
                f"{100 * r['accuracy_answered']:.1f}% right; offered instead: "
                f"{r['wrong_offered']} wrong, {r['right_offered']} right"
            )
        return 0
    if what == "replies":
        replies.print_report(bench_server(replies_only=True)["replies"])
        return 0
    if what == "dialogues":
        if len(argv) > 1:  # python -m bench.run dialogues bench/dev_blind
            dialogues.use(ROOT / argv[1])
        dialogues.print_report(bench_server(dialogues_only=True)["dialogues"])
        return 0
    RESULTS.mkdir(exist_ok=True)
    report: Dict = {"machine": machine()}
    if what == "config":
        if len(argv) < 2:
            print("usage: python -m bench.run config CONFIG.yml [CONFIG.yml ...]", file=sys.stderr)
            return 2
        report["nlu"] = [eval_nlu(ROOT / path, path) for path in argv[1:]]
        (RESULTS / "bench_config.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print_report(report)
        return 0
    if what in ("all", "nlu"):
        report["nlu"] = [
            eval_nlu(ROOT / "config.yml", "project (config.yml)"),
            eval_nlu(DEFAULT_CONFIG, "Rasa default (empty pipeline)"),
        ]
    if what in ("all", "server"):
        # `server --model models/<name>.tar.gz`: that model rather than one matching the
        # current files (two models compared back to back without retraining either).
        model = Path(argv[2]) if argv[1:2] == ["--model"] and len(argv) > 2 else None
        report["server"] = bench_server(model=model)
    (RESULTS / "bench.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_report(report)
    return 0


def print_report(report: Dict) -> None:
    print(f"\nMachine: {report['machine']}")
    if "nlu" in report:
        print("\nHeld-out NLU (tests/data/nlu_heldout.yml, full retrieval intents)")
        print(
            f"{'pipeline':34} {'accuracy':>8} {'macro-F1':>8} {'train s':>8} {'parse p50 ms':>12}"
        )
        for r in report["nlu"]:
            print(
                f"{r['pipeline']:34} {r['accuracy']:8.3f} {r['macro_f1']:8.3f} {r['train_seconds']:8.1f} {r['parse_p50_ms']:12.2f}"
            )
        for r in report["nlu"]:
            print(f"  most costly confusions, {r['pipeline']}: " + "; ".join(r["top_confusions"]))
        for r in report["nlu"]:
            f = r.get("fresh")
            if f:
                print(
                    f"  fresh test ({FRESH.name}), {r['pipeline']}: {f['accuracy']:.3f} of "
                    f"{f['n']}; not in training: {f['unseen_accuracy']:.3f} of {f['unseen_n']}"
                )
    if "server" in report:
        s = report["server"]
        print(
            f"\nServer: start {s['start_seconds']} s, Rasa peak RSS {s['rasa_peak_rss_mb']:.0f} MB"
        )
        for key in ("single_user", "single_user_english_arabizi", "concurrent_20"):
            r = s.get(key)
            if not r:
                continue
            cpu = f", CPU {r['cpu_ms_per_msg']} ms/msg" if r.get("cpu_ms_per_msg") else ""
            print(
                f"  {r['users']:>2} user(s){' English/Arabizi' if 'english' in key else ''}: "
                f"{r['messages']} msgs, p50 {r['p50_ms']} ms, p95 {r['p95_ms']} ms, "
                f"{r['msgs_per_s']} msg/s, errors {r['errors']}{cpu}"
            )
        if "replies" in s:
            replies.print_report(s["replies"])
        if "dialogues" in s:
            dialogues.print_report(s["dialogues"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
