"""`make bench-nlu`: the project's NLU pipeline against Rasa's default and a TF-IDF baseline.

Trains each pipeline on the ArBanking77 subset's train.csv (20 banking intents x 30
MSA/Palestinian examples) and scores it on test_saudi.csv (918 Saudi-dialect
questions); see ../shared/benchmarks/arbanking77/README.md. Each pipeline runs in a
fresh Python process, so its peak memory (max RSS, from wait4) is its own.

Reported per pipeline: accuracy and macro-F1 on the Saudi test, training seconds
(wall clock of the training call, Rasa's component cache disabled), parse latency
per message (p50/p95, one message at a time through a loaded model, as the server
does), peak memory, the confusion pairs that cost most, and the confidence curve
(share of messages kept above a threshold vs accuracy on those kept) that the
fallback threshold is chosen from.

    python -m bench.nlu_compare                        # project, rasa-default, tfidf-lr
    python -m bench.nlu_compare --only project,tfidf-lr
    python -m bench.nlu_compare --config bench/nlu/diet_only.yml   # extra pipelines
    python -m bench.nlu_compare --data DIR --out-dir DIR            # elsewhere

Results: $VAR_DIR/bench-nlu/results.json and summary.md (copy the tables into
docs/benchmarks.md). The accuracy counts the top intent before the FallbackClassifier
(a message the fallback catches is scored by the intent under it); the confidence
curve shows what the fallback then keeps.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from bench.nlu_report import (
    THRESHOLDS,
    machine,
    mcnemar,
    paired_comparisons,
    percentile,
    summary_markdown,
    table,
)
from bot import settings

# The report (machine, tables, paired tests) lives in bench.nlu_report; re-exported.
__all__ = ["machine", "mcnemar", "paired_comparisons", "percentile", "summary_markdown", "table"]

REPO = Path(__file__).resolve().parents[1]
# ../shared beside the clone, or beside the folder of worktrees it sits in.
_SHARED = [p / "shared" for p in (REPO.parent, REPO.parents[1]) if (p / "shared").is_dir()]
DEFAULT_DATA = (_SHARED or [REPO.parent / "shared"])[0] / "benchmarks" / "arbanking77"
FALLBACK_INTENT = "nlu_fallback"

# ArBanking77's Arabic intent names -> the BANKING77 names they translate (ASCII ids
# keep Rasa's intent syntax simple and the report readable).
INTENT_IDS = {
    "وصول البطاقة": "card_arrival",
    "سعر الصرف": "exchange_rate",
    "رسوم إضافية على كشف الحساب": "extra_charge_on_statement",
    "دعم العملات الورقية": "fiat_currency_support",
    "تعبئة تلقائية": "automatic_top_up",
    "الصرف عبر التطبيق": "exchange_via_app",
    "عدم التلامس لا يعمل": "contactless_not_working",
    "في انتظار التعبئة": "pending_top_up",
    "حدود التعبئة": "top_up_limits",
    "تم تحصيل رسوم الدفع بالبطاقة": "card_payment_fee_charged",
    "البطاقات والعملات المدعومة": "supported_cards_and_currencies",
    "قبول البطاقة": "card_acceptance",
    "لم يتم تحديث الرصيد بعد الشيك أو الإيداع النقدي": "balance_not_updated_after_cheque_or_cash_deposit",
    "تحرير التفاصيل الشخصية": "edit_personal_details",
    "غير قادر على التحقق من الهوية": "unable_to_verify_identity",
    "فيزا أو ماستر كارد": "visa_or_mastercard",
    "دعم أجهزة الصراف الآلي": "atm_support",
    "حد السن": "age_limit",
    "حدود البطاقة التي يمكن التخلص منها": "disposable_card_limits",
    "نسيان رمز المرور": "passcode_forgotten",
}

# name -> how to build it. "rasa" entries are Rasa config files (only their NLU part
# is trained); "sklearn" is the plain baseline below.
PIPELINES: Dict[str, Dict[str, str]] = {
    "project": {"kind": "rasa", "config": "config.yml"},
    "rasa-default": {"kind": "rasa", "config": "bench/config_rasa_default.yml"},
    "tfidf-lr": {"kind": "sklearn"},
}


# ---------------------------------------------------------------------------- data
def read_split(path: Path) -> Tuple[List[str], List[str]]:
    texts, labels = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"].strip())
            labels.append(intent_id(row["label"]))
    return texts, labels


def intent_id(label: str) -> str:
    if label in INTENT_IDS:
        return INTENT_IDS[label]
    raise KeyError(f"unknown ArBanking77 label {label!r}: add it to INTENT_IDS")


def write_rasa_nlu(texts: Sequence[str], labels: Sequence[str], path: Path) -> None:
    """Rasa YAML NLU data, one block per intent (examples on one line each)."""
    by_intent: Dict[str, List[str]] = {}
    for text, label in zip(texts, labels):
        by_intent.setdefault(label, []).append(text)
    lines = ['version: "3.1"', "nlu:"]
    for label in sorted(by_intent):
        lines.append(f"- intent: {label}")
        lines.append("  examples: |")
        for text in by_intent[label]:
            # Rasa's example list is markdown-like: strip entity-annotation brackets.
            clean = " ".join(text.replace("[", "(").replace("]", ")").split())
            lines.append(f"    - {clean}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------- scoring
def score(
    gold: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]
) -> Dict[str, Any]:
    labels = sorted(set(gold))
    correct = [g == p for g, p in zip(gold, predicted)]
    f1s = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, predicted) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, predicted) if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    pairs = Counter((g, p) for g, p in zip(gold, predicted) if g != p)
    curve = []
    for threshold in THRESHOLDS:
        kept = [c for c, conf in zip(correct, confidence) if conf >= threshold]
        curve.append(
            {
                "threshold": threshold,
                "kept": len(kept) / len(gold),
                "accuracy_kept": (sum(kept) / len(kept)) if kept else None,
            }
        )
    return {
        "n": len(gold),
        "accuracy": sum(correct) / len(gold),
        "macro_f1": sum(f1s) / len(f1s),
        "confusions": [
            {"gold": g, "predicted": p, "count": n} for (g, p), n in pairs.most_common(10)
        ],
        "confidence_curve": curve,
    }


# ------------------------------------------------------------------------- workers
def run_rasa(config: Path, data: Path, workdir: Path) -> Dict[str, Any]:
    # The worker's environment (run_isolated) turns Rasa's component cache off: a cache
    # hit would make the training time meaningless.
    import asyncio
    import logging

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    logging.getLogger("rasa").setLevel(logging.WARNING)
    train_texts, train_labels = read_split(data / "train.csv")
    test_texts, test_labels = read_split(data / "test_saudi.csv")
    nlu_file = workdir / "nlu.yml"
    write_rasa_nlu(train_texts, train_labels, nlu_file)

    started = time.perf_counter()
    model_path = train_nlu(
        str(config), str(nlu_file), str(workdir / "models"), fixed_model_name="bench"
    )
    train_seconds = time.perf_counter() - started
    if not model_path:
        raise RuntimeError(f"training {config} produced no model")

    agent = Agent.load(model_path)
    loop = asyncio.new_event_loop()
    for text in test_texts[:5]:  # warm-up: first calls build TF graphs
        loop.run_until_complete(agent.parse_message(text))
    predicted, confidence, latencies, rankings = [], [], [], []
    for text in test_texts:
        started = time.perf_counter()
        parsed = loop.run_until_complete(agent.parse_message(text))
        latencies.append(time.perf_counter() - started)
        rankings.append(
            {
                r["name"]: round(float(r["confidence"]), 5)
                for r in parsed.get("intent_ranking") or []
            }
        )
        top = next(
            (r for r in parsed.get("intent_ranking") or [] if r["name"] != FALLBACK_INTENT),
            parsed.get("intent") or {"name": None, "confidence": 0.0},
        )
        predicted.append(top["name"])
        confidence.append(float(top.get("confidence") or 0.0))
    loop.close()
    return {
        "train_seconds": train_seconds,
        "latencies": latencies,
        "predicted": predicted,
        "confidence": confidence,
        "gold": test_labels,
        "rankings": rankings,
    }


def run_sklearn(data: Path) -> Dict[str, Any]:
    """Plain baseline: TF-IDF over character 2-5-grams (within word boundaries) of
    the normalised text, multinomial logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from bot.nlu.arabic import normalize

    train_texts, train_labels = read_split(data / "train.csv")
    test_texts, test_labels = read_split(data / "test_saudi.csv")
    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=2000),
    )
    model.fit([normalize(t) for t in train_texts], train_labels)
    train_seconds = time.perf_counter() - started
    predicted, confidence, latencies = [], [], []
    for text in test_texts:
        started = time.perf_counter()
        probabilities = model.predict_proba([normalize(text)])[0]
        latencies.append(time.perf_counter() - started)
        best = int(probabilities.argmax())
        predicted.append(str(model.classes_[best]))
        confidence.append(float(probabilities[best]))
    return {
        "train_seconds": train_seconds,
        "latencies": latencies,
        "predicted": predicted,
        "confidence": confidence,
        "gold": test_labels,
    }


def worker(name: str, spec: Dict[str, str], data: Path, result_file: Path) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-nlu-{name}-") as tmp:
        if spec["kind"] == "rasa":
            raw = run_rasa(REPO / spec["config"], data, Path(tmp))
        else:
            raw = run_sklearn(data)
    result = score(raw["gold"], raw["predicted"], raw["confidence"])
    latencies = raw["latencies"]
    result.update(
        {
            "name": name,
            "spec": spec,
            "train_seconds": raw["train_seconds"],
            "parse_p50_ms": 1000 * percentile(latencies, 50),
            "parse_p95_ms": 1000 * percentile(latencies, 95),
            "predictions": [
                {"gold": g, "predicted": p, "confidence": round(c, 4)}
                for g, p, c in zip(raw["gold"], raw["predicted"], raw["confidence"])
            ],
            "rankings": raw.get("rankings"),
        }
    )
    result_file.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def worker_environment(parent: Dict[str, str]) -> Dict[str, str]:
    """The worker's environment: the parent's, with Rasa's component cache and
    telemetry off and TensorFlow quiet unless the caller chose otherwise."""
    return {
        **parent,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), parent.get("PYTHONPATH")])),
        "RASA_MAX_CACHE_SIZE": "0",
        "RASA_TELEMETRY_ENABLED": parent.get("RASA_TELEMETRY_ENABLED", "false"),
        "TF_CPP_MIN_LOG_LEVEL": parent.get("TF_CPP_MIN_LOG_LEVEL", "2"),
    }


def run_isolated(name: str, spec: Dict[str, str], data: Path, out_dir: Path) -> Dict[str, Any]:
    """One pipeline in a fresh interpreter; peak RSS from the kernel (wait4)."""
    result_file = out_dir / f"{name}.json"
    result_file.unlink(missing_ok=True)
    command = [
        sys.executable,
        "-m",
        "bench.nlu_compare",
        "--worker",
        name,
        "--spec",
        json.dumps(spec),
        "--data",
        str(data),
        "--result",
        str(result_file),
    ]
    env = worker_environment(dict(os.environ))
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 or not result_file.exists():
        raise SystemExit(f"{name}: worker failed with exit code {process.returncode}")
    result = json.loads(result_file.read_text(encoding="utf-8"))
    result["peak_rss_mb"] = usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux
    result["process_seconds"] = time.perf_counter() - started
    result_file.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated subset of: " + ", ".join(PIPELINES))
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        help="extra Rasa config file to benchmark (repeatable)",
    )
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="benchmark folder")
    parser.add_argument("--out-dir", default=None, help="default: $VAR_DIR/bench-nlu")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    data = Path(args.data)

    if args.worker:
        worker(args.worker, json.loads(args.spec), data, Path(args.result))
        return 0

    if not (data / "train.csv").exists():
        print(f"benchmark data not found in {data} (pass --data)", file=sys.stderr)
        return 2
    selected = dict(PIPELINES)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in PIPELINES]
        if unknown:
            parser.error(f"unknown pipeline(s): {', '.join(unknown)}")
        selected = {n: PIPELINES[n] for n in names}
    for extra in args.config:
        path = Path(extra).resolve()
        selected[path.stem] = {"kind": "rasa", "config": os.path.relpath(path, REPO)}

    out_dir = Path(args.out_dir or settings.get().var_dir / "bench-nlu")
    out_dir.mkdir(parents=True, exist_ok=True)
    info = machine()
    results = []
    for name, spec in selected.items():
        print(f"== {name}: training on {data / 'train.csv'} ...", flush=True)
        result = run_isolated(name, spec, data, out_dir)
        print(
            f"   {name}: accuracy {100 * result['accuracy']:.1f}%, macro-F1 "
            f"{100 * result['macro_f1']:.1f}, train {result['train_seconds']:.1f}s, "
            f"p50 {result['parse_p50_ms']:.1f}ms, peak {result['peak_rss_mb']:.0f}MB",
            flush=True,
        )
        results.append(result)

    comparisons = paired_comparisons(results)
    summary = summary_markdown(results, info, comparisons)
    (out_dir / "summary.md").write_text(summary, encoding="utf-8")
    (out_dir / "results.json").write_text(
        json.dumps(
            {
                "machine": info,
                "results": [{k: v for k, v in r.items() if k != "predictions"} for r in results],
                "paired": comparisons,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    print()
    print(table(results))
    for c in comparisons:
        print(
            f"{c['first']} vs {c['second']}: {100 * c['accuracy_gap']:+.1f} points, "
            f"McNemar {c['only_first']} vs {c['only_second']}, p = {c['p_value']:.3f}"
        )
    print(f"\nSummary: {out_dir / 'summary.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
