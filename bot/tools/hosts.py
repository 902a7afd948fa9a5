"""Several application hosts behind HAProxy on one machine, loopback addresses as hosts.

    python -m bot.tools.hosts up [--hosts 3] [--port 8080]   # `make hosts`; Ctrl-C stops
    python -m bot.tools.hosts stop               # `make hosts-stop`, from another terminal
    python -m bot.tools.hosts status             # each host: HAProxy's view, /ready, processes
    python -m bot.tools.hosts roll --model models/x.tar.gz [--code DIR]   # rolling release

Hosts h1..hN are 127.0.1.1..127.0.1.N, each with its own supervisord running one Rasa
worker (RASA_PORT), the action server (ACTIONS_PORT) and the notification sender, all
sharing PostgreSQL and Redis on 127.0.2.1 (the database machine) and the shared secrets.
HAProxy listens on 127.0.0.1:8080 (--port) and checks GET /ready on each
host every second (deploy/haproxy.cfg.in).

A rolling release (`roll`, or `roll_out(bed, model)` from code) takes one host at a
time: drained at the load balancer (no new requests; the ones under way finish), stopped,
started again with the new model (and, with --code, the code of another checkout),
waited for until /ready says 200, put back in rotation; then the next host.

The running bed is described in VAR_DIR/hosts/state.json, so `stop`, `status` and `roll`
work from another command than the one that started it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.tools.haproxy import HAProxy
from bot.tools.prod import ProdStack
from bot.tools.serve import ROOT, Stack, stop_on_sigterm
from bot.tools.supervisord import SupervisedHost, alive

APP_ADDRESS = "127.0.1.{}"
SERVICES_ADDRESS = "127.0.2.1"
LB_ADDRESS = "127.0.0.1"
# Three hosts' pools must fit PostgreSQL's 100 connections (ProdStack.check_budget checks one).
HOST_DEFAULTS = {"SANIC_WORKERS": "1", "DB_POOL_SIZE": "3", "DB_MAX_OVERFLOW": "2"}


def http_status(url: str, timeout: float = 2.0) -> Optional[int]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except Exception:
        return None


@dataclass
class HostBed:
    model: Path
    var_dir: Path
    hosts: int = 3
    rasa_port: int = 5005
    actions_port: int = 5055
    lb_port: int = 8080
    log_dir: Optional[Path] = None
    env_overrides: Dict[str, str] = field(default_factory=dict)
    throwaway_services: bool = False
    code: Path = ROOT
    env: Dict[str, str] = field(default_factory=dict)
    prod: Optional[ProdStack] = None
    app: Dict[str, SupervisedHost] = field(default_factory=dict)
    lb: Optional[HAProxy] = None
    services: List[int] = field(default_factory=list)  # PostgreSQL, Redis pids when attached

    @property
    def dir(self) -> Path:
        return self.var_dir / "hosts"

    @property
    def url(self) -> str:
        return f"http://{LB_ADDRESS}:{self.lb_port}"

    @property
    def names(self) -> List[str]:
        return [f"h{i}" for i in range(1, self.hosts + 1)]

    def address(self, name: str) -> str:
        return APP_ADDRESS.format(int(name[1:]))

    def host_url(self, name: str) -> str:
        return f"http://{self.address(name)}:{self.rasa_port}"

    def logs(self) -> Path:
        return self.log_dir or self.dir / "logs"

    def start(self, timeout: float = 420.0) -> "HostBed":
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prod = ProdStack(
            model=self.model,
            var_dir=self.dir,  # PostgreSQL and Redis data, the shared secrets
            log_dir=self.logs(),
            env_overrides={**HOST_DEFAULTS, **self.env_overrides},
            throwaway_services=self.throwaway_services,
            services_host=SERVICES_ADDRESS,
        )
        try:
            self.env = self.prod.prepare()
            for name in self.names:
                self.app[name] = self.make_host(name, self.model, self.code).start()
            self.lb = HAProxy(
                self.dir / "run",
                self.logs(),
                f"{LB_ADDRESS}:{self.lb_port}",
                {n: f"{self.address(n)}:{self.rasa_port}" for n in self.names},
            ).start()
            self.save()
            for name in self.names:
                self.wait_ready(name, timeout)
            for name in self.names:
                self.lb.wait_status(name, "UP", 30)
        except BaseException:
            self.stop()
            raise
        return self

    def make_host(self, name: str, model: Path, code: Path) -> SupervisedHost:
        address = self.address(name)
        stack = Stack(
            model=model,
            rasa_port=self.rasa_port,
            actions_port=self.actions_port,
            var_dir=self.dir / name,
            log_dir=self.logs() / name,
            extra_env={
                **self.env,
                "PYTHONPATH": str(code),
                "ACTIONS_HOST": address,
                "ACTION_ENDPOINT_URL": f"http://{address}:{self.actions_port}/webhook",
                "NOTIFY_PUSH_URL": f"http://{address}:{self.rasa_port}",
                "PROMETHEUS_MULTIPROC_DIR": str(self.dir / name / "metrics"),
            },
        )
        return SupervisedHost(name, stack, workers=1, rasa_host=address, root=code)

    def ready(self, name: str) -> bool:
        return http_status(f"{self.host_url(name)}/ready") == 200

    def wait_ready(self, name: str, timeout: float) -> float:
        """Seconds until the host's /ready says 200."""
        began = time.monotonic()
        while not self.ready(name):
            if not self.app[name].running():
                raise RuntimeError(f"{name}: supervisord exited; see {self.logs() / name}")
            if time.monotonic() - began > timeout:
                raise TimeoutError(f"{name} not ready after {timeout:.0f} s")
            time.sleep(0.25)
        return time.monotonic() - began

    def kill_host(self, name: str) -> List[int]:
        """Every process of the host at once, with SIGKILL (supervisord included)."""
        return self.app[name].kill()

    def restart_host(self, name: str, model: Optional[Path] = None, code: Optional[Path] = None):
        old = self.app[name]
        old.stop()
        self.app[name] = self.make_host(name, model or old.stack.model, code or old.root).start()
        self.save()
        return self.app[name]

    def save(self) -> None:
        state = {
            "hosts": {
                n: {"pid": h.pid, "model": str(h.stack.model), "code": str(h.root)}
                for n, h in self.app.items()
            },
            "haproxy": self.lb.pid if self.lb else 0,
            "services": [
                s.proc.pid
                for s in (self.prod.postgres, self.prod.redis)
                if s is not None and s.proc is not None
            ]
            if self.prod
            else self.services,
            "rasa_port": self.rasa_port,
            "actions_port": self.actions_port,
            "lb_port": self.lb_port,
            "log_dir": str(self.logs()),
        }
        path = self.dir / "state.json"
        path.write_text(json.dumps(state, indent=1))
        fd = os.open(self.dir / "env.json", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:  # the shared secrets are in it: this machine's user only
            json.dump(self.env, f)

    @classmethod
    def attach(cls, var_dir: Path) -> "HostBed":
        """The bed another command started (VAR_DIR/hosts/state.json)."""
        folder = var_dir / "hosts"
        state = json.loads((folder / "state.json").read_text())
        first = next(iter(state["hosts"].values()))
        bed = cls(
            model=Path(first["model"]),
            var_dir=var_dir,
            hosts=len(state["hosts"]),
            rasa_port=state["rasa_port"],
            actions_port=state["actions_port"],
            lb_port=state["lb_port"],
            log_dir=Path(state["log_dir"]),
            env=json.loads((folder / "env.json").read_text()),
        )
        for name, info in state["hosts"].items():
            host = bed.make_host(name, Path(info["model"]), Path(info["code"]))
            host.pid = info["pid"]
            bed.app[name] = host
        bed.lb = HAProxy.attach(folder / "run", state["haproxy"])
        bed.services = state["services"]
        return bed

    def stop(self) -> None:
        if self.lb is not None:
            self.lb.stop()
        for host in self.app.values():
            host.stop()
        if self.prod is not None:
            self.prod.stop()
        else:  # attached: PostgreSQL (SIGINT: fast shutdown) and Redis by their pids
            for pid in self.services:
                _signal_and_wait(pid, signal.SIGINT)
        (self.dir / "state.json").unlink(missing_ok=True)


def _signal_and_wait(pid: int, sig: int, timeout: float = 30.0) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def roll_out(
    bed: HostBed,
    model: Path,
    code: Optional[Path] = None,
    drain_timeout: float = 60.0,
    ready_timeout: float = 300.0,
    log: Callable[[str], None] = print,
) -> List[Dict]:
    """Rolling release: each host drained, stopped, started with `model` (and `code`),
    back in rotation once ready, one after the other. Returns what each step took."""
    steps = []
    for name in bed.names:
        began = time.monotonic()
        bed.lb.set_state(name, "drain")
        bed.lb.wait_idle(name, drain_timeout)
        drained = time.monotonic() - began
        bed.lb.set_state(name, "maint")
        bed.restart_host(name, model, code)
        loaded = bed.wait_ready(name, ready_timeout)
        bed.lb.set_state(name, "ready")
        bed.lb.wait_status(name, "UP", 30)
        step = {"host": name, "drained_s": round(drained, 1), "ready_s": round(loaded, 1)}
        step["total_s"] = round(time.monotonic() - began, 1)
        steps.append(step)
        log(
            f"{name}: drained in {step['drained_s']} s, ready in {step['ready_s']} s, back in rotation"
        )
    return steps


def main(argv: List[str]) -> int:
    from bot import settings
    from bot.masking import install_log_masking

    install_log_masking()
    parser = argparse.ArgumentParser(
        prog="python -m bot.tools.hosts", description=__doc__.split("\n")[0]
    )
    parser.add_argument("command", choices=["up", "stop", "status", "roll"])
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--port", type=int, default=8080, help="up: HAProxy's port on 127.0.0.1")
    parser.add_argument("--model", type=Path, help="roll: the model to release")
    parser.add_argument("--code", type=Path, help="roll: a checkout of the code to release")
    args = parser.parse_args(argv)
    cfg = settings.get()
    var_dir = Path(cfg.var_dir)
    if args.command == "up":
        from bot.tools.model import ensure

        bed = HostBed(
            model=ensure(),
            var_dir=var_dir,
            hosts=args.hosts,
            rasa_port=cfg.rasa_port,
            actions_port=cfg.actions_port,
            lb_port=args.port,
        )
        stop_on_sigterm()
        try:
            bed.start()
            print(
                f"{bed.hosts} hosts behind HAProxy: {bed.url}   (stop: make hosts-stop or Ctrl-C)"
            )
            for name in bed.names:
                print(
                    f"  {name}: {bed.host_url(name)}  supervisorctl -c {bed.app[name].conf} status"
                )
            while (bed.dir / "state.json").exists():
                time.sleep(1)
            return 0
        except KeyboardInterrupt:
            return 0
        finally:
            if (bed.dir / "state.json").exists():
                HostBed.attach(var_dir).stop()  # the hosts as they are now (a roll restarts them)
            elif bed.prod is not None:
                bed.prod.stop()
    if not (var_dir / "hosts" / "state.json").exists():
        print("no hosts running (make hosts)", file=sys.stderr)
        return 1
    bed = HostBed.attach(var_dir)
    if args.command == "stop":
        bed.stop()
        return 0
    if args.command == "status":
        for name in bed.names:
            print(
                f"{name}: load balancer {bed.lb.status(name)}, /ready {http_status(bed.host_url(name) + '/ready')}"
            )
        return 0
    if args.model is None or not args.model.exists():
        print("roll needs --model <an existing model file>", file=sys.stderr)
        return 2
    roll_out(bed, args.model.resolve(), args.code.resolve() if args.code else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
