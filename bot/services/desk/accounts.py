"""Desk agents: accounts, passwords, sign-in sessions and the sign-in throttle.

Passwords are hashed with scrypt and a per-agent salt ("scrypt$n$r$p$<salt>$<hash>",
base64). A session is a random token handed to the browser; only its SHA-256 is
stored, with a CSRF token, and it ends after DESK_SESSION_HOURS (default 8), after
DESK_IDLE_MINUTES without a request (default 30), when the agent is disabled or
their password changes. There is no default account and no default password. The
sign-in throttle is bot/services/desk/throttle.py; unlocking an account is here.

Every change to an account and every sign-in, sign-out and failed sign-in goes to
the audit log (bot.store.audit). The web side is channels/desk; the command line is
`python -m bot.backoffice agents`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Dict, List, Optional, Tuple

from sqlalchemy import delete, select

from bot import settings
from bot.store import audit, session_scope
from bot.store.base import utcnow
from bot.store.handoffs import Agent, AgentAccess, AgentSession, aware

MIN_PASSWORD = 10
# "agent" works the desk; "supervisor" also opens the console (/console) and may unlock
# colleagues. Stored in desk_agent_access.
AGENT, SUPERVISOR = "agent", "supervisor"
ROLES = (AGENT, SUPERVISOR)
# Shown to citizens when an account was made without a display name: never the username.
DEFAULT_DISPLAY_NAME = "موظف خدمة العملاء"
# How citizens are told about an agent ("انضم لك" / "انضمت لك"); unset reads as male.
MALE, FEMALE = "male", "female"
GENDERS = (MALE, FEMALE)
CLI_ACTOR = "admin:cli"

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


# ============================================================== passwords


def hash_password(password: str) -> str:
    """scrypt with a random 16-byte salt: "scrypt$n$r$p$<salt b64>$<hash b64>"."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Compared against when the username is unknown, so a wrong username takes as long
    as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _check_new_password(username: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")
    if password.strip().lower() == username.strip().lower():
        raise ValueError("password must differ from the username")


# ============================================================== accounts


def create_agent(
    username: str,
    password: str,
    display_name: Optional[str] = None,
    actor: str = CLI_ACTOR,
    role: str = "agent",
    gender: Optional[str] = None,
) -> int:
    username = username.strip()
    if role not in ROLES:
        raise ValueError(f"role: one of {', '.join(ROLES)}")
    if gender is not None and gender not in GENDERS:
        raise ValueError(f"gender: one of {', '.join(GENDERS)}")
    if (
        not username
        or len(username) > 80
        or not username.replace("_", "").replace(".", "").replace("-", "").isalnum()
    ):
        raise ValueError("username: letters, digits, '.', '_' or '-' (at most 80)")
    _check_new_password(username, password)
    with session_scope() as s:
        if s.execute(select(Agent.id).where(Agent.username == username)).first():
            raise ValueError(f"agent {username!r} already exists")
        agent = Agent(
            username=username,
            display_name=_display_name(display_name),
            password_hash=hash_password(password),
            active=True,
            created_at=utcnow(),
        )
        s.add(agent)
        s.flush()
        if role == SUPERVISOR or gender:
            s.add(AgentAccess(username=username, supervisor=role == SUPERVISOR, gender=gender))
        audit.record(s, actor, "agent.created", "agent", username, {"role": role})
        return agent.id


def _display_name(name: Optional[str]) -> str:
    name = " ".join((name or "").split())[:120]
    return name or DEFAULT_DISPLAY_NAME


def set_display_name(username: str, display_name: str, actor: str = CLI_ACTOR) -> None:
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise ValueError(f"no agent {username!r}")
        agent.display_name = _display_name(display_name)
        audit.record(s, actor, "agent.renamed", "agent", username)


def set_gender(username: str, gender: str, actor: str = CLI_ACTOR) -> None:
    """How citizens are told about the agent (the handoff's wording)."""
    if gender not in GENDERS:
        raise ValueError(f"gender: one of {', '.join(GENDERS)}")
    with session_scope() as s:
        _access(s, username).gender = gender
        audit.record(s, actor, "agent.gender_set", "agent", username, {"gender": gender})


def set_password(username: str, password: str, actor: str = CLI_ACTOR) -> None:
    """A new password also ends the agent's sessions."""
    _check_new_password(username, password)
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise ValueError(f"no agent {username!r}")
        agent.password_hash = hash_password(password)
        s.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        audit.record(s, actor, "agent.password_set", "agent", username)


def set_active(username: str, active: bool, actor: str = CLI_ACTOR) -> None:
    """Disabling an agent also ends their sessions."""
    with session_scope() as s:
        agent = s.execute(select(Agent).where(Agent.username == username)).scalar_one_or_none()
        if agent is None:
            raise ValueError(f"no agent {username!r}")
        agent.active = active
        if not active:
            s.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        audit.record(s, actor, "agent.enabled" if active else "agent.disabled", "agent", username)


def list_agents() -> List[Dict[str, Any]]:
    """Every account by username (never the password hash)."""
    with session_scope() as s:
        return [
            {
                "username": a.username,
                "display_name": a.display_name,
                "active": a.active,
                "role": SUPERVISOR if supervisor else AGENT,
                "gender": gender or MALE,
                "last_login_at": a.last_login_at,
            }
            for a, supervisor, gender in s.execute(
                select(Agent, AgentAccess.supervisor, AgentAccess.gender)
                .outerjoin(AgentAccess, AgentAccess.username == Agent.username)
                .order_by(Agent.username)
            )
        ]


def agent_names() -> Dict[str, str]:
    """Display name by username (the username when there is none)."""
    with session_scope() as s:
        return {u: d or u for u, d in s.execute(select(Agent.username, Agent.display_name))}


def authenticate(username: str, password: str) -> Optional[Dict[str, Any]]:
    """The agent for a right password of an active account, else None."""
    with session_scope() as s:
        agent = s.execute(
            select(Agent).where(Agent.username == username.strip())
        ).scalar_one_or_none()
        stored = agent.password_hash if agent is not None else _dummy_hash()
        ok = verify_password(password, stored) and agent is not None and agent.active
        if not ok:
            return None
        agent.last_login_at = utcnow()
        return {
            "id": agent.id,
            "username": agent.username,
            "display_name": agent.display_name or agent.username,
        }


def record_failed_sign_in(username: str) -> None:
    with session_scope() as s:
        audit.record(s, "anonymous", "agent.sign_in_failed", "agent", username[:64] or "-")


# ============================================================== sessions


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def session_hours() -> int:
    return settings.get().desk_session_hours


def idle_minutes() -> int:
    return settings.get().desk_idle_minutes


def start_session(agent_id: int, username: str) -> Tuple[str, str]:
    """(cookie token, CSRF token) for a freshly signed-in agent."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    with session_scope() as s:
        s.execute(delete(AgentSession).where(AgentSession.expires_at < now))
        s.add(
            AgentSession(
                token_hash=_token_hash(token),
                agent_id=agent_id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=session_hours()),
            )
        )
        audit.record(s, f"agent:{username}", "agent.signed_in", "agent", username)
    return token, csrf


def session_agent(token: Optional[str], now: Optional[datetime] = None) -> Optional[Dict[str, Any]]:
    """The signed-in agent for a cookie token, or None (unknown, expired, idle, disabled)."""
    if not token or len(token) > 200:
        return None
    now = now or utcnow()
    with session_scope() as s:
        row = s.execute(
            select(AgentSession, Agent)
            .join(Agent, Agent.id == AgentSession.agent_id)
            .where(AgentSession.token_hash == _token_hash(token))
        ).first()
        if row is None:
            return None
        sess, agent = row
        idle_limit = aware(sess.last_seen_at) + timedelta(minutes=idle_minutes())
        if not agent.active or now >= aware(sess.expires_at) or now >= idle_limit:
            s.delete(sess)
            return None
        if (now - aware(sess.last_seen_at)).total_seconds() > 30:  # fewer writes while polling
            sess.last_seen_at = now
        access = s.get(AgentAccess, agent.username)
        supervisor = bool(access and access.supervisor)
        return {
            "id": agent.id,
            "username": agent.username,
            "display_name": agent.display_name or agent.username,
            "gender": (access.gender if access else None) or MALE,
            "supervisor": supervisor,
            # Content rights count for supervisors only (the console is theirs).
            "editor": supervisor and bool(access.editor),
            "approver": supervisor and bool(access.approver),
            "csrf": sess.csrf_token,
            "session_id": sess.id,
            "role": SUPERVISOR if supervisor else AGENT,
        }


def end_session(token: str, username: str) -> None:
    with session_scope() as s:
        s.execute(delete(AgentSession).where(AgentSession.token_hash == _token_hash(token)))
        audit.record(s, f"agent:{username}", "agent.signed_out", "agent", username)


# ============================================================== unlocking and supervisors


def _access(s, username: str) -> AgentAccess:
    """The account's access row, created on first use (unknown account: ValueError)."""
    if s.execute(select(Agent.id).where(Agent.username == username)).first() is None:
        raise ValueError(f"no agent {username!r}")
    access = s.get(AgentAccess, username)
    if access is None:
        access = AgentAccess(username=username, supervisor=False)
        s.add(access)
    return access


def throttle_reset_at(username: str) -> Optional[float]:
    """When the account's sign-in throttle was last reset (epoch seconds), if ever."""
    with session_scope() as s:
        access = s.get(AgentAccess, (username or "").strip()[:80])
        value = access.throttle_reset_at if access is not None else None
    return aware(value).timestamp() if value else None


def unlock(username: str, actor: str = CLI_ACTOR) -> None:
    """Failed sign-ins so far no longer count against the account (any process)."""
    with session_scope() as s:
        _access(s, username).throttle_reset_at = utcnow()
        audit.record(s, actor, "agent.unlocked", "agent", username)


def set_supervisor(username: str, supervisor: bool, actor: str = CLI_ACTOR) -> None:
    with session_scope() as s:
        _access(s, username).supervisor = supervisor
        audit.record(
            s,
            actor,
            "agent.supervisor_granted" if supervisor else "agent.supervisor_revoked",
            "agent",
            username,
        )


def set_content_rights(
    username: str,
    editor: Optional[bool] = None,
    approver: Optional[bool] = None,
    actor: str = CLI_ACTOR,
) -> None:
    """Grant or revoke the console's content rights: `editor` proposes changes to what
    citizens are told, `approver` approves others' changes, publishes and rolls back."""
    with session_scope() as s:
        access = _access(s, username)
        for name, value in (("editor", editor), ("approver", approver)):
            if value is None:
                continue
            setattr(access, name, value)
            audit.record(
                s,
                actor,
                f"agent.{name}_{'granted' if value else 'revoked'}",
                "agent",
                username,
            )


def active_agents() -> List[Dict[str, str]]:
    """Who a conversation can be transferred to: [{"username", "display_name", "gender"}]."""
    with session_scope() as s:
        return [
            {"username": u, "display_name": d or u, "gender": g or MALE}
            for u, d, g in s.execute(
                select(Agent.username, Agent.display_name, AgentAccess.gender)
                .outerjoin(AgentAccess, AgentAccess.username == Agent.username)
                .where(Agent.active.is_(True))
                .order_by(Agent.display_name, Agent.username)
            )
        ]


# An open desk tab makes a request at least every 45 seconds (its live stream checks the
# session every 15 s; last_seen_at is written at most every 30 s).
ONLINE_WITHIN = timedelta(minutes=2)


def presence(now: Optional[datetime] = None) -> Dict[str, Dict[str, Any]]:
    """{username: {"online", "last_seen_at"}} of every active agent: online when one of
    their sessions made a request within ONLINE_WITHIN, else when they were last seen (a
    session's last request, or their last sign-in; None if never)."""
    now = now or utcnow()
    seen: Dict[str, Optional[datetime]] = {}
    with session_scope() as s:
        for username, login in s.execute(
            select(Agent.username, Agent.last_login_at).where(Agent.active.is_(True))
        ):
            seen[username] = aware(login) if login else None
        for username, last in s.execute(
            select(Agent.username, AgentSession.last_seen_at)
            .join(Agent, Agent.id == AgentSession.agent_id)
            .where(Agent.active.is_(True), AgentSession.expires_at > now)
        ):
            last = aware(last)
            if seen.get(username) is None or last > seen[username]:
                seen[username] = last
    return {
        u: {"online": bool(t and now - t <= ONLINE_WITHIN), "last_seen_at": t}
        for u, t in seen.items()
    }
