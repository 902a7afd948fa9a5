"""A release written back as the seed files, for version control: the files of
bot/content/ that the release changes, with its values in place, and the new questions the
served model learnt in the console (their answers and titles in the FAQ files, their
phrasings as `data/new_questions/nlu.yml`, to copy into bot/data/). Reviewed examples
taken from citizens' messages are not exported: they stay in the database, where an
erasure and the retention purge reach them (docs/privacy.md).

The YAML is written anew (the seed's comments, which cite the source documents, are not
kept): review the diff and put the comments back before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.services.content import live
from bot.services.training import dataset
from bot.services.training import faqs as trained_faqs
from bot.store import session_scope
from bot.store.content import latest_release_id, release_values

NEW_QUESTIONS = Path("data") / "new_questions" / "nlu.yml"


def export(target: Path, release_id: Optional[int] = None) -> List[Path]:
    """Write the files release `release_id` (the newest by default) changes under
    `target` (e.g. bot/content itself); returns the files written."""
    with session_scope() as s:
        rid = latest_release_id(s) if release_id is None else release_id
        values: Dict[str, str] = release_values(s, rid)
        faqs = trained_faqs.served(s)
    files, responses = live.build(values, faqs)
    written = []
    if faqs:
        path = Path(target) / NEW_QUESTIONS
        path.parent.mkdir(parents=True, exist_ok=True)
        examples = {f"faq/{f['key']}": sorted(f["examples"]) for f in faqs}
        path.write_text(dataset.nlu_yaml(examples), encoding="utf-8")
        written.append(path)
    for name, doc in sorted(files.items()):
        path = Path(target) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000),
            encoding="utf-8",
        )
        written.append(path)
    if responses:
        path = Path(target) / "domain-responses.yml"
        body = {
            name: {lang: text for (n, lang), text in responses.items() if n == name}
            for name in sorted({n for n, _ in responses})
        }
        path.write_text(yaml.safe_dump(body, allow_unicode=True, width=1000), encoding="utf-8")
        written.append(path)
    return written
