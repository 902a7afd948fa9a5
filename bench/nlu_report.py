"""The report of `make bench-nlu` (bench.nlu_compare): the machine, the results table,
paired McNemar tests between pipelines, and the markdown summary with the confidence
curve the fallback threshold is chosen from."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

THRESHOLDS = [round(0.05 * i, 2) for i in range(0, 20)]


def machine() -> Dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import sklearn

    info = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "python": platform.python_version(),
        "sklearn": sklearn.__version__,
    }
    try:
        from importlib.metadata import version

        info["rasa"] = version("rasa")
        info["tensorflow"] = version("tensorflow")
    except Exception:  # pragma: no cover - metadata missing
        pass
    return info


def mcnemar(first_correct: Sequence[bool], second_correct: Sequence[bool]) -> Dict[str, Any]:
    """Exact McNemar test on the same test messages: are the two pipelines' accuracies
    different, or is the gap what 918 messages give by chance? Only the messages one
    pipeline gets right and the other wrong count."""
    from scipy.stats import binomtest

    only_first = sum(1 for a, b in zip(first_correct, second_correct) if a and not b)
    only_second = sum(1 for a, b in zip(first_correct, second_correct) if b and not a)
    n = only_first + only_second
    p = binomtest(only_first, n, 0.5).pvalue if n else 1.0
    return {"only_first": only_first, "only_second": only_second, "p_value": p}


def paired_comparisons(results: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The first pipeline (the project's) against each of the others."""
    if not results or "predictions" not in results[0]:
        return []
    first = results[0]
    right = [x["gold"] == x["predicted"] for x in first["predictions"]]
    out = []
    for other in results[1:]:
        if "predictions" not in other:
            continue
        other_right = [x["gold"] == x["predicted"] for x in other["predictions"]]
        out.append(
            {
                "first": first["name"],
                "second": other["name"],
                "accuracy_gap": first["accuracy"] - other["accuracy"],
                **mcnemar(right, other_right),
            }
        )
    return out


def table(results: List[Dict[str, Any]]) -> str:
    rows = [
        "| pipeline | accuracy | macro-F1 | train s | parse p50 ms | parse p95 ms | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rows.append(
            f"| {r['name']} | {100 * r['accuracy']:.1f}% | {100 * r['macro_f1']:.1f} | "
            f"{r['train_seconds']:.1f} | {r['parse_p50_ms']:.1f} | {r['parse_p95_ms']:.1f} | "
            f"{r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(rows)


def summary_markdown(
    results: List[Dict[str, Any]],
    info: Dict[str, Any],
    comparisons: Optional[List[Dict[str, Any]]] = None,
) -> str:
    out = [
        f"Machine: {info['nproc']} cores ({info['cpu']}), {info['ram_gib']} GiB RAM; "
        f"Python {info['python']}, Rasa {info.get('rasa')}, TensorFlow {info.get('tensorflow')}, "
        f"scikit-learn {info['sklearn']}.",
        "",
        table(results),
        "",
    ]
    comparisons = paired_comparisons(results) if comparisons is None else comparisons
    if comparisons:
        out += [
            "Paired comparison on the same messages (exact McNemar test; p < 0.05: the gap is",
            "unlikely to be chance):",
            "",
            "| pipelines | accuracy gap | right only in the first | right only in the second | p |",
            "|---|---:|---:|---:|---:|",
        ]
        for c in comparisons:
            out.append(
                f"| {c['first']} vs {c['second']} | {100 * c['accuracy_gap']:+.1f} points | "
                f"{c['only_first']} | {c['only_second']} | {c['p_value']:.3f} |"
            )
        out.append("")
    for r in results:
        out.append(f"Confusion pairs that cost most, `{r['name']}` (gold → predicted, count):")
        out.append("")
        for c in r["confusions"][:6]:
            out.append(f"- {c['gold']} → {c['predicted']}: {c['count']}")
        out.append("")
    out.append("Confidence curve (share of messages at or above the threshold / accuracy on them):")
    out.append("")
    out.append("| threshold | " + " | ".join(r["name"] for r in results) + " |")
    out.append("|---:|" + "---:|" * len(results))
    for i, threshold in enumerate(THRESHOLDS):
        cells = []
        for r in results:
            point = r["confidence_curve"][i]
            acc = point["accuracy_kept"]
            cells.append(
                f"{100 * point['kept']:.0f}% / {100 * acc:.1f}%" if acc is not None else "0% / -"
            )
        out.append(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[index]
