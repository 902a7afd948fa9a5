"""Environment settings shared by the channels (safe local defaults, no secret in the repo).

Pipeline (all channels):
    MAX_INBOUND_CHARS          longest text passed to NLU (default 1000; longer is cut at a word)
    RATE_LIMIT_MESSAGES        messages allowed per user per window (default 20)
    RATE_LIMIT_WINDOW_SECONDS  the window (default 60)
    DEDUP_TTL_SECONDS          how long a delivered update id is remembered (default 7 days,
                               WhatsApp retries for up to 7 days)
    DEDUP_MAX_ENTRIES          bound of the in-process LRU (default 100000)
    RASA_REPLY_TIMEOUT_SECONDS give up waiting for Rasa after this (default 60)
    REDIS_URL                  share dedup and rate-limit state between workers (optional)
Channel specific variables are documented in channels/telegram.py, whatsapp.py, web.py, rest.py.
"""
from __future__ import annotations

import os


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
