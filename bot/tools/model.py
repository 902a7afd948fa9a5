"""Train the assistant only when no model matches the current data.

    python -m bot.tools.model ensure   # print the model path, training first if needed
    python -m bot.tools.model path     # print the path the current data maps to

The model file is named after a fingerprint of everything that shapes it
(config, domain, training data, content, custom NLU components, dependency lock),
so `make run` a second time starts at once and any edit triggers one training.
Trainings are serialised with a file lock: parallel test sessions or `make run`
and `make test` never train the same model twice at the same time.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List

from bot import settings

ROOT = Path(__file__).resolve().parents[2]
MODELS_DIR = settings.get().models_dir
INPUTS = ["config.yml", "domain", "bot/data", "bot/content", "bot/nlu", "constraints.txt"]


def _files(paths: Iterable[str]) -> List[Path]:
    found = []
    for rel in paths:
        p = ROOT / rel
        if p.is_file():
            found.append(p)
        elif p.is_dir():
            found.extend(
                sorted(
                    f
                    for f in p.rglob("*")
                    if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc"
                )
            )
    return found


def fingerprint() -> str:
    digest = hashlib.sha256()
    for f in _files(INPUTS):
        digest.update(str(f.relative_to(ROOT)).encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    return MODELS_DIR / f"citizen-{fingerprint()}.tar.gz"


def train(config: str = "config.yml", out: Path = MODELS_DIR, name: str = "") -> float:
    """Run `rasa train` and return the seconds it took."""
    from bot.content import render

    render.main([])  # the FAQ responses are generated from bot/content
    out.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--domain",
        "domain",
        "--data",
        "bot/data",
        "--config",
        config,
        "--out",
        str(out),
    ]
    if name:
        cmd += ["--fixed-model-name", name]
    started = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True)
    return time.monotonic() - started


def ensure() -> Path:
    # Render first: the fingerprint covers bot/content, but domain/faq.yml must be current.
    from bot.content import render

    render.main([])
    target = model_path()
    if target.exists():
        return target
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    with open(MODELS_DIR / ".train.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():  # another process may have trained it while we waited
            print(f"Training {target.name} (no model matches the current data)...", file=sys.stderr)
            seconds = train(name=target.name[: -len(".tar.gz")])
            print(f"Trained in {seconds:.0f} s", file=sys.stderr)
            _prune(keep=target)
    return target


def _prune(keep: Path, max_models: int = 3) -> None:
    """Keep the few newest models so models/ does not grow without bound."""
    models = sorted(
        MODELS_DIR.glob("citizen-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    for old in [m for m in models if m != keep][max_models - 1 :]:
        old.unlink(missing_ok=True)


def main(argv: List[str]) -> int:
    command = argv[0] if argv else "ensure"
    if command == "ensure":
        print(ensure())
    elif command == "path":
        print(model_path())
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
