"""The published release, applied in this process and kept current.

Every process that speaks to citizens (each Rasa worker, the action server, the
notification sender) runs `watch()`: a daemon thread that reads the newest release id,
one indexed row, every POLL_SECONDS, and when it changed rebuilds the content files with
the release's values over the seed and swaps them into bot.content. So a publish reaches
every worker within about a second, with no restart and no retraining; a database that
is down leaves the last release in place.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from bot.content import ENGLISH, seed, use_published
from bot.services.content import catalogue
from bot.services.training import faqs as trained_faqs
from bot.store import content as store_content
from bot.store import session_scope
from bot.store.training import latest_release_head

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0

_lock = threading.Lock()
_applied: Optional[int] = None  # release id served now (0: the seed)
_model_release: Optional[int] = None  # model release whose new questions are served
_watcher: Optional[threading.Thread] = None


def _typed(key: str, text: str) -> Any:
    if catalogue.is_flag(key):
        return text.strip().lower() == "true"
    if catalogue.is_number(key):
        return int(text.strip())
    return text


def _set(doc: Dict[str, Any], path, value: Any) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {})
    doc[path[-1]] = value


def _in_seed(key: str) -> bool:
    kind, name = catalogue.split(key)
    return name in seed("faq.yml" if kind == "faq" else "faq_titles.yml")


def build(
    values: Dict[str, str], faqs: List[Dict] = ()
) -> Tuple[Dict[str, Dict[str, Any]], Dict[tuple, str]]:
    """(files, domain response texts) for a release's values {"<key>|<lang>": text}, over
    the new questions `faqs` as trained (so a published edit of one wins)."""
    files: Dict[str, Dict[str, Any]] = {}
    trained_faqs.as_files(list(faqs), files)
    trained = {f"{kind}.{f['key']}" for f in faqs for kind in ("faq", "faq_title")}
    responses: Dict[tuple, str] = {}
    for slot, text in values.items():
        key, _, lang = slot.rpartition("|")
        try:
            where = catalogue.location(key, lang)
        except KeyError:
            continue  # an item the seed no longer has
        if key.startswith("faq") and key not in trained and not _in_seed(key):
            continue  # an edit of a new question whose model was rolled back
        if where is None:
            responses[(catalogue.split(key)[1], lang)] = text
            continue
        name, path = where
        if name not in files:
            files[name] = copy.deepcopy(seed(name))
        value = _typed(key, text) if lang != ENGLISH else text
        _set(files[name], path, value)
    return files, responses


def apply(
    release_id: int, values: Dict[str, str], faqs: List[Dict] = (), model_release: int = 0
) -> None:
    """Serve a content release's values, with the new questions `faqs` the model released
    in `model_release` knows (bot.services.training.faqs)."""
    global _applied, _model_release
    files, responses = build(values, faqs)
    use_published(files, responses)
    _applied, _model_release = release_id, model_release


def applied() -> Optional[int]:
    return _applied


def refresh() -> bool:
    """Serve the newest release if it is not the one served now; True if it changed."""
    with _lock:
        with session_scope() as s:
            newest = store_content.latest_release_id(s)
            model_release, _ = latest_release_head(s)
            if (newest, model_release) == (_applied or 0, _model_release) and _applied is not None:
                return False
            values = store_content.release_values(s, newest) if newest else {}
            faqs = trained_faqs.released(s, model_release)
        apply(newest, values, faqs, model_release)
        logger.info("content release %s applied (model release %s)", newest, model_release)
        return True


def _loop(interval: float) -> None:
    while True:
        try:
            refresh()
        except Exception as e:  # the database is down or not migrated: keep what we have
            logger.debug("content refresh failed: %s", type(e).__name__)
        time.sleep(interval)


def watch(interval: float = POLL_SECONDS) -> None:
    """Start this process's watcher once (later calls do nothing)."""
    global _watcher
    with _lock:
        if _watcher is not None and _watcher.is_alive():
            return
        _watcher = threading.Thread(
            target=_loop, args=(interval,), name="content-watcher", daemon=True
        )
        _watcher.start()
