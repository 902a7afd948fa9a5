"""The desk's sign-in throttle: growing delays instead of lock-outs.

Failed sign-ins are counted per (username, client address) pair. The first few are free;
after that each further try from that pair must wait longer (1 s, 2 s, 4 s … at most
15 minutes) after the latest failure. Someone guessing sara's password from elsewhere
therefore slows only themselves: sara, from an address she signed in from before (her
"usual" address, remembered for 30 days), keeps getting in with the right password.
Two wider counters catch what the pair cannot:
- one username tried from many unfamiliar addresses (a botnet): those addresses wait,
  the usual ones do not;
- one address trying many usernames (a spray): it waits, except for a user trying from
  their own usual address (colleagues behind one office proxy).
An unlock (a supervisor on the desk, or `python -m bot.backoffice agents unlock`) stamps
the account (desk_agents.throttle_reset_at): failures before it no longer count, in
every process, whatever the backend.

Counters live in Redis when REDIS_URL is set, so every Rasa worker counts together, and
in this process otherwise. A Redis outage falls back to this process's counters (the
throttle keeps working per worker rather than failing open or locking everyone out).
Addresses are kept only as salted hashes.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from bot import metrics, settings

logger = logging.getLogger(__name__)

PAIR_FREE, USER_FREE, ADDRESS_FREE = 5, 10, 30
MAX_DELAY = 900.0  # seconds
WINDOW = 3600.0  # failures older than this are forgotten
USUAL_DAYS = 30


@dataclass(frozen=True)
class Verdict:
    wait_seconds: float  # 0: may try now

    @property
    def allowed(self) -> bool:
        return self.wait_seconds <= 0


def delay_after(failures: int, free: int) -> float:
    """How long to wait after the latest failure, given the failures so far."""
    if failures < free:
        return 0.0
    return min(MAX_DELAY, 2.0 ** (failures - free))


class MemoryCounters:
    """Failure times per key and usual addresses per user, in this process (bounded)."""

    MAX_KEYS = 10_000

    def __init__(self) -> None:
        self._fails: Dict[str, List[float]] = {}
        self._usual: Dict[str, Dict[str, float]] = {}

    def add(self, key: str, at: float) -> None:
        self._fails.setdefault(key, []).append(at)
        if len(self._fails) > self.MAX_KEYS:  # a spray of usernames must not grow memory
            for k in list(self._fails)[: self.MAX_KEYS // 2]:
                self._fails.pop(k, None)

    def since(self, key: str, start: float) -> Tuple[int, float]:
        kept = [t for t in self._fails.get(key, []) if t > start]
        return len(kept), max(kept, default=0.0)

    def clear(self, *keys: str) -> None:
        for key in keys:
            self._fails.pop(key, None)

    def clear_prefix(self, prefix: str) -> None:
        for key in [k for k in self._fails if k.startswith(prefix)]:
            self._fails.pop(key, None)

    def remember(self, user: str, address: str, until: float) -> None:
        self._usual.setdefault(user, {})[address] = until
        if len(self._usual) > self.MAX_KEYS:
            for k in list(self._usual)[: self.MAX_KEYS // 2]:
                self._usual.pop(k, None)

    def usual(self, user: str, address: str, now: float) -> bool:
        return self._usual.get(user, {}).get(address, 0.0) > now


class RedisCounters:
    """The same on Redis: a sorted set of failure times per key, a hash of usual addresses
    per user (address -> until), all expiring by themselves."""

    def __init__(self, client, prefix: str = "desk:signin:") -> None:
        self.r, self.prefix = client, prefix

    def add(self, key: str, at: float) -> None:
        k = self.prefix + key
        pipe = self.r.pipeline()
        pipe.zadd(k, {f"{at:.6f}:{uuid.uuid4().hex[:8]}": at})
        pipe.zremrangebyscore(k, "-inf", at - WINDOW)
        pipe.expire(k, int(WINDOW) + 60)
        pipe.execute()

    def since(self, key: str, start: float) -> Tuple[int, float]:
        k = self.prefix + key
        pipe = self.r.pipeline()
        pipe.zcount(k, f"({start}", "+inf")
        pipe.zrange(k, -1, -1, withscores=True)
        count, latest = pipe.execute()
        return int(count), float(latest[0][1]) if latest and count else 0.0

    def clear(self, *keys: str) -> None:
        if keys:
            self.r.delete(*(self.prefix + k for k in keys))

    def clear_prefix(self, prefix: str) -> None:
        for k in self.r.scan_iter(match=self.prefix + prefix + "*", count=500):
            self.r.delete(k)

    def remember(self, user: str, address: str, until: float) -> None:
        k = f"{self.prefix}usual:{user}"
        self.r.hset(k, address, until)
        self.r.expire(k, USUAL_DAYS * 86400)

    def usual(self, user: str, address: str, now: float) -> bool:
        until = self.r.hget(f"{self.prefix}usual:{user}", address)
        return until is not None and float(until) > now


class SignInThrottle:
    def __init__(self, counters=None, clock=time.time, salt: str = "") -> None:
        self.counters = counters if counters is not None else MemoryCounters()
        self.fallback = MemoryCounters()
        self.clock = clock
        self.salt = salt or uuid.uuid4().hex

    @classmethod
    def from_settings(cls) -> "SignInThrottle":
        s = settings.get()
        if not s.redis_url:
            return cls(salt=s.log_id_salt)
        import redis

        client = redis.Redis.from_url(
            s.redis_url,
            socket_timeout=s.redis_socket_timeout,
            socket_connect_timeout=s.redis_socket_timeout,
            decode_responses=True,
        )
        # The salt must be the same in every worker, or their address keys would differ.
        return cls(RedisCounters(client), salt=s.log_id_salt or "desk-signin")

    def _address(self, address: str) -> str:
        return hashlib.sha256(f"{self.salt}|{address}".encode()).hexdigest()[:20]

    def _run(self, method: str, *args):
        try:
            return getattr(self.counters, method)(*args)
        except Exception as e:  # Redis down: count in this process meanwhile
            metrics.redis_error("desk_signin")
            logger.warning("sign-in throttle: shared counters unavailable: %s", type(e).__name__)
            return getattr(self.fallback, method)(*args)

    @staticmethod
    def _user(username: str) -> str:
        return (username or "").strip().lower()[:80]

    def check(self, username: str, address: str, reset_at: Optional[float] = None) -> Verdict:
        """May this pair try now? `reset_at`: the account's last unlock (epoch seconds)."""
        now = self.clock()
        user, addr = self._user(username), self._address(address)
        start = max(now - WINDOW, reset_at or 0.0)
        usual = bool(user) and self._run("usual", user, addr, now)
        wait = 0.0
        for key, free, applies in (
            (f"p:{user}|{addr}", PAIR_FREE, True),
            (f"u:{user}", USER_FREE, not usual),
            (f"a:{addr}", ADDRESS_FREE, not usual),
        ):
            if not applies:
                continue
            # The address counter spans every username: an unlock of one does not reset it.
            count, latest = self._run("since", key, start if key[0] != "a" else now - WINDOW)
            wait = max(wait, latest + delay_after(count, free) - now if count >= free else 0.0)
        return Verdict(max(0.0, wait))

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        user, addr = self._user(username), self._address(address)
        self._run("add", f"p:{user}|{addr}", now)
        self._run("add", f"a:{addr}", now)
        if not (user and self._run("usual", user, addr, now)):
            self._run("add", f"u:{user}", now)

    def succeeded(self, username: str, address: str) -> None:
        now = self.clock()
        user, addr = self._user(username), self._address(address)
        self._run("clear", f"p:{user}|{addr}")
        self._run("remember", user, addr, now + USUAL_DAYS * 86400)

    def unlock(self, username: str) -> None:
        """Forget the user's failures in these counters (the database stamp covers the
        other processes)."""
        user = self._user(username)
        self._run("clear", f"u:{user}")
        self._run("clear_prefix", f"p:{user}|")


def wait_text(seconds: float) -> str:
    """Arabic for how long to wait before the next try."""
    seconds = int(seconds + 0.999)
    if seconds <= 2:
        return "ثانية" if seconds <= 1 else "ثانيتين"
    if seconds < 60:
        return f"{seconds} ثانية" if seconds > 10 else f"{seconds} ثوانٍ"
    minutes = (seconds + 59) // 60
    return (
        "دقيقة" if minutes == 1 else (f"{minutes} دقائق" if minutes <= 10 else f"{minutes} دقيقة")
    )
