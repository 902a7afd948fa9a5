"""bot/nlu/arabizi_words.txt: the Arabic words of the training data, for Arabizi.

The transliterator (bot.nlu.arabizi) turns an Arabizi word it has no hand entry for
into the training-data word with the same consonants ("tasjeel" -> تسجيل), so the
classifier gets a word it was trained on rather than a guessed spelling. The list is
a spelling lexicon, not part of the model: when the data changes it only needs
rewriting for new words to be found.

    python -m bot.tools.arabizi_words          # rewrite bot/nlu/arabizi_words.txt
    python -m bot.tools.arabizi_words --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path
from typing import List

from bot.nlu.arabic import normalize

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "bot" / "data"
WORDS = ROOT / "bot" / "nlu" / "arabizi_words.txt"
_ARABIC_WORD = re.compile("[\u0621-\u064a]{2,}")
HEADER = "# Written by python -m bot.tools.arabizi_words from bot/data: word<TAB>count\n"


def training_texts() -> List[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    texts: List[str] = []
    for path in sorted(DATA.glob("*/nlu.yml")):
        texts.extend(m.get("text") or "" for m in load_data(str(path)).intent_examples)
    return texts


def render(texts: List[str]) -> str:
    counts = Counter(
        word for text in texts for word in normalize(text).split() if _ARABIC_WORD.fullmatch(word)
    )
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return HEADER + "".join(f"{word}\t{count}\n" for word, count in rows)


def main(argv: List[str]) -> int:
    text = render(training_texts())
    if "--check" in argv:
        current = WORDS.read_text(encoding="utf-8") if WORDS.exists() else ""
        if current != text:
            print(f"{WORDS.relative_to(ROOT)} is out of date: python -m bot.tools.arabizi_words")
            return 1
        return 0
    WORDS.write_text(text, encoding="utf-8")
    print(f"wrote {WORDS.relative_to(ROOT)}: {text.count(chr(10)) - 1} words")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
