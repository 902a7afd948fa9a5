"""The production profile's environment: defaults, the connection budget, the shared
secrets and the guard against an exposed action server (bot/tools/prod.py uses them)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Dict, Optional

from bot import settings

PROD_DEFAULTS = {
    "SANIC_WORKERS": "2",
    "ACTION_SERVER_SANIC_WORKERS": "1",
    "SQL_POOL_SIZE": "4",
    "SQL_MAX_OVERFLOW": "1",
    "DB_POOL_SIZE": "6",
    "DB_MAX_OVERFLOW": "4",
    "RASA_TELEMETRY_ENABLED": "false",
    # Production is served over HTTPS: the desk's session cookie never travels in clear.
    "DESK_COOKIE_SECURE": "1",
}
READY_LINE = "Rasa server is up and running."
TF_THREADS = ["TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS"]


def _int(env: Dict[str, str], key: str) -> int:
    return int(env.get(key) or PROD_DEFAULTS.get(key) or 0)


def connection_budget(env: Dict[str, str]) -> Dict[str, int]:
    """Worst case PostgreSQL connections of one machine running this profile."""
    workers, actions = _int(env, "SANIC_WORKERS"), _int(env, "ACTION_SERVER_SANIC_WORKERS")
    tracker = _int(env, "SQL_POOL_SIZE") + _int(env, "SQL_MAX_OVERFLOW")
    app = _int(env, "DB_POOL_SIZE") + _int(env, "DB_MAX_OVERFLOW")
    # Each Rasa worker: tracker pool + our tables (channels pipeline). Each action server
    # process: our tables. The notification sender: our tables. While the supervisor
    # replaces a worker the dead one's connections are already closed by the server.
    sender = app
    per_machine = workers * (tracker + app) + actions * app + sender
    return {
        "rasa_workers": workers,
        "action_workers": actions,
        "per_rasa_worker": tracker + app,
        "per_action_worker": app,
        "per_sender": sender,
        "per_machine": per_machine,
    }


# Keys every process must agree on. A per-process random key (the development default)
# would make a widget session signed by one worker invalid on the next.
SHARED_SECRETS = (
    "WEBCHAT_SECRET",
    "OTP_SECRET",
    "LOG_ID_SALT",
    "ACTION_SERVER_TOKEN",
    "NOTIFY_PUSH_TOKEN",
)


def action_server_exposure_error(env: Dict[str, str]) -> Optional[str]:
    """Why this environment must not start, if it exposes the action server without a
    secret of the operator's (a generated one is known to this machine only), else None."""
    from bot.action_server import MIN_TOKEN_LENGTH, is_loopback

    # `env` (what the profile will give its servers) over this process's environment,
    # read with the settings' rules (blank means unset).
    cfg = settings.from_env({**os.environ, **env})
    host = cfg.actions_host
    if is_loopback(host):
        return None
    token = cfg.action_server_token  # `env` wins where it names the token, even empty
    if len(token.strip()) >= MIN_TOKEN_LENGTH:
        return None
    return (
        f"ACTIONS_HOST={host} exposes the action server beyond this machine, but "
        f"ACTION_SERVER_TOKEN is not set (at least {MIN_TOKEN_LENGTH} characters): anyone "
        "reaching the port could run any action. Set ACTION_SERVER_TOKEN from your secret "
        "store (the same value for Rasa and the action server), or keep ACTIONS_HOST=127.0.0.1. "
        "See docs/security.md."
    )


def shared_secrets(var_dir: Path, env: Dict[str, str]) -> Dict[str, str]:
    """Secrets from the environment, else generated once into VAR_DIR/secrets (mode 0600)
    so all workers share them and they survive restarts. Tells the operator which ones
    were generated: in a real deployment they belong in the secret manager."""
    import secrets as random_secrets

    current = dict(os.environ)
    found = {key: current[key] for key in SHARED_SECRETS if current.get(key)}
    missing = [key for key in SHARED_SECRETS if key not in found and key not in env]
    if not missing:
        return found
    folder = var_dir / "secrets"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for key in missing:
        path = folder / key.lower()
        if not path.exists():
            path.write_text(random_secrets.token_urlsafe(32))
            path.chmod(0o600)
        found[key] = path.read_text().strip()
    print(
        f"Note: {', '.join(missing)} not set; using generated values from {folder} "
        "(set them from your secret store in production).",
        file=sys.stderr,
        flush=True,
    )
    return found


def mask_url(url: str) -> str:
    return re.sub(r"://([^:/@]+):([^@]+)@", r"://\1:***@", url)
