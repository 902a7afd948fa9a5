"""Conversations as citizens hold them, scored by what the reply says (tests/data/heldout/).

The files were written by someone who had not read the training data, from the program's
sources only; they are never copied into bot/data/. Sections:

    conversations  two- and three-turn chats with follow-ups, sent in one session each
    english        messages in English: answered in English, with the right fact
    arabizi        Arabic in Latin letters: answered in Arabic, with the right fact
    long_stories   a situation told first, the question at the end
    form_answers   answers inside the pre-check, read by the form's own reader (no server)

A turn passes when every expected fact is in the reply (texts and button titles, both
normalised: diacritics, alef forms, ة/ه, ى/ي, digits), the reply is in the expected
language, it is not a "did not understand" reply, and none of its `must_not` happened
(a form started, the previous answer repeated). A turn the sources cannot answer
(`expect_unknown`) passes when the reply says so or points to the program's line.
`invent_fact` is not checked automatically. Part of `make bench` (bench.run server);
alone, against a running assistant:

    python -m bench.run dialogues
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from bench.replies import NOT_ANSWERED, reply_text

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "tests" / "data" / "heldout"
SECTIONS = ("conversations", "english", "arabizi", "long_stories")

_DIACRITICS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans("أإآٱةى٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "اااايه01234567890123456789")
_THOUSANDS = re.compile(r"(?<=\d)[,٬](?=\d{3})")
# What a reply that plainly does not know says (Arabic or English), or the line it
# points to instead.
_UNKNOWN = (
    "ما عندي",
    "ماعندي",
    "لا تتوفر",
    "ما تتوفر",
    "لا يتوفر",
    "ليس لدي",
    "ما اعرف",
    "لا اعرف",
    "ما ذكرت",
    "لم تذكر",
    "don't have",
    "do not have",
    "not sure",
    "19912",
)


def normalise(text: str) -> str:
    text = _DIACRITICS.sub("", text or "").translate(_FOLD)
    return _THOUSANDS.sub("", text).lower()


def language_of(text: str) -> str:
    arabic = len(re.findall(r"[\u0600-\u06ff]", text))
    latin = len(re.findall(r"[A-Za-z]", text))
    return "en" if latin > arabic else "ar"


def _form_starts() -> List[str]:
    """The opening line of every form, as the citizen would read it."""
    content = yaml.safe_load((ROOT / "bot/content/eligibility.yml").read_text("utf-8"))
    starts = [content["form"]["start"], content["questions"]["elig_saudi"]]
    for name in ("tickets", "objections"):
        domain = yaml.safe_load((ROOT / "domain" / f"{name}.yml").read_text("utf-8"))
        for key, variants in (domain.get("responses") or {}).items():
            if key.startswith("utter_ask_") and key.endswith(("national_id", "number")):
                starts += [v.get("text", "") for v in variants]
    return [normalise(s.split("\n")[0])[:24] for s in starts if s]


def _found(group: Any, reply: str) -> bool:
    options = group if isinstance(group, list) else [group]
    return any(normalise(str(option)) in reply for option in options)


def check(turn: Dict, reply: str, previous: Optional[str], starts: List[str]) -> List[str]:
    """What is wrong with `reply` for `turn` (empty when it passes)."""
    folded = normalise(reply)
    problems = [f"not answered ({p})" for p in NOT_ANSWERED if p in reply]
    if turn.get("expect_unknown"):
        if not any(normalise(m) in folded for m in _UNKNOWN):
            problems.append("does not say it does not know")
    problems += [f"missing {g!r}" for g in turn.get("expect_facts") or [] if not _found(g, folded)]
    wanted = turn.get("expect_language")
    if wanted and language_of(reply) != wanted:
        problems.append(f"answered in {language_of(reply)}, not {wanted}")
    must_not = turn.get("must_not") or []
    if "start_form" in must_not and any(s and s in folded for s in starts):
        problems.append("started a form")
    if "repeat_previous_answer" in must_not and previous is not None and reply == previous:
        problems.append("repeated the previous answer")
    return problems


def _ask(url: str, sender: str, text: str) -> List[Dict]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def use(folder: Path) -> None:
    """Score a development set written in the held-out format instead (bench/dev_blind/),
    so tuning never needs to look at the held-out replies."""
    global HELDOUT
    HELDOUT = folder


def _load(section: str) -> Dict:
    path = HELDOUT / f"{section}.yml"
    if not path.exists():  # a development set may hold only some of the sections
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _score(cases: int, failures: List[Dict]) -> Dict:
    passed = cases - len(failures)
    share = round(passed / cases, 4) if cases else 0.0
    return {"cases": cases, "passed": passed, "share": share, "failures": failures}


def run_conversations(url: str, starts: List[str]) -> Dict:
    """Every turn scored; a conversation's turns share one session."""
    failures, turns = [], 0
    for conversation in _load("conversations").get("conversations") or []:
        sender, previous = f"dialogue-{uuid.uuid4().hex[:10]}", None
        for n, turn in enumerate(conversation["turns"], 1):
            turns += 1
            reply = reply_text(_ask(url, sender, turn["text"]))
            problems = check(turn, reply, previous, starts)
            if problems:
                failures.append(
                    {
                        "text": f"{conversation['id']}#{n} {turn['text']}",
                        "problems": problems,
                        "reply": reply[:160],
                    }
                )
            previous = reply
    return _score(turns, failures)


def run_messages(url: str, section: str, starts: List[str]) -> Dict:
    """One new conversation per message."""
    data = _load(section)
    # long_stories.yml lists its cases under "stories", the others under "messages".
    items = data.get("messages") or data.get("stories") or []
    failures = []
    for item in items:
        reply = reply_text(_ask(url, f"dialogue-{uuid.uuid4().hex[:10]}", item["text"]))
        problems = check(item, reply, None, starts)
        if problems:
            failures.append({"text": item["text"][:80], "problems": problems, "reply": reply[:160]})
    return _score(len(items), failures)


def run_form_answers() -> Dict:
    """Each answer read by the pre-check's own reader for its question."""
    from bot.services.eligibility import answers as form_answers
    from bot.services.eligibility.form import ADULTS, AGE, DEPENDANTS, INCOME

    slot_of = {"dependants": DEPENDANTS, "dependants_adult": ADULTS, "age": AGE, "income": INCOME}
    items = _load("form_answers").get("answers") or []
    failures = []
    for item in items:
        reply = form_answers.Reply(text=item["text"])
        if item["question"] == "yes_no":
            got = form_answers.yes_no(reply, allow_unsure=False, button=False)
        else:
            slot = slot_of[item["question"]]
            # the question about adults is asked after the count: room for any answer
            values, _ = form_answers.read(slot, reply, {DEPENDANTS: 10})
            got = (values or {}).get(slot)
        if got != item["expect"]:
            failures.append(
                {
                    "text": item["text"],
                    "problems": [f"read {got!r}, want {item['expect']!r}"],
                    "reply": "",
                }
            )
    return _score(len(items), failures)


def run(url: str) -> Dict:
    starts = _form_starts()
    report = {"conversations": run_conversations(url, starts)}
    for section in ("english", "arabizi", "long_stories"):
        report[section] = run_messages(url, section, starts)
    report["form_answers"] = run_form_answers()
    return report


def print_report(report: Dict) -> None:
    print(f"\nConversations ({HELDOUT}, scored by the reply's content)")
    for section, r in report.items():
        print(f"  {section:14} {r['passed']:>3} / {r['cases']:<3} {100 * r['share']:5.1f}%")
        for failure in r["failures"]:
            print(f"      ✗ {failure['text']}: {'; '.join(failure['problems'])}")
