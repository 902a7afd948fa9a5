"""One application host under supervisord: the Rasa workers, the action server and the
notification sender, restarted within seconds when one dies.

    host = SupervisedHost("app", stack, workers=2, rasa_host="0.0.0.0").start()
    host.worker_pids(); host.kill(); host.stop()

The configuration is deploy/supervisord.conf.in (and deploy/notifier.conf.in) filled in
for this host and written to VAR_DIR/run/<name>/supervisord.conf; supervisord (Debian 12's
`supervisor` 4.2.5, pinned by the Makefile's system-deps) runs in the foreground as our
child, and its programs inherit the environment it was started with, so no secret is
written into the file. We talk to it over its private unix socket with XML-RPC (what
supervisorctl does), from this process, without starting a supervisorctl per question.
"""

from __future__ import annotations

import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Dict, List, Optional

from bot.tools.serve import ROOT, Stack
from bot.tools.services import spawn_logged

DEPLOY = ROOT / "deploy"
SUPERVISORD = "supervisord"
WORKERS_GROUP = "rasa"


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


class _UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str, timeout: float = 10.0) -> None:
        super().__init__()
        self.unix_path, self.timeout = path, timeout

    def make_connection(self, host):
        return _UnixConnection(self.unix_path, self.timeout)


def render(values: Dict[str, str], with_notifier: bool) -> str:
    notifier = ""
    if with_notifier:
        notifier = Template((DEPLOY / "notifier.conf.in").read_text()).substitute(values)
    text = (DEPLOY / "supervisord.conf.in").read_text()
    return Template(text).substitute({**values, "notifier": notifier})


def descendants(pid: int) -> List[int]:
    """pid's children, their children and so on (from /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            todo.append(child)
    return found


@dataclass
class SupervisedHost:
    name: str
    stack: Stack  # the environment and the Rasa arguments of this host's programs
    workers: int = 1
    rasa_host: str = "0.0.0.0"
    backlog: int = 100
    root: Path = ROOT  # the code this host runs (a rolling release may bring a new one)
    proc: Optional[subprocess.Popen] = None
    pid: int = 0  # supervisord's process (also when another command started it)

    @property
    def run_dir(self) -> Path:
        return self.stack.var_dir / "run" / self.name

    @property
    def conf(self) -> Path:
        return self.run_dir / "supervisord.conf"

    @property
    def log_dir(self) -> Path:
        return self.stack.log_dir or self.stack.var_dir / "logs"

    def conf_text(self) -> str:
        """The configuration of this host (what `make run-prod` writes)."""
        values = {
            "name": self.name,
            "run_dir": str(self.run_dir),
            "log_dir": str(self.log_dir),
            "root": str(self.root),
            "python": sys.executable,
            "workers": str(self.workers),
            "rasa_host": self.rasa_host,
            "rasa_port": str(self.stack.rasa_port),
            "backlog": str(self.backlog * max(1, self.workers)),
            # supervisord expands %(...)s in commands: a literal % must be doubled
            "rasa_args": " ".join(shlex.quote(a) for a in self.stack.rasa_args()).replace(
                "%", "%%"
            ),
        }
        return render(values, self.stack.sender_enabled)

    def start(self) -> "SupervisedHost":
        binary = shutil.which(SUPERVISORD)
        if binary is None:
            raise RuntimeError(
                "supervisord not found: apt-get install supervisor (make system-deps)"
            )
        self.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(self.conf_text())
        # Its own session: a Ctrl-C meant for `make run-prod` reaches us, and we stop
        # it in order (SIGTERM: every program stopped, then supervisord exits).
        self.proc = spawn_logged(
            [binary, "-n", "-c", str(self.conf)],
            self.log_dir / "supervisord.out",
            cwd=self.root,
            env=self.stack.env(),
        )
        self.pid = self.proc.pid
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                tail = (self.log_dir / "supervisord.out").read_text(errors="replace")[-1500:]
                raise RuntimeError(f"supervisord exited with code {self.proc.returncode}\n{tail}")
            try:
                self.rpc().supervisor.getState()
                return self
            except (OSError, xmlrpc.client.Error):
                if time.monotonic() > deadline:
                    raise TimeoutError("supervisord did not answer within 30 s")
                time.sleep(0.2)

    def rpc(self) -> xmlrpc.client.ServerProxy:
        return xmlrpc.client.ServerProxy(
            "http://localhost", transport=_UnixTransport(str(self.run_dir / "supervisor.sock"))
        )

    def running(self) -> bool:
        if self.proc is not None:
            return self.proc.poll() is None
        return bool(self.pid) and alive(self.pid)

    def processes(self) -> List[Dict]:
        """supervisord's view: name, group, statename (RUNNING, STARTING, BACKOFF...), pid."""
        if not self.running():
            return []
        return list(self.rpc().supervisor.getAllProcessInfo())

    def worker_pids(self) -> List[int]:
        return [
            p["pid"]
            for p in self.processes()
            if p["group"] == WORKERS_GROUP and p["statename"] == "RUNNING" and p["pid"]
        ]

    def pids(self) -> List[int]:
        """Every program's process (not supervisord itself)."""
        return [p["pid"] for p in self.processes() if p["pid"]]

    def kill(self) -> List[int]:
        """The host lost at once: SIGKILL to supervisord and every process under it."""
        if not self.running():
            return []
        victims = [self.pid, *descendants(self.pid)]
        for pid in victims:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._wait_gone(10)
        return victims

    def stop(self, timeout: float = 60.0) -> None:
        """SIGTERM: supervisord stops every program (in-flight requests finish), then exits."""
        if self.running():
            os.kill(self.pid, signal.SIGTERM)
            if not self._wait_gone(timeout):
                self.kill()
        self.proc, self.pid = None, 0

    def _wait_gone(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        if self.proc is not None:
            self.proc.wait(1)
        return True


def alive(pid: int) -> bool:
    """Is pid a live process (not a zombie waiting for a parent that is not us)?"""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
