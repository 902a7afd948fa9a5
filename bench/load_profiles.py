"""The two profiles `make bench-load` compares and how their CPU and memory are measured
(bench/load.py)."""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from bot.tools.services import free_port

# Settings a production shell may hold; the single-process profile runs on its defaults.
PRODUCTION_ENV = ("DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL", "SANIC_WORKERS", "TRACKER_DB")


def local_run(model: Optional[Path]) -> Path:
    """Prepare this process to start the single-process profile (no production settings
    inherited from the caller's shell, no telemetry) and return the model to serve:
    `model`, or the one matching the data (trained if missing)."""
    for key in PRODUCTION_ENV:
        os.environ.pop(key, None)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    if model is None:
        from bot.tools.model import ensure

        model = ensure()
    return model.resolve()


# --- profiles --------------------------------------------------------------------------


class Profile:
    name = ""
    workers = 1

    def service_pids(self) -> List[int]:
        return []

    def start(self) -> None: ...
    def stop(self) -> None: ...

    url = ""
    tracker_url = ""
    pids: List[int] = []


class SingleSQLite(Profile):
    name = "single process, SQLite"

    def __init__(self, model: Path, logs: Path) -> None:
        from bot.tools.serve import Stack

        self.stack = Stack(
            model=model,
            rasa_port=free_port(),
            actions_port=free_port(),
            var_dir=Path(tempfile.mkdtemp(prefix="bench-load-sqlite-")),
            log_dir=logs / "sqlite",
            extra_env={"SANIC_WORKERS": "1"},
        )

    def start(self) -> None:
        from bot.store.tracker_store import tracker_store_url

        self.stack.start(420)
        self.url = self.stack.url
        self.tracker_url = tracker_store_url(self.stack.env())
        self.pids = [p.pid for p in self.stack.processes]

    def stop(self) -> None:
        self.stack.stop()


class Production(Profile):
    def __init__(
        self, model: Path, logs: Path, workers: int, env: Optional[Dict[str, str]] = None
    ) -> None:
        from bot.tools.prod import ProdStack

        self.workers = workers
        self.name = f"production, {workers} workers (PostgreSQL + Redis)"
        self.prod = ProdStack(
            model=model,
            rasa_port=free_port(),
            actions_port=free_port(),
            var_dir=Path(tempfile.mkdtemp(prefix="bench-load-prod-")),
            log_dir=logs / "prod",
            env_overrides={"SANIC_WORKERS": str(workers), **(env or {})},
            throwaway_services=True,
            durable=True,
        )

    def start(self) -> None:
        from bot.store.tracker_store import tracker_store_url

        self.prod.start()
        self.url = self.prod.url
        self.tracker_url = tracker_store_url(self.prod.env)
        self.pids = self.prod.pids()

    def service_pids(self) -> List[int]:
        return [
            s.proc.pid
            for s in (self.prod.postgres, self.prod.redis)
            if s is not None and s.proc is not None
        ]

    def stop(self) -> None:
        self.prod.stop()


def _cpu_seconds(pids: List[int], with_children: bool = False) -> float:
    """CPU time of these processes; with_children adds their live children and the time
    of children they have reaped (PostgreSQL backends come and go)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            if with_children:
                total += (int(fields[13]) + int(fields[14])) / tick
                todo += [
                    int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                ]
        except (OSError, IndexError, ValueError):
            pass
    return total


def _rss_mb(pids: List[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 0)


class CpuSampler:
    """Machine CPU use while a level runs (from /proc/stat), and how much of it was ours:
    on a shared machine other work explains a good part of the variance."""

    def __init__(self, pids: Callable[[], List[int]], interval: float = 0.5) -> None:
        self.pids, self.interval = pids, interval
        self.samples: List[Tuple[float, float, float]] = []  # (t, machine busy cores, ours cores)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _machine() -> Tuple[float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        total0, idle0 = self._machine()
        ours0, t0 = self.pids_cpu(), time.monotonic()
        while not self._stop.wait(self.interval):
            total, idle = self._machine()
            ours, t = self.pids_cpu(), time.monotonic()
            dt = max(1e-6, t - t0)
            self.samples.append((t, ((total - total0) - (idle - idle0)) / dt, (ours - ours0) / dt))
            total0, idle0, ours0, t0 = total, idle, ours, t

    def pids_cpu(self) -> float:
        return _cpu_seconds(self.pids(), True)

    def __enter__(self) -> "CpuSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self) -> Dict:
        if not self.samples:
            return {}
        busy = [b for _, b, _ in self.samples]
        ours = [o for _, _, o in self.samples]
        others = [max(0.0, b - o) for b, o in zip(busy, ours)]
        return {
            "machine_busy_cores": round(statistics.mean(busy), 2),
            "ours_cores": round(statistics.mean(ours), 2),
            "others_cores": round(statistics.mean(others), 2),
            "cores": os.cpu_count(),
        }


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])
