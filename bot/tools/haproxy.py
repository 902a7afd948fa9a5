"""HAProxy in front of the application hosts (bot/tools/hosts.py): its configuration from
deploy/haproxy.cfg.in, the process in the foreground (`haproxy -db`), and its runtime API
on a private unix socket (show stat, set server ... state drain|maint|ready)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from string import Template
from typing import Dict, Optional

from bot.tools.serve import ROOT
from bot.tools.services import spawn_logged
from bot.tools.supervisord import alive

BACKEND = "rasa"


class HAProxy:
    def __init__(self, run_dir: Path, log_dir: Path, bind: str, servers: Dict[str, str]) -> None:
        self.run_dir, self.log_dir, self.bind, self.servers = run_dir, log_dir, bind, servers
        self.proc: Optional[subprocess.Popen] = None
        self.pid = 0

    @classmethod
    def attach(cls, run_dir: Path, pid: int) -> "HAProxy":
        lb = cls(run_dir, run_dir, "", {})
        lb.pid = pid
        return lb

    @property
    def conf(self) -> Path:
        return self.run_dir / "haproxy.cfg"

    def conf_text(self) -> str:
        servers = "\n".join(
            f"    server {name} {address} check" for name, address in self.servers.items()
        )
        text = (ROOT / "deploy" / "haproxy.cfg.in").read_text()
        return Template(text).substitute(run_dir=self.run_dir, bind=self.bind, servers=servers)

    def start(self) -> "HAProxy":
        binary = shutil.which("haproxy")
        if binary is None:
            raise RuntimeError("haproxy not found: apt-get install haproxy (make system-deps)")
        self.run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(self.conf_text())
        check = subprocess.run([binary, "-c", "-q", "-f", str(self.conf)], capture_output=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refused {self.conf}: {check.stderr.decode()[-1500:]}")
        self.proc = spawn_logged(
            [binary, "-db", "-f", str(self.conf)], self.log_dir / "haproxy.log"
        )
        self.pid = self.proc.pid
        deadline = time.monotonic() + 20
        while True:
            try:
                self.command("show info")
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"haproxy did not start; see {self.log_dir / 'haproxy.log'}")
                time.sleep(0.1)

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(str(self.run_dir / "haproxy.sock"))
            s.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def stats(self) -> Dict[str, Dict[str, str]]:
        """HAProxy's row for each server of the backend: status (UP, DOWN, DRAIN, MAINT...),
        scur (sessions now), stot, ..."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            r["svname"]: r
            for r in rows
            if r["pxname"] == BACKEND and r["svname"] not in ("FRONTEND", "BACKEND")
        }

    def status(self, name: str) -> str:
        return self.stats()[name]["status"]

    def set_state(self, name: str, state: str) -> None:
        answer = self.command(f"set server {BACKEND}/{name} state {state}").strip()
        if answer:
            raise RuntimeError(f"haproxy: {answer}")

    def wait_status(self, name: str, status: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self.status(name).startswith(status):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{name} is {self.status(name)}, not {status}, after {timeout:.0f} s"
                )
            time.sleep(0.2)

    def wait_idle(self, name: str, timeout: float) -> None:
        """Until no request is under way on the server (after a drain)."""
        deadline = time.monotonic() + timeout
        while int(self.stats()[name]["scur"] or 0) > 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name} still busy after {timeout:.0f} s of draining")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.pid and alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
        if self.proc is not None:
            self.proc.wait(5)
        self.proc, self.pid = None, 0
