"""How long each kind of record is kept, and how often the purge runs: RETENTION_*_DAYS
and RETENTION_PURGE_EVERY_HOURS (bot/settings.py; the table in bot/services/privacy/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Mapping, Optional

from bot import settings


@dataclass(frozen=True)
class Periods:
    """Days each kind of record is kept (0 = forever)."""

    transcripts: int = 180
    otp: int = 30
    sms: int = 90
    tickets: int = 730
    objections: int = 730
    audit: int = 1095
    notifications: int = 90

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "Periods":
        """From RETENTION_*_DAYS (bot/settings.py) of `env`, default this process's."""
        cfg = settings.from_env(env) if env is not None else settings.get()
        return cls(
            transcripts=max(0, cfg.retention_transcript_days),
            otp=max(0, cfg.retention_otp_days),
            sms=max(0, cfg.retention_sms_days),
            notifications=max(0, cfg.retention_notification_days),
            tickets=max(0, cfg.retention_ticket_days),
            objections=max(0, cfg.retention_objection_days),
            audit=max(0, cfg.retention_audit_days),
        )


def purge_every(env: Optional[Mapping[str, str]] = None) -> timedelta:
    cfg = settings.from_env(env) if env is not None else settings.get()
    return timedelta(hours=max(0.0, cfg.retention_purge_every_hours))
