"""The new questions the released model knows: their answers and titles join the seed's
in every process (bot.services.content.live), so the answer, the "did you mean" button
and the console's lists name them, and leave again when the model is rolled back."""

from __future__ import annotations

import copy
import json
from typing import Dict, List

from sqlalchemy import select

from bot.content import seed
from bot.store.training import (
    NEW_FAQ,
    ModelRelease,
    TrainingChange,
    TrainingJob,
    latest_release_head,
)


def released(session, release_id: int) -> List[Dict]:
    """The new-FAQ payloads of the model released in `release_id` (none for the start
    model), oldest first."""
    if not release_id:
        return []
    release = session.get(ModelRelease, release_id)
    if release is None or release.sha is None or release.job_id is None:
        return []
    job = session.get(TrainingJob, release.job_id)
    ids = json.loads(job.changes) if job is not None else []
    rows = session.execute(
        select(TrainingChange)
        .where(TrainingChange.id.in_(ids), TrainingChange.kind == NEW_FAQ)
        .order_by(TrainingChange.id)
    ).scalars()
    return [json.loads(r.payload) for r in rows]


def served(session) -> List[Dict]:
    """The new questions of the newest model release (what every worker serves)."""
    return released(session, latest_release_head(session)[0])


def as_items(faqs: List[Dict]) -> Dict[str, Dict[str, str]]:
    """Their answers and titles as content items (bot.services.content.catalogue's keys),
    as trained: the base a published edit of them is compared with, like a seed value."""
    items: Dict[str, Dict[str, str]] = {}
    for faq in faqs:
        items[f"faq.{faq['key']}"] = dict(faq["answer"])
        items[f"faq_title.{faq['key']}"] = dict(faq["title"])
    return items


def as_files(faqs: List[Dict], files: Dict[str, Dict]) -> None:
    """Add the FAQs to content files (name -> parsed content, as bot.content serves them):
    the answer and the title in both languages."""
    for name in ("faq.yml", "en/faq.yml", "faq_titles.yml", "en/faq_titles.yml"):
        if faqs and name not in files:
            files[name] = copy.deepcopy(seed(name))  # edits must not reach the cached seed
    for faq in faqs:
        key = faq["key"]
        files["faq.yml"][key] = {"source": "console", "text": faq["answer"]["ar"]}
        files["en/faq.yml"][key] = faq["answer"]["en"]
        files["faq_titles.yml"][key] = faq["title"]["ar"]
        files["en/faq_titles.yml"][key] = faq["title"]["en"]
