"""The candidate training data: the project's own (bot/data, domain/) copied into a work
folder, plus every approved training change: a new FAQ's phrasings as `faq/<key>`
examples and its answer as the `utter_faq/<key>` response (both languages, as
bot/content/render.py writes the seed FAQs), reviewed examples under their intents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

import yaml

from bot.content import ENGLISH, fill
from bot.content.render import ENGLISH_CONDITION
from bot.store.training import EXAMPLES, NEW_FAQ

ROOT = Path(__file__).resolve().parents[3]
DATA_FILE = Path("console") / "nlu.yml"
DOMAIN_FILE = "console_faq.yml"


def clean_example(text: str) -> str:
    """One line, and no brackets: Rasa would read `[x](y)` as an entity annotation."""
    return " ".join(str(text).replace("[", " ").replace("]", " ").split())


def nlu_yaml(examples: Dict[str, List[str]]) -> str:
    lines = ['version: "3.1"', "", "# Approved in the console (training changes).", "nlu:"]
    for intent, texts in sorted(examples.items()):
        lines += [f"  - intent: {intent}", "    examples: |"]
        lines += [f"      - {clean_example(t)}" for t in texts]
    if len(lines) == 4:
        lines[-1] = "nlu: []"
    return "\n".join(lines) + "\n"


def _responses(faqs: Iterable[Dict]) -> str:
    responses = {}
    for faq in faqs:
        answer = faq["answer"]
        responses[f"utter_faq/{faq['key']}"] = [
            {"condition": ENGLISH_CONDITION, "text": fill(answer[ENGLISH], ENGLISH)},
            {"text": fill(answer["ar"], "ar")},
        ]
    return yaml.safe_dump(
        {"version": "3.1", "responses": responses}, allow_unicode=True, sort_keys=False
    )


def contents(changes: Iterable) -> Tuple[Dict[str, List[str]], List[Dict]]:
    """(intent -> examples, new FAQs) of training change rows (or anything with .kind
    and .payload)."""
    examples: Dict[str, List[str]] = {}
    faqs: List[Dict] = []
    for change in changes:
        payload = json.loads(change.payload)
        if change.kind == NEW_FAQ:
            faqs.append(payload)
            examples.setdefault(f"faq/{payload['key']}", []).extend(payload["examples"])
        elif change.kind == EXAMPLES:
            for intent, texts in payload["examples"].items():
                examples.setdefault(intent, []).extend(texts)
    # An example given twice (two reviews of one message) is trained once.
    return {k: sorted(set(v)) for k, v in examples.items()}, faqs


def write(work: Path, changes: Iterable) -> Tuple[Path, Path]:
    """Write the candidate project under `work`; (data folder, domain folder)."""
    data, domain = work / "data", work / "domain"
    shutil.copytree(ROOT / "bot" / "data", data)
    shutil.copytree(ROOT / "domain", domain)
    examples, faqs = contents(changes)
    (data / DATA_FILE).parent.mkdir(parents=True, exist_ok=True)
    (data / DATA_FILE).write_text(nlu_yaml(examples), encoding="utf-8")
    if faqs:
        (domain / DOMAIN_FILE).write_text(_responses(faqs), encoding="utf-8")
    return data, domain
