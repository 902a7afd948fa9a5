"""Start the whole assistant: action server + Rasa server + notification sender, wait
until the servers answer.

    python -m bot.tools.serve            # used by `make run`; Ctrl-C stops them all

The same `Stack` is used by the end-to-end tests, so what the tests run is what
`make run` runs. Local defaults need no outside account: SQLite tracker store
and application database under VAR_DIR, in-memory lock store.

The action server (bot/action_server.py) listens on ACTIONS_HOST (127.0.0.1) and obeys
only calls carrying ACTION_SERVER_TOKEN; unset, a random one is made for this run and
given to both processes (and to `make shell`, through VAR_DIR/action_server_token while
the servers run). Rasa gets no global CORS grant: the widget and REST routes add their
own for the configured origins (docs/security.md). The notification sender
(`python -m channels.notify.sender`) delivers status changes to citizens; NOTIFY_SENDER=off leaves
it to another host. Its live widget pushes carry NOTIFY_PUSH_TOKEN, random per run when
unset.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parents[2]
TOKEN_ENV = "ACTION_SERVER_TOKEN"
PUSH_TOKEN_ENV = "NOTIFY_PUSH_TOKEN"


def actions_base(host: str, port: int) -> str:
    """Where this machine reaches an action server bound to `host`: a wildcard bind on
    loopback, a named interface only on itself."""
    reach = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
    return f"http://[{reach}]:{port}" if ":" in reach else f"http://{reach}:{port}"


def local_env(rasa_port: int, actions_port: int, var_dir: Path) -> Dict[str, str]:
    """Environment for both servers, with safe local defaults the caller may override."""
    from bot.store.files import private_folder

    private_folder(var_dir)
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env["VAR_DIR"] = str(var_dir)
    env["ACTIONS_PORT"] = str(actions_port)
    env.setdefault("ACTIONS_HOST", "127.0.0.1")
    env.setdefault(
        "ACTION_ENDPOINT_URL", f"{actions_base(env['ACTIONS_HOST'], actions_port)}/webhook"
    )
    env.setdefault("TRACKER_DB", str(var_dir / "tracker.db"))
    env.setdefault("DATABASE_URL", f"sqlite:///{var_dir / 'app.db'}")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    # Rasa's anonymous telemetry would try to reach the internet.
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    return env


def _get(url: str, timeout: float = 2.0) -> Optional[int]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except Exception:
        return None


@dataclass
class Stack:
    model: Path
    rasa_port: int = 5005
    actions_port: int = 5055
    var_dir: Path = ROOT / "var"
    log_dir: Optional[Path] = None
    extra_env: Dict[str, str] = field(default_factory=dict)
    processes: List[subprocess.Popen] = field(default_factory=list)
    names: Dict[int, str] = field(default_factory=dict)  # pid -> "actions", "rasa", ...
    started_seconds: float = 0.0
    generated_token: str = ""  # ACTION_SERVER_TOKEN of this run when none was set
    generated_push_token: str = ""  # NOTIFY_PUSH_TOKEN of this run when none was set

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def env(self) -> Dict[str, str]:
        env = local_env(self.rasa_port, self.actions_port, self.var_dir)
        env.update(self.extra_env)
        if not env.get(TOKEN_ENV, "").strip():
            if not self.generated_token:
                self.generated_token = secrets.token_urlsafe(32)
            env[TOKEN_ENV] = self.generated_token
        if not env.get(PUSH_TOKEN_ENV, "").strip():
            # The sender's widget pushes to this Rasa server: a secret for this run.
            if not self.generated_push_token:
                self.generated_push_token = secrets.token_urlsafe(32)
            env[PUSH_TOKEN_ENV] = self.generated_push_token
        env.setdefault("NOTIFY_PUSH_URL", self.url)
        return env

    @property
    def sender_enabled(self) -> bool:
        from bot import settings

        return settings.from_env(self.env()).notify_sender.lower() not in ("off", "0", "no")

    @property
    def token_file(self) -> Path:
        return self.var_dir / "action_server_token"

    def _share_token(self, env: Dict[str, str]) -> None:
        """`make shell` runs its own Rasa against this action server: it needs the token."""
        if not self.generated_token:
            return
        fd = os.open(self.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(env[TOKEN_ENV])

    def _spawn(
        self, name: str, args: List[str], pass_fds: tuple = (), log: Optional[str] = None
    ) -> subprocess.Popen:
        out = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{log or name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
            pass_fds=pass_fds,
        )
        if out is not None:
            out.close()  # the child has its own copy
        self.processes.append(proc)
        self.names[proc.pid] = name
        return proc

    def rasa_args(self) -> List[str]:
        return [
            "run",
            "--model",
            str(self.model),
            "--port",
            str(self.rasa_port),
            "--endpoints",
            "endpoints.yml",
            "--credentials",
            "credentials.yml",
        ] + self._api_args()

    def start_actions(self) -> subprocess.Popen:
        return self._spawn("actions", ["bot.action_server", "--actions", "bot.actions"])

    def start_rasa(self) -> None:
        self._spawn("rasa", ["channels.server", *self.rasa_args()])

    def start_sender(self) -> Optional[subprocess.Popen]:
        if not self.sender_enabled:
            return None
        return self._spawn("notifier", ["channels.notify.sender"])  # the notification sender

    def start(self, timeout: float = 240.0) -> "Stack":
        from bot.store.migrate import upgrade

        began = time.monotonic()
        env = self.env()
        upgrade(env["DATABASE_URL"])
        self._share_token(env)
        self.start_actions()
        self.start_rasa()
        self.start_sender()
        self.wait(timeout)
        self.started_seconds = time.monotonic() - began
        return self

    def _api_args(self) -> List[str]:
        # Rasa's HTTP API can rewrite any conversation: only on, and then only
        # behind a token, when RASA_API_TOKEN is set.
        token = self.env().get("RASA_API_TOKEN")
        return ["--enable-api", "--auth-token", token] if token else []

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        checks = {
            "action server": f"{actions_base(self.env()['ACTIONS_HOST'], self.actions_port)}/health",
            "Rasa server": f"{self.url}/webhooks/rest/",
        }
        while checks:
            for proc in self.processes:
                if proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"a server exited with code {proc.returncode}; see its log")
            for name, url in list(checks.items()):
                if _get(url) == 200:
                    del checks[name]
            if checks and time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(checks)}")
            time.sleep(0.5)

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.processes.clear()
        if self.generated_token:
            self.token_file.unlink(missing_ok=True)


def _interrupt(*_args) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """SIGTERM (systemd, `docker stop`, `timeout`) stops the servers the way Ctrl-C does.
    Without it the parent died alone and left Rasa and the action server running."""
    signal.signal(signal.SIGTERM, _interrupt)


def main() -> int:
    from bot import settings
    from bot.masking import install_log_masking
    from bot.tools.model import ensure

    install_log_masking()
    cfg = settings.get()
    stack = Stack(
        model=ensure(),
        rasa_port=cfg.rasa_port,
        actions_port=cfg.actions_port,
        var_dir=Path(cfg.var_dir),
    )
    stop_on_sigterm()
    print(f"Starting the assistant with {stack.model.name} ...", flush=True)
    try:
        stack.start()
        from bot.services.privacy.schedule import start_scheduler

        start_scheduler(stack.env())  # the retention purge (docs/privacy.md)
        print(
            f"""
Ready in {stack.started_seconds:.0f} s.
  Web chat:  {stack.url}/chat
  REST:      curl -s {stack.url}/webhooks/rest/webhook -d '{{"sender": "me", "message": "وش شروط حساب المواطن؟"}}'
  Agent desk: {stack.url}/desk   (create an agent: make agent NAME=...)
  Notifications: {"sender running" if stack.sender_enabled else "sender off (NOTIFY_SENDER)"}; make backoffice ARGS="notifications list"
Press Ctrl-C to stop.""",
            flush=True,
        )
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        print("A server stopped; shutting down.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
