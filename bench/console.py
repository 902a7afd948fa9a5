"""`make bench-console`: every console query on one million synthetic bot turns.

    python -m bench.console [--rows 1000000] [--days 90] [--database-url URL]

Starts a throwaway PostgreSQL (Debian's binaries, loopback, bot/tools/services.py) unless
--database-url is given, migrates it, fills bot_turns with `--rows` synthetic turns over
`--days` days (about 3 turns per conversation-day; channels, intents, fallbacks,
handoffs, forms and latencies in plausible shares), plus handoffs and ratings in
proportion, runs ANALYZE, then times each console section (the page's own service
functions, bot.services.console.stats, and the review queue) for the default last 30
days, for the whole period, and for one channel. Each is run three times; the best
and the worst are printed. Every query must answer in under a second: the exit status
is 1 otherwise. Results also go to results/bench_console.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
LIMIT_SECONDS = 1.0

CHANNELS = [("whatsapp", 0.5), ("web", 0.25), ("telegram", 0.2), ("rest", 0.05)]
INTENTS = [
    "greet", "thanks", "goodbye", "affirm", "deny", "faq/eligibility_conditions",
    "faq/registration_steps", "faq/password_recovery", "faq/change_iban", "faq/change_mobile",
    "faq/required_documents", "faq/support_dropped", "faq/contact_channels",
    "faq/working_hours", "faq/mobile_app", "check_eligibility", "open_ticket",
    "objection_status", "human_handoff", "out_of_scope", "nlu_fallback",
]  # fmt: skip
FORMS = {
    "eligibility_form": ["elig_saudi", "elig_age", "elig_resident", "elig_income", "elig_confirm"],
    "ticket_form": ["ticket_national_id", "ticket_mobile", "ticket_category", "ticket_description"],
    "objection_form": ["objection_national_id", "objection_code"],
}
FINISHED = {"eligibility_form": "precheck", "ticket_form": "ticket", "objection_form": "objection"}


def _pick(rng: random.Random, weighted):
    r, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if r < total:
            return value
    return weighted[-1][0]


def generate(url: str, rows: int, days: int, seed: int = 7) -> Dict[str, int]:
    """COPY synthetic rows into bot_turns, handoffs and csat_ratings."""
    import psycopg2

    from bot.store.turns import day_of

    rng = random.Random(seed)
    now = int(time.time())
    start = now - days * 86400
    turns, handoffs, ratings = io.StringIO(), io.StringIO(), io.StringIO()
    n = n_handoffs = n_ratings = 0
    conv = 0
    while n < rows:
        conv += 1
        channel = _pick(rng, CHANNELS)
        cid = f"{channel}:{conv}"
        ts = start + rng.randrange(days * 86400 - 3600)
        form = rng.choice(list(FORMS)) if rng.random() < 0.2 else None
        length = rng.choice((1, 2, 2, 3, 3, 4, 5)) + (3 if form else 0)
        for i in range(length):
            if n >= rows:
                break
            n += 1
            ts += rng.randrange(5, 90)
            intent = rng.choice(INTENTS)
            confidence = round(rng.uniform(0.2, 0.99), 3)
            fallback = intent == "nlu_fallback" or confidence < 0.4
            handoff = intent == "human_handoff" and rng.random() < 0.7
            form_event = slot = finished = None
            active = None
            if form:
                active = form
                if i == 0:
                    form_event = "started"
                slots = FORMS[form]
                if i < len(slots):
                    slot = slots[i]
                if i == length - 1 and rng.random() < 0.6:
                    form_event, finished, slot = "completed", FINISHED[form], None
            latency = int(rng.lognormvariate(5.8, 0.5))
            text = f"رسالة تجريبية {rng.randrange(5000)}"
            turns.write(
                "\t".join(
                    [
                        cid,
                        channel,
                        str(day_of(ts)),
                        str(ts),
                        text,
                        intent,
                        str(confidence),
                        "t" if fallback else "f",
                        "t" if handoff else "f",
                        active or "\\N",
                        form_event or "\\N",
                        slot or "\\N",
                        finished or "\\N",
                        str(latency),
                        "f",
                        "t" if rng.random() < 0.02 else "f",  # repeated
                        "t" if rng.random() < 0.03 else "f",  # before a handoff
                    ]
                )  # fmt: skip
                + "\n"
            )
            if handoff:
                n_handoffs += 1
                queued = datetime.fromtimestamp(ts, timezone.utc)
                claimed = queued + timedelta(seconds=rng.randrange(20, 1800))
                ended = claimed + timedelta(seconds=rng.randrange(60, 1800))
                agent = f"agent{rng.randrange(12)}"
                handoffs.write(
                    f"{cid}\t{channel}\tclosed\t{rng.choice(['requested', 'fallback', 'form_failed'])}"
                    f"\t{queued.isoformat()}\t{claimed.isoformat()}\t{agent}\t{ended.isoformat()}\t{agent}\n"
                )
            if finished and rng.random() < 0.5:
                n_ratings += 1
                asked = datetime.fromtimestamp(ts + 2, timezone.utc)
                score = rng.choice((1, 2, 3, 4, 4, 5, 5, 5))
                ratings.write(
                    f"{cid}\t{channel}\t{day_of(ts)}\t{asked.isoformat()}\t{asked.isoformat()}\t"
                    f"{finished}\t{intent}\t{score}\t{'ملاحظة' if score < 3 else chr(92) + 'N'}\trated\n"
                )
    connection = psycopg2.connect(url)
    try:
        with connection, connection.cursor() as cur:
            for buffer, table, columns in (
                (turns, "bot_turns", "conversation_id, channel, day, ts, text, intent, confidence, fallback, handoff, form, form_event, requested_slot, finished, latency_ms, failed, repeated, before_handoff"),
                (handoffs, "handoffs", "conversation_id, channel, state, reason, queued_at, claimed_at, claimed_by, ended_at, ended_by"),
                (ratings, "csat_ratings", "conversation_id, channel, day, asked_at, answered_at, finished, intent, score, comment, state"),
            ):  # fmt: skip
                buffer.seek(0)
                cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            cur.execute("ANALYZE")
    finally:
        connection.close()
    return {"turns": n, "conversations": conv, "handoffs": n_handoffs, "ratings": n_ratings}


def time_queries(days: int, only: str = "") -> List[Dict]:
    from bot.services.console import review
    from bot.services.console import rollup as console_rollup
    from bot.services.console import stats as console_stats
    from bot.services.console.compare import compare
    from bot.services.console.stats import Period
    from bot.services.console.topics import outcomes
    from bot.store.turns import day_of

    today = day_of(time.time())
    t0 = time.perf_counter()
    console_rollup.ensure()
    print(f"  daily rollup built once (first console request): {time.perf_counter() - t0:.2f} s")
    periods = {
        "last 30 days": Period(today - 29, today),
        f"all {days} days": Period(today - days, today),
        "30 days, whatsapp": Period(today - 29, today, "whatsapp"),
    }
    calls = dict(console_stats.SECTIONS)
    calls["topics"] = outcomes
    # period B: the same number of days just before A, as the console's default
    calls["compare"] = lambda p: compare(
        p, Period(2 * p.first_day - p.last_day - 1, p.first_day - 1, p.channel)
    )
    calls["review queue"] = lambda p: review.queue(p)
    if only:
        calls = {k: v for k, v in calls.items() if k == only}
    results = []
    for label, period in periods.items():
        for name, fn in calls.items():
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                fn(period)
                times.append(time.perf_counter() - t0)
                print(f"  {label:20} {name:14} {times[-1]:.3f} s", flush=True)
            results.append(
                {"period": label, "section": name, "best_s": round(min(times), 3), "worst_s": round(max(times), 3)}
            )  # fmt: skip
    return results


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="make bench-console")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--no-fill", action="store_true", help="time an already filled database")
    parser.add_argument("--only", default="", help="time only this section")
    args = parser.parse_args(argv)

    server = None
    url = args.database_url
    if not url:
        from bot.tools.services import Postgres

        server = Postgres(durable=False).start()
        url = server.url
    try:
        os.environ["DATABASE_URL"] = url
        from bot.store import reset_engine
        from bot.store.migrate import upgrade

        reset_engine()
        upgrade(url)
        counts: Dict[str, int] = {}
        if not args.no_fill:
            t0 = time.perf_counter()
            counts = generate(url, args.rows, args.days)
            fill_s = time.perf_counter() - t0
            print(
                f"filled {counts['turns']:,} turns ({counts['conversations']:,} conversations, "
                f"{counts['handoffs']:,} handoffs, {counts['ratings']:,} ratings) in {fill_s:.0f} s"
            )
        results = time_queries(args.days, args.only)
    finally:
        if server is not None:
            from bot.store import reset_engine

            reset_engine()
            server.stop()
    print(f"\n{'period':20} {'section':14} {'best s':>8} {'worst s':>8}")
    for r in results:
        flag = "" if r["worst_s"] < LIMIT_SECONDS else "  OVER 1 s"
        print(f"{r['period']:20} {r['section']:14} {r['best_s']:>8.3f} {r['worst_s']:>8.3f}{flag}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_console.json").write_text(
        json.dumps({"counts": counts, "results": results}, indent=2), encoding="utf-8"
    )
    slow = [r for r in results if r["worst_s"] >= LIMIT_SECONDS]
    print("\nevery query under 1 s" if not slow else f"\n{len(slow)} queries took 1 s or more")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
