"""Reply checks: what the citizen reads, for the message shapes in the held-out file.

tests/data/nlu_heldout.yml's `replies:` sections (a greeting with a question, one
condition, fact vs service, facts the documents do not give) are sent to a running
assistant over REST, each as a new conversation, and scored by the reply: every
`expect` pattern found in the reply (texts and button titles), `first` in its first
line, no `reject` pattern anywhere, and never the "did you mean" / "I did not
understand" replies. Part of `make bench` (bench.run server); alone:

    python -m bench.run replies
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "nlu_heldout.yml"
# Replies that mean the question was not answered, whatever the case expects.
NOT_ANSWERED = ("ما فهمت عليك", "تقصد واحد من هذي")


def cases(path: Path = HELDOUT) -> Dict[str, List[Dict]]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("replies") or {}


def reply_text(messages: List[Dict]) -> str:
    """The reply as the citizen reads it: texts, then button titles, one per line."""
    lines = []
    for message in messages:
        if message.get("text"):
            lines.append(message["text"])
        lines.extend(button.get("title", "") for button in message.get("buttons") or [])
    return "\n".join(lines)


def check(case: Dict, reply: str) -> List[str]:
    """What is wrong with `reply` for `case` (empty when it passes)."""
    problems = [f"not answered ({p})" for p in NOT_ANSWERED if p in reply]
    problems += [f"missing {p!r}" for p in case.get("expect") or [] if not re.search(p, reply)]
    first_line = reply.split("\n", 1)[0]
    if case.get("first") and not re.search(case["first"], first_line):
        problems.append(f"first line lacks {case['first']!r}")
    problems += [f"has {p!r}" for p in case.get("reject") or [] if re.search(p, reply)]
    return problems


def _ask(url: str, text: str) -> List[Dict]:
    body = json.dumps({"sender": f"replies-{uuid.uuid4().hex[:10]}", "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def run(url: str, path: Path = HELDOUT) -> Dict:
    """Per section: cases, passed, share passed and the failures (message, problems)."""
    report: Dict = {}
    for section, items in cases(path).items():
        failures = []
        for case in items:
            reply = reply_text(_ask(url, case["text"]))
            problems = check(case, reply)
            if problems:
                failures.append({"text": case["text"], "problems": problems, "reply": reply[:160]})
        passed = len(items) - len(failures)
        report[section] = {
            "cases": len(items),
            "passed": passed,
            "share": round(passed / len(items), 4) if items else 0.0,
            "failures": failures,
        }
    return report


def print_report(report: Dict) -> None:
    print("\nReplies (tests/data/nlu_heldout.yml, replies: the right fact in the reply)")
    for section, r in report.items():
        print(f"  {section:20} {r['passed']:>3} / {r['cases']:<3} {100 * r['share']:5.1f}%")
        for failure in r["failures"]:
            print(f"      ✗ {failure['text']}: {'; '.join(failure['problems'])}")
