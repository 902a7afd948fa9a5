"""The process manager's and the load balancer's configuration (deploy/*.in) as written
for a host: what each program runs, on which socket, and no secret in the file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from bot.tools.haproxy import HAProxy
from bot.tools.serve import Stack
from bot.tools.supervisord import SupervisedHost
from tests.support.ci import unavailable

SECRET = "a-secret-that-must-stay-in-the-environment"


def host(tmp_path: Path, **env) -> SupervisedHost:
    stack = Stack(
        model=Path("models/100%-new.tar.gz"),
        rasa_port=5005,
        actions_port=5055,
        var_dir=tmp_path,
        extra_env={"ACTION_SERVER_TOKEN": SECRET, **env},
    )
    return SupervisedHost("h1", stack, workers=2, rasa_host="127.0.1.1")


def section(text: str, name: str) -> str:
    return text.split(f"[{name}]", 1)[1].split("\n[", 1)[0]


def test_workers_share_one_socket_handed_down_as_fd_0(tmp_path):
    rasa = section(host(tmp_path).conf_text(), "fcgi-program:rasa")
    assert "socket=tcp://127.0.1.1:5005" in rasa
    assert "numprocs=2" in rasa
    assert "-m channels.worker 0 run --model" in rasa
    # supervisord expands %(...)s: a literal % in an argument is doubled
    assert "models/100%%-new.tar.gz" in rasa
    assert "autorestart=true" in rasa


def test_every_program_is_there_and_no_secret_is_written(tmp_path):
    text = host(tmp_path).conf_text()
    assert "[program:actions]" in text and "[program:notifier]" in text
    assert SECRET not in text
    assert "environment=" not in text


def test_no_sender_where_notify_sender_is_off(tmp_path):
    assert "[program:notifier]" not in host(tmp_path, NOTIFY_SENDER="off").conf_text()


def test_haproxy_accepts_the_configuration_and_checks_ready(tmp_path):
    if shutil.which("haproxy") is None:
        unavailable("haproxy is not installed (make system-deps)")
    lb = HAProxy(tmp_path, tmp_path, "127.0.0.1:8080", {"h1": "127.0.1.1:5005"})
    lb.conf.write_text(lb.conf_text())
    check = subprocess.run(["haproxy", "-c", "-f", str(lb.conf)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    text = lb.conf.read_text()
    assert "option httpchk GET /ready" in text
    assert "server h1 127.0.1.1:5005 check" in text
