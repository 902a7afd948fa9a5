"""Supervision for the production profile: every process it starts is restarted when it
dies, with a log line saying so.

`WorkerStack` is bot.tools.serve.Stack with the Rasa server run as SANIC_WORKERS separate
worker processes (channels/worker.py) on one listening socket that this process
binds and keeps: a worker can then be replaced on its own while the others serve, and
connections arriving meanwhile wait in the socket's queue.

`Supervisor` checks the processes every half second: a Rasa worker, the action server or
the notification sender that exited is started again (a worker is serving again once its
model is loaded, some seconds on 2 cores). A process that keeps dying (more than
MAX_RESTARTS in RESTART_WINDOW seconds) is restarted after a pause that doubles each
time, so a broken configuration does not spin the machine.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Deque, Dict, List, Optional

from bot.tools.serve import Stack

WORKER = "rasa-worker-"
MAX_RESTARTS, RESTART_WINDOW = 5, 60.0


def listening_socket(host: str, port: int, backlog: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


@dataclass
class WorkerStack(Stack):
    workers: int = 2
    host: str = "0.0.0.0"  # what `rasa run` binds by default
    sock: Optional[socket.socket] = None

    def start_rasa(self) -> None:
        if self.sock is None:
            self.sock = listening_socket(self.host, self.rasa_port, 100 * max(1, self.workers))
        for index in range(self.workers):
            self.start_worker(index)

    def start_worker(self, index: int) -> subprocess.Popen:
        fd = self.sock.fileno()
        return self._spawn(
            f"{WORKER}{index}",
            ["channels.worker", str(fd), *self.rasa_args()],
            pass_fds=(fd,),
            log="rasa",  # one log for all workers, as with Sanic's own workers
        )

    def worker_procs(self) -> List[subprocess.Popen]:
        return [
            p
            for p in self.processes
            if self.names.get(p.pid, "").startswith(WORKER) and p.poll() is None
        ]

    def stop(self) -> None:
        super().stop()
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class Supervisor:
    stack: WorkerStack
    interval: float = 0.5
    log: Callable[[str], None] = _say
    restarted: List[Dict] = field(default_factory=list)  # what it did, for tests and bench
    _seen: set = field(default_factory=set)
    _history: Dict[str, Deque[float]] = field(default_factory=dict)
    _not_before: Dict[str, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: Optional[threading.Thread] = None

    def _starter(self, name: str) -> Optional[Callable[[], Optional[subprocess.Popen]]]:
        if name == "actions":
            return self.stack.start_actions
        if name == "notifier":
            return self.stack.start_sender
        if name.startswith(WORKER):
            index = int(name[len(WORKER) :])
            return lambda: self.stack.start_worker(index)
        return None

    def _pause(self, name: str, now: float) -> float:
        history = self._history.setdefault(name, deque(maxlen=MAX_RESTARTS + 1))
        history.append(now)
        recent = [t for t in history if now - t < RESTART_WINDOW]
        if len(recent) <= MAX_RESTARTS:
            return 0.0
        return min(60.0, 2.0 ** (len(recent) - MAX_RESTARTS))

    def check_once(self) -> List[str]:
        """Restart what died; returns the names restarted now."""
        done = []
        now = time.monotonic()
        for proc in list(self.stack.processes):
            if proc.pid in self._seen or proc.poll() is None:
                continue
            name = self.stack.names.get(proc.pid, "?")
            starter = self._starter(name)
            if starter is None:
                self._seen.add(proc.pid)
                continue
            if name not in self._not_before:
                pause = self._pause(name, now)
                self._not_before[name] = now + pause
                if pause:
                    self.log(f"supervisor: {name} keeps exiting; next start in {pause:.0f} s")
            if now < self._not_before[name]:
                continue
            self._seen.add(proc.pid)
            del self._not_before[name]
            new = starter()
            self.stack.processes.remove(proc)  # keep the list to what is alive or restarting
            self.log(
                f"supervisor: {name} (pid {proc.pid}) exited with code {proc.returncode}; "
                f"restarted as pid {new.pid if new else '-'}"
            )
            self.restarted.append(
                {"name": name, "old": proc.pid, "new": new.pid if new else None, "at": time.time()}
            )
            done.append(name)
        return done

    def start(self) -> "Supervisor":
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.check_once()
                except Exception as e:  # keep supervising whatever happened
                    self.log(f"supervisor: check failed: {type(e).__name__}: {e}")

        self._thread = threading.Thread(target=loop, name="supervisor", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
