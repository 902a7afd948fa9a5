"""Set-up tooling: the model fingerprint and the Python 3.10 finder."""

import os
import subprocess
from pathlib import Path

from bot.tools import model

ROOT = Path(__file__).resolve().parents[2]


def test_fingerprint_is_stable_and_follows_the_data(tmp_path, monkeypatch):
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    (tmp_path / "bot" / "data").mkdir(parents=True)
    nlu = tmp_path / "bot" / "data" / "nlu.yml"
    nlu.write_text("a\n")
    monkeypatch.setattr(model, "ROOT", tmp_path)
    first = model.fingerprint()
    assert model.fingerprint() == first
    nlu.write_text("b\n")
    assert model.fingerprint() != first
    (tmp_path / "bot" / "data" / "__pycache__").mkdir()
    (tmp_path / "bot" / "data" / "__pycache__" / "x.pyc").write_bytes(b"noise")
    nlu.write_text("a\n")
    assert model.fingerprint() == first, "caches must not trigger a retrain"


def test_model_path_is_named_after_the_fingerprint():
    assert model.model_path().name == f"citizen-{model.fingerprint()}.tar.gz"


def test_python310_finder_prints_a_working_310_or_nothing():
    out = subprocess.run(
        [str(ROOT / "scripts" / "find-python310.sh")], capture_output=True, text=True
    ).stdout.strip()
    if out:
        version = subprocess.run(
            [out, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
        ).stdout.strip()
        assert version == "(3, 10)"


def test_sigterm_stops_the_servers_like_ctrl_c():
    """`make run` under systemd, docker or `timeout` gets SIGTERM: the finally-block that
    stops Rasa and the action server must run, as on Ctrl-C."""
    import signal
    import sys
    import time

    code = (
        "import time\nfrom bot.tools.serve import stop_on_sigterm\nstop_on_sigterm()\n"
        "try:\n    print('ready', flush=True)\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    print('stopped the servers', flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=30)
    assert "stopped the servers" in out and time.monotonic() - started < 10
