"""`make bench-load`: the assistant under load, single SQLite process vs the production profile.

    python -m bench.load                      # both profiles, 1/20/100 users, outages
    python -m bench.load --duration 10 --levels 1,20 --no-outages   # quicker
    python -m bench.load --model models/citizen-....tar.gz          # a given model

Profiles, one after the other in one run, on the same model and machine:
  A  "single process, SQLite": what `make run` starts - one Rasa process, SQLite tracker
     store and application database, in-memory lock store.
  B  "production, N workers": throwaway PostgreSQL and Redis from Debian's packages on
     loopback (PostgreSQL with its durable defaults, fsync on), SANIC_WORKERS=N (default 2),
     Redis lock store, tracker store and our tables in PostgreSQL (bot/tools/prod.py).

Load: closed-loop simulated users over the REST channel (POST /webhooks/rest/webhook).
Each user runs conversations one after the other, each a new sender, picked from a mix of
the flows the model knows (FAQ chats always; eligibility pre-check and ticket when the
model's domain has them), sending the next message as soon as the reply arrives, or
after a random pause for levels written "users:MIN-MAX" (people reading and typing;
they also start at random moments). A level runs for --duration seconds; no message is
sent after that (the conversation is left there). Errors: connection failures, non-200, an empty reply, or the
channel's "temporary problem" reply. A reply that hands the conversation to a person is an answer;
the simulated user then stops that conversation (it would wait for the agent).

Afterwards every conversation is read back from Rasa's tracker store (the `events`
table): user events per sender must be exactly the messages that were answered, once
each, in the order sent (messages that failed may be missing, never duplicated); every
answered message must be followed by a bot reply.

Outages (profile B, --no-outages skips): under steady load, Redis is stopped and started
again, then PostgreSQL, then one Rasa worker is killed with SIGKILL. Reported: errors during
and after, what the user was told, seconds from the service's return to the first
answered message, transcript check.

Results: results/bench_load.json and results/bench_load.md (the table for docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"

# --- the mix ---------------------------------------------------------------------------

FAQS = [
    "وش شروط حساب المواطن",
    "كيف اغير الايبان",
    "نسيت كلمة المرور وش اسوي",
    "رقم خدمة العملاء",
    "ليش نقص الدعم حقي",
    "كم ياخذ الرد على الاعتراض",
    "كيف اسجل في حساب المواطن",
    "متى الدوام",
    "وش المستندات المطلوبة للتسجيل",
    "كيف احدث بياناتي",
    "ابي اغير رقم جوالي",
    "وش هي خدمة صوتك مسموع",
]
OPENERS = ["السلام عليكم", "هلا", "مرحبا"]
CLOSERS = ["شكرا", "مشكور", "مع السلامة"]


@dataclass
class Flow:
    name: str
    weight: float
    requires: Tuple[str, ...]  # intents the model's domain must have
    make: Callable[[random.Random], List[str]]


def _faq_chat(rng: random.Random) -> List[str]:
    return [rng.choice(OPENERS)] + rng.sample(FAQS, 2) + [rng.choice(CLOSERS)]


def _faq_single(rng: random.Random) -> List[str]:
    return [rng.choice(FAQS)]


def _eligibility(rng: random.Random) -> List[str]:
    # The pre-check's questions in order (bot/actions/eligibility.py): Saudi, age, resident,
    # time abroad, shelter/prison, dependants, how many adults, income, assets, confirm.
    return [
        "ابي اتحقق من اهليتي",
        "نعم",
        str(rng.randint(20, 60)),
        "نعم",
        "ما سافرت",
        "لا",
        str(rng.randint(1, 5)),
        "كلهم أقل من 18",
        str(rng.randrange(3000, 12000, 500)),
        "لا",
        "نعم",
    ]


def _national_id(rng: random.Random) -> str:
    """A 10-digit ID that passes the Luhn check the ticket form applies."""
    digits = "1" + "".join(str(rng.randint(0, 9)) for _ in range(8))
    for check in "0123456789":
        candidate = digits + check
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def _ticket(rng: random.Random) -> List[str]:
    # "صوتك مسموع" complaint: ID, mobile, category (by number), description, confirm.
    return [
        "ابي افتح بلاغ صوتك مسموع",
        _national_id(rng),
        "05" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
        str(rng.randint(1, 5)),
        "الدعم ما نزل لي هالشهر مع اني مسجل ومستحق وبياناتي محدثة",
        "نعم",
    ]


FLOWS = [
    Flow("faq_chat", 0.45, ("faq",), _faq_chat),
    Flow("faq_single", 0.25, ("faq",), _faq_single),
    Flow("eligibility", 0.15, ("check_eligibility",), _eligibility),
    Flow("ticket", 0.15, ("open_ticket",), _ticket),
]


def model_intents(model: Path) -> List[str]:
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    return list(LocalModelStorage.metadata_from_archive(model).domain.intents)


def usable_flows(intents: List[str]) -> List[Flow]:
    return [f for f in FLOWS if all(i in intents for i in f.requires)]


# --- the client ------------------------------------------------------------------------

try:
    from channels.text import ERROR_REPLY, RATE_LIMIT_REPLY
except Exception:  # the channels may not be there (or may say it differently)
    ERROR_REPLY = RATE_LIMIT_REPLY = "\0never"
try:  # said while a conversation waits for a person (escalation message, queue acknowledgement)
    from bot.services.handoff import LEAVE_HINT as QUEUED_MARK
except Exception:
    QUEUED_MARK = "\0never"


@dataclass
class Sent:
    sender: str
    index: int
    message_id: str
    text: str
    started: float  # monotonic seconds, relative to the run's origin
    ms: float = 0.0
    ok: bool = False
    error: str = ""
    reply: str = ""
    handed_off: bool = False  # the bot handed the conversation to a person (a valid answer)


@dataclass
class Recorder:
    origin: float = field(default_factory=time.monotonic)
    sent: List[Sent] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.origin


async def _send(
    session, url: str, rec: Recorder, sender: str, index: int, text: str, timeout: float
) -> Sent:
    import aiohttp

    item = Sent(sender, index, f"{sender}.{index}", text, rec.now())
    rec.sent.append(item)
    t0 = time.perf_counter()
    try:
        async with session.post(
            url,
            json={"sender": sender, "message": text, "metadata": {"message_id": item.message_id}},
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            body = await response.text()
            item.ms = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                item.error = f"HTTP {response.status}"
                return item
            messages = json.loads(body)
            texts = [m.get("text") or "" for m in messages if isinstance(m, dict)]
            item.reply = " / ".join(" ".join(t.split()) for t in texts)[:160]  # one table cell
            if not messages:
                item.error = "empty reply"
            elif any(t.strip() == ERROR_REPLY for t in texts):
                item.error = "error reply"
            elif any(t.strip() == RATE_LIMIT_REPLY for t in texts):
                item.error = "rate limited"
            else:
                item.ok = True
                item.handed_off = any(QUEUED_MARK in t for t in texts)
    except Exception as e:
        item.ms = (time.perf_counter() - t0) * 1000
        item.error = type(e).__name__
    return item


async def run_users(
    url: str,
    users: int,
    duration: float,
    flows: List[Flow],
    tag: str,
    rec: Optional[Recorder] = None,
    think: Tuple[float, float] = (0.0, 0.0),
    timeout: float = 90.0,
    seed: int = 7,
    events: Optional[List[Tuple[float, Callable[[], None]]]] = None,
    seed_key: str = "",
) -> Tuple[Recorder, float]:
    """Closed loop: `users` coroutines, each running conversations until `duration` is over.
    `events` are (second, blocking function) run in a thread during the load (outages)."""
    import aiohttp

    rec = rec or Recorder()
    weights = [f.weight for f in flows]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a connection per request:
    # the kernel spreads them over the workers, as a proxy in front would
    start = time.monotonic()
    deadline = start + duration

    async with aiohttp.ClientSession(connector=connector) as session:

        async def user(u: int) -> None:
            # the same user draws the same conversations in every profile: compare like with like
            rng = random.Random(f"{seed}-{seed_key or tag}-{u}")
            n = 0
            if think[1] > 0:  # people do not all press "send" in the same millisecond
                await asyncio.sleep(rng.uniform(0, think[1]))
            while time.monotonic() < deadline:
                flow = rng.choices(flows, weights)[0]
                sender = f"load-{tag}-{u}-{n}-{uuid.uuid4().hex[:6]}"
                n += 1
                for i, text in enumerate(flow.make(rng)):
                    if time.monotonic() >= deadline:
                        break  # the user leaves mid-conversation: the level ends on time
                    item = await _send(session, url, rec, sender, i, text, timeout)
                    if think[1] > 0:
                        await asyncio.sleep(rng.uniform(*think))
                    if item.handed_off:
                        # Handed to a person (e.g. a script out of step after an outage made
                        # the bot give up): people wait for the agent instead of reciting the
                        # rest of the form, and the bot rightly stays quiet meanwhile.
                        break
                    if not item.ok:
                        # a person told "try again in a moment" waits a little; a client whose
                        # connection failed retries soon
                        await asyncio.sleep(
                            1.0 if item.error in ("error reply", "empty reply") else 0.2
                        )

        async def timed(at: float, fn: Callable[[], None]) -> None:
            await asyncio.sleep(max(0.0, start + at - time.monotonic()))
            await asyncio.to_thread(fn)

        tasks = [user(u) for u in range(users)] + [timed(at, fn) for at, fn in (events or [])]
        await asyncio.gather(*tasks)
    return rec, time.monotonic() - start


def percentile(values: List[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def summarise(items: List[Sent], wall: float) -> Dict:
    ok = [s.ms for s in items if s.ok]
    return {
        "messages": len(items),
        "answered": len(ok),
        "errors": len(items) - len(ok),
        "handed_off": sum(1 for s in items if s.handed_off),
        "msgs_per_s": round(len(ok) / wall, 1) if wall else 0.0,
        "p50_ms": round(percentile(ok, 0.50), 0),
        "p95_ms": round(percentile(ok, 0.95), 0),
        "p99_ms": round(percentile(ok, 0.99), 0),
        "max_ms": round(max(ok), 0) if ok else 0,
        "conversations": len({s.sender for s in items}),
        "seconds": round(wall, 1),
        "error_kinds": dict(Counter(s.error for s in items if not s.ok)),
    }


# --- transcript check ------------------------------------------------------------------


def stored_events(tracker_url: str, prefix: str) -> Dict[str, List[Tuple[str, str, str]]]:
    """sender -> [(type, message_id, text)] for user and bot events, in tracker order."""
    import sqlalchemy as sa

    engine = sa.create_engine(tracker_url)
    out: Dict[str, List[Tuple[str, str, str]]] = defaultdict(list)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT sender_id, type_name, data FROM events WHERE sender_id LIKE :p "
                    "AND type_name IN ('user', 'bot') ORDER BY id"
                ),
                {"p": prefix + "%"},
            )
            for sender, kind, data in rows:
                event = json.loads(data)
                out[sender].append((kind, event.get("message_id") or "", event.get("text") or ""))
    finally:
        engine.dispose()
    return out


def check_transcripts(tracker_url: str, prefix: str, items: List[Sent]) -> Dict:
    """Every answered message stored once, in order, followed by a bot reply."""
    stored = stored_events(tracker_url, prefix)
    by_sender: Dict[str, List[Sent]] = defaultdict(list)
    for s in items:
        by_sender[s.sender].append(s)
    all_ids = {s.message_id for s in items}
    id_mode = any(mid in all_ids for evs in stored.values() for k, mid, _ in evs if k == "user")
    lost = duplicated = out_of_order = unanswered = unexpected = 0
    bad: List[str] = []
    for sender, sent in by_sender.items():
        sent.sort(key=lambda s: s.index)
        events = stored.get(sender, [])
        users = [(mid if id_mode else text) for k, mid, text in events if k == "user"]
        keys = [(s.message_id if id_mode else s.text) for s in sent]
        counts = Counter(users)
        dup = sum(c - 1 for c in counts.values() if c > 1) if id_mode else 0
        # walk the attempts in order; stored user events must match them in the same order
        pos, problem = 0, False
        for s, key in zip(sent, keys):
            if pos < len(users) and users[pos] == key:
                pos += 1
            elif s.ok:
                if key in users[pos:]:
                    out_of_order += 1
                else:
                    lost += 1
                problem = True
        extra = len(users) - pos - dup
        if extra > 0:
            unexpected += extra
            problem = True
        if dup:
            duplicated += dup
            problem = True
        # every answered message is followed by a bot event before the next user event
        ok_keys = {key for s, key in zip(sent, keys) if s.ok}
        for i, (kind, mid, text) in enumerate(events):
            if kind != "user":
                continue
            key = mid if id_mode else text
            following = events[i + 1][0] if i + 1 < len(events) else None
            if following != "bot" and key in ok_keys:
                unanswered += 1
                problem = True
        if problem and len(bad) < 5:
            bad.append(sender)
    return {
        "conversations": len(by_sender),
        "matched_by": "message_id" if id_mode else "text",
        "user_events": sum(1 for evs in stored.values() for k, _, _ in evs if k == "user"),
        "answered_messages": sum(1 for s in items if s.ok),
        "lost": lost,
        "duplicated": duplicated,
        "out_of_order": out_of_order,
        "unexpected": unexpected,
        "unanswered": unanswered,
        "examples": bad,
        "complete": not (lost or duplicated or out_of_order or unexpected or unanswered),
    }


# --- profiles --------------------------------------------------------------------------


def _free_port() -> int:
    from bot.tools.services import free_port

    return free_port()


class Profile:
    name = ""
    workers = 1

    def service_pids(self) -> List[int]:
        return []

    def start(self) -> None: ...
    def stop(self) -> None: ...

    url = ""
    tracker_url = ""
    pids: List[int] = []


class SingleSQLite(Profile):
    name = "single process, SQLite"

    def __init__(self, model: Path, logs: Path) -> None:
        from bot.tools.serve import Stack

        self.stack = Stack(
            model=model,
            rasa_port=_free_port(),
            actions_port=_free_port(),
            var_dir=Path(tempfile.mkdtemp(prefix="bench-load-sqlite-")),
            log_dir=logs / "sqlite",
            extra_env={"SANIC_WORKERS": "1"},
        )

    def start(self) -> None:
        from bot.store.tracker_store import tracker_store_url

        self.stack.start(420)
        self.url = self.stack.url
        self.tracker_url = tracker_store_url(self.stack.env())
        self.pids = [p.pid for p in self.stack.processes]

    def stop(self) -> None:
        self.stack.stop()


class Production(Profile):
    def __init__(self, model: Path, logs: Path, workers: int) -> None:
        from bot.tools.prod import ProdStack

        self.workers = workers
        self.name = f"production, {workers} workers (PostgreSQL + Redis)"
        self.prod = ProdStack(
            model=model,
            rasa_port=_free_port(),
            actions_port=_free_port(),
            var_dir=Path(tempfile.mkdtemp(prefix="bench-load-prod-")),
            log_dir=logs / "prod",
            env_overrides={"SANIC_WORKERS": str(workers)},
            throwaway_services=True,
            durable=True,
        )

    def start(self) -> None:
        from bot.store.tracker_store import tracker_store_url

        self.prod.start()
        self.url = self.prod.url
        self.tracker_url = tracker_store_url(self.prod.env)
        self.pids = [p.pid for p in self.prod.stack.processes] + self.prod.worker_pids()

    def service_pids(self) -> List[int]:
        return [
            s.proc.pid
            for s in (self.prod.postgres, self.prod.redis)
            if s is not None and s.proc is not None
        ]

    def stop(self) -> None:
        self.prod.stop()


def _cpu_seconds(pids: List[int], with_children: bool = False) -> float:
    """CPU time of these processes; with_children adds their live children and the time
    of children they have reaped (PostgreSQL backends come and go)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            if with_children:
                total += (int(fields[13]) + int(fields[14])) / tick
                todo += [
                    int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                ]
        except (OSError, IndexError, ValueError):
            pass
    return total


def _rss_mb(pids: List[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 0)


class CpuSampler:
    """Machine CPU use while a level runs (from /proc/stat), and how much of it was ours:
    on a shared machine other work explains a good part of the variance."""

    def __init__(self, pids: Callable[[], List[int]], interval: float = 0.5) -> None:
        self.pids, self.interval = pids, interval
        self.samples: List[Tuple[float, float, float]] = []  # (t, machine busy cores, ours cores)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _machine() -> Tuple[float, float]:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]
        return sum(fields) / os.sysconf("SC_CLK_TCK"), idle / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        total0, idle0 = self._machine()
        ours0, t0 = self.pids_cpu(), time.monotonic()
        while not self._stop.wait(self.interval):
            total, idle = self._machine()
            ours, t = self.pids_cpu(), time.monotonic()
            dt = max(1e-6, t - t0)
            self.samples.append((t, ((total - total0) - (idle - idle0)) / dt, (ours - ours0) / dt))
            total0, idle0, ours0, t0 = total, idle, ours, t

    def pids_cpu(self) -> float:
        return _cpu_seconds(self.pids(), True)

    def __enter__(self) -> "CpuSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)

    def summary(self) -> Dict:
        if not self.samples:
            return {}
        busy = [b for _, b, _ in self.samples]
        ours = [o for _, _, o in self.samples]
        others = [max(0.0, b - o) for b, o in zip(busy, ours)]
        return {
            "machine_busy_cores": round(statistics.mean(busy), 2),
            "ours_cores": round(statistics.mean(ours), 2),
            "others_cores": round(statistics.mean(others), 2),
            "cores": os.cpu_count(),
        }


def _loadavg() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


@dataclass
class Level:
    users: int
    think: Tuple[float, float] = (0.0, 0.0)

    @property
    def label(self) -> str:
        return (
            f"{self.users}"
            if not self.think[1]
            else f"{self.users}, think {self.think[0]:g}-{self.think[1]:g} s"
        )

    @property
    def tag(self) -> str:
        return f"u{self.users}" + (
            f"t{self.think[0]:g}-{self.think[1]:g}".replace(".", "_") if self.think[1] else ""
        )


def parse_levels(text: str) -> List[Level]:
    """ "1,20,100,20:2-5" -> 1, 20 and 100 users without pause, 20 users pausing 2-5 s."""
    levels = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        users, _, think = part.partition(":")
        lo, _, hi = think.partition("-")
        levels.append(Level(int(users), (float(lo or 0), float(hi or lo or 0))))
    return levels


SAMPLES: Optional[Dict[str, List[Dict]]] = None


def run_profiles(
    profiles: List[Profile],
    levels: List[Level],
    duration: float,
    flows: List[Flow],
    think: Tuple[float, float],
    outages: bool,
    run_id: str,
    save: Callable[[List[Dict]], None],
) -> List[Dict]:
    """Start every profile, then run each level on one profile after the other, so both
    see the same machine (other work on a shared machine drifts over minutes)."""
    results: List[Dict] = []
    try:
        for profile in profiles:
            print(f"\n== {profile.name}: starting", flush=True)
            began = time.monotonic()
            profile.start()
            results.append(
                {
                    "profile": profile.name,
                    "workers": profile.workers,
                    "start_seconds": round(time.monotonic() - began, 1),
                    "levels": [],
                }
            )
        for profile in profiles:
            profile.tag = f"{run_id}-{'p' if getattr(profile, 'prod', None) else 's'}"
            profile.rest = f"{profile.url}/webhooks/rest/webhook"
            # warm-up: the first messages of each worker load lazy parts of TensorFlow
            asyncio.run(
                run_users(profile.rest, 2 * profile.workers + 2, 8, flows, f"{profile.tag}-warm")
            )
        for level in levels:
            for profile, result in zip(profiles, results):
                result["levels"].append(run_level(profile, level, duration, flows, think))
                save(results)
        for profile, result in zip(profiles, results):
            result["rss_mb"] = _rss_mb(sorted(set(profile.pids)))
            if outages and getattr(profile, "prod", None) is not None:
                print(f"\n== {profile.name}: outages", flush=True)
                result["outages"] = run_outages(profile, profile.rest, flows, profile.tag)
                save(results)
    finally:
        for profile in profiles:
            profile.stop()
    return results


def run_level(
    profile: Profile, level: Level, duration: float, flows: List[Flow], think: Tuple[float, float]
) -> Dict:
    pids = sorted(set(profile.pids))
    load0, cpu0, svc0 = _loadavg(), _cpu_seconds(pids), _cpu_seconds(profile.service_pids(), True)
    with CpuSampler(lambda: pids + profile.service_pids() + [os.getpid()]) as sampler:
        rec, wall = asyncio.run(
            run_users(
                profile.rest,
                level.users,
                duration,
                flows,
                f"{profile.tag}-{level.tag}",
                think=level.think if level.think[1] else think,
                seed_key=level.tag,
            )
        )
    row = {
        "users": level.users,
        "label": level.label,
        "think": list(level.think),
        **summarise(rec.sent, wall),
        "server_cpu_ms_per_msg": round(
            1000 * (_cpu_seconds(pids) - cpu0) / max(1, len(rec.sent)), 1
        ),
        "services_cpu_ms_per_msg": round(
            1000 * (_cpu_seconds(profile.service_pids(), True) - svc0) / max(1, len(rec.sent)), 1
        ),
        "loadavg_before": load0,
        "cpu": sampler.summary(),
    }
    if SAMPLES is not None:
        SAMPLES[f"{profile.name} {level.label}"] = [asdict(x) for x in rec.sent]
    row["transcripts"] = check_transcripts(
        profile.tracker_url, f"load-{profile.tag}-{level.tag}-", rec.sent
    )
    print(
        f"  {profile.name[:26]:26} {level.label:>16} users: {row['answered']:>5} answered, "
        f"{row['msgs_per_s']:>6} msg/s, p50 {row['p50_ms']:.0f} p95 {row['p95_ms']:.0f} p99 {row['p99_ms']:.0f} ms, "
        f"errors {row['errors']}, transcripts {'complete' if row['transcripts']['complete'] else 'BROKEN'}",
        flush=True,
    )
    return row


def _outage(
    profile: Profile,
    url: str,
    flows: List[Flow],
    tag: str,
    name: str,
    down: Callable[[], None],
    up: Callable[[], None],
    users: int = 10,
    at: float = 8.0,
    outage_seconds: float = 4.0,
    duration: float = 26.0,
) -> Dict:
    marks: Dict[str, float] = {}
    rec = Recorder()

    def act() -> None:
        marks["down"] = rec.now()
        down()
        time.sleep(outage_seconds)
        if up is not None:
            up()
        marks["up"] = rec.now()

    rec, wall = asyncio.run(
        run_users(url, users, duration, flows, f"{tag}-{name}", rec=rec, events=[(at, act)])
    )
    if SAMPLES is not None:
        SAMPLES[f"{profile.name} {name}"] = [asdict(x) for x in rec.sent] + [{"marks": marks}]
    before = [s for s in rec.sent if s.started < marks["down"]]
    during = [s for s in rec.sent if marks["down"] <= s.started < marks["up"]]
    after = [s for s in rec.sent if s.started >= marks["up"]]
    first_ok = min((s.started + s.ms / 1000 for s in after if s.ok), default=None)
    settled = [s for s in after if s.started >= marks["up"] + 2.0]
    row = {
        "scenario": name,
        "users": users,
        "outage_s": round(marks["up"] - marks["down"], 1),
        "before": summarise(before, marks["down"]),
        "during": summarise(during, max(0.1, marks["up"] - marks["down"])),
        "after": summarise(after, max(0.1, wall - marks["up"])),
        "errors_after_2s": sum(1 for s in settled if not s.ok),
        "recovered_after_s": None if first_ok is None else round(first_ok - marks["up"], 1),
        "user_saw": dict(
            Counter((s.reply or s.error) for s in during + after if not s.ok).most_common(3)
        ),
        "transcripts": check_transcripts(profile.tracker_url, f"load-{tag}-{name}-", rec.sent),
    }
    print(
        f"  {name}: {row['during']['errors']} errors while down ({row['outage_s']} s), "
        f"{row['errors_after_2s']} errors from 2 s after recovery, first answer {row['recovered_after_s']} s "
        f"after it was back, transcripts {'complete' if row['transcripts']['complete'] else 'BROKEN'}",
        flush=True,
    )
    return row


def run_outages(profile: Profile, url: str, flows: List[Flow], tag: str) -> List[Dict]:
    prod = profile.prod
    rows = [
        _outage(
            profile,
            url,
            flows,
            tag,
            "redis-restart",
            lambda: prod.redis.stop(remove=False),
            lambda: prod.redis.start(),
        ),
        _outage(
            profile,
            url,
            flows,
            tag,
            "postgres-restart",
            lambda: prod.postgres.stop(remove=False),
            lambda: prod.postgres.start(),
        ),
    ]
    killed: List[int] = []
    row = _outage(
        profile,
        url,
        flows,
        tag,
        "worker-killed",
        lambda: killed.append(prod.kill_worker()),
        None,
        outage_seconds=0.0,
        at=8.0,
        duration=24.0,
    )
    row["killed_pid"] = killed[0] if killed else None
    row["workers_left"] = len(prod.worker_pids())
    rows.append(row)
    return rows


# --- report ----------------------------------------------------------------------------


def markdown(report: Dict) -> str:
    lines = [
        f"Machine: {report['machine']}  ",
        f"Model: `{report['model']}`; flows in the mix: {', '.join(report['flows'])}; "
        f"{report['duration']:g} s per level; users send their next message as soon as the reply arrives, "
        f'except "think a-b s": a random pause of a to b seconds first (people reading and typing); '
        f"run {report['when']}. CPU ms/msg: CPU time of the assistant's processes (Rasa, action server, and "
        f"for production PostgreSQL + Redis) per message; machine busy: cores in use on average during the level, "
        f"in brackets the part used by other work on the shared machine (not the assistant, not the load generator).",
        "",
    ]
    lines += [
        "| profile | users | msg/s | p50 ms | p95 ms | p99 ms | errors | answered | CPU ms/msg | machine busy (other work) | transcripts |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for prof in report["profiles"]:
        for row in prof["levels"]:
            t = row["transcripts"]
            verdict = (
                "complete"
                if t["complete"]
                else (
                    f"lost {t['lost']}, dup {t['duplicated']}, "
                    f"order {t['out_of_order']}, unanswered {t['unanswered']}"
                )
            )
            lines.append(
                f"| {prof['profile']} | {row.get('label', row['users'])} | {row['msgs_per_s']} | {row['p50_ms']:.0f} | "
                f"{row['p95_ms']:.0f} | {row['p99_ms']:.0f} | {row['errors']} | {row['answered']} | "
                f"{row['server_cpu_ms_per_msg'] + row['services_cpu_ms_per_msg']:.0f} | "
                f"{row['cpu'].get('machine_busy_cores', 0):.2f} ({row['cpu'].get('others_cores', 0):.2f}) of {os.cpu_count()} | "
                f"{verdict} ({t['conversations']} conversations) |"
            )
    if len(report["profiles"]) == 2:
        a, b = report["profiles"]
        ratios = []
        for ra, rb in zip(a["levels"], b["levels"]):
            if ra["msgs_per_s"] and not ra.get("think", [0, 0])[1]:
                ratios.append(f"{rb['users']} users ×{rb['msgs_per_s'] / ra['msgs_per_s']:.2f}")
        lines += ["", f"Throughput, production ÷ single: {', '.join(ratios)}."]
        lines += [
            f"Start: single {a['start_seconds']} s, production {b['start_seconds']} s (services, migrations, "
            f"all workers loaded). Memory after the load (RSS of all server processes): single "
            f"{a.get('rss_mb')} MB, production {b.get('rss_mb')} MB."
        ]
    for prof in report["profiles"]:
        if prof.get("outages"):
            lines += [
                "",
                "| under load (10 users) | down s | failed in flight | errors while down | errors ≥2 s after return "
                "| first answer after return | msg/s before → after | what the user got | handed to a person after | transcripts |",
                "|---|---:|---:|---:|---:|---:|---|---|---:|---|",
            ]
            for o in prof["outages"]:
                t = o["transcripts"]
                saw = "; ".join(f"{k!s} ×{v}" for k, v in o["user_saw"].items()) or "-"
                verdict = (
                    "complete"
                    if t["complete"]
                    else "BROKEN: "
                    + json.dumps(
                        {k: t[k] for k in ("lost", "duplicated", "out_of_order", "unanswered")}
                    )
                )
                lines.append(
                    f"| {o['scenario']} | {o['outage_s']} | {o['before']['errors']} | {o['during']['errors']} | "
                    f"{o['errors_after_2s']} | {o['recovered_after_s']} s | {o['before']['msgs_per_s']} → "
                    f"{o['after']['msgs_per_s']} | {saw} | {o['after'].get('handed_off', 0)} | "
                    f"{verdict} ({t['conversations']} conversations) |"
                )
    return "\n".join(lines) + "\n"


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path)
    parser.add_argument(
        "--levels",
        default="1,20,100,20:3-8,100:3-8",
        help="users[:think MIN-MAX s], comma separated",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=45.0,
        help="seconds per level (shorter levels are noisier on a shared machine)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think", default="0,0", help="pause between a reply and the next message, MIN,MAX s"
    )
    parser.add_argument("--no-outages", action="store_true")
    parser.add_argument("--only", choices=["single", "prod"])
    parser.add_argument(
        "--flows", help="only these flows, e.g. faq_chat,faq_single (default: all the model knows)"
    )
    parser.add_argument(
        "--samples",
        action="store_true",
        help="also write every request to results/bench_load_samples.json",
    )
    args = parser.parse_args(argv)

    global SAMPLES
    if args.samples:
        SAMPLES = {}
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Profile A must not inherit a production environment from the caller's shell.
    for key in ("DATABASE_URL", "REDIS_URL", "TRACKER_STORE_URL", "SANIC_WORKERS", "TRACKER_DB"):
        os.environ.pop(key, None)
    from bench.run import machine

    model = args.model
    if model is None:
        from bot.tools.model import ensure

        model = ensure()
    model = model.resolve()
    flows = usable_flows(model_intents(model))
    if args.flows:
        flows = [f for f in flows if f.name in args.flows.split(",")]
    levels = parse_levels(args.levels)  # may be empty: outages only
    think = tuple(float(x) for x in args.think.split(","))
    RESULTS.mkdir(exist_ok=True)
    logs = RESULTS / "bench-load-logs"
    run_id = time.strftime("%H%M%S")
    report = {
        "machine": machine(),
        "model": model.name,
        "flows": [f.name for f in flows],
        "levels": [lv.label for lv in levels],
        "duration": args.duration,
        "think": list(think),
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "profiles": [],
    }
    profiles: List[Profile] = []
    if args.only in (None, "single"):
        profiles.append(SingleSQLite(model, logs))
    if args.only in (None, "prod"):
        profiles.append(Production(model, logs, args.workers))

    def save(results: List[Dict]) -> None:
        report["profiles"] = results
        (RESULTS / "bench_load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))

    run_profiles(profiles, levels, args.duration, flows, think, not args.no_outages, run_id, save)
    if SAMPLES:
        (RESULTS / "bench_load_samples.json").write_text(json.dumps(SAMPLES, ensure_ascii=False))
    text = markdown(report)
    (RESULTS / "bench_load.md").write_text(text)
    print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
