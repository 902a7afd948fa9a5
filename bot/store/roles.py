"""Staff roles beside the desk's accounts (desk_agents): an account without a row here is
an agent; "supervisor" also opens the console. Read and written by
bot.services.desk_auth only."""

from __future__ import annotations

from sqlalchemy import Column, String

from bot.store.base import Base, UTCDateTime

AGENT, SUPERVISOR = "agent", "supervisor"
ROLES = (AGENT, SUPERVISOR)


class StaffRole(Base):
    __tablename__ = "staff_roles"

    username = Column(String(80), primary_key=True)
    role = Column(String(20), nullable=False)
    granted_at = Column(UTCDateTime, nullable=False)
