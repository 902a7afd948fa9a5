"""What the optional sentence encoder costs the NLU, message by message, per script.

    python -m bench.encoder_cost models/citizen-OFF.tar.gz models/citizen-ON.tar.gz

Parses the held-out and fresh NLU messages (tests/data/nlu_heldout.yml,
tests/data/nlu_fresh.yml) and the held-out English and Arabizi messages
(tests/data/heldout/) with each model in this process, one at a time as the server
does, and reports per script (bot.nlu.script: Arabic, English, Arabizi) the CPU time
per parse and how many messages reached the encoder. Nothing here is scored or tuned:
the accuracy on these files is bench.run's.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections import defaultdict
from typing import Dict, List

from bot.nlu import encoder
from bot.nlu.script import language_of
from bot.services.training.scoring import FRESH, heldout_examples


def _texts() -> List[str]:
    from bench.dialogues import _load

    latin = [m["text"] for section in ("english", "arabizi") for m in _load(section)["messages"]]
    return [text for text, _ in heldout_examples() + heldout_examples(FRESH)] + latin


def measure(model: str, texts: List[str]) -> Dict[str, Dict[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(model)
    reached: List[str] = []
    real = encoder.encode

    def counting(name: str, batch: List[str], keep: bool = False):
        # What the encoder computes: the last text embedded is answered from its cache.
        reached.extend(t for t in batch if t not in encoder._last)
        return real(name, batch, keep)

    encoder.encode = counting
    per: Dict[str, Dict[str, float]] = defaultdict(
        lambda: {"n": 0, "cpu_s": 0.0, "encoded": 0, "texts": 0}
    )

    async def run() -> None:
        await agent.parse_message(texts[0])  # loads what loads lazily
        for text in texts:
            before, t0 = len(reached), time.process_time()
            await agent.parse_message(text)
            row = per[language_of(text)]
            row["n"] += 1
            row["cpu_s"] += time.process_time() - t0
            row["encoded"] += len(reached) > before
            row["texts"] += len(reached) - before

    try:
        asyncio.run(run())
    finally:
        encoder.encode = real
    return dict(per)


def main(argv: List[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    texts = _texts()
    for model in argv:
        print(model)
        for language, row in sorted(measure(model, texts).items()):
            print(
                f"  {language:8} {int(row['n']):4} messages, NLU CPU "
                f"{1000 * row['cpu_s'] / row['n']:.2f} ms/msg, reached the encoder "
                f"{int(row['encoded'])} ({100 * row['encoded'] / row['n']:.1f}%), "
                f"embeddings {int(row['texts'])}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
