"""Every setting the assistant reads from the environment, in one place.

Each field is one environment variable (the field name in capitals) with a safe local
default; docs/settings.md documents them (written by bot/tools/settings_doc.py), and a
test keeps the two in step.
Values are typed and checked by pydantic (already pinned by Rasa), so a typo in a number
is reported once, by name, instead of surfacing deep inside a request.

`get()` is cheap and re-reads the environment when it changed, so tests that set a
variable and code that reads settings per call both see the current value without a
process restart. Code that computes another process's environment passes that mapping to
`from_env()` instead.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from pydantic import BaseModel, ValidationError, validator

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]


_EMPTY_IS_A_VALUE = {"address_limit_exempt"}


class Settings(BaseModel):
    # --- where things live ---------------------------------------------------------------
    var_dir: Path = ROOT / "var"
    models_dir: Path = ROOT / "models"
    database_url: str = ""  # our tables; SQLite under var_dir when empty
    tracker_db: str = ""  # Rasa's SQLite tracker store file
    tracker_store_url: str = ""  # explicit tracker store URL (else from database_url)
    redis_url: str = ""
    # --- servers ---------------------------------------------------------------------------
    rasa_port: int = 5005
    actions_port: int = 5055
    actions_host: str = "127.0.0.1"  # the action server's bind address
    sanic_workers: int = 1
    rasa_patches: str = ""  # "off" runs Rasa without bot/patches
    model_poll_seconds: float = 2.0  # how often a Rasa worker looks for a new model release
    # --- connection pools and time-outs ----------------------------------------------------
    db_pool_size: int = 6
    db_max_overflow: int = 4
    sql_pool_size: int = 4
    sql_max_overflow: int = 1
    sql_pool_timeout: float = 10.0
    sql_connect_timeout: int = 5
    store_connect_timeout: float = 60.0
    sqlite_synchronous: str = "normal"  # SQLite files: normal (WAL's own advice) or full
    redis_socket_timeout: float = 2.0
    lock_wait_seconds: float = 0.1
    lock_key_prefix: str = "cza"
    # --- channel pipeline ------------------------------------------------------------------
    max_inbound_chars: int = 1000
    rate_limit_messages: int = 20
    rate_limit_window_seconds: int = 60
    dedup_ttl_seconds: int = 7 * 24 * 3600
    dedup_max_entries: int = 100_000
    rasa_reply_timeout_seconds: float = 60.0
    inbound_lease_seconds: float = 30.0  # a pending webhook message's owner renews it
    inbound_scan_seconds: float = 10.0  # how often a worker looks for abandoned ones
    inbound_max_attempts: int = 3
    log_id_salt: str = ""
    # --- who may call what (docs/security.md) ---------------------------------------------
    action_server_token: str = ""
    action_server_token_previous: str = ""  # still accepted while the token is rotated
    trusted_proxies: str = ""  # comma-separated networks whose X-Forwarded-For we believe
    # None (unset) exempts loopback; set but empty exempts nobody.
    address_limit_exempt: Optional[str] = None
    rest_allowed_origins: str = ""
    rest_rate_limit_per_address: int = 120
    rest_rate_limit_window_seconds: int = 60
    webchat_sessions_per_address: int = 20
    webchat_sessions_window_seconds: int = 600
    # --- channels --------------------------------------------------------------------------
    rest_channel_token: str = ""
    webchat_secret: str = ""
    webchat_session_days: int = 30
    webchat_allowed_origins: str = "*"
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org"
    telegram_start_payload: str = "/greet"
    telegram_webhook_url: str = ""
    whatsapp_access_token: str = ""
    whatsapp_phone_number_id: str = ""
    whatsapp_app_secret: str = ""
    whatsapp_verify_token: str = ""
    whatsapp_api_base: str = "https://graph.facebook.com"
    whatsapp_api_version: str = "v21.0"
    # --- agent desk ------------------------------------------------------------------------
    desk_session_hours: int = 8
    desk_idle_minutes: int = 30
    desk_cookie_secure: bool = False
    desk_origin: str = ""
    desk_poll_seconds: int = 3
    # --- supervisors' console and /metrics -------------------------------------------------
    metrics_token: str = ""  # /metrics needs "Authorization: Bearer <token>" when set
    metrics_internal: bool = False  # /metrics open to loopback and private addresses
    prometheus_multiproc_dir: str = ""  # shared by the workers' metrics (prometheus_client)
    review_confidence_margin: float = 0.1  # review messages whose top intent is this close
    # --- handoff ---------------------------------------------------------------------------
    handoff_hours: str = ""  # e.g. "8-20" (Riyadh); program.yml's hours when empty
    handoff_minutes_per_case: float = 4.0
    handoff_ack_minutes: float = 5.0
    # --- one-time codes and SMS ------------------------------------------------------------
    otp_secret: str = "citizen-account-local-otp"
    otp_cooldown_minutes: float = 15.0
    sms_gateway: str = ""  # "http" or "outbox"; http when a URL is set
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    sms_sender: str = "CitizenAcc"
    sms_gateway_timeout: float = 5.0
    sms_budget_mobile_hour: int = 3
    sms_budget_mobile_day: int = 10
    sms_budget_national_id_day: int = 5
    sms_budget_global_minute: int = 60
    sms_budget_staff_mobile_day: int = 6
    # --- notifications ---------------------------------------------------------------------
    notify_sender: str = "on"  # "off": `make run` starts no sender (another host runs it)
    notify_max_attempts: int = 4  # per channel, before the next channel
    notify_backoff_seconds: float = 5.0  # first retry; doubles each time
    notify_backoff_max_seconds: float = 600.0
    notify_lease_seconds: float = 60.0  # a claim older than this belongs to a dead sender
    notify_poll_seconds: float = 1.0
    notify_whatsapp_template: str = ""  # approved template for outside the 24-hour window
    notify_whatsapp_template_language: str = "ar"
    notify_whatsapp_template_params: str = "number,status"  # body parameters, in order
    notify_push_url: str = ""  # the Rasa server, for live widget pushes (default: local)
    notify_push_token: str = ""  # shared secret of the push route; unset = route off
    # --- retention (docs/privacy.md) -------------------------------------------------------
    retention_transcript_days: int = 180
    retention_otp_days: int = 30
    retention_sms_days: int = 90
    retention_notification_days: int = 90
    retention_ticket_days: int = 730
    retention_objection_days: int = 730
    retention_audit_days: int = 1095
    retention_purge_every_hours: float = 24.0
    # --- local services for the production profile and tests ------------------------------
    pg_bin: str = ""
    pg_data_dir: str = ""
    local_pg_port: int = 5433
    redis_server: str = ""
    local_redis_port: int = 6380

    class Config:
        validate_assignment = False
        extra = "ignore"

    @validator("*", pre=True)
    def _blank_is_default(cls, value: Any, field):  # noqa: N805 (pydantic validator)
        # An exported-but-empty variable (FOO=) means "not set", as it always has here,
        # except where empty is a value of its own (address_limit_exempt).
        if isinstance(value, str) and not value.strip() and field.name not in _EMPTY_IS_A_VALUE:
            return field.default
        return value.strip() if isinstance(value, str) else value

    # Derived values: one rule each, so no caller re-derives them.
    def app_database_url(self) -> str:
        if self.database_url:
            # Heroku-style URLs say postgres://, SQLAlchemy 1.4 wants postgresql://
            return self.database_url.replace("postgres://", "postgresql://", 1)
        return f"sqlite:///{self.var_dir / 'app.db'}"


ENV_NAMES: Tuple[str, ...] = tuple(name.upper() for name in Settings.__fields__)


def from_env(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Settings from `env` (default: this process's environment). A value that does not
    parse falls back to its default with one warning naming the variable, never the value
    (it may be a secret)."""
    env = os.environ if env is None else env
    raw: Dict[str, Any] = {name.lower(): env[name] for name in ENV_NAMES if name in env}
    try:
        return Settings(**raw)
    except ValidationError as error:
        bad = {str(e["loc"][0]) for e in error.errors()}
        for name in sorted(bad):
            logger.warning("%s is not valid; using the default", name.upper())
        return Settings(**{k: v for k, v in raw.items() if k not in bad})


_cache: Optional[Tuple[Tuple[Any, ...], Settings]] = None
# os.environ keeps its raw values in `_data`; looking our names up there is some fifty
# times faster than os.environ.get per name, which matters on per-message paths.
_RAW = getattr(os.environ, "_data", None)
_RAW_KEYS = tuple(os.environ.encodekey(name) for name in ENV_NAMES) if _RAW is not None else ()


def _fingerprint() -> Tuple[Any, ...]:
    if _RAW is not None:
        return tuple(map(_RAW.get, _RAW_KEYS))
    return tuple(os.environ.get(name) for name in ENV_NAMES)


def of(env: Optional[Mapping[str, str]] = None) -> Settings:
    """Settings for another process's environment `env`, or this process's (`get()`)."""
    return get() if env is None else from_env(env)


def get() -> Settings:
    """The current settings; rebuilt only when one of our variables changed."""
    global _cache
    key = _fingerprint()
    if _cache is None or _cache[0] != key:
        _cache = (key, from_env())
    return _cache[1]


# Plain readers for code that reads one variable by name (channels, stores). Same rules as
# the fields above: blank means unset, a value that does not parse means the default.
def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else default


def env_int(name: str, default: int) -> int:
    try:
        return int(env_str(name, str(default)))
    except ValueError:
        return default


def env_float(name: str, default: float) -> float:
    try:
        return float(env_str(name, str(default)))
    except ValueError:
        return default


def env_list(name: str, default: str = "") -> List[str]:
    """Comma-separated values, trimmed, empty ones dropped."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_number(env: Mapping[str, str], name: str, default, cast=int):
    """A numeric setting read from `env` (another process's environment, or ours); a typo
    falls back to the default with a warning instead of stopping the server."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except ValueError:
        logger.warning("%s=%r is not a number; using %s", name, raw, default)
        return default
