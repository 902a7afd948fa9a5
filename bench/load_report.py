"""The Markdown table of `make bench-load` for docs/benchmarks.md (bench/load.py)."""

from __future__ import annotations

import json
import os
from typing import Dict, List

# --- report ----------------------------------------------------------------------------


def markdown(report: Dict) -> str:
    lines = [
        f"Machine: {report['machine']}  ",
        f"Model: `{report['model']}`; flows in the mix: {', '.join(report['flows'])}; "
        f"{report['duration']:g} s per level; users send their next message as soon as the reply arrives, "
        f'except "think a-b s": a random pause of a to b seconds first (people reading and typing); '
        f"run {report['when']}. CPU ms/msg: CPU time of the assistant's processes (Rasa, action server, and "
        f"for production PostgreSQL + Redis) per message; machine busy: cores in use on average during the level, "
        f"in brackets the part used by other work on the shared machine (not the assistant, not the load generator).",
        "",
    ]
    lines += [
        "| profile | users | msg/s | p50 ms | p95 ms | p99 ms | errors | answered | CPU ms/msg | machine busy (other work) | transcripts |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for prof in report["profiles"]:
        for row in prof["levels"]:
            t = row["transcripts"]
            verdict = (
                "n/a (kept in memory)"
                if t["complete"] is None
                else "complete"
                if t["complete"]
                else (
                    f"lost {t['lost']}, dup {t['duplicated']}, "
                    f"order {t['out_of_order']}, unanswered {t['unanswered']}"
                )
            )
            lines.append(
                f"| {prof['profile']} | {row.get('label', row['users'])} | {row['msgs_per_s']} | {row['p50_ms']:.0f} | "
                f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['errors']} | {row['answered']} | "
                f"{row['server_cpu_ms_per_msg'] + row['services_cpu_ms_per_msg']:.0f} | "
                f"{row['cpu'].get('machine_busy_cores', 0):.2f} ({row['cpu'].get('others_cores', 0):.2f}) of {os.cpu_count()} | "
                f"{verdict} ({t['conversations']} conversations) |"
            )
    lines += plain_ratios(report["profiles"])
    ours = [p for p in report["profiles"] if not p["profile"].startswith("plain Rasa")]
    if len(ours) == 2:
        a, b = ours
        ratios = []
        for ra, rb in zip(a["levels"], b["levels"]):
            if ra["msgs_per_s"] and not ra.get("think", [0, 0])[1]:
                ratios.append(f"{rb['users']} users ×{rb['msgs_per_s'] / ra['msgs_per_s']:.2f}")
        lines += ["", f"Throughput, production ÷ single: {', '.join(ratios)}."]
        lines += [
            f"Start: single {a['start_seconds']} s, production {b['start_seconds']} s (services, migrations, "
            f"all workers loaded). Memory after the load (RSS of all server processes): single "
            f"{a.get('rss_mb')} MB, production {b.get('rss_mb')} MB."
        ]
    for prof in report["profiles"]:
        if prof.get("outages"):
            lines += [
                "",
                "| under load (10 users) | down s | failed in flight | errors while down | errors ≥2 s after return "
                "| first answer after return | msg/s before → after | what the user got | handed to a person after | transcripts |",
                "|---|---:|---:|---:|---:|---:|---|---|---:|---|",
            ]
            for o in prof["outages"]:
                t = o["transcripts"]
                saw = "; ".join(f"{k!s} ×{v}" for k, v in o["user_saw"].items()) or "-"
                verdict = (
                    "complete"
                    if t["complete"]
                    else "BROKEN: "
                    + json.dumps(
                        {k: t[k] for k in ("lost", "duplicated", "out_of_order", "unanswered")}
                    )
                )
                lines.append(
                    f"| {o['scenario']} | {o['outage_s']} | {o['before']['errors']} | {o['during']['errors']} | "
                    f"{o['errors_after_2s']} | {o['recovered_after_s']} s | {o['before']['msgs_per_s']} → "
                    f"{o['after']['msgs_per_s']} | {saw} | {o['after'].get('handed_off', 0)} | "
                    f"{verdict} ({t['conversations']} conversations) |"
                )
    return "\n".join(lines) + "\n"


def plain_ratios(profiles: List[Dict]) -> List[str]:
    """Each profile of the assistant against plain Rasa at the same level: how many times
    faster its median reply, its throughput, and its CPU per message."""
    plain = next((p for p in profiles if p["profile"].startswith("plain Rasa")), None)
    if plain is None:
        return []
    by_label = {row.get("label", row["users"]): row for row in plain["levels"]}
    lines = ["", "Against plain Rasa (the moodbot of `rasa init`) at the same level:", ""]
    lines += [
        "| profile | users | p50: Rasa ÷ ours | p95: Rasa ÷ ours | msg/s: ours ÷ Rasa | CPU ms/msg: Rasa ÷ ours |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for prof in profiles:
        if prof is plain:
            continue
        for row in prof["levels"]:
            label = row.get("label", row["users"])
            other = by_label.get(label)
            if not other:
                continue
            lines.append(
                f"| {prof['profile']} | {label} | {_ratio(other['p50_ms'], row['p50_ms'])} | "
                f"{_ratio(other['p95_ms'], row['p95_ms'])} | "
                f"{_ratio(row['msgs_per_s'], other['msgs_per_s'])} | "
                f"{_ratio(_cpu(other), _cpu(row))} |"
            )
    return lines


def _cpu(row: Dict) -> float:
    return row["server_cpu_ms_per_msg"] + row["services_cpu_ms_per_msg"]


def _ratio(a: float, b: float) -> str:
    return f"×{a / b:.2f}" if a and b else "-"
