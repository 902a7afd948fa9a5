"""`make review-export`: the review queue's labels as training data, through the console's
own path (the selection of bot.services.console.review_export, the candidate data of
dataset, the training and scoring of jobs, the refusal rule of jobs.judge).

    python -m bot.services.training.export [--out bot/data/reviewed/nlu.yml]
                                            [--propose USERNAME] [--no-train]
                                            [--baseline MODEL.tar.gz]

1. The labelled messages not yet in the training data (numbers taken out, test-set
   messages left out) are written to --out, for a developer's diff as before.
2. --propose USERNAME: they also become one training change of USERNAME, as the
   console's "add reviewed examples" makes it: another person approves it and the
   console's retrain rolls it out (docs/console.md, "New questions").
3. Unless --no-train: a candidate is trained on the project's data, every approved
   training change and these examples, and scored next to the served model (or
   --baseline) on the reviewed messages and the held-out and fresh sets. The exit status
   is 1 when the console would refuse it (a set dropped by more than jobs.MAX_DROP).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Dict, List, Optional

from bot.services.console import review_export
from bot.services.training import changes, dataset, jobs, rollout
from bot.store import session_scope
from bot.store.training import EXAMPLES


def evaluate(examples: Dict[str, List[str]], baseline: Optional[Path]) -> Dict[str, Dict]:
    """Scores of the baseline and of a candidate trained with `examples` added."""
    with tempfile.TemporaryDirectory(prefix="review-export-") as tmp:
        work = Path(tmp)
        reviewed = SimpleNamespace(kind=EXAMPLES, payload=json.dumps({"examples": examples}))
        with session_scope() as s:
            data, domain = dataset.write(work, changes.approved(s) + [reviewed])
        with open(work / "train.log", "ab") as log:
            jobs.run_child(jobs.train_command(data, domain, work), log, log)
        sets = jobs.sets_for([])
        sets["reviewed"] = [(t, intent) for intent, texts in examples.items() for t in texts]
        sets_file = work / "sets.json"
        sets_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
        found = {}
        for name, model in (
            ("baseline", baseline or rollout.served_model_file()),
            ("with_reviewed", work / "candidate.tar.gz"),
        ):
            out = work / f"{name}.json"
            with open(out, "wb") as f, open(work / "train.log", "ab") as log:
                jobs.run_child(jobs.score_command(model, sets_file), f, log)
            found[name] = json.loads(out.read_text(encoding="utf-8"))
        return found


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="make review-export", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=review_export.DEFAULT_OUT)
    parser.add_argument("--propose", metavar="USERNAME", help="also as a training change")
    parser.add_argument("--baseline", type=Path, help="model to compare with (default: served)")
    parser.add_argument("--no-train", action="store_true", help="write the file only")
    args = parser.parse_args(argv)

    existing = review_export.existing_examples(review_export.DATA, skip=args.out)
    examples, skipped = review_export.collect(
        review_export.labelled(), existing, review_export.test_set_keys()
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(review_export.render(examples), encoding="utf-8")
    total = sum(len(v) for v in examples.values())
    print(f"wrote {total} examples for {len(examples)} intents to {args.out}")
    for reason, n in skipped.items():
        if n:
            print(f"  left out ({reason.replace('_', ' ')}): {n}")
    if args.propose and total:
        change = changes.propose_reviewed_examples(args.propose, "make review-export")
        print(f"training change {change['id']} waits for a second person in the console")
    if args.no_train or not total:
        return 0
    result = evaluate(examples, args.baseline)
    names = ("reviewed", "heldout", "fresh")
    print()
    header = {"reviewed": "reviewed", "heldout": "held-out", "fresh": "fresh"}
    print(" " * 16 + "".join(f"{header[n] + ' (' + str(result['baseline'][n]['n']) + ')':>18}"
                             for n in names))  # fmt: skip
    for row in ("baseline", "with_reviewed"):
        cells = "".join(f"{(result[row][n]['accuracy'] or 0):>17.2f}%" for n in names)
        print(f"{row:16}{cells}")
    reasons = jobs.judge(result["baseline"], result["with_reviewed"])
    for r in reasons:
        print(f"  {r['set']}: {r['before']:.2f}% -> {r['after']:.2f}%")
    print(
        "\nheld-out or fresh accuracy "
        + ("GOT WORSE: do not commit as is" if reasons else "did not get worse")
    )
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
