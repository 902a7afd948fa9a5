"""Plain Rasa beside the assistant in `make bench-load`: the moodbot of `rasa init`, as
Rasa 3.6 makes it, on its own port over REST (bench/load.py).

The project comes from `rasa init --no-prompt --init-dir` in this environment, trained once
and kept under ~/.cache/citizen-account-bot/moodbot-<rasa version>/; later runs start it
at once. It runs as `rasa run` runs it: one process,
Rasa's REST channel, Rasa's default in-memory tracker and lock stores, no action server
(the moodbot has no custom actions). It writes nothing to a database, so per message it
does less than the assistant, which stores every turn and transcript.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import List, Optional

from bench.load_profiles import Profile
from bot.tools.services import free_port

ROOT = Path(__file__).resolve().parents[1]


def moodbot_dir() -> Path:
    import rasa

    return Path.home() / ".cache" / "citizen-account-bot" / f"moodbot-{rasa.__version__}"


def _env() -> dict:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.pop("PYTHONPATH", None)  # Rasa's own project, none of ours
    return env


def ensure_moodbot(log: Path) -> Path:
    """The moodbot project with a trained model (made and trained once)."""
    target = moodbot_dir()
    if list((target / "models").glob("*.tar.gz")):
        return target
    work = target.with_name(target.name + f"-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)  # rasa init wants it to exist
    print(f"  plain Rasa: `rasa init` into {target} (trains once)", flush=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        subprocess.run(
            [sys.executable, "-m", "rasa", "init", "--no-prompt", "--init-dir", str(work)],
            cwd=str(work.parent),
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=1800,
        )
    if not list((work / "models").glob("*.tar.gz")):
        raise RuntimeError(f"rasa init trained no model (see {log})")
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target


class PlainRasa(Profile):
    name = "plain Rasa (moodbot)"
    plain = True

    def __init__(self, logs: Path) -> None:
        self.logs = logs / "plain-rasa"
        self.port = free_port()
        self.proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:  # type: ignore[override]
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 300.0) -> None:
        project = ensure_moodbot(self.logs / "init.log")
        model = sorted((project / "models").glob("*.tar.gz"))[-1]
        self.logs.mkdir(parents=True, exist_ok=True)
        out = open(self.logs / "rasa.log", "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                str(model),
                "--port",
                str(self.port),
                "--interface",
                "127.0.0.1",
                "--credentials",
                str(project / "credentials.yml"),
                "--endpoints",
                str(project / "endpoints.yml"),
            ],
            cwd=str(project),
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        out.close()
        self.pids = [self.proc.pid]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"plain Rasa exited (see {self.logs / 'rasa.log'})")
            try:
                with urllib.request.urlopen(f"{self.url}/webhooks/rest/", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("plain Rasa did not start in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def service_pids(self) -> List[int]:
        return []
