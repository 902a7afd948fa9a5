"""The console's stored citizen text is masked like transcripts: national IDs, mobiles in
every spelling and IBANs, in turn rows, rating comments, review labels and their notes."""

from __future__ import annotations

import pytest

from bot.services.console import review
from bot.store import csat, turns
from bot.store import review as review_store

SAID = (
    "هويتي 1023456781 وجوالي 0551234567 او 966551234567 او +966551234567 "
    "او ٠٥٥١٢٣٤٥٦٧ والايبان SA03 8000 0000 6080 1016 7519"
)
SECRETS = ("1023456781", "551234567", "8000 0000 6080", "80000000608")


def _clean(text: str) -> bool:
    return not any(s in text for s in SECRETS)


@pytest.fixture
def db(dbs):
    return dbs[0]


def test_turn_rows_store_the_message_masked(db):
    turn_id = turns.record_turn("web:x", "web", 100, facts={"text": SAID, "intent": "inform"})
    text = turns.get_turn(turn_id)["text"]
    assert _clean(text) and "10••••••81" in text and "هويتي" in text


def test_rating_comments_are_stored_masked(db):
    rating = csat.record_ask("web:x", "web", "ticket")
    assert csat.set_score(rating, 3) and csat.want_comment(rating)
    assert csat.set_comment(rating, SAID)
    assert _clean(csat.get(rating)["comment"])


def test_review_labels_store_text_and_note_masked(db):
    turn_id = turns.record_turn("web:x", "web", 100, facts={"text": SAID})
    review.label(turn_id, "new_topic", None, f"نفس سؤال {SAID}", "huda")
    (label,) = review_store.all_labels()
    assert _clean(label["text"]) and _clean(label["note"])
    # Whatever a caller passes, the store masks it; other digits stay as written.
    review_store.upsert(turn_id + 1, "new_topic", None, "الحد ٥٠٠٠ ريال", SAID, "huda")
    raw = review_store.labels_for([turn_id + 1])[turn_id + 1]
    assert _clean(raw["text"]) and raw["note"] == "الحد ٥٠٠٠ ريال"
