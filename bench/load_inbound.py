"""What keeping webhook messages durable costs per message (docs/benchmarks.md "Durable
inbound"): one INSERT into `inbound_pending` before the webhook's 200 and one DELETE after
the answer, timed on a SQLite file and on a throwaway PostgreSQL with fsync on.

    python -m bench.load_inbound [--messages 500] [--no-postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from typing import Dict, List, Optional


def _quantiles(values: List[float]) -> Dict[str, float]:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 2),
    }


def measure(url: str, messages: int) -> Dict[str, Dict[str, float]]:
    from bot.store import inbound, reset_engine
    from bot.store.migrate import upgrade

    os.environ["DATABASE_URL"] = url
    reset_engine()
    upgrade(url)
    body = '{"text": "' + "ا" * 60 + '"}'  # a short Arabic message
    for i in range(20):  # open the pool's connections first
        inbound.remove(inbound.add(f"warm:{i}", "telegram", "telegram:1", body, "bench"))
    adds, removes = [], []
    for i in range(messages):
        started = time.perf_counter()
        row = inbound.add(f"telegram:update:{i}", "telegram", f"telegram:{i}", body, "bench")
        adds.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        inbound.remove(row)
        removes.append((time.perf_counter() - started) * 1000)
    reset_engine()
    return {"insert": _quantiles(adds), "delete": _quantiles(removes)}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    from bench.run import machine

    print(f"Machine: {machine()}")
    var = tempfile.mkdtemp(prefix="bench-inbound-")
    os.environ["VAR_DIR"] = var
    print("sqlite file:", measure(f"sqlite:///{var}/app.db", args.messages), flush=True)
    if not args.no_postgres:
        from bot.tools.services import Postgres

        server = Postgres(durable=True).start()
        try:
            print("postgresql, fsync on:", measure(server.url, args.messages), flush=True)
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
