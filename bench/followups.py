"""Follow-ups on the development set bench/followups_dev.yml (not held-out data): each
conversation sent in one session to a running assistant, every turn that expects
something scored with the held-out scorer's own check (bench/dialogues.py), so the two
numbers mean the same thing.

    python -m bot.tools.serve &              # or make run
    python -m bench.followups                # http://127.0.0.1:$RASA_PORT by default
    python -m bench.followups --url http://127.0.0.1:5005 --json results/followups.json
    python -m bench.followups --section fresh   # the conversations written afterwards

Reports the share of scored turns that pass, overall, for the first turns (self-contained
questions) and the follow-ups, and per kind (where, what, group, procedure, service,
control), with every failure and the reply it got.
"""

from __future__ import annotations

import argparse
import json
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List

import yaml

from bench.dialogues import _ask, _form_starts, check
from bench.replies import reply_text
from bot import settings

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT / "bench" / "followups_dev.yml"
SCORED = ("expect_facts", "expect_unknown", "must_not")


def conversations(path: Path = DEV, section: str = "conversations") -> List[Dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(section) or []


def run(url: str, path: Path = DEV, section: str = "conversations") -> Dict:
    starts = _form_starts()
    totals: Dict[str, List[int]] = defaultdict(lambda: [0, 0])  # group -> [passed, cases]
    failures = []
    for conversation in conversations(path, section):
        sender, previous = f"followups-{uuid.uuid4().hex[:10]}", None
        for n, turn in enumerate(conversation["turns"], 1):
            reply = reply_text(_ask(url, sender, turn["text"]))
            if any(key in turn for key in SCORED):
                problems = check(turn, reply, previous, starts)
                position = "first turns" if n == 1 else "follow-ups"
                for group in ("all", position, f"kind: {conversation.get('kind', '?')}"):
                    totals[group][1] += 1
                    totals[group][0] += not problems
                if problems:
                    failures.append(
                        {
                            "text": f"{conversation['id']}#{n} {turn['text']}",
                            "problems": problems,
                            "reply": reply[:200].replace("\n", " / "),
                        }
                    )
            previous = reply
    return {
        "scores": {
            group: {"passed": p, "cases": c, "share": round(p / c, 4) if c else 0.0}
            for group, (p, c) in sorted(totals.items())
        },
        "failures": failures,
    }


def print_report(report: Dict) -> None:
    print("\nFollow-ups (bench/followups_dev.yml: development, not held-out)")
    for group, s in report["scores"].items():
        print(f"  {group:18} {s['passed']:>3} / {s['cases']:<3} {100 * s['share']:5.1f}%")
    for failure in report["failures"]:
        print(f"  ✗ {failure['text']}: {'; '.join(failure['problems'])}\n      {failure['reply']}")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = f"http://127.0.0.1:{settings.get().rasa_port}"
    parser.add_argument("--url", default=default, help="the Rasa server (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--file", type=Path, default=DEV, help="default: %(default)s")
    parser.add_argument(
        "--section", default="conversations", help="conversations (default), fresh or situations"
    )
    args = parser.parse_args(argv)
    report = run(args.url.rstrip("/") + "/webhooks/rest/webhook", args.file, args.section)
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
